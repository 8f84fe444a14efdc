using System.Globalization;
using System.Text.Json;
using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
using Microsoft.EntityFrameworkCore;

namespace MediaPlanner.Domain.Planning;

public sealed record PlanEditResult(bool Succeeded, string Message, IReadOnlyList<PlanEditIssue> Issues, PlanView? Saved = null);

/// <summary>One version of a generated plan, for the history list.</summary>
public sealed record PlanVersion(int PlanId, int Version, DateTimeOffset CreatedAt, string? CreatedBy, double QualityScore, bool Chosen);

/// <summary>
/// Saves a planner's edit of a plan as a new version: validated, recomputed by <see cref="PlanMath"/>, scored against the
/// brief, noted in the rationale and audited. The generated plan (version 1) and earlier versions are never changed.
/// </summary>
public sealed class PlanEditService(
    IDbContextFactory<PlannerDbContext> dbFactory,
    PlanQualityEvaluator evaluator,
    AuditLog audit,
    TimeProvider clock)
{
    public async Task<PlanEditResult> SaveAsync(int planId, IReadOnlyList<PlanEditLine> lines, CurrentUser user, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var edited = await Visible(db, user).AsNoTracking().SingleOrDefaultAsync(p => p.Id == planId, ct);
        if (edited is null)
            return Failed("That plan was not found.");
        var request = await PlanGenerator.BuildRequestAsync(db, edited.BriefId, user, ct);
        if (request is null)
            return Failed("That plan was not found.");
        var basis = PlanBasis.From(request);
        var issues = PlanEdit.Validate(lines, request.Brief.Channels, basis);
        if (issues.Count > 0)
            return new(false, "The plan was not saved: fix the lines marked.", issues);

        // An immediate transaction: two saves of one plan at once cannot both take the same next version.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var chosen = await db.Plans.Where(p => p.RunId == edited.RunId && p.ChosenAt != null).Select(p => p.StrategyName).FirstOrDefaultAsync(ct);
        if (chosen is not null)
            return Failed($"The {chosen} plan of this run is in use. Undo that choice before editing.");
        var rootId = edited.OriginalPlanId ?? edited.Id;
        var generated = await db.Plans.AsNoTracking().SingleAsync(p => p.Id == rootId, ct);
        var version = await db.Plans.Where(p => p.Id == rootId || p.OriginalPlanId == rootId).MaxAsync(p => p.Version, ct) + 1;

        var current = PlanJson.Deserialize(edited.PlanJson);
        var plan = PlanEdit.Saved(PlanJson.Deserialize(generated.PlanJson), current, lines, basis);
        var quality = evaluator.Evaluate(plan, PlanEvaluationContext.From(request));
        var entity = new GeneratedPlan
        {
            BriefId = edited.BriefId,
            RunId = edited.RunId,
            Ordinal = edited.Ordinal,
            Role = edited.Role,
            Provider = edited.Provider,
            Model = edited.Model,
            StrategyName = edited.StrategyName,
            PlanJson = PlanJson.Serialize(plan),
            QualityScore = quality.Score,
            QualityJson = JsonSerializer.Serialize(quality, PlanJson.Options),
            // The call that made the plan is the edit's too: the column's latency, tokens and cost stay as generated.
            LatencyMs = edited.LatencyMs,
            InputTokens = edited.InputTokens,
            OutputTokens = edited.OutputTokens,
            Cost = edited.Cost,
            PromptJson = edited.PromptJson,
            CreatedAt = clock.GetUtcNow(),
            CreatedById = user.Id,
            OriginalPlanId = rootId,
            Version = version,
        };
        db.Plans.Add(entity);
        var change = PlanDifference.Of(current, plan).Describe();
        await audit.AddAsync(db, user, AuditActions.PlanEdit, AuditEntities.Plan, rootId.ToString(CultureInfo.InvariantCulture),
            $"Saved version {version} of the {edited.StrategyName} plan ({request.Brief.Brand} · {request.Brief.CampaignName}): {change}",
            State(edited.Version, edited.QualityScore, current), State(version, quality.Score, plan), ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new(true, $"Saved as version {version}: {change}.", [], new PlanView(entity, plan, quality));
    }

    /// <summary>Every version of the plan <paramref name="planId"/> belongs to, the generated one first.</summary>
    public async Task<IReadOnlyList<PlanVersion>> VersionsAsync(int planId, CurrentUser user, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var plan = await Visible(db, user).Where(p => p.Id == planId).Select(p => new { p.Id, p.OriginalPlanId }).SingleOrDefaultAsync(ct);
        if (plan is null)
            return [];
        var rootId = plan.OriginalPlanId ?? plan.Id;
        return await db.Plans.AsNoTracking()
            .Where(p => p.Id == rootId || p.OriginalPlanId == rootId)
            .OrderBy(p => p.Version).ThenBy(p => p.Id)
            .Select(p => new PlanVersion(p.Id, p.Version, p.CreatedAt, db.Users.Where(u => u.Id == p.CreatedById).Select(u => u.Email).FirstOrDefault(),
                p.QualityScore, p.ChosenAt != null))
            .ToListAsync(ct);
    }

    private static IQueryable<GeneratedPlan> Visible(PlannerDbContext db, CurrentUser user) =>
        db.Plans.Where(p => user.IsAdmin || p.Brief!.OwnerId == user.Id);

    private static PlanEditResult Failed(string message) => new(false, message, []);

    private static string State(int version, double score, MediaPlan plan) => AuditLog.Json(new
    {
        version,
        score,
        spend = plan.LineItems.Sum(l => l.Spend),
        lines = plan.LineItems.Select(l => $"{l.Channel} {l.Format}: {l.Spend.ToString("0.##", CultureInfo.InvariantCulture)}"),
    });
}
