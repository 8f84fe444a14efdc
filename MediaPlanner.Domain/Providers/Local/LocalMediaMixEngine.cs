using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Planning;

namespace MediaPlanner.Domain.Providers.Local;

/// <summary>
/// The built-in offline planner. It allocates the budget across the allowed channel formats by greedy
/// marginal allocation: the budget is cut into equal steps and each step goes to the format whose
/// objective-weighted response grows most. Responses are concave (Goerg reach curves combined with
/// random duplication; Hill-saturated clicks), so the greedy allocation is close to optimal and easy
/// to explain. Alternatives differ in how much reach weighs against response. <see cref="PlanRationaleWriter"/> explains
/// each plan it makes.
/// </summary>
public sealed class LocalMediaMixEngine(MediaMixParameters parameters)
{
    public const int MaxAlternatives = 5;
    private const double DistinctShareGap = 0.02;
    /// <summary>A line below this share is not worth buying: it is dropped and its money re-allocated.</summary>
    public const double MinLineShare = 0.02;

    private readonly PlanRationaleWriter _rationale = new(parameters);

    public MediaMixParameters Parameters { get; } = parameters;

    public IReadOnlyList<MediaPlan> Generate(PlanRequest request, int alternatives = 3)
    {
        alternatives = Math.Clamp(alternatives, 1, MaxAlternatives);
        var context = Context(request);
        var tilts = Tilts(alternatives).ToList();
        var allocations = Parameters.Mix is { } mix ? LearnedAllocations(context, tilts, mix) : EngineAllocations(context, tilts);

        // When every weighting gives the same allocation, the one plan is not "reach-led": it is the only sensible split.
        if (allocations.Count == 1)
            allocations[0] = ("Balanced", allocations[0].Cents);
        var basis = PlanBasis.From(request);
        var plans = allocations.Select(a => BuildPlan(request, basis, context.Lines, a.Name, a.Cents, context.BudgetCents)).ToList();
        return PlanRationaleWriter.AddComparisons(request, plans, alternatives);
    }

    /// <summary>
    /// The engine's own Balanced split across the brief's plannable channels (every plannable channel is a key, unfunded
    /// ones with 0), ignoring any learned mix: the base the learner's model starts from.
    /// </summary>
    public IReadOnlyDictionary<Channel, double> EngineShares(PlanRequest request)
    {
        var context = Context(request);
        return ChannelShares(context, Allocate(context, 0));
    }

    /// <summary>The brief's plannable lines and the scales the allocation weighs them by.</summary>
    private sealed record PlanContext(PlanRequest Request, MediaMixLine[] Lines, long BudgetCents, Objective Objective, ObjectiveWeights BaseWeights, double ReachScale, double ActionScale);

    private PlanContext Context(PlanRequest request)
    {
        var lines = BuildLines(request);
        if (lines.Length == 0)
            throw new InvalidOperationException("None of the brief's channels has benchmark figures, so nothing can be planned.");
        var budgetCents = (long)decimal.Round(request.Brief.Budget * 100m, MidpointRounding.ToZero);
        var objective = request.Brief.Objective;
        var baseWeights = Parameters.Objectives.TryGetValue(objective, out var w) ? w : new ObjectiveWeights(0.5, 0.5);
        var budget = (double)request.Brief.Budget;
        return new(request, lines, budgetCents, objective, baseWeights, lines.Max(l => l.ReachFraction(budget)), lines.Max(l => l.ActionFraction(budget)));
    }

    /// <summary>How much reach weighs against response at a tilt (−1 reach-led, 0 balanced, +1 performance-led).</summary>
    private static ObjectiveWeights WeightsAt(PlanContext context, double tilt)
    {
        // The balanced plan sits between the objective's own weight and an even split, so it stays distinct
        // from the two extremes even for an objective that already leans hard one way.
        var middle = (context.BaseWeights.Reach + 0.5) / 2;
        var reachWeight = tilt <= 0 ? middle + (0.95 - middle) * -tilt : middle - (middle - 0.05) * tilt;
        return context.ActionScale > 0 ? new ObjectiveWeights(reachWeight, 1 - reachWeight) : new ObjectiveWeights(1, 0);
    }

    private long[] Allocate(PlanContext context, double tilt) =>
        context.BudgetCents > 0
            ? AllocateWithoutSlivers(context.Lines, context.BudgetCents, WeightsAt(context, tilt), context.ReachScale, context.ActionScale, context.Objective)
            : new long[context.Lines.Length];

