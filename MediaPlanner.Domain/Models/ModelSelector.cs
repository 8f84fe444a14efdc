using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.FineTuning.Evaluation;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers;
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

/// <summary>
/// The seed's select_optimal_model: base, fine-tuned or auto, over the deployed model. A model its provider has shut
/// down is never called: its deployment ends (an admin alert), and a shut-down base model gives way to the built-in planner.
/// </summary>
public sealed class ModelSelector(IDbContextFactory<PlannerDbContext> dbFactory, ModelRegistry registry, SelectionSettingsService settings)
{
    /// <summary>The reason given when only the base model plans because nothing is deployed.</summary>
    public const string NothingDeployed = "No fine-tuned model is deployed: the base model plans alone.";

    /// <summary>The base model the deployed one was trained from, else OpenAI's if configured, else the local planner.</summary>
    public async Task<Selection> SelectAsync(CancellationToken ct = default)
    {
        var selection = settings.GetSelection();
        var deployed = await registry.ActiveAsync(ct);
        if (deployed is not null)
            await registry.RecheckAfterNotFoundAsync(deployed, ct);
        if (deployed is not null && registry.Lifecycle(deployed.Provider, deployed.Model, deployed.BaseModel).Status == ModelStatus.ShutDown)
        {
            var notice = await registry.EndShutDownDeploymentAsync(ct);
            var fallback = BaseFor(deployed.Provider, deployed.BaseModel);
            var why = notice?.Reason ?? $"{deployed.Model} was shut down by its provider.";
            return new(fallback, ModelRole.Base, why, null, null, selection.Strategy, fallback, null);
        }
        ModelTarget? fineTuned = deployed is null ? null : new(deployed.Provider, deployed.Model, deployed.ParametersJson, deployed.DeploymentName);
        string? baseNote = null;
        var baseTarget = deployed is not null ? BaseFor(deployed.Provider, deployed.BaseModel) : DefaultBase(out baseNote);

        if (deployed is null || fineTuned is null)
        {
            return new(baseTarget, ModelRole.Base, baseNote is null ? NothingDeployed : $"{NothingDeployed} {baseNote}", null, null, selection.Strategy, baseTarget, null);
        }

        var (role, reason) = selection.Strategy switch
        {
            SelectionStrategy.BaseOnly => (ModelRole.Base, "Strategy is base only."),
            SelectionStrategy.FineTunedOnly => (ModelRole.FineTuned, "Strategy is fine-tuned only."),
            _ => await AutoAsync(deployed, baseTarget.Model, selection.Thresholds, ct),
        };
        var other = role == ModelRole.Base ? ModelRole.FineTuned : ModelRole.Base;
        return new(role == ModelRole.Base ? baseTarget : fineTuned, role, reason,
            other == ModelRole.Base ? baseTarget : fineTuned, other, selection.Strategy, baseTarget, fineTuned);
    }

    /// <summary>A deployment's base model as calls address it; the built-in planner when the provider has shut it down.</summary>
    private ModelTarget BaseFor(string provider, string baseModel) =>
        provider == FineTuneProviders.Local || registry.Lifecycle(provider, baseModel).Status == ModelStatus.ShutDown
            ? registry.LocalBase
            : registry.HostedBase(provider, baseModel);

    /// <summary>With nothing deployed: OpenAI's base model if configured and not shut down, else the built-in planner.</summary>
    private ModelTarget DefaultBase(out string? note)
    {
        note = null;
        if (registry.OpenAIBase is not { } hosted)
            return registry.LocalBase;
        if (registry.Lifecycle(hosted.Provider, hosted.Model) is { Status: ModelStatus.ShutDown } gone)
        {
            note = $"{gone.Message} The built-in planner plans instead.";
            return registry.LocalBase;
        }
        return hosted;
    }

    public async Task<ModelStats> StatsAsync(string model, int window, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return ModelStats.From(await RecentCallsAsync(db, model, window, ct));
    }

    /// <summary>Gathers what <see cref="AutoRule"/> decides on: the held-out evaluation, both models' recent calls, planners' choices.</summary>
    public async Task<AutoEvidence> EvidenceAsync(ModelDeployment deployed, string baseModel, int window, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var evaluationJson = deployed.JobId is { } jobId
            ? await db.FineTuneJobs.AsNoTracking().Where(j => j.Id == jobId).Select(j => j.EvaluationJson).SingleOrDefaultAsync(ct)
            : null;
        var heldOut = JobEvaluation.FromJson(evaluationJson)?.For(deployed.Model);
        var baseCalls = await RecentCallsAsync(db, baseModel, window, ct);
        var fineTunedCalls = await RecentCallsAsync(db, deployed.Model, window, ct);

        // Only runs that showed this fine-tuned model: an earlier deployment's wins and losses are not its own.
        var runIds = await db.Plans.AsNoTracking()
            .Where(p => p.Role == ModelRole.FineTuned && p.Model == deployed.Model)
            .GroupBy(p => p.RunId).Select(g => new { RunId = g.Key, Last = g.Max(p => p.Id) })
            .OrderByDescending(r => r.Last).Take(window).Select(r => r.RunId).ToListAsync(ct);
        var plans = await db.Plans.AsNoTracking().Where(p => runIds.Contains(p.RunId))
            .Select(p => new PlanChoice(p.RunId, p.Role, p.QualityScore, p.ChosenAt)).ToListAsync(ct);
        return new AutoEvidence(heldOut, deployed.Override, baseCalls, fineTunedCalls, ABResult.From(plans));
    }

    private static Task<List<ModelCall>> RecentCallsAsync(PlannerDbContext db, string model, int window, CancellationToken ct) =>
        db.ModelCalls.AsNoTracking().Where(c => c.Model == model)
            .OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id).Take(window).ToListAsync(ct);

    private async Task<(ModelRole, string)> AutoAsync(ModelDeployment deployed, string baseModel, AutoThresholds t, CancellationToken ct)
    {
        var decision = AutoRule.Decide(await EvidenceAsync(deployed, baseModel, t.Window, ct), t);
        return (decision.Role, decision.Reason);
    }
}
