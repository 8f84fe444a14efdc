using System.Text.Json;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace MediaPlanner.Domain.Training;

public sealed record ChoiceResult(bool Succeeded, string Message, int? ExampleId = null);

/// <summary>
/// Turns a planner's chosen plan into a training example (pending review), and records the campaign's
/// results against it. Plans that were not chosen never become examples: they are kept only as the passed-over side
/// of the choice's preference pairs.
/// </summary>
public sealed class TrainingCollector(
    IDbContextFactory<PlannerDbContext> dbFactory,
    ExampleValidator validator,
    TrainingSettings settings,
    TimeProvider clock)
{
    public async Task<ChoiceResult> ChoosePlanAsync(int planId, CurrentUser user, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var plan = await db.Plans.Include(p => p.Brief)
            .SingleOrDefaultAsync(p => p.Id == planId && (user.IsAdmin || p.Brief!.OwnerId == user.Id), ct);
        if (plan is null)
            return new(false, "That plan was not found.");
        if (plan.ChosenAt is not null)
            return new(true, "This plan is already chosen.", await db.TrainingExamples.Where(e => e.PlanId == planId).Select(e => (int?)e.Id).FirstOrDefaultAsync(ct));
        var sibling = await db.Plans.Where(p => p.RunId == plan.RunId && p.ChosenAt != null).Select(p => p.StrategyName).FirstOrDefaultAsync(ct);
        if (sibling is not null)
            return new(false, $"You already chose the {sibling} plan from this run. Generate again to choose another.");

        var brief = plan.Brief!;
        var market = await db.Markets.SingleAsync(m => m.Code == brief.MarketCode, ct);
        var chosen = PlanJson.Deserialize(plan.PlanJson);
        var example = PromptRenderer.Example(brief, market, chosen);
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
        };
        plan.ChosenAt = now;
        db.TrainingExamples.Add(entity);

        var passedOver = await db.Plans.AsNoTracking()
            .Where(p => p.RunId == plan.RunId && p.BriefId == plan.BriefId && p.Id != plan.Id)
            .OrderBy(p => p.Ordinal).ThenBy(p => p.Id)
            .ToListAsync(ct);
        var input = new ChatExample(PromptRenderer.PromptMessages(brief, market)).ToJsonLine();
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
        var note = original is null ? "" : " It repeats an example already collected, so it is flagged as a duplicate.";
        var pairNote = pairs.Count switch
        {
            0 => "",
            1 => ", with 1 preference pair from the plan you passed over",
            _ => $", with {pairs.Count} preference pairs from the plans you passed over",
        };
        return new(true, $"Plan chosen. It is now a training example waiting for review{pairNote}.{note}", entity.Id);
    }

    public async Task<ChoiceResult> RecordResultsAsync(int planId, double? ctr, double? conversionRate, decimal? deliveredSpend,
        CurrentUser user, CancellationToken ct = default)
    {
        if (ctr is < 0 or > 1 || conversionRate is < 0 or > 1)
            return new(false, "Rates are fractions between 0 and 1 (e.g. 0.021 for 2.1 %).");
        if (deliveredSpend is < 0)
            return new(false, "Delivered spend cannot be negative.");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var example = await db.TrainingExamples
            .Where(e => e.PlanId == planId && (user.IsAdmin || db.Briefs.Any(b => b.Id == e.BriefId && b.OwnerId == user.Id)))
            .SingleOrDefaultAsync(ct);
        if (example is null)
            return new(false, "Choose the plan before recording its results.");
        example.Ctr = ctr;
        example.ConversionRate = conversionRate;
        example.DeliveredSpend = deliveredSpend;
        example.ResultsRecordedAt = clock.GetUtcNow();
        example.Version = Guid.NewGuid();
        await db.SaveChangesAsync(ct);
        return new(true, "Campaign results saved with the training example.", example.Id);
    }
}