    private List<(string Name, long[] Cents)> EngineAllocations(PlanContext context, List<(double Tilt, string Name)> tilts)
    {
        var allocations = new List<(string Name, long[] Cents)>();
        foreach (var (tilt, name) in tilts)
        {
            var cents = Allocate(context, tilt);
            if (allocations.All(a => MaxShareGap(a.Cents, cents, context.BudgetCents) >= DistinctShareGap))
                allocations.Add((name, cents));
        }
        return allocations;
    }

    /// <summary>
    /// The learned plans: the Balanced plan at the mix the model predicts for the brief; the other alternatives move
    /// around it as the engine's own tilted plans move around its own Balanced one (share + spread × (tilted − balanced)),
    /// so reach-led still leans to reach and performance-led to response, starting from the agency's mix.
    /// </summary>
    private List<(string Name, long[] Cents)> LearnedAllocations(PlanContext context, List<(double Tilt, string Name)> tilts, ShareModel mix)
    {
        var engineBalanced = ChannelShares(context, Allocate(context, 0));
        var learned = DropSlivers(mix.Predict(context.Request, engineBalanced));
        var candidates = new List<(double Tilt, string Name, long[] Cents)>();
        foreach (var (tilt, name) in tilts)
        {
            IReadOnlyDictionary<Channel, double> shares = learned;
            if (tilt != 0)
            {
                var engineTilted = ChannelShares(context, Allocate(context, tilt));
                // Additive, not multiplicative: a channel the learned mix barely funds can still gain what the engine's tilt
                // gives it, so the alternatives stay distinct even around a mix dominated by one channel.
                var moved = learned.ToDictionary(p => p.Key,
                    p => Math.Max(0, p.Value + mix.Spread * (engineTilted[p.Key] - engineBalanced[p.Key])));
                shares = DropSlivers(Normalise(moved));
            }
            candidates.Add((tilt, name, CentsAt(context, shares, WeightsAt(context, tilt))));
        }
        // Balanced first, so it is the one kept when a tilt makes no difference.
        var kept = new List<(double Tilt, string Name, long[] Cents)>();
        foreach (var candidate in candidates.OrderBy(c => Math.Abs(c.Tilt)))
            if (kept.All(k => MaxShareGap(k.Cents, candidate.Cents, context.BudgetCents) >= DistinctShareGap))
                kept.Add(candidate);
        return kept.OrderBy(k => k.Tilt).Select(k => (k.Name, k.Cents)).ToList();
    }

    private static Dictionary<Channel, double> ChannelShares(PlanContext context, long[] cents)
    {
        var shares = context.Lines.Select(l => l.Channel).Distinct().ToDictionary(c => c, _ => 0.0);
        if (context.BudgetCents <= 0)
            return shares;
        for (var i = 0; i < cents.Length; i++)
            shares[context.Lines[i].Channel] += cents[i] / (double)context.BudgetCents;
        return shares;
    }

    private static Dictionary<Channel, double> Normalise(Dictionary<Channel, double> shares)
    {
        var sum = shares.Values.Sum();
        return shares.ToDictionary(p => p.Key, p => sum > 0 ? p.Value / sum : 1.0 / shares.Count);
    }

    /// <summary>Channels below the smallest line worth buying are dropped and their share spread over the rest.</summary>
    private static Dictionary<Channel, double> DropSlivers(IReadOnlyDictionary<Channel, double> shares)
    {
        var kept = shares.Where(p => p.Value >= MinLineShare).ToDictionary(p => p.Key, p => p.Value);
        if (kept.Count == 0)
        {
            var top = shares.MaxBy(p => p.Value);
            kept[top.Key] = 1;
        }
        var result = Normalise(kept);
        foreach (var channel in shares.Keys.Where(c => !result.ContainsKey(c)))
            result[channel] = 0;
        return result;
    }

