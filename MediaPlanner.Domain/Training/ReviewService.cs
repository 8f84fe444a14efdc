using System.Globalization;
using System.Text.Json;
using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace MediaPlanner.Domain.Training;

public sealed record ExampleFilter(
    ExampleStatus? Status = null,
    Objective? Objective = null,
    string? Market = null,
    string? Model = null,
    bool? HasErrors = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    string? Search = null);

public enum ExampleSort { Newest, Oldest, Brand, Tokens, Quality }

public sealed record ExampleRow(int Id, ExampleStatus Status, ExampleSource Source, string? Brand, Objective? Objective,
    string? MarketCode, string? Model, int TokenCount, bool HasErrors, int? DuplicateOfId, double? QualityScore,
    DateTimeOffset CreatedAt, Guid Version, bool PlannerEdited = false);

/// <summary>
/// An example to review; <see cref="Generated"/> is the plan as the model made it when the planner edited it before use.
/// <see cref="Request"/> is the brief with its audience and benchmarks, which a correction is measured against (null when
/// the brief cannot be read); <see cref="PlanReading"/> says why the assistant message is not a plan, when it is not.
/// </summary>
public sealed record ExampleDetail(TrainingExample Example, ChatExample Messages, IReadOnlyList<ValidationIssue> Issues,
    MediaPlan? Plan, string? CreatedBy, string? ReviewedBy, string? EditedBy, GeneratedOriginal? Generated = null,
    ExampleBrief? Brief = null, PlanRequest? Request = null, PlanJsonReading? PlanReading = null)
{
    public string? AssistantContent => Messages.Messages.LastOrDefault(m => m.Role == ChatRoles.Assistant)?.Content;
}

/// <summary>The generated plan (version 1) a planner's edit started from, with its quality score.</summary>
public sealed record GeneratedOriginal(MediaPlan Plan, double QualityScore);

public sealed record BulkResult(int Succeeded, IReadOnlyList<string> Skipped);

