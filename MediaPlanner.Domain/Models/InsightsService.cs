using System.Globalization;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Training;
using Microsoft.EntityFrameworkCore;

namespace MediaPlanner.Domain.Models;

/// <summary>
/// One model's calls. <paramref name="CostEstimated"/>: some of its costs were estimated at its base model's price (it had no
/// price row of its own); <paramref name="Unpriced"/>: it used tokens but has no price at all, so its cost shows as 0.
/// </summary>
public sealed record ModelUsage(string Model, string Provider, int Calls, double SuccessRate, double? P50LatencyMs, double? P95LatencyMs,
    double? AverageQuality, decimal CostPerCall, decimal TotalCost, long Tokens, bool CostEstimated = false, bool Unpriced = false);

/// <summary>One generated plan as the A/B statistics see it: its run, its column, its quality, whether the planner chose it.</summary>
public sealed record PlanChoice(Guid RunId, ModelRole Role, double QualityScore, DateTimeOffset? ChosenAt);

public sealed record ABResult(int Comparisons, int FineTunedWins, int BaseWins, double? QualityDifference, int QualitySamples)
{
    public double? FineTunedWinRate => Comparisons == 0 ? null : FineTunedWins / (double)Comparisons;

    /// <summary>Runs that showed both columns and in which the planner chose a plan: who won, and by how much quality.</summary>
    public static ABResult From(IEnumerable<PlanChoice> plans)
    {
        var runs = plans.GroupBy(p => p.RunId).Where(g => g.Select(p => p.Role).Distinct().Count() == 2).ToList();
        var chosen = runs.Select(g => g.FirstOrDefault(p => p.ChosenAt is not null)).OfType<PlanChoice>().ToList();
        var differences = runs.Select(g =>
            g.Where(p => p.Role == ModelRole.FineTuned).Average(p => p.QualityScore) - g.Where(p => p.Role == ModelRole.Base).Average(p => p.QualityScore)).ToList();
        return new ABResult(chosen.Count, chosen.Count(p => p.Role == ModelRole.FineTuned), chosen.Count(p => p.Role == ModelRole.Base),
            differences.Count == 0 ? null : differences.Average(), differences.Count);
    }
}

public sealed record DailySpend(DateOnly Day, decimal Cost, int Calls);

/// <param name="RanLocally">Trained by the local trainer on this machine: nothing was billed.</param>
public sealed record FineTuneEconomics(int JobId, string Model, decimal TrainingCost, decimal? SavingPerCall, int? BreakEvenCalls, int CallsSoFar, bool RanLocally = false);

public sealed record Insights(
    IReadOnlyList<ModelUsage> Models,
    ABResult AB,
    decimal TotalSpend,
    IReadOnlyList<DailySpend> SpendByDay,
    IReadOnlyList<FineTuneEconomics> FineTunes,
    IReadOnlyList<string> Recommendations,
    IReadOnlyList<string> Alerts);

/// <summary>
/// What the recorded calls and planners' choices say: per-model quality, reliability, speed and cost; base vs
/// fine-tuned A/B from the plans planners chose; spend over time; whether each fine-tune has paid for itself.
/// </summary>
public sealed class InsightsService(IDbContextFactory<PlannerDbContext> dbFactory, SelectionSettingsService settings, ModelRegistry registry, TimeProvider clock)
{
    public async Task<Insights> GetAsync(CurrentUser user, int days = 30, CancellationToken ct = default)
    {
        var since = clock.GetUtcNow().AddDays(-Math.Clamp(days, 1, 365));
        var thresholds = settings.GetSelection().Thresholds;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var calls = await db.ModelCalls.AsNoTracking()
            .Where(c => c.CreatedAt >= since && (user.IsAdmin || c.UserId == user.Id))
            .ToListAsync(ct);

        var prices = await PriceBook.LoadAsync(db, ct);
        var models = calls.GroupBy(c => (c.Model, c.Provider)).Select(g =>
        {
            var list = g.ToList();
            var stats = ModelStats.From(list);
            var latencies = list.Select(c => c.LatencyMs).Order().ToList();
            var tokens = list.Sum(c => (long)c.InputTokens + c.OutputTokens);
            return new ModelUsage(g.Key.Model, g.Key.Provider, stats.Calls, stats.SuccessRate, stats.P50LatencyMs,
                ModelStats.Percentile(latencies, 0.95), stats.AverageQuality, decimal.Round(stats.CostPerCall, 6), list.Sum(c => c.Cost),
                tokens, list.Any(c => c.PriceEstimated), tokens > 0 && !prices.Find(g.Key.Provider, g.Key.Model).Priced);
        }).OrderByDescending(m => m.Calls).ToList();

        var ab = await ABAsync(db, user, since, ct);
        var spend = calls.GroupBy(c => DateOnly.FromDateTime(c.CreatedAt.UtcDateTime))
            .Select(g => new DailySpend(g.Key, g.Sum(c => c.Cost), g.Count())).OrderBy(d => d.Day).ToList();
        var fineTunes = user.IsAdmin ? await EconomicsAsync(db, models, prices, ct) : [];
        var active = await registry.ActiveAsync(ct);

        return new Insights(models, ab, calls.Sum(c => c.Cost), spend, fineTunes,
            user.IsAdmin ? Recommendations(models, ab, active, thresholds) : [],
            user.IsAdmin ? [.. Alerts(calls, active, models, thresholds), .. PriceAlerts(models, prices)] : []);
    }