    /// <summary>
    /// Cents per line at the given channel shares: channels get whole cents by largest remainder (so the plan spends the
    /// budget to the cent), and a channel with several formats splits its money among them the engine's way.
    /// </summary>
    private long[] CentsAt(PlanContext context, IReadOnlyDictionary<Channel, double> shares, ObjectiveWeights weights)
    {
        var channels = shares.Keys.Order().ToArray();
        var raw = channels.Select(c => shares[c] * context.BudgetCents).ToArray();
        var channelCents = raw.Select(r => (long)Math.Floor(r)).ToArray();
        var left = context.BudgetCents - channelCents.Sum();
        foreach (var k in Enumerable.Range(0, channels.Length).OrderByDescending(k => raw[k] - channelCents[k]).ThenBy(k => k))
        {
            if (left <= 0)
                break;
            if (shares[channels[k]] <= 0)
                continue;
            channelCents[k]++;
            left--;
        }
        var cents = new long[context.Lines.Length];
        for (var k = 0; k < channels.Length; k++)
        {
            var members = Enumerable.Range(0, context.Lines.Length).Where(i => context.Lines[i].Channel == channels[k]).ToArray();
            SplitWithinChannel(context, members, channelCents[k], weights, cents);
        }
        return cents;
    }

    /// <summary>Greedy marginal split of one channel's money among its formats, on the same weighted response.</summary>
    private void SplitWithinChannel(PlanContext context, int[] members, long channelCents, ObjectiveWeights weights, long[] cents)
    {
        if (channelCents <= 0 || members.Length == 0)
            return;
        if (members.Length == 1)
        {
            cents[members[0]] = channelCents;
            return;
        }
        var steps = Math.Max(1, Math.Min(Parameters.Steps, channelCents));
        var step = channelCents / steps;
        var remaining = channelCents;
        while (remaining > 0)
        {
            var amount = remaining >= 2 * step ? step : remaining;
            var best = members[0];
            var bestGain = double.NegativeInfinity;
            foreach (var i in members)
            {
                var line = context.Lines[i];
                var now = cents[i] / 100.0;
                var next = (cents[i] + amount) / 100.0;
                var gain = weights.Reach * (line.ReachFraction(next) - line.ReachFraction(now)) / context.ReachScale
                    + (context.ActionScale > 0 ? weights.Action * (line.ActionFraction(next) - line.ActionFraction(now)) / context.ActionScale : 0);
                if (gain > bestGain + 1e-15)
                {
                    bestGain = gain;
                    best = i;
                }
            }
            cents[best] += amount;
            remaining -= amount;
        }
    }

    // ---- allocation ----

    private long[] AllocateWithoutSlivers(MediaMixLine[] lines, long budgetCents, ObjectiveWeights weights, double reachScale, double actionScale, Objective objective)
    {
        var active = lines.Select(_ => true).ToArray();
        while (true)
        {
            var cents = Allocate(lines, active, budgetCents, weights, reachScale, actionScale, objective);
            var slivers = Enumerable.Range(0, lines.Length)
                .Where(i => cents[i] > 0 && cents[i] < MinLineShare * budgetCents && Parameters.For(lines[i].Channel).MinShare == 0)
                .ToList();
            if (slivers.Count == 0 || slivers.Count == active.Count(a => a))
                return cents;
            foreach (var i in slivers)
                active[i] = false;
        }
    }

    private long[] Allocate(MediaMixLine[] lines, bool[] active, long budgetCents, ObjectiveWeights weights, double reachScale, double actionScale, Objective objective)
    {
        var cents = new long[lines.Length];
        var channelCents = new Dictionary<Channel, long>();
        var (minShare, maxShare) = ShareBounds(lines);
        foreach (var c in minShare.Keys)
            channelCents[c] = 0;

        var steps = Math.Max(1, Math.Min(Parameters.Steps, budgetCents));
        var step = budgetCents / steps;
        var remaining = budgetCents;
        var reach = new double[lines.Length];
        var action = new double[lines.Length];
        for (var i = 0; i < lines.Length; i++)
            reach[i] = action[i] = 0;

        while (remaining > 0)
        {
            var amount = remaining >= 2 * step ? step : remaining;
            var belowMin = minShare.Keys.Where(c => channelCents[c] < minShare[c] * budgetCents).ToHashSet();
            var best = -1;
            var bestGain = double.NegativeInfinity;
            var uncovered = 1.0;
            for (var i = 0; i < lines.Length; i++)
                uncovered *= 1 - reach[i];

            for (var i = 0; i < lines.Length; i++)
            {
                var line = lines[i];
                if (!active[i])
                    continue;
                if (belowMin.Count > 0 && !belowMin.Contains(line.Channel))
                    continue;
                if (channelCents[line.Channel] + amount > maxShare[line.Channel] * budgetCents + 0.5)
                    continue;
                var spend = (cents[i] + amount) / 100.0;
                var newReach = line.ReachFraction(spend);
                var newAction = line.ActionFraction(spend);
                var othersUncovered = uncovered / (1 - reach[i]);
                var gain = line.Preference(objective) * (
                    weights.Reach * othersUncovered * (newReach - reach[i]) / reachScale
                    + (actionScale > 0 ? weights.Action * (newAction - action[i]) / actionScale : 0));
                if (gain > bestGain + 1e-15)
                {
                    bestGain = gain;
                    best = i;
                }
            }

            if (best < 0)
            {
                // Every channel is at its cap (the caps leave part of the budget unplaceable at this step
                // size): put the rest where the cap has most room, so the budget is still spent to the cent.
                best = Enumerable.Range(0, lines.Length).Where(i => active[i])
                    .MaxBy(i => maxShare[lines[i].Channel] * budgetCents - channelCents[lines[i].Channel]);
            }

            cents[best] += amount;
            channelCents[lines[best].Channel] += amount;
            reach[best] = lines[best].ReachFraction(cents[best] / 100.0);
            action[best] = lines[best].ActionFraction(cents[best] / 100.0);
            remaining -= amount;
        }
        return cents;
    }

