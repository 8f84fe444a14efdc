using System.Globalization;
using System.Text.RegularExpressions;
using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Providers;
using Microsoft.EntityFrameworkCore;

namespace MediaPlanner.Domain.FineTuning;

/// <summary>Provider rules for new jobs, and re-attaching a job the app lost by its provider id.</summary>
public sealed partial class FineTuneService
{
    /// <summary>The validation share a re-attached job's held-out evaluation draws, as a new job's default.</summary>
    public const int ReattachedValidationPercent = 10;

    /// <summary>Why the job's provider would refuse this suffix, or null when it is fine (empty means none).</summary>
    private string? SuffixProblem(string provider, string? suffix)
    {
        if (provider == FineTuneProviders.Local)
            return suffix is { Length: > 0 } s && !SuffixPattern().IsMatch(s) ? "Use up to 64 letters, digits, dashes or underscores." : null;
        return TrainingFileRules.For(profiles?.Get(provider)?.Kind ?? ProviderKind.OpenAI).ValidateSuffix(suffix);
    }

    /// <summary>
    /// Follows a job that runs at a hosted provider but that no job here follows (its create answer was lost, the database
    /// was restored…): reads it by its id, creates a job with that external id and the remote job's base model, suffix,
    /// seed, hyperparameters and files, and lets the runner follow it to the end, evaluation included. Admins only.
    /// Problems come back keyed by field: Provider, ExternalId, or "" for the provider's own refusal.
    /// </summary>
    public async Task<Result<int>> ReattachAsync(string provider, string externalId, CurrentUser user, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (!user.IsAdmin)
            throw new UnauthorizedAccessException("Only admins re-attach fine-tuning jobs.");
        provider = provider?.Trim() ?? "";
        var id = externalId?.Trim() ?? "";
        var errors = new Dictionary<string, string>();
        var reader = backends.OfType<IRemoteJobReader>().FirstOrDefault(b => b.Handles(provider));
        var name = ProviderName(provider);
        if (provider.Length == 0)
            errors["Provider"] = "Choose the provider that runs the job.";
        else if (provider == FineTuneProviders.Local)
            errors["Provider"] = "Local jobs run in this app: choose the hosted provider that runs the job.";
        else if (reader is null)
            errors["Provider"] = $"There is no provider {provider}: add it in settings first.";
        else if (BackendFor(provider)?.IsConfiguredFor(provider) != true)
            errors["Provider"] = $"{name} has no API key: enter it in settings first.";
        if (id.Length == 0)
            errors["ExternalId"] = "Enter the provider's job id, e.g. ftjob-abc123.";
        else if (!ExternalIdPattern().IsMatch(id))
            errors["ExternalId"] = "A job id has letters, digits, dashes, underscores, dots or colons only, e.g. ftjob-abc123.";
        if (errors.Count > 0)
            return Result<int>.Invalid(errors);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await FollowedByAsync(db, provider, id, ct) is { } followed)
            return Result<int>.Fail("ExternalId", $"Job #{followed} already follows {id}.");

        var lookup = await reader!.ReadRemoteJobAsync(provider, id, ct);
        if (lookup.Job is not { } remote)
            return Result<int>.Fail(lookup.NotFound ? "ExternalId" : Result.Form, lookup.Problem ?? $"{name} did not describe the job {id}.");

        var now = clock.GetUtcNow();
        var job = new FineTuneJob
        {
            Provider = provider,
            BaseModel = remote.BaseModel,
            Suffix = string.IsNullOrWhiteSpace(remote.Suffix) ? null : remote.Suffix,
            Seed = remote.Seed,
            Epochs = remote.Hyperparameters.Epochs,
            BatchSize = remote.Hyperparameters.BatchSize,
            LearningRateMultiplier = remote.Hyperparameters.LearningRateMultiplier,
            // Without a validation file the job trained on every validated example, so none is held out now either.
            ValidationPercent = remote.ValidationFileId is null ? 0 : ReattachedValidationPercent,
            // The runner's first poll records what the provider says, a finished job's end included.
            Status = remote.Status switch
            {
                "validating_files" => FineTuneStatus.ValidatingFiles,
                "running" or "succeeded" => FineTuneStatus.Running,
                _ => FineTuneStatus.Queued,
            },
            ExternalId = remote.ExternalId,
            TrainingFileId = remote.TrainingFileId,
            ValidationFileId = remote.ValidationFileId,
            CreatedAt = now,
            NextAttemptAt = now,
            // The provider has just answered about the job.
            LastContactAt = now,
            CreatedById = user.Id,
        };
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            // Checked again inside the transaction: two admins may re-attach the same id at once.
            if (await FollowedByAsync(db, provider, id, ct) is { } meanwhile)
                return Result<int>.Fail("ExternalId", $"Job #{meanwhile} already follows {id}.");
            db.FineTuneJobs.Add(job);
            await db.SaveChangesAsync(ct);
            db.FineTuneEvents.Add(new FineTuneEvent
            {
                JobId = job.Id,
                ExternalId = $"reattached-{remote.ExternalId}",
                CreatedAt = now,
                Level = "info",
                Message = $"Re-attached the {name} job {remote.ExternalId} ({remote.Status ?? "status unknown"}) on {remote.BaseModel}; following it from here." +
                          (job.ValidationPercent > 0
                              ? $" Its held-out evaluation draws {job.ValidationPercent} % of today's validated examples, which the job may have trained on if they changed since it started."
                              : " It had no validation file, so it will not be compared on held-out briefs."),
            });
            await audit.AddAsync(db, user, AuditActions.FineTuneStart, AuditEntities.FineTuneJob, job.Id.ToString(CultureInfo.InvariantCulture),
                $"Re-attached {name} fine-tuning job {remote.ExternalId} as #{job.Id} on {job.BaseModel}",
                after: AuditLog.Json(new
                {
                    provider = job.Provider, externalId = job.ExternalId, baseModel = job.BaseModel, status = remote.Status, suffix = job.Suffix,
                    seed = job.Seed, epochs = job.Epochs, batchSize = job.BatchSize, learningRateMultiplier = job.LearningRateMultiplier,
                    trainingFile = job.TrainingFileId, validationFile = job.ValidationFileId,
                }), ct: ct);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        wakeup.Wake();
        return Result<int>.Ok(job.Id, $"Job #{job.Id} follows {id}.");
    }

    /// <summary>The provider's name as the admin gave it, e.g. "Azure OpenAI (East US)".</summary>
    public string ProviderName(string provider) => profiles?.Get(provider)?.Name ?? ProviderOutage.ProviderName(provider);

    private static Task<int?> FollowedByAsync(Persistence.PlannerDbContext db, string provider, string externalId, CancellationToken ct) =>
        db.FineTuneJobs.Where(j => j.Provider == provider && j.ExternalId == externalId).OrderBy(j => j.Id)
            .Select(j => (int?)j.Id).FirstOrDefaultAsync(ct);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$")]
    private static partial Regex ExternalIdPattern();
}
