using System.Globalization;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace MediaPlanner.Domain.Models;

/// <summary>A model's record over its recent calls.</summary>
public sealed record ModelStats(int Calls, double SuccessRate, double? AverageQuality, double? P50LatencyMs, decimal CostPerCall)
{
    public static ModelStats From(IReadOnlyCollection<ModelCall> calls)
    {
        if (calls.Count == 0)
            return new(0, 0, null, null, 0);
        var succeeded = calls.Count(c => c.Succeeded);
        var qualities = calls.Where(c => c.Succeeded && c.QualityScore is not null).Select(c => c.QualityScore!.Value).ToList();
        var latencies = calls.Select(c => c.LatencyMs).Order().ToList();
        return new(
            calls.Count,
            succeeded / (double)calls.Count,
            qualities.Count == 0 ? null : qualities.Average(),
            Percentile(latencies, 0.5),
            calls.Sum(c => c.Cost) / calls.Count);
    }

    public static double? Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? null : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}

/// <summary>The auto strategy's rule (documented on <see cref="AutoThresholds"/>), as a pure function of the two records.</summary>
public static class AutoRule
{
    public static (ModelRole Role, string Reason) Decide(ModelStats baseStats, ModelStats fineTuned, AutoThresholds t)
    {
        var c = CultureInfo.InvariantCulture;
        if (fineTuned.Calls < t.MinSamples || baseStats.Calls < t.MinSamples)
            return (ModelRole.FineTuned, string.Create(c,
                $"Auto: too few recent calls to compare ({fineTuned.Calls} fine-tuned, {baseStats.Calls} base; {t.MinSamples} needed each), so the fine-tuned model gets measured."));
        if (fineTuned.SuccessRate < t.MinSuccessRate)
            return (ModelRole.Base, string.Create(c,
                $"Auto: the fine-tuned model succeeded in {fineTuned.SuccessRate:P0} of its last {fineTuned.Calls} calls, below the {t.MinSuccessRate:P0} threshold."));
        if (fineTuned.AverageQuality is { } fq && baseStats.AverageQuality is { } bq && fq < bq - t.QualityTolerance)
            return (ModelRole.Base, string.Create(c,
                $"Auto: fine-tuned quality {fq:0.0} is more than {t.QualityTolerance:0.#} points below the base model's {bq:0.0}."));
        if (fineTuned.P50LatencyMs is { } fl && baseStats.P50LatencyMs is { } bl && bl > 0 && fl > bl * t.MaxLatencyRatio)
            return (ModelRole.Base, string.Create(c,
                $"Auto: fine-tuned median latency {fl:0} ms is over {t.MaxLatencyRatio:0.#}× the base model's {bl:0} ms."));
        if (baseStats.CostPerCall > 0 && fineTuned.CostPerCall > baseStats.CostPerCall * (decimal)t.MaxCostRatio)
            return (ModelRole.Base, string.Create(c,
                $"Auto: fine-tuned cost per call {fineTuned.CostPerCall:0.####} is over {t.MaxCostRatio:0.#}× the base model's {baseStats.CostPerCall:0.####}."));
        return (ModelRole.FineTuned, string.Create(c,
            $"Auto: fine-tuned quality {fineTuned.AverageQuality:0.0} vs base {baseStats.AverageQuality:0.0}, success {fineTuned.SuccessRate:P0}, within thresholds: the specialised model is preferred."));
    }
}

/// <summary>Which model a generation calls first, which one it compares against, and why.</summary>
public sealed record Selection(
    ModelTarget Primary,
    ModelRole PrimaryRole,
    string Reason,
    ModelTarget? Comparison,
    ModelRole? ComparisonRole,
    SelectionStrategy Strategy,
    ModelTarget Base,
    ModelTarget? FineTuned)
{
    public ModelTarget For(ModelRole role) => role == ModelRole.FineTuned ? FineTuned ?? Base : Base;
}

/// <summary>The seed's select_optimal_model: base, fine-tuned or auto, over the deployed model.</summary>
public sealed class ModelSelector(IDbContextFactory<PlannerDbContext> dbFactory, ModelRegistry registry, SettingsService settings)
{
    /// <summary>The base model the deployed one was trained from, else OpenAI's if configured, else the local planner.</summary>
    public async Task<Selection> SelectAsync(CancellationToken ct = default)
    {
        var selection = settings.GetSelection();
        var deployed = await registry.ActiveAsync(ct);
        ModelTarget? fineTuned = deployed is null ? null : new(deployed.Provider, deployed.Model, deployed.ParametersJson);
        var baseTarget = deployed is not null
            ? (deployed.Provider == FineTuneProviders.Local ? registry.LocalBase : new ModelTarget(deployed.Provider, deployed.BaseModel))
            : registry.OpenAIBase ?? registry.LocalBase;

        if (fineTuned is null)
            return new(baseTarget, ModelRole.Base, "No fine-tuned model is deployed: the base model plans alone.", null, null, selection.Strategy, baseTarget, null);

        var (role, reason) = selection.Strategy switch
        {
            SelectionStrategy.BaseOnly => (ModelRole.Base, "Strategy is base only."),
            SelectionStrategy.FineTunedOnly => (ModelRole.FineTuned, "Strategy is fine-tuned only."),
            _ => await AutoAsync(baseTarget.Model, fineTuned.Model, selection.Thresholds, ct),
        };
        var other = role == ModelRole.Base ? ModelRole.FineTuned : ModelRole.Base;
        return new(role == ModelRole.Base ? baseTarget : fineTuned, role, reason,
            other == ModelRole.Base ? baseTarget : fineTuned, other, selection.Strategy, baseTarget, fineTuned);
    }

    public async Task<ModelStats> StatsAsync(string model, int window, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var calls = await db.ModelCalls.AsNoTracking().Where(c => c.Model == model)
            .OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id).Take(window).ToListAsync(ct);
        return ModelStats.From(calls);
    }

    private async Task<(ModelRole, string)> AutoAsync(string baseModel, string fineTunedModel, AutoThresholds t, CancellationToken ct) =>
        AutoRule.Decide(await StatsAsync(baseModel, t.Window, ct), await StatsAsync(fineTunedModel, t.Window, ct), t);
}
