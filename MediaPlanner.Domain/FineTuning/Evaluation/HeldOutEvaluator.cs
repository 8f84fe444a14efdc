using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers.Local;

namespace MediaPlanner.Domain.FineTuning.Evaluation;

/// <summary>One model's run over the held-out briefs: its figures and each brief's distance, in brief order.</summary>
public sealed record HeldOutRun(HeldOutFigures Figures, IReadOnlyList<double> Distances);

/// <summary>A held-out brief and the channel shares its validated plan chose.</summary>
public sealed record HeldOutBrief(PlanRequest Request, IReadOnlyDictionary<Channel, double> Target, MediaPlan? Validated = null);

/// <summary>
/// Runs a real planner on held-out briefs and measures what it planned: style fit (mean L1 distance of channel shares to
/// the validated plan, and the share of budget placed as the validated plan placed it), the quality score and budget
/// adherence. The same briefs for the base model and every checkpoint, so the figures compare.
/// </summary>
public static class HeldOutEvaluator
{
    private static readonly PlanQualityEvaluator Quality = new();

    /// <summary>The built-in planner with <paramref name="parameters"/> on the briefs.</summary>
    public static HeldOutFigures Evaluate(MediaMixParameters parameters, IReadOnlyList<HeldOutBrief> briefs, int alternatives = 3) =>
        Run(parameters, briefs, alternatives).Figures;