    private static async Task<ABResult> ABAsync(PlannerDbContext db, CurrentUser user, DateTimeOffset since, CancellationToken ct) =>
        ABResult.From(await db.Plans.AsNoTracking()
            .Where(p => p.CreatedAt >= since && (user.IsAdmin || p.CreatedById == user.Id))
            .Select(p => new PlanChoice(p.RunId, p.Role, p.QualityScore, p.ChosenAt))
            .ToListAsync(ct));

    /// <summary>Each succeeded fine-tune: what training cost, what it saves per call against its base, and after how many calls it pays back.</summary>
    private static async Task<List<FineTuneEconomics>> EconomicsAsync(PlannerDbContext db, List<ModelUsage> models, PriceBook prices,
        CancellationToken ct)
    {
        var jobs = await db.FineTuneJobs.AsNoTracking().Where(j => j.Status == FineTuneStatus.Succeeded && j.FineTunedModel != null).ToListAsync(ct);
        var result = new List<FineTuneEconomics>();
        foreach (var job in jobs)
        {
            var trainingCost = job.TrainedTokens is { } tokens && prices.Find(job.Provider, job.BaseModel).Price?.TrainingPerMillion is { } perMillion
                ? FineTuneEstimator.Cost(tokens, perMillion)
                : job.EstimatedCost ?? 0m;
            var ft = models.FirstOrDefault(m => m.Model == job.FineTunedModel);
            var baseUsage = models.FirstOrDefault(m => m.Model == job.BaseModel);
            decimal? saving = ft is not null && baseUsage is not null ? baseUsage.CostPerCall - ft.CostPerCall : null;
            int? breakEven = trainingCost == 0 ? 0 : saving is > 0 ? (int)Math.Ceiling(trainingCost / saving.Value) : null;
            result.Add(new FineTuneEconomics(job.Id, job.FineTunedModel!, decimal.Round(trainingCost, 2), saving, breakEven, ft?.Calls ?? 0,
                job.Provider == FineTuneProviders.Local));
        }
        return result;
    }

