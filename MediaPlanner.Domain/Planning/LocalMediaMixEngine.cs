using System.Globalization;
using System.Text;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Markets;

namespace MediaPlanner.Domain.Planning;

/// <summary>
/// The built-in offline planner. It allocates the budget across the allowed channel formats by greedy
/// marginal allocation: the budget is cut into equal steps and each step goes to the format whose
/// objective-weighted response grows most. Responses are concave (Goerg reach curves combined with
/// random duplication; Hill-saturated clicks), so the greedy allocation is close to optimal and easy
/// to explain. Alternatives differ in how much reach weighs against response.
/// </summary>
public sealed class LocalMediaMixEngine(MediaMixParameters parameters)
{
    public const int MaxAlternatives = 5;
    private const double DistinctShareGap = 0.02;
    /// <summary>A line below this share is not worth buying: it is dropped and its money re-allocated.</summary>
    public const double MinLineShare = 0.02;

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
        return AddComparisons(request, plans, alternatives);
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
    private sealed record PlanContext(PlanRequest Request, Line[] Lines, long BudgetCents, Objective Objective, ObjectiveWeights BaseWeights, double ReachScale, double ActionScale);

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

    private long[] AllocateWithoutSlivers(Line[] lines, long budgetCents, ObjectiveWeights weights, double reachScale, double actionScale, Objective objective)
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

    private long[] Allocate(Line[] lines, bool[] active, long budgetCents, ObjectiveWeights weights, double reachScale, double actionScale, Objective objective)
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
    private (Dictionary<Channel, double> Min, Dictionary<Channel, double> Max) ShareBounds(Line[] lines)
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

    private MediaPlan BuildPlan(PlanRequest request, PlanBasis basis, Line[] lines, string strategy, long[] cents, long budgetCents)
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

        items = items.Select(item => item with { Rationale = LineRationale(request, lines, item, items) }).ToList();

