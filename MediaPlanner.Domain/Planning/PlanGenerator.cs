using System.Diagnostics;
using System.Text.Json;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Telemetry;
using Microsoft.EntityFrameworkCore;

namespace MediaPlanner.Domain.Planning;

/// <summary>A stored plan with its parsed form and quality report, ready to show.</summary>
public sealed record PlanView(GeneratedPlan Entity, MediaPlan Plan, QualityReport Quality);

/// <summary>One model's answer for a brief: its plans, or why there are none, and what the call took.</summary>
public sealed record ColumnResult(
    ModelRole Role,
    string Model,
    string Reason,
    IReadOnlyList<PlanView> Plans,
    string? Error,
    double LatencyMs,
    int InputTokens,
    int OutputTokens,
    decimal Cost,
    bool FellBack = false)
{
    public bool Succeeded => Error is null;
}

/// <summary>A side-by-side generation in flight: each column completes on its own.</summary>
public sealed record SideBySide(Selection Selection, Guid RunId, Task<ColumnResult> Primary, Task<ColumnResult>? Comparison);

/// <summary>
/// Turns a brief into scored, saved plans: resolves the brief's market, currency and benchmarks, asks the chosen
/// model (and the other one, side by side), times and prices each call, scores each plan, and records the call so
/// the auto strategy and the insights can learn from it.
/// </summary>
public sealed class PlanGenerator(
    IDbContextFactory<PlannerDbContext> dbFactory,
    IEnumerable<IPlanProvider> providers,
    PlanQualityEvaluator evaluator,
    ModelSelector selector,
    TimeProvider clock,
    PlannerMetrics? metrics = null)
{
    public const int DefaultAlternatives = 3;

    /// <summary>The selected model's plans only (falling back to the base model if the fine-tuned one fails).</summary>
    public async Task<IReadOnlyList<PlanView>> GenerateAsync(int briefId, CurrentUser user, int alternatives = DefaultAlternatives,
        CancellationToken ct = default)
    {
        using var activity = PlannerTracing.Source.StartActivity(PlannerTracing.GenerateSpan);
        var selection = await selector.SelectAsync(ct);
        var request = await RequiredRequestAsync(briefId, user, ct);
        var result = await RunWithFallbackAsync(request, user, selection, selection.PrimaryRole, selection.Reason, Guid.NewGuid(), alternatives,
            baseAlreadyRunning: false, ct);
        return result.Succeeded ? result.Plans : throw new InvalidOperationException(result.Error);
    }

    /// <summary>
    /// Starts both columns at once; each task completes as soon as its model answers. The brief and its reference data are
    /// read once, before either column starts: both columns and a fallback plan the same request.
    /// </summary>
    public async Task<SideBySide> GenerateSideBySideAsync(int briefId, CurrentUser user, int alternatives = DefaultAlternatives,
        CancellationToken ct = default)
    {
        var selection = await selector.SelectAsync(ct);
        var request = await RequiredRequestAsync(briefId, user, ct);
        // Started once nothing can throw before the columns run: it ends when they have both finished.
        var activity = PlannerTracing.Source.StartActivity(PlannerTracing.GenerateSpan);
        var runId = Guid.NewGuid();
        var primary = RunWithFallbackAsync(request, user, selection, selection.PrimaryRole, selection.Reason, runId, alternatives,
            baseAlreadyRunning: selection.ComparisonRole == ModelRole.Base, ct);
        var comparison = selection.ComparisonRole is { } role
            ? GenerateColumnAsync(request, user, selection.For(role), role, selection.Strategy, "Comparison column (side by side).", runId, alternatives, ct)
            : null;
        PlannerTracing.EndWhenDone(activity, primary, comparison);
        return new SideBySide(selection, runId, primary, comparison);
    }

    private async Task<ColumnResult> RunWithFallbackAsync(PlanRequest request, CurrentUser user, Selection selection, ModelRole role, string reason,
        Guid runId, int alternatives, bool baseAlreadyRunning, CancellationToken ct)
    {
        var result = await GenerateColumnAsync(request, user, selection.For(role), role, selection.Strategy, reason, runId, alternatives, ct);
        // No fallback when the base model is already the comparison column: the planner sees its plans anyway.
        if (result.Succeeded || role == ModelRole.Base || baseAlreadyRunning)
            return result;
        var fallback = await GenerateColumnAsync(request, user, selection.Base, ModelRole.Base, selection.Strategy,
            $"Fallback: the fine-tuned model failed ({result.Error}).", runId, alternatives, ct, GenerationOutcome.Fallback);
        return fallback with { FellBack = true };
    }

    /// <summary>Asks one model for plans for the brief as it reads now: see the overload that takes the request.</summary>
    public async Task<ColumnResult> GenerateColumnAsync(int briefId, CurrentUser user, ModelTarget target, ModelRole role,
        SelectionStrategy strategy, string reason, Guid runId, int alternatives, CancellationToken ct,
        GenerationOutcome success = GenerationOutcome.Ok) =>
        await GenerateColumnAsync(await RequiredRequestAsync(briefId, user, ct), user, target, role, strategy, reason, runId, alternatives, ct, success);

    private async Task<PlanRequest> RequiredRequestAsync(int briefId, CurrentUser user, CancellationToken ct) =>
        await RequestAsync(briefId, user, ct) ?? throw new KeyNotFoundException($"Brief {briefId} was not found.");

    /// <summary>Asks one model for plans, scores and stores them, and records the call whatever its outcome.</summary>
    private async Task<ColumnResult> GenerateColumnAsync(PlanRequest request, CurrentUser user, ModelTarget target, ModelRole role,
        SelectionStrategy strategy, string reason, Guid runId, int alternatives, CancellationToken ct,
        GenerationOutcome success = GenerationOutcome.Ok)
    {
        var briefId = request.Brief.Id;
        using var activity = PlannerTracing.Source.StartActivity(PlannerTracing.ProviderCallSpan)
            ?.SetTag("provider", target.Provider).SetTag("model", target.Model).SetTag("model.role", PlannerMetrics.ModelRoleTag(role));
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var call = new ModelCall
        {
            CreatedAt = now, UserId = user.Id, BriefId = briefId, RunId = runId, Provider = target.Provider, Model = target.Model,
            Role = role, Strategy = strategy, Reason = reason,
        };

        var provider = providers.FirstOrDefault(p => p.Handles(target.Provider));
        var started = Stopwatch.GetTimestamp();
        ProviderResult? result = null;
        try
        {
            if (provider is null || !provider.IsConfiguredFor(target.Provider))
                throw new PlanProviderException($"The {target.Provider} provider is not configured.", "not_configured");
            result = await provider.GenerateAsync(request, target, alternatives, ct);
            if (result.Plans.Count == 0)
                throw new PlanProviderException("The model returned no usable plan.", "invalid_output");
        }
        catch (PlanProviderException ex)
        {
            call.LatencyMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            call.Succeeded = false;
            call.FailureCode = ex.Code;
            call.FailureReason = ex.Message.Length > 1000 ? ex.Message[..1000] : ex.Message;
            call.InputTokens = ex.InputTokens;
            call.OutputTokens = ex.OutputTokens;
            (call.Cost, call.PriceEstimated) = await CostAsync(db, target.Provider, target.Model, ex.InputTokens, ex.OutputTokens, CancellationToken.None);
            db.ModelCalls.Add(call);
            await db.SaveChangesAsync(CancellationToken.None);
            PlannerTracing.Failed(activity, ex, ex.Code);
            metrics?.RecordGeneration(target.Provider, target.Model, role, user, GenerationOutcome.Failed, TimeSpan.FromMilliseconds(call.LatencyMs), call.InputTokens, call.OutputTokens, call.Cost);
            return new ColumnResult(role, target.Model, reason, [], ex.Message, call.LatencyMs, call.InputTokens, call.OutputTokens, call.Cost);
        }
        var latency = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        // The result names the model that answered (the configured base model when the target named none), never a deployment.
        var (cost, estimated) = await CostAsync(db, target.Provider, result.Model, result.InputTokens, result.OutputTokens, ct);

        var context = PlanEvaluationContext.From(request);
        var prompt = new Training.ChatExample(request.Prompt).ToJsonLine();
        var views = new List<PlanView>();
        var count = result.Plans.Count;
        foreach (var (plan, index) in result.Plans.Select((p, i) => (p, i)))
        {
            var quality = evaluator.Evaluate(plan, context);
            var entity = new GeneratedPlan
            {
                BriefId = briefId,
                RunId = runId,
                Ordinal = (role == ModelRole.Base ? 0 : 100) + index,
                Provider = target.Provider,
                Model = result.Model,
                Role = role,
                StrategyName = plan.StrategyName,
                PlanJson = PlanJson.Serialize(plan),
                QualityScore = quality.Score,
                QualityJson = JsonSerializer.Serialize(quality, PlanJson.Options),
                LatencyMs = latency,
                // One call made all the alternatives: each carries its share of the tokens and cost, shares that add up to the
                // call's own figures, so the column's totals are the same live and after a reload.
                InputTokens = Share(result.InputTokens, count, index),
                OutputTokens = Share(result.OutputTokens, count, index),
                Cost = Share(cost, count, index),
                PromptJson = prompt,
                CreatedAt = now,
                CreatedById = user.Id,
            };
            db.Plans.Add(entity);
            views.Add(new PlanView(entity, plan, quality));
        }
        call.LatencyMs = latency;
        call.Succeeded = true;
        call.Model = result.Model;
        call.QualityScore = views.Average(v => v.Quality.Score);
        call.InputTokens = result.InputTokens;
        call.OutputTokens = result.OutputTokens;
        call.Cost = cost;
        call.PriceEstimated = estimated;
        db.ModelCalls.Add(call);
        await db.SaveChangesAsync(ct);
        metrics?.RecordGeneration(target.Provider, result.Model, role, user, success, TimeSpan.FromMilliseconds(latency), result.InputTokens, result.OutputTokens, cost);
        return new ColumnResult(role, result.Model, reason, views, null, latency, result.InputTokens, result.OutputTokens, cost);
    }

    /// <summary>Plan <paramref name="index"/>'s part of <paramref name="count"/> of a whole: the first ones take one more of the remainder.</summary>
    internal static int Share(int total, int count, int index) => total / count + (index < total % count ? 1 : 0);

    /// <summary>Plan <paramref name="index"/>'s part of a cost: whole micro-units each, the last one the rest, so the parts add up exactly.</summary>
    internal static decimal Share(decimal total, int count, int index)
    {
        var part = decimal.Round(total / count, 6, MidpointRounding.ToZero);
        return index < count - 1 ? part : total - part * (count - 1);
    }

    /// <summary>
    /// Price of a call from the <see cref="PriceBook"/>: estimated when a fine-tuned model without a row of its own is priced
    /// at its base model's; no row, no charge.
    /// </summary>
    internal static async Task<(decimal Cost, bool Estimated)> CostAsync(PlannerDbContext db, string provider, string model, int inputTokens,
        int outputTokens, CancellationToken ct)
    {
        if (inputTokens == 0 && outputTokens == 0)
            return (0m, false);
        var quote = (await PriceBook.LoadAsync(db, ct)).Find(provider, model);
        return (quote.Cost(inputTokens, outputTokens), quote.Estimated);
    }

    /// <summary>
    /// The plans of the brief's latest run (both columns), each in its latest version (a planner's edit replaces the generated
    /// plan on the page; <see cref="PlanEditService.VersionsAsync"/> lists the history), or none if it has not been planned yet.
    /// </summary>
    public async Task<IReadOnlyList<PlanView>> LatestPlansAsync(int briefId, CurrentUser user, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var visible = db.Plans.AsNoTracking().Where(p => p.BriefId == briefId && (user.IsAdmin || p.Brief!.OwnerId == user.Id));
        // The latest generation decides the run: an edit saved later of an older run's plan does not bring that run back.
        var latest = await visible.Where(p => p.OriginalPlanId == null)
            .OrderByDescending(p => p.CreatedAt).ThenByDescending(p => p.Id).Select(p => (Guid?)p.RunId).FirstOrDefaultAsync(ct);
        if (latest is null)
            return [];
        var entities = await visible.Where(p => p.RunId == latest).ToListAsync(ct);
        return entities
            .GroupBy(p => p.OriginalPlanId ?? p.Id)
            .Select(g => g.OrderByDescending(p => p.Version).ThenByDescending(p => p.Id).First())
            .OrderBy(p => p.Ordinal)
            .Select(ToView)
            .ToList();
    }

    public async Task<PlanView?> GetAsync(int planId, CurrentUser user, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var entity = await db.Plans.AsNoTracking().Include(p => p.Brief)
            .SingleOrDefaultAsync(p => p.Id == planId && (user.IsAdmin || p.Brief!.OwnerId == user.Id), ct);
        return entity is null ? null : ToView(entity);
    }

    /// <summary>The brief with its market, currency, audience and benchmarks, for measuring plans; null when the user cannot see it.</summary>
    public async Task<PlanRequest?> RequestAsync(int briefId, CurrentUser user, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await BuildRequestAsync(db, briefId, user, ct);
    }

    internal static async Task<PlanRequest?> BuildRequestAsync(PlannerDbContext db, int briefId, CurrentUser user, CancellationToken ct)
    {
        var brief = await db.Briefs.AsNoTracking().SingleOrDefaultAsync(b => b.Id == briefId && (user.IsAdmin || b.OwnerId == user.Id), ct);
        if (brief is null)
            return null;
        var market = await db.Markets.AsNoTracking().SingleAsync(m => m.Code == brief.MarketCode, ct);
        var currency = await db.Currencies.AsNoTracking().SingleAsync(c => c.Code == brief.Currency, ct);
        var benchmarks = await db.Benchmarks.AsNoTracking().ToListAsync(ct);
        return PlanRequest.Create(brief, market, currency, benchmarks);
    }

    private static PlanView ToView(GeneratedPlan entity) => new(
        entity,
        PlanJson.Deserialize(entity.PlanJson),
        JsonSerializer.Deserialize<QualityReport>(entity.QualityJson, PlanJson.Options)!);
}

public static class ModelCost
{
    public static decimal Of(int inputTokens, int outputTokens, Training.ModelPrice price) =>
        inputTokens / 1_000_000m * price.InputPerMillion + outputTokens / 1_000_000m * price.OutputPerMillion;
}