    internal static List<string> Recommendations(IReadOnlyList<ModelUsage> models, ABResult ab, ModelDeployment? active, AutoThresholds t)
    {
        var c = CultureInfo.InvariantCulture;
        var list = new List<string>();
        if (active is null)
        {
            list.Add("No fine-tuned model is deployed: validate at least 10 chosen plans, run a fine-tuning job and deploy it to compare.");
            return list;
        }
        var ft = models.FirstOrDefault(m => m.Model == active.Model);
        var baseUsage = models.FirstOrDefault(m => m.Model == active.BaseModel);
        if (ab.Comparisons == 0)
            list.Add(string.Create(c, $"No side-by-side choices yet; {t.MinSamples} are needed before the A/B result means much. Keep auto meanwhile."));
        else if (ab.Comparisons < t.MinSamples)
            list.Add(string.Create(c, $"Only {ab.Comparisons} side-by-side choice{(ab.Comparisons == 1 ? "" : "s")} so far; {t.MinSamples} are needed before the A/B result means much. Keep auto."));
        else if (ab.FineTunedWinRate is { } rate)
        {
            var costNote = "";
            if (ft is not null && baseUsage is not null && baseUsage.CostPerCall > 0 && ft.CostPerCall != baseUsage.CostPerCall)
            {
                var change = (double)(ft.CostPerCall / baseUsage.CostPerCall) - 1;
                costNote = string.Create(c, $" at {Math.Abs(change):P0} {(change < 0 ? "lower" : "higher")} cost");
            }
            list.Add(rate >= 0.5
                ? string.Create(c, $"The fine-tuned model wins {rate:P0} of {ab.Comparisons} comparisons{costNote}: keep auto (or fine-tuned only).")
                : string.Create(c, $"The fine-tuned model wins only {rate:P0} of {ab.Comparisons} comparisons: consider base only, or retrain with more validated examples."));
        }
        if (ft is not null && ft.SuccessRate < t.MinSuccessRate)
            list.Add(string.Create(c, $"{ft.Model} succeeds in {ft.SuccessRate:P0} of calls, below {t.MinSuccessRate:P0}: auto is sending calls to the base model."));
        if (ab.QualityDifference is { } diff && Math.Abs(diff) >= 1)
            list.Add(string.Create(c, $"Fine-tuned plans score {Math.Abs(diff):0.0} points {(diff > 0 ? "higher" : "lower")} than base plans on average ({ab.QualitySamples} runs)."));
        return list;
    }

    /// <summary>
    /// Inference that is not priced as it is billed: a fine-tune without a price row of its own is estimated at its base
    /// model's price (fine-tuned inference usually costs more), a model without any row counts as free.
    /// </summary>
    internal static IEnumerable<string> PriceAlerts(IReadOnlyList<ModelUsage> models, PriceBook prices)
    {
        var used = models.Where(m => m.Tokens > 0).ToList();
        var estimated = used.Where(m => prices.Find(m.Provider, m.Model).Estimated).Select(m => m.Model).Distinct().ToList();
        if (estimated.Count > 0)
            yield return $"No price of its own for {string.Join(", ", estimated)}: {(estimated.Count == 1 ? "its" : "their")} cost is estimated " +
                         "at the base model's price, and fine-tuned inference usually costs more. Add a price row in settings.";
        var unpriced = used.Where(m => m.Unpriced).Select(m => m.Model).Distinct().ToList();
        if (unpriced.Count > 0)
            yield return $"No price for {string.Join(", ", unpriced)}: {(unpriced.Count == 1 ? "its" : "their")} calls count as free. " +
                         "Add a price row in settings.";
    }

    private List<string> Alerts(List<ModelCall> calls, ModelDeployment? active, IReadOnlyList<ModelUsage> models, AutoThresholds t)
    {
        var c = CultureInfo.InvariantCulture;
        var alerts = new List<string>();
        if (active is not null)
        {
            var recent = calls.Where(x => x.Model == active.Model).OrderByDescending(x => x.CreatedAt).Take(t.Window).ToList();
            var stats = ModelStats.From(recent);
            var baseStats = ModelStats.From(calls.Where(x => x.Model == active.BaseModel).OrderByDescending(x => x.CreatedAt).Take(t.Window).ToList());
            if (stats.Calls >= t.MinSamples && stats.SuccessRate < t.MinSuccessRate)
                alerts.Add(string.Create(c, $"The deployed model {active.Model} succeeded in {stats.SuccessRate:P0} of its last {stats.Calls} calls (threshold {t.MinSuccessRate:P0})."));
            if (stats.Calls >= t.MinSamples && stats.AverageQuality is { } q && baseStats.AverageQuality is { } bq && q < bq - t.QualityTolerance)
                alerts.Add(string.Create(c, $"The deployed model's average quality {q:0.0} is more than {t.QualityTolerance:0.#} points below the base model's {bq:0.0}."));
        }
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var todaySpend = calls.Where(x => DateOnly.FromDateTime(x.CreatedAt.UtcDateTime) == today).Sum(x => x.Cost);
        if (t.DailyBudgetUsd > 0 && todaySpend > t.DailyBudgetUsd)
            alerts.Add(string.Create(c, $"Today's spend USD {todaySpend:0.00} is over the daily budget of USD {t.DailyBudgetUsd:0.00}."));
        return alerts;
    }
}