        return new MediaPlan(brief.Brand, brief.CampaignName, brief.Objective, request.Market.Code,
            brief.AudienceDescription, audience, brief.FlightStart, brief.FlightEnd, brief.Budget, request.Currency.Code,
            strategy, items, totals, PlanRationale(request, strategy, items, totals), Assumptions(request, lines));
    }

    private string LineRationale(PlanRequest request, Line[] lines, PlanLineItem item, List<PlanLineItem> items)
    {
        var line = lines.First(l => l.Channel == item.Channel && l.Format == item.Format);
        var c = CultureInfo.InvariantCulture;
        var cur = request.Currency.Code;
        var sb = new StringBuilder();
        sb.Append(c, $"{item.Share:P0} ({cur} {item.Spend:N0}) buys {item.Impressions:N0} impressions at a {cur} {item.Cpm:N2} CPM, ");
        sb.Append(c, $"reaching {item.Reach / (double)request.AudienceSize:P1} of the audience {item.Frequency:0.0} times on average");
        sb.Append(item.Clicks > 0 ? string.Create(c, $" and about {item.Clicks:N0} clicks at a {line.Ctr:P2} CTR. ") : ". ");

        var costPerReachPoint = item.Spend / (decimal)Math.Max(0.0001, item.Reach * 100.0 / request.AudienceSize);
        var cheapestReach = items.MinBy(i => i.Spend / (decimal)Math.Max(0.0001, i.Reach * 100.0 / request.AudienceSize));
        var mostClicks = items.Where(i => i.Clicks > 0).MaxBy(i => i.Clicks / (double)i.Spend);
        var bounds = Parameters.For(item.Channel);
        if (Parameters.Mix is not null)
        {
            // A learned split is not bound by the engine's own caps: it is the agency's.
        }
        else if (item.Share >= bounds.MaxShare - 0.005 && items.Count > 1)
            sb.Append(c, $"Capped at its maximum share of {bounds.MaxShare:P0} so no channel carries the plan alone. ");
        else if (bounds.MinShare > 0 && item.Share <= bounds.MinShare + 0.005)
            sb.Append(c, $"Held at its minimum share of {bounds.MinShare:P0}. ");
        if (ReferenceEquals(item, cheapestReach))
            sb.Append(c, $"Cheapest reach in the plan: {cur} {costPerReachPoint:N0} per reach point. ");
        if (ReferenceEquals(item, mostClicks))
            sb.Append(c, $"Most clicks per {cur} 1,000: {item.Clicks * 1000.0 / (double)item.Spend:N0}. ");

        // Goerg curve: d reach / d impressions = (ρ / (I + ρ))², so the last unit buys this share of the first's reach.
        var marginal = line.MarginalReachRatio(item.Impressions);
        sb.Append(c, $"Returns diminish: the last {cur} spent here adds {marginal:P0} of the new reach the first did.");
        return sb.ToString();
    }

    private string PlanRationale(PlanRequest request, string strategy, List<PlanLineItem> items, PlanTotals totals)
    {
        var brief = request.Brief;
        var c = CultureInfo.InvariantCulture;
        var cur = request.Currency.Code;
        var days = brief.FlightEnd.DayNumber - brief.FlightStart.DayNumber + 1;
        var sb = new StringBuilder();
        sb.Append(c, $"{strategy} plan for {brief.Brand}'s {brief.Objective.ToString().ToLowerInvariant()} campaign in {request.Market.Name}: ");
        sb.Append(c, $"{cur} {totals.Spend:N0} over {days} days reaches an estimated {totals.ReachPercent:0.0}% of {brief.AudienceDescription} ");
        sb.Append(c, $"({totals.Reach:N0} of {request.AudienceSize:N0} people) an average of {totals.AverageFrequency:0.0} times, ");
        sb.Append(c, $"{totals.Impressions:N0} impressions at an eCPM of {cur} {totals.Ecpm:N2}");
        sb.Append(totals.Clicks > 0 ? string.Create(c, $" and about {totals.Clicks:N0} clicks. ") : ". ");

        var ranked = items.OrderByDescending(i => i.Spend).ToList();
        var lead = ranked[0];
        if (Parameters.Mix is { } mix)
        {
            var age = BriefPrompt.AgeBand(brief.AgeMin, brief.AgeMax);
            sb.Append(c, $"{lead.Channel.Display()} leads with {lead.Share:P0}: {(strategy == "Balanced" ? "the split" : "a shift of the split")} {Parameters.ModelName} learned from {mix.TrainedOn:N0} validated plans for briefs like this one ({brief.Objective.ToString().ToLowerInvariant()}, audience aged {age}). ");
            if (ranked.Count > 1)
                sb.Append(c, $"The rest goes to {string.Join(", ", ranked.Skip(1).Select(i => string.Create(c, $"{i.Channel.Display()} {i.Share:P0}")))}. ");
        }
        else
        {
        sb.Append(c, $"{lead.Channel.Display()} leads with {lead.Share:P0} ");
        sb.Append(lead.Clicks > 0 && strategy.StartsWith("Performance", StringComparison.Ordinal)
            ? string.Create(c, $"because it returns the most response per {cur}: {lead.Clicks * 1000.0 / (double)lead.Spend:N0} clicks per {cur} 1,000. ")
            : string.Create(c, $"because it adds reach most cheaply at a {cur} {lead.Cpm:N2} CPM until its returns flatten. "));
        if (ranked.Count > 1)
        {
            var rest = string.Join(", ", ranked.Skip(1).Select(i => string.Create(c, $"{i.Channel.Display()} {i.Share:P0}")));
            sb.Append(c, $"The rest goes to {rest}, each funded until its next {cur} bought less than the alternatives. ");
        }
        }
        sb.Append(totals.AverageFrequency >= Parameters.EffectiveFrequency
            ? string.Create(c, $"Average frequency meets the {Parameters.EffectiveFrequency:0}+ effective-frequency setting.")
            : string.Create(c, $"Average frequency is below the {Parameters.EffectiveFrequency:0}+ effective-frequency setting: more budget or fewer channels would raise it at the cost of reach."));
        return sb.ToString();
    }

    private static string AudienceAssumption(PlanRequest request)
    {
        var audience = request.Audience;
        var notes = audience.InterestNotes.Count == 0 ? "" : " " + string.Join(" ", audience.InterestNotes.Select(n => n.EndsWith('.') ? n : n + "."));
        return string.Create(CultureInfo.InvariantCulture,
            $"Audience: {audience.Factors} = {request.AudienceSize:N0} people ({request.Market.AdultPopulation:N0} adults: {request.Market.Source}); age shares follow the US 2020 Census age structure.{notes}");
    }

    private IReadOnlyList<string> Assumptions(PlanRequest request, Line[] lines)
    {
        var c = CultureInfo.InvariantCulture;
        var list = new List<string>
        {
            AudienceAssumption(request),
            request.Currency.Code == "USD"
                ? "CPMs and CTRs are US benchmark figures in USD (sources stored with each figure)."
                : string.Create(c, $"CPMs are US benchmark figures converted at {request.Currency.UnitsPerUsd} {request.Currency.Code} per USD ({request.Currency.Source})."),
            "Reach per format follows the Goerg (2014) one-point reach curve within the share of adults the channel can reach; formats duplicate at random (Sainsbury), so combined reach = 1 − Π(1 − reach share).",
            "Clicks = impressions × benchmark CTR. Response is weighed as conversions (clicks × benchmark conversion rate) with diminishing returns (Hill saturation); formats without CTR and conversion benchmarks count for reach only.",
        };
        if (Parameters.Mix is { } mix)
            list.Add(string.Create(c, $"Channel shares: {Parameters.ModelName}'s mix, learned from {mix.TrainedOn:N0} validated plans (a softmax regression on the brief's objective, audience, market, budget and channels, shrunk toward the engine's own mix where data is thin); CPMs, reach and frequency are the engine's."));
        var missing = request.Brief.Channels.Where(ch => lines.All(l => l.Channel != ch)).ToList();
        if (missing.Count > 0)
            list.Add($"No benchmark figures for {string.Join(", ", missing.Select(m => m.Display()))}; left out of the plan.");
        return list;
    }

    private static IReadOnlyList<MediaPlan> AddComparisons(PlanRequest request, List<MediaPlan> plans, int requested)
    {
        var c = CultureInfo.InvariantCulture;
        var result = new List<MediaPlan>();
        foreach (var plan in plans)
        {
            var sb = new StringBuilder(plan.Rationale);
            foreach (var other in plans.Where(p => !ReferenceEquals(p, plan)))
            {
                var reachDelta = plan.Totals.ReachPercent - other.Totals.ReachPercent;
                var clickDelta = plan.Totals.Clicks - other.Totals.Clicks;
                sb.Append(c, $" Against the {other.StrategyName} plan it {(reachDelta >= 0 ? "gains" : "gives up")} {Math.Abs(reachDelta):0.0} reach points");
                sb.Append(clickDelta == 0 ? "." : string.Create(c, $" and {(clickDelta >= 0 ? "gains" : "gives up")} {Math.Abs(clickDelta):N0} clicks."));
            }
            var assumptions = plan.Assumptions;
            if (plans.Count < requested)
                assumptions = [.. assumptions, plans.Count == 1
                    ? $"Only one distinct plan exists for these channels; {requested} were asked for."
                    : $"Only {plans.Count} distinct plans exist for these channels; {requested} were asked for."];
            result.Add(plan with { Rationale = sb.ToString(), Assumptions = assumptions });
        }
        return result;
    }

    private Line[] BuildLines(PlanRequest request)
    {
        var allowed = request.Brief.Channels.ToHashSet();
        return request.Benchmarks
            .Where(b => allowed.Contains(b.Channel) && b.Cpm > 0)
            .OrderBy(b => b.Channel).ThenBy(b => b.Id)
            .Select(b => new Line(b, decimal.Round(b.Cpm * request.Currency.UnitsPerUsd, 2), request.AudienceSize, Parameters.For(b.Channel)))
            .ToArray();
    }

    /// <summary>One plannable format with its response curves, in the brief's currency.</summary>
    private sealed class Line
    {
        private readonly double _audience;
        private readonly double _universe;
        private readonly double _rho;
        private readonly double _cpm;
        private readonly ChannelParameters _parameters;

        public Line(ChannelBenchmark benchmark, decimal cpm, long audience, ChannelParameters parameters)
        {
            Channel = benchmark.Channel;
            Format = benchmark.Format;
            Cpm = Math.Max(0.01m, cpm);
            Ctr = benchmark.Ctr is > 0 ? benchmark.Ctr : null;
            ConversionRate = benchmark.ConversionRate is > 0 ? benchmark.ConversionRate : null;
            _cpm = (double)Cpm;
            _audience = audience;
            _universe = audience * Math.Clamp(benchmark.UniverseShare, 0.01, 1.0);
            // Goerg one-point model with the benchmark point (I₀ = universe, R₀ = r0 · universe): ρ = I₀R₀ / (I₀ − R₀).
            _rho = ReachModel.Rho(_universe, benchmark.ReachAtOneImpressionPerPerson);
            _parameters = parameters;
        }

        public Channel Channel { get; }
        public string Format { get; }
        public decimal Cpm { get; }
        public double? Ctr { get; }
        public double? ConversionRate { get; }

        public double Preference(Objective objective) => _parameters.PreferenceFor(objective);

        public double Impressions(double spend) => spend / _cpm * 1000;

        public double ReachPeople(double impressions) =>
            impressions <= 0 ? 0 : Math.Min(_universe, _rho * impressions / (impressions + _rho));

        public double ReachFraction(double spend) => ReachPeople(Impressions(spend)) / _audience;

        public double MarginalReachRatio(double impressions) => Math.Pow(_rho / (impressions + _rho), 2);

        /// <summary>
        /// Hill-saturated response: conversions per person x (impressions × CTR × conversion rate / audience),
        /// scored x^p / (x^p + K^p). Conversions, not clicks, so a cheap click with little intent does not win on volume.
        /// </summary>
        public double ActionFraction(double spend)
        {
            if (Ctr is not { } ctr || ConversionRate is not { } cvr || spend <= 0)
                return 0;
            var perPerson = Impressions(spend) * ctr * cvr / _audience;
            var p = _parameters.HillShape;
            var xp = p == 1 ? perPerson : Math.Pow(perPerson, p);
            var kp = p == 1 ? _parameters.ActionHalfSaturation : Math.Pow(_parameters.ActionHalfSaturation, p);
            return xp / (xp + kp);
        }
    }
}