    /// <summary>The figures and each brief's distance (2, the worst, where nothing was planned), for paired comparisons.</summary>
    public static HeldOutRun Run(MediaMixParameters parameters, IReadOnlyList<HeldOutBrief> briefs, int alternatives = 3)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(briefs);
        var engine = new LocalMediaMixEngine(parameters);
        var plans = briefs.Select(b => Try(() => engine.Generate(b.Request, alternatives))).ToList();
        return new HeldOutRun(Measure(briefs, plans), PerBrief(briefs, plans));
    }

    /// <summary>Any planner on the briefs, with each brief's distance, for paired comparisons.</summary>
    public static async Task<HeldOutRun> RunAsync(IReadOnlyList<HeldOutBrief> briefs,
        Func<PlanRequest, CancellationToken, Task<IReadOnlyList<MediaPlan>>> planner, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(briefs);
        ArgumentNullException.ThrowIfNull(planner);
        var plans = await PlanAllAsync(briefs, planner, ct);
        return new HeldOutRun(Measure(briefs, plans), PerBrief(briefs, plans));
    }

    /// <summary>
    /// <paramref name="candidate"/>'s figures with the standard error of its per-brief distance gain over
    /// <paramref name="baseline"/> on the same briefs (paired: each brief compared with itself).
    /// </summary>
    public static HeldOutFigures Against(HeldOutRun candidate, HeldOutRun baseline)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(baseline);
        var n = Math.Min(candidate.Distances.Count, baseline.Distances.Count);
        if (n < 2)
            return candidate.Figures;
        var gains = Enumerable.Range(0, n).Select(i => baseline.Distances[i] - candidate.Distances[i]).ToArray();
        var mean = gains.Average();
        var variance = gains.Sum(g => (g - mean) * (g - mean)) / (n - 1);
        return candidate.Figures with { GainStdError = Math.Sqrt(variance / n) };
    }

    private static IReadOnlyList<double> PerBrief(IReadOnlyList<HeldOutBrief> briefs, IReadOnlyList<IReadOnlyList<MediaPlan>?> plans) =>
        [.. briefs.Select((b, i) => plans[i] is { Count: > 0 } p ? Distance(Shares(Balanced(p)), b.Target) : 2.0)];

    /// <summary>Any planner (a hosted model through its provider) on the briefs; a brief it fails on counts as not planned.</summary>
    public static async Task<HeldOutFigures> EvaluateAsync(IReadOnlyList<HeldOutBrief> briefs,
        Func<PlanRequest, CancellationToken, Task<IReadOnlyList<MediaPlan>>> planner, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(briefs);
        ArgumentNullException.ThrowIfNull(planner);
        return Measure(briefs, await PlanAllAsync(briefs, planner, ct));
    }

    private static async Task<List<IReadOnlyList<MediaPlan>?>> PlanAllAsync(IReadOnlyList<HeldOutBrief> briefs,
        Func<PlanRequest, CancellationToken, Task<IReadOnlyList<MediaPlan>>> planner, CancellationToken ct)
    {
        var plans = new List<IReadOnlyList<MediaPlan>?>(briefs.Count);
        foreach (var brief in briefs)
        {
            try
            {
                plans.Add(await planner(brief.Request, ct));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                plans.Add(null);
            }
        }
        return plans;
    }

    /// <summary>L1 distance between two share vectors over the union of their channels (0 identical, 2 disjoint).</summary>
    public static double Distance(IReadOnlyDictionary<Channel, double> a, IReadOnlyDictionary<Channel, double> b) =>
        a.Keys.Union(b.Keys).Sum(c => Math.Abs(a.GetValueOrDefault(c) - b.GetValueOrDefault(c)));

    /// <summary>The budget both place in the same channels: Σ min(a, b) (1 identical, 0 disjoint).</summary>
    public static double Agreement(IReadOnlyDictionary<Channel, double> a, IReadOnlyDictionary<Channel, double> b) =>
        a.Keys.Intersect(b.Keys).Sum(c => Math.Min(a[c], b[c]));

    /// <summary>A plan's channel shares of what it spends.</summary>
    public static IReadOnlyDictionary<Channel, double> Shares(MediaPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var items = (plan.LineItems ?? []).Where(i => i is not null && i.Spend > 0).ToList();
        var total = items.Sum(i => (double)i.Spend);
        return total > 0
            ? items.GroupBy(i => i.Channel).ToDictionary(g => g.Key, g => g.Sum(i => (double)i.Spend) / total)
            : new Dictionary<Channel, double>();
    }

    /// <summary>The Balanced plan of a set of alternatives (the middle one when none is called so).</summary>
    public static MediaPlan Balanced(IReadOnlyList<MediaPlan> plans) =>
        plans.FirstOrDefault(p => p.StrategyName == "Balanced") ?? plans[plans.Count / 2];

    /// <summary>True when the plan's line spends add up to the brief's budget to the cent.</summary>
    public static bool WithinBudget(MediaPlan plan, decimal budget) =>
        Math.Abs((plan.LineItems ?? []).Where(i => i is not null).Sum(i => i.Spend) - budget) < 0.005m;

    private static HeldOutFigures Measure(IReadOnlyList<HeldOutBrief> briefs, IReadOnlyList<IReadOnlyList<MediaPlan>?> results)
    {
        int planned = 0, plans = 0, withinBudget = 0;
        double distance = 0, distanceAll = 0, agreement = 0, quality = 0;
        for (var i = 0; i < briefs.Count; i++)
        {
            if (results[i] is not { Count: > 0 } alternatives)
                continue;
            planned++;
            var brief = briefs[i];
            var balanced = Balanced(alternatives);
            var shares = Shares(balanced);
            distance += Distance(shares, brief.Target);
            agreement += Agreement(shares, brief.Target);
            quality += Quality.Evaluate(balanced, PlanEvaluationContext.From(brief.Request)).Score;
            distanceAll += alternatives.Average(p => Distance(Shares(p), brief.Target));
            foreach (var plan in alternatives)
            {
                plans++;
                if (WithinBudget(plan, brief.Request.Brief.Budget))
                    withinBudget++;
            }
        }
        var validated = briefs.Where(b => b.Validated is not null).ToList();
        double? validatedQuality = validated.Count == 0 ? null
            : validated.Average(b => Quality.Evaluate(b.Validated!, PlanEvaluationContext.From(b.Request)).Score);
        return planned == 0
            ? new HeldOutFigures(briefs.Count, 0, 2, 2, 0, 0, 0, ValidatedQuality: validatedQuality)
            : new HeldOutFigures(briefs.Count, planned, distance / planned, distanceAll / planned, agreement / planned,
                quality / planned, plans == 0 ? 0 : withinBudget / (double)plans, ValidatedQuality: validatedQuality);
    }

    private static IReadOnlyList<MediaPlan>? Try(Func<IReadOnlyList<MediaPlan>> plan)
    {
        try
        {
            return plan();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