    /// <summary>Per-channel share bounds, loosened so they can always be met together.</summary>
    private (Dictionary<Channel, double> Min, Dictionary<Channel, double> Max) ShareBounds(MediaMixLine[] lines)
    {
        var channels = lines.Select(l => l.Channel).Distinct().ToArray();
        var min = channels.ToDictionary(c => c, c => Parameters.For(c).MinShare);
        var max = channels.ToDictionary(c => c, c => Parameters.For(c).MaxShare);
        var minSum = min.Values.Sum();
        if (minSum > 1)
            foreach (var c in channels)
                min[c] /= minSum;
        var maxSum = max.Values.Sum();
        if (maxSum < 1)
        {
            // Raise the caps evenly until they cover the whole budget.
            var lift = (1 - maxSum) / channels.Length;
            foreach (var c in channels)
                max[c] = Math.Min(1, max[c] + lift);
        }
        return (min, max);
    }

    private static IEnumerable<(double Tilt, string Name)> Tilts(int count)
    {
        if (count == 1)
        {
            yield return (0, "Balanced");
            yield break;
        }
        for (var i = 0; i < count; i++)
        {
            var tilt = -1 + 2.0 * i / (count - 1);
            yield return (tilt, tilt switch
            {
                <= -0.75 => "Reach-led",
                < -0.25 => "Reach-leaning",
                <= 0.25 => "Balanced",
                < 0.75 => "Performance-leaning",
                _ => "Performance-led",
            });
        }
    }

    private static double MaxShareGap(long[] a, long[] b, long total) =>
        a.Zip(b, (x, y) => Math.Abs(x - y) / (double)total).Max();

    // ---- plan assembly ----

    private MediaPlan BuildPlan(PlanRequest request, PlanBasis basis, MediaMixLine[] lines, string strategy, long[] cents, long budgetCents)
    {
        var brief = request.Brief;
        var audience = request.AudienceSize;
        // The engine's lines are priced and measured by the same PlanMath every other plan is, so its figures, the R&F
        // curves and an edited copy of the plan agree to the person.
        var budget = budgetCents / 100m;
        var items = new List<PlanLineItem>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (cents[i] == 0)
                continue;
            var draft = new PlanLineItem(lines[i].Channel, lines[i].Format, cents[i] / 100m, 0, lines[i].Cpm, 0, 0, 0, 0, "");
            items.Add(PlanMath.Line(basis, draft, budget));
        }
        var totals = PlanMath.Totals(items, audience);

        items = items.Select(item => item with { Rationale = _rationale.LineRationale(request, lines, item, items) }).ToList();

        return new MediaPlan(brief.Brand, brief.CampaignName, brief.Objective, request.Market.Code,
            brief.AudienceDescription, audience, brief.FlightStart, brief.FlightEnd, brief.Budget, request.Currency.Code,
            strategy, items, totals, _rationale.PlanRationale(request, strategy, items, totals), _rationale.Assumptions(request, lines));
    }

    private MediaMixLine[] BuildLines(PlanRequest request)
    {
        var allowed = request.Brief.Channels.ToHashSet();
        return request.Benchmarks
            .Where(b => allowed.Contains(b.Channel) && b.Cpm > 0)
            .OrderBy(b => b.Channel).ThenBy(b => b.Id)
            .Select(b => new MediaMixLine(b, decimal.Round(b.Cpm * request.Currency.UnitsPerUsd, 2), request.AudienceSize, Parameters.For(b.Channel)))
            .ToArray();
    }
}