/// <summary>
/// The review queue: find examples, validate, reject or correct them. Every change checks the version the
/// reviewer saw, so two reviewers acting on one example never overwrite each other.
/// </summary>
public sealed class ReviewService(
    IDbContextFactory<PlannerDbContext> dbFactory,
    ExampleValidator validator,
    TrainingSettings settings,
    TimeProvider clock,
    AuditLog audit,
    Telemetry.PlannerMetrics? metrics = null)
{
    private const string ConflictMessage = "Someone else changed this example while you were looking at it. Reload it to see their change; nothing was overwritten.";

    public async Task<PagedResult<ExampleRow>> QueryAsync(ExampleFilter filter, int page, int pageSize,
        ExampleSort sort = ExampleSort.Newest, CancellationToken ct = default)
    {
        var paging = new PageRequest(page, pageSize).Normalised(200);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = Filtered(db.TrainingExamples.AsNoTracking(), filter);
        var total = await query.CountAsync(ct);
        query = sort switch
        {
            ExampleSort.Oldest => query.OrderBy(e => e.CreatedAt).ThenBy(e => e.Id),
            ExampleSort.Brand => query.OrderBy(e => e.Brand).ThenByDescending(e => e.Id),
            ExampleSort.Tokens => query.OrderByDescending(e => e.TokenCount).ThenByDescending(e => e.Id),
            ExampleSort.Quality => query.OrderByDescending(e => e.QualityScore).ThenByDescending(e => e.Id),
            _ => query.OrderByDescending(e => e.CreatedAt).ThenByDescending(e => e.Id),
        };
        var items = await query.Skip(paging.Skip).Take(paging.Take)
            .Select(e => new ExampleRow(e.Id, e.Status, e.Source, e.Brand, e.Objective, e.MarketCode, e.Model, e.TokenCount,
                e.HasErrors, e.DuplicateOfId, e.QualityScore, e.CreatedAt, e.Version, e.PlannerEdited))
            .ToListAsync(ct);
        return new(items, total);
    }

    internal static IQueryable<TrainingExample> Filtered(IQueryable<TrainingExample> query, ExampleFilter f)
    {
        if (f.Status is { } status) query = query.Where(e => e.Status == status);
        if (f.Objective is { } objective) query = query.Where(e => e.Objective == objective);
        if (!string.IsNullOrWhiteSpace(f.Market)) query = query.Where(e => e.MarketCode == f.Market);
        if (!string.IsNullOrWhiteSpace(f.Model)) query = query.Where(e => e.Model == f.Model);
        if (f.HasErrors is { } hasErrors) query = query.Where(e => e.HasErrors == hasErrors);
        if (f.From is { } from) query = query.Where(e => e.CreatedAt >= from);
        if (f.To is { } to) query = query.Where(e => e.CreatedAt <= to);
        if (!string.IsNullOrWhiteSpace(f.Search))
        {
            var term = SqlLike.Contains(f.Search);
            query = query.Where(e => EF.Functions.Like(e.Brand!.ToLower(), term, SqlLike.Escape));
        }
        return query;
    }

    public async Task<IReadOnlyList<string>> ModelsAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.TrainingExamples.Where(e => e.Model != null).Select(e => e.Model!).Distinct().OrderBy(m => m).ToListAsync(ct);
    }

    public async Task<ExampleDetail?> GetAsync(int id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var e = await db.TrainingExamples.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct);
        if (e is null)
            return null;
        var messages = ChatExample.Parse(e.MessagesJson);
        var reading = ReviewPlanEdit.Read(messages.Messages.LastOrDefault(m => m.Role == ChatRoles.Assistant)?.Content);
        var prompt = messages.Messages.FirstOrDefault(m => m.Role == ChatRoles.User)?.Content;
        var (brief, request) = await BriefAsync(db, e.BriefId, prompt, ct);
        var ids = new[] { e.CreatedById, e.ReviewedById, e.EditedById }.Where(x => x is not null).Distinct().ToList();
        var emails = await db.Users.Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Email, ct);
        string? Email(string? userId) => userId is not null && emails.TryGetValue(userId, out var email) ? email : null;
        return new ExampleDetail(e, messages, Issues(e), reading.Plan, Email(e.CreatedById), Email(e.ReviewedById), Email(e.EditedById),
            e.PlannerEdited ? await GeneratedOriginalAsync(db, e.PlanId, ct) : null, brief, request, reading);
    }

    /// <summary>
    /// The example's brief from the brief it was made from when that still exists, else read from its prompt; with the
    /// plan request (audience, benchmarks) when the brief's market and currency are known.
    /// </summary>
    private static async Task<(ExampleBrief Brief, PlanRequest? Request)> BriefAsync(PlannerDbContext db, int? briefId, string? prompt, CancellationToken ct)
    {
        var linked = briefId is { } id ? await db.Briefs.AsNoTracking().SingleOrDefaultAsync(b => b.Id == id, ct) : null;
        var parsed = linked is null ? BriefPrompt.Parse(prompt, out _) : null;
        if ((linked ?? parsed?.Brief) is not { } brief)
            return (ExampleBrief.FromPrompt(prompt), null);
        // The market as the app knows it today; the prompt's own figures only for a market no longer in the database.
        var market = await db.Markets.AsNoTracking().SingleOrDefaultAsync(m => m.Code == brief.MarketCode, ct) ?? parsed?.Market;
        var currency = await db.Currencies.AsNoTracking().SingleOrDefaultAsync(c => c.Code == brief.Currency, ct);
        var request = market is not null && currency is not null
            ? PlanRequest.Create(brief, market, currency, await db.Benchmarks.AsNoTracking().ToListAsync(ct))
            : null;
        return (linked is not null ? ExampleBrief.FromBrief(linked, market, prompt) : ExampleBrief.FromPrompt(prompt), request);
    }

    private static async Task<GeneratedOriginal?> GeneratedOriginalAsync(PlannerDbContext db, int? planId, CancellationToken ct)
    {
        var root = await db.Plans.AsNoTracking().Where(p => p.Id == planId).Select(p => p.OriginalPlanId ?? p.Id).FirstOrDefaultAsync(ct);
        var generated = await db.Plans.AsNoTracking().Where(p => p.Id == root).Select(p => new { p.PlanJson, p.QualityScore }).FirstOrDefaultAsync(ct);
        return generated is not null && PlanJson.TryDeserialize(generated.PlanJson, out var plan, out _)
            ? new GeneratedOriginal(plan!, generated.QualityScore)
            : null;
    }

    public static IReadOnlyList<ValidationIssue> Issues(TrainingExample e) =>
        JsonSerializer.Deserialize<List<ValidationIssue>>(e.IssuesJson) ?? [];

    public Task<Result> ValidateAsync(int id, Guid version, CurrentUser user, CancellationToken ct = default) =>
        ChangeAsync(id, version, user, AuditActions.ExampleValidate, e => $"Validated example #{e.Id}{BrandNote(e)}", ct, e =>
            e.Validate(user.Id, clock.GetUtcNow()) is { } block
                ? Result.Problem(ResultStatus.Blocked, block)
                : Result.Ok("Validated: this example is now training data."));

    public Task<Result> RejectAsync(int id, Guid version, string reason, CurrentUser user, CancellationToken ct = default)
    {
        if (TrainingExample.RejectionProblem(reason) is { } problem)
            return Task.FromResult(Result.Fail("Reason", problem, ResultStatus.Blocked));
        return ChangeAsync(id, version, user, AuditActions.ExampleReject, e => $"Rejected example #{e.Id}{BrandNote(e)}: {e.RejectionReason}", ct, e =>
        {
            e.Reject(reason, user.Id, clock.GetUtcNow());
            return Result.Ok("Rejected: this example will not be used for training.");
        });
    }

    /// <summary>Replaces the plan (the assistant message), re-validates, and puts the example back in review.</summary>
    public async Task<Result> EditPlanAsync(int id, Guid version, string planJson, CurrentUser user, CancellationToken ct = default)
    {
        var reading = ReviewPlanEdit.Read(planJson);
        if (reading.Plan is not { } plan)
            return Result.Fail("Plan", $"The plan is not valid plan JSON: {reading.Describe()}", ResultStatus.Blocked);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var e = await db.TrainingExamples.SingleOrDefaultAsync(x => x.Id == id, ct);
        if (e is null)
            return Result.Problem(ResultStatus.NotFound, "That example no longer exists.");
        if (e.Version != version)
            return Result.Problem(ResultStatus.Conflict, ConflictMessage);

        var before = AuditState(e);
        var old = ChatExample.Parse(e.MessagesJson);
        var messages = old.Messages.Where(m => m.Role != ChatRoles.Assistant).Append(new ChatMessage(ChatRoles.Assistant, ReviewPlanEdit.Serialize(plan))).ToList();
        var example = new ChatExample(messages);
        var validation = validator.Validate(example, settings.BaseModel);
        var hash = ContentHash.Of(example);
        var duplicateOf = hash == e.ContentHash ? e.DuplicateOfId
            : await db.TrainingExamples.Where(x => x.ContentHash == hash && x.DuplicateOfId == null && x.Id != e.Id)
                .Select(x => (int?)x.Id).FirstOrDefaultAsync(ct);
        e.ReplacePlan(example.ToJsonLine(), hash, duplicateOf, validation.TokenCount, validation.HasErrors,
            JsonSerializer.Serialize(validation.Issues), user.Id, clock.GetUtcNow());
        await audit.AddAsync(db, user, AuditActions.ExampleEdit, AuditEntities.TrainingExample, Id(e),
            $"Edited the plan of example #{e.Id}{BrandNote(e)}; back in review{(validation.HasErrors ? " with blocking errors" : "")}",
            before, AuditState(e), ct);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Result.Problem(ResultStatus.Conflict, ConflictMessage);
        }
        metrics?.RecordReview(Telemetry.ReviewAction.Correct);
        return validation.HasErrors
            ? Result.Ok("Saved, but the plan still has blocking errors.")
            : Result.Ok("Saved and re-validated: ready to validate.");
    }

    public async Task<BulkResult> BulkValidateAsync(IEnumerable<(int Id, Guid Version)> rows, CurrentUser user, CancellationToken ct = default) =>
        await BulkAsync(rows, (id, version) => ValidateAsync(id, version, user, ct));

    public async Task<BulkResult> BulkRejectAsync(IEnumerable<(int Id, Guid Version)> rows, string reason, CurrentUser user, CancellationToken ct = default) =>
        await BulkAsync(rows, (id, version) => RejectAsync(id, version, reason, user, ct));

    private static async Task<BulkResult> BulkAsync(IEnumerable<(int Id, Guid Version)> rows, Func<int, Guid, Task<Result>> action)
    {
        var done = 0;
        var skipped = new List<string>();
        foreach (var (id, version) in rows)
        {
            var result = await action(id, version);
            if (result.Succeeded) done++;
            else skipped.Add($"#{id}: {result.Message}");
        }
        return new(done, skipped);
    }

    private async Task<Result> ChangeAsync(int id, Guid version, CurrentUser user, string action, Func<TrainingExample, string> summary,
        CancellationToken ct, Func<TrainingExample, Result> change)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var e = await db.TrainingExamples.SingleOrDefaultAsync(x => x.Id == id, ct);
        if (e is null)
            return Result.Problem(ResultStatus.NotFound, "That example no longer exists.");
        if (e.Version != version)
            return Result.Problem(ResultStatus.Conflict, ConflictMessage);
        var before = AuditState(e);
        var result = change(e);
        if (!result.Succeeded)
            return result;
        // Saved with the change itself: the entry exists exactly when the change does.
        await audit.AddAsync(db, user, action, AuditEntities.TrainingExample, Id(e), summary(e), before, AuditState(e), ct);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Result.Problem(ResultStatus.Conflict, ConflictMessage);
        }
        metrics?.RecordReview(action == AuditActions.ExampleValidate ? Telemetry.ReviewAction.Validate : Telemetry.ReviewAction.Reject);
        return result;
    }

    private static string Id(TrainingExample e) => e.Id.ToString(CultureInfo.InvariantCulture);

    private static string BrandNote(TrainingExample e) => e.Brand is { Length: > 0 } brand ? $" ({brand})" : "";

    private static string AuditState(TrainingExample e) => AuditLog.Json(new
    {
        status = e.Status.ToString(),
        rejectionReason = e.RejectionReason,
        tokens = e.TokenCount,
        hasErrors = e.HasErrors,
        duplicateOf = e.DuplicateOfId,
        contentHash = e.ContentHash.Length > 12 ? e.ContentHash[..12] : e.ContentHash,
    });
}
