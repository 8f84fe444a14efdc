using System.Globalization;
using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Training;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace MediaPlanner.Web.Endpoints;

/// <summary>JSONL export of examples and of preference pairs (reviewers and admins), and import (admins) of training data.</summary>
public static class TrainingDataEndpoints
{
    /// <summary>
    /// Import accepts only JSON-lines content types: a cross-site HTML form cannot send them without a CORS
    /// preflight, which is what protects this cookie-authenticated POST from request forgery.
    /// </summary>
    private static readonly string[] JsonLinesTypes = ["application/jsonl", "application/x-ndjson", "application/json-lines", "application/x-jsonlines"];

    public static IEndpointRouteBuilder MapTrainingDataEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // As the plan downloads: typed results would make a signed-out browser's 302 to sign-in a bare 401.
        var group = endpoints.MapGroup("/api/training-data").AllowCookieRedirect();
        group.MapGet("/export", ExportAsync).RequireAuthorization(Policies.CanReview);
        group.MapGet("/preference-pairs", ExportPreferencePairsAsync).RequireAuthorization(Policies.CanReview);
        // The body limit is the configured import limit, read once at start-up like Kestrel's own limits.
        var maxImportBytes = endpoints.ServiceProvider.GetRequiredService<IOptions<ImportOptions>>().Value.MaxImportBytes;
        group.MapPost("/import", ImportAsync)
            .RequireAuthorization(Policies.AdminOnly)
            .WithMetadata(new RequestSizeLimitAttribute(maxImportBytes));
        return endpoints;
    }

    public static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> ExportAsync(TrainingDataService training, PrivacySettingsService settings,
        AuditLog audit, ICurrentUserAccessor users, int? validationPercent, int? seed, string? part, CancellationToken ct)
    {
        var exportPart = part?.ToLowerInvariant() switch
        {
            "train" => ExportPart.Train,
            "validation" => ExportPart.Validation,
            null or "" or "all" => ExportPart.All,
            _ => (ExportPart?)null,
        };
        if (exportPart is null)
            return TypedResults.Problem("part must be all, train or validation.", statusCode: StatusCodes.Status400BadRequest);
        if (validationPercent is < 0 or > 90)
            return TypedResults.Problem("validationPercent must be between 0 and 90.", statusCode: StatusCodes.Status400BadRequest);
        var options = new ExportOptions(validationPercent ?? 0, seed ?? 42, exportPart.Value, settings.AnonymiseOutbound);
        var name = exportPart == ExportPart.All ? "training-data.jsonl" : $"training-data-{part!.ToLowerInvariant()}.jsonl";
        var user = await users.GetAsync();
        // Audited here, not in the service: the fine-tuning runner exports too, and that is no one's download.
        return TypedResults.Stream(async stream =>
        {
            var count = await training.ExportAsync(stream, options, ct);
            var split = options.Part == ExportPart.All ? "" : string.Create(CultureInfo.InvariantCulture,
                $" ({options.Part.ToString().ToLowerInvariant()} part, {options.ValidationPercent}% held out, seed {options.Seed})");
            await audit.RecordAsync(user, AuditActions.TrainingExport, AuditEntities.TrainingData, null,
                $"Exported {count} validated examples as {name}{split}, {NamesMode(options.Anonymise)}",
                after: AuditLog.Json(new { file = name, examples = count, part = options.Part.ToString(), options.ValidationPercent, options.Seed, anonymised = options.Anonymise }), ct: ct);
        }, "application/jsonl", name);
    }

    public static async Task<PushStreamHttpResult> ExportPreferencePairsAsync(PreferencePairService preferences, PrivacySettingsService settings, AuditLog audit,
        TimeProvider clock, ICurrentUserAccessor users, CancellationToken ct)
    {
        var name = $"preference-pairs-{clock.GetUtcNow().ToString("yyyyMMdd", CultureInfo.InvariantCulture)}.jsonl";
        var user = await users.GetAsync();
        var anonymise = settings.AnonymiseOutbound;
        return TypedResults.Stream(async stream =>
        {
            var count = await preferences.ExportAsync(stream, anonymise, ct);
            await audit.RecordAsync(user, AuditActions.TrainingExport, AuditEntities.TrainingData, null,
                $"Exported {count} preference pairs as {name}, {NamesMode(anonymise)}",
                after: AuditLog.Json(new { file = name, pairs = count, format = "preference", anonymised = anonymise }), ct: ct);
        }, "application/jsonl", name);
    }

    public static async Task<Results<Ok<ImportReport>, ProblemHttpResult>> ImportAsync(HttpRequest request, ICurrentUserAccessor users, TrainingDataService training,
        IOptions<ImportOptions> options, ILoggerFactory loggers, [FromQuery] bool? validated, [FromQuery] string? file, CancellationToken ct)
    {
        var mediaType = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (mediaType is null || !JsonLinesTypes.Contains(mediaType))
            return TypedResults.Problem($"Send the dataset as the request body with Content-Type {JsonLinesTypes[0]}.", statusCode: StatusCodes.Status415UnsupportedMediaType);
        var limits = options.Value;
        if (request.ContentLength > limits.MaxImportBytes)
            return TooLarge(loggers, limits, request.ContentLength);
        try
        {
            return TypedResults.Ok(await training.ImportAsync(request.Body, file, validated ?? false, await users.GetAsync(), ct));
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // A body sent without a length runs into the server's limit part-way: the import run records what it stored.
            return TooLarge(loggers, limits, size: null);
        }
    }

    private static ProblemHttpResult TooLarge(ILoggerFactory loggers, ImportOptions limits, long? size)
    {
        var message = limits.TooLargeMessage(size);
        if (size is null)
            message += " The import stopped there: Recent imports on the training page lists what it stored.";
        loggers.CreateLogger(typeof(TrainingDataEndpoints)).LogWarning("Import refused: {Size} is over Training:MaxImportBytes ({Limit} bytes)",
            size is { } bytes ? $"{bytes} bytes" : "a body sent without a length", limits.MaxImportBytes);
        return TypedResults.Problem(message, statusCode: StatusCodes.Status413PayloadTooLarge, title: "The file is too large to import");
    }

    private static string NamesMode(bool anonymised) =>
        anonymised ? "client names replaced by placeholders" : "client names as written";
}
