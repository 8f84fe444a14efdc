using System.Text.Json;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace MediaPlanner.Domain.Training;

public sealed record ChoiceResult(bool Succeeded, string Message, int? ExampleId = null);

/// <summary>
/// Turns a planner's chosen plan into a training example (pending review), and records the campaign's
/// results against it. Plans that were not chosen are never collected.
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
        var example = PromptRenderer.Example(brief, market, PlanJson.Deserialize(plan.PlanJson));
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
        await db.SaveChangesAsync(ct);
        var note = original is null ? "" : " It repeats an example already collected, so it is flagged as a duplicate.";
        return new(true, $"Plan chosen. It is now a training example waiting for review.{note}", entity.Id);
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
