using System.Globalization;
using System.Text.Json;
using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace MediaPlanner.Domain.Training;

/// <summary>
/// Turns a planner's chosen plan into a training example (pending review), takes the choice back while no reviewer has
/// acted on it, and records the campaign's results against it. Plans that were not chosen never become examples: they are
/// kept only as the passed-over side of the choice's preference pairs.
/// </summary>
public sealed class TrainingCollector(
    IDbContextFactory<PlannerDbContext> dbFactory,
    ExampleValidator validator,
    TrainingSettings settings,
    TimeProvider clock,
    AuditLog audit)
{
    public async Task<Result<int?>> ChoosePlanAsync(int planId, CurrentUser user, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await FindPlanAsync(db, planId, user, ct) is not { } plan)
            return Result<int?>.Problem(ResultStatus.NotFound, "That plan was not found.");
        if (plan.ChosenAt is not null)
            return Result<int?>.Ok(await db.TrainingExamples.Where(e => e.PlanId == planId).Select(e => (int?)e.Id).FirstOrDefaultAsync(ct), "This plan is already chosen.");
        var sibling = await db.Plans.Where(p => p.RunId == plan.RunId && p.ChosenAt != null).Select(p => p.StrategyName).FirstOrDefaultAsync(ct);
        if (sibling is not null)
            return Result<int?>.Problem(ResultStatus.Blocked, $"You already chose the {sibling} plan from this run. Generate again to choose another.");

        var brief = plan.Brief!;
        // The prompt the model was asked with; only a plan from before prompts were kept is rendered again from today's market.
        var prompt = plan.PromptJson is { } kept
            ? ChatExample.Parse(kept).Messages
            : PromptRenderer.PromptMessages(brief, await db.Markets.SingleAsync(m => m.Code == brief.MarketCode, ct));
        var chosen = PlanJson.Deserialize(plan.PlanJson);
        var example = PromptRenderer.Example(prompt, chosen);
        var validation = validator.Validate(example, settings.BaseModel);
        var hash = ContentHash.Of(example);
        var original = await db.TrainingExamples.Where(e => e.ContentHash == hash && e.DuplicateOfId == null)
            .Select(e => (int?)e.Id).FirstOrDefaultAsync(ct);

        var now = clock.GetUtcNow();
        var entity = new TrainingExample
        {
            Source = ExampleSource.ChosenPlan,
            Status = ExampleStatus.PendingReview,
            BriefId = brief.Id,
            PlanId = plan.Id,
            Model = plan.Model,
            Objective = brief.Objective,
            MarketCode = brief.MarketCode,
            Brand = brief.Brand,
            MessagesJson = example.ToJsonLine(),
            ContentHash = hash,
            DuplicateOfId = original,
            TokenCount = validation.TokenCount,
            HasErrors = validation.HasErrors,
            IssuesJson = JsonSerializer.Serialize(validation.Issues),
            QualityScore = plan.QualityScore,
            CreatedAt = now,
            CreatedById = user.Id,
            PlannerEdited = plan.IsEdited,
        };
        plan.ChosenAt = now;
        db.TrainingExamples.Add(entity);

        // The plans the planner saw beside this one: each other plan of the run in its latest version, never a version of the
        // chosen plan itself (an edit preferred over its own original is not a choice between plans).
        var rootId = plan.OriginalPlanId ?? plan.Id;
        var passedOver = (await db.Plans.AsNoTracking()
                .Where(p => p.RunId == plan.RunId && p.BriefId == plan.BriefId && p.Id != rootId && p.OriginalPlanId != rootId)
                .ToListAsync(ct))
            .GroupBy(p => p.OriginalPlanId ?? p.Id)
            .Select(g => g.OrderByDescending(p => p.Version).ThenByDescending(p => p.Id).First())
            .OrderBy(p => p.Ordinal).ThenBy(p => p.Id)
            .ToList();
        var input = new ChatExample(prompt).ToJsonLine();
        var preferred = PlanJson.Serialize(chosen);
        var pairs = passedOver.Select(other => new PreferencePair
        {
            BriefId = brief.Id,
            RunId = plan.RunId,
            ChosenPlanId = plan.Id,
            RejectedPlanId = other.Id,
            ChosenModel = plan.Model,
            RejectedModel = other.Model,
            ChosenStrategy = plan.StrategyName,
            RejectedStrategy = other.StrategyName,
            InputJson = input,
            PreferredContent = preferred,
            NonPreferredContent = PlanJson.Serialize(PlanJson.Deserialize(other.PlanJson)),
            CreatedAt = now,
            CreatedById = user.Id,
        }).ToList();

        // A pair has no navigation to its example (ExampleId is a plain column), so the example is saved first for its id;
        // the transaction keeps the choice, the example and its pairs all-or-nothing.
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            await db.SaveChangesAsync(ct);
            if (pairs.Count > 0)
            {
                foreach (var pair in pairs)
                    pair.ExampleId = entity.Id;
                db.PreferencePairs.AddRange(pairs);
                await db.SaveChangesAsync(ct);
            }
            await transaction.CommitAsync(ct);
        }
        return Result<int?>.Ok(entity.Id, $"This is now the plan for {brief.CampaignName}. A reviewer checks it next; you can undo until they act.");
    }

    /// <summary>
    /// Takes back "Use this plan" while its example waits for review and no reviewer has reviewed or edited it: the example
    /// and its preference pairs are deleted and the plan is no longer chosen, all in one transaction, audited.
    /// </summary>
    public async Task<Result<int?>> UndoChoiceAsync(int planId, CurrentUser user, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await FindPlanAsync(db, planId, user, ct) is not { } plan)
            return Result<int?>.Problem(ResultStatus.NotFound, "That plan was not found.");
        if (plan.ChosenAt is null)
            return Result<int?>.Problem(ResultStatus.Blocked, "This plan is not in use, so there is nothing to undo.");
        var example = await db.TrainingExamples.Where(e => e.PlanId == planId).OrderBy(e => e.Id).FirstOrDefaultAsync(ct);
        if (example is not null && !Undoable(example))
            // Refused, but still naming the example, so the page can link to where the reviewer's decision is.
            return Result<int?>.Problem(ResultStatus.Blocked, example.Status switch
            {
                ExampleStatus.Validated => "A reviewer has already validated this plan, so it can no longer be undone.",
                ExampleStatus.Rejected => "A reviewer has already rejected this plan, so it can no longer be undone.",
                _ => "A reviewer has already worked on this plan, so it can no longer be undone.",
            }) with { Value = example.Id };

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var duplicates = example is null ? [] : await db.TrainingExamples.Where(e => e.DuplicateOfId == example.Id).OrderBy(e => e.Id).Select(e => e.Id).ToListAsync(ct);
        if (example is not null)
        {
            db.PreferencePairs.RemoveRange(await db.PreferencePairs.Where(p => p.ExampleId == example.Id || p.ChosenPlanId == planId).ToListAsync(ct));
            db.TrainingExamples.Remove(example);
        }
        // Examples flagged as duplicates of the deleted one would point at nothing: the oldest becomes the original and the
        // others point at it. Foreign keys are checked at commit so the one-original-per-content index holds at every step.
        if (duplicates.Count > 0)
            // PostgreSQL defers only constraints declared DEFERRABLE: its migration declares the duplicate-of key so.
            await db.Database.ExecuteSqlRawAsync(db.Database.IsSqlite() ? "PRAGMA defer_foreign_keys = ON;" : "SET CONSTRAINTS ALL DEFERRED;", ct);
        plan.ChosenAt = null;
        await audit.AddAsync(db, user, AuditActions.PlanChoiceUndo, AuditEntities.Plan, planId.ToString(CultureInfo.InvariantCulture),
            $"Undid the choice of the {plan.StrategyName} plan (v{plan.Version}) for {plan.Brief!.Brand} · {plan.Brief.CampaignName}"
            + (example is null ? "" : $"; example #{example.Id} deleted"), ct: ct);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            // A reviewer acted between the check and the delete: their action stands.
            return Result<int?>.Problem(ResultStatus.Blocked, "A reviewer has just acted on this plan, so it can no longer be undone.");
        }
        if (duplicates.Count > 0)
        {
            var heir = duplicates[0];
            var version = Guid.NewGuid();
            await db.TrainingExamples.Where(e => duplicates.Contains(e.Id) && e.Id != heir)
                .ExecuteUpdateAsync(u => u.SetProperty(e => e.DuplicateOfId, heir).SetProperty(e => e.Version, version), ct);
            await db.TrainingExamples.Where(e => e.Id == heir)
                .ExecuteUpdateAsync(u => u.SetProperty(e => e.DuplicateOfId, (int?)null).SetProperty(e => e.Version, version), ct);
        }
        await transaction.CommitAsync(ct);
        return Result<int?>.Ok(null, $"Undone: {plan.StrategyName} is no longer the plan for {plan.Brief.CampaignName}.");
    }

    /// <summary>The chosen plans among <paramref name="planIds"/> whose choice can still be undone.</summary>
    public async Task<IReadOnlySet<int>> UndoablePlansAsync(IEnumerable<int> planIds, CurrentUser user, CancellationToken ct = default)
    {
        var ids = planIds.ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var chosen = await db.Plans.Where(p => ids.Contains(p.Id) && p.ChosenAt != null && (user.IsAdmin || p.Brief!.OwnerId == user.Id))
            .Select(p => p.Id).ToListAsync(ct);
        var examples = await db.TrainingExamples.AsNoTracking().Where(e => e.PlanId != null && chosen.Contains(e.PlanId.Value)).ToListAsync(ct);
        return chosen.Where(id => examples.Where(e => e.PlanId == id).All(Undoable)).ToHashSet();
    }

    private static Task<GeneratedPlan?> FindPlanAsync(PlannerDbContext db, int planId, CurrentUser user, CancellationToken ct) =>
        db.Plans.Include(p => p.Brief).SingleOrDefaultAsync(p => p.Id == planId && (user.IsAdmin || p.Brief!.OwnerId == user.Id), ct);

    private static bool Undoable(TrainingExample e) =>
        e.Status == ExampleStatus.PendingReview && e.ReviewedById is null && e.EditedById is null;

    public async Task<Result<int?>> RecordResultsAsync(int planId, double? ctr, double? conversionRate, decimal? deliveredSpend,
        CurrentUser user, CancellationToken ct = default)
    {
        if (ctr is < 0 or > 1 || conversionRate is < 0 or > 1)
            return Result<int?>.Fail(Result.Form, "Rates are fractions between 0 and 1 (e.g. 0.021 for 2.1 %).");
        if (deliveredSpend is < 0)
            return Result<int?>.Fail(Result.Form, "Delivered spend cannot be negative.");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var example = await db.TrainingExamples
            .Where(e => e.PlanId == planId && (user.IsAdmin || db.Briefs.Any(b => b.Id == e.BriefId && b.OwnerId == user.Id)))
            .SingleOrDefaultAsync(ct);
        if (example is null)
            return Result<int?>.Problem(ResultStatus.Blocked, "Choose the plan before recording its results.");
        example.RecordResults(ctr, conversionRate, deliveredSpend, clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
        return Result<int?>.Ok(example.Id, "Campaign results saved with the training example.");
    }
}
