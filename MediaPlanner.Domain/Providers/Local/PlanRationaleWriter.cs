using System.Globalization;
using System.Text;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.FineTuning;

namespace MediaPlanner.Domain.Providers.Local;

/// <summary>
/// The words of a <see cref="LocalMediaMixEngine"/> plan: why each line got its money, what the plan does and why its lead
/// channel leads, the assumptions behind the figures, and how each alternative compares with the others.
/// </summary>
internal sealed class PlanRationaleWriter(MediaMixParameters parameters)
{
    public string LineRationale(PlanRequest request, MediaMixLine[] lines, PlanLineItem item, List<PlanLineItem> items)
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
        var bounds = parameters.For(item.Channel);
        if (parameters.Mix is not null)
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

    public string PlanRationale(PlanRequest request, string strategy, List<PlanLineItem> items, PlanTotals totals)
    {
        var brief = request.Brief;
        var c = CultureInfo.InvariantCulture;
        var cur = request.Currency.Code;
        var days = brief.FlightEnd.DayNumber - brief.FlightStart.DayNumber + 1;
        var sb = new StringBuilder();
        sb.Append(c, $"{strategy} plan for {Possessive(brief.Brand)} {brief.Objective.ToString().ToLowerInvariant()} campaign in {request.Market.Name}: ");
        sb.Append(c, $"{cur} {totals.Spend:N0} over {days} days reaches an estimated {totals.ReachPercent:0.0}% of {brief.AudienceDescription} ");
        sb.Append(c, $"({totals.Reach:N0} of {request.AudienceSize:N0} people) an average of {totals.AverageFrequency:0.0} times, ");
        sb.Append(c, $"{totals.Impressions:N0} impressions at an eCPM of {cur} {totals.Ecpm:N2}");
        sb.Append(totals.Clicks > 0 ? string.Create(c, $" and about {totals.Clicks:N0} clicks. ") : ". ");

        var ranked = items.OrderByDescending(i => i.Spend).ToList();
        var lead = ranked[0];
        if (parameters.Mix is { } mix)
        {
            var age = BriefPrompt.AgeBand(brief.AgeMin, brief.AgeMax);
            sb.Append(c, $"{lead.Channel.Display()} leads with {lead.Share:P0}: {(strategy == "Balanced" ? "the split" : "a shift of the split")} {parameters.ModelName} learned from {mix.TrainedOn:N0} validated plans for briefs like this one ({brief.Objective.ToString().ToLowerInvariant()}, audience aged {age}). ");
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
        sb.Append(totals.AverageFrequency >= parameters.EffectiveFrequency
            ? string.Create(c, $"Average frequency meets the {parameters.EffectiveFrequency:0}+ effective-frequency setting.")
            : string.Create(c, $"Average frequency is below the {parameters.EffectiveFrequency:0}+ effective-frequency setting: more budget or fewer channels would raise it at the cost of reach."));
        return sb.ToString();
    }

    private static string AudienceAssumption(PlanRequest request)
    {
        var audience = request.Audience;
        var notes = audience.InterestNotes.Count == 0 ? "" : " " + string.Join(" ", audience.InterestNotes.Select(n => n.EndsWith('.') ? n : n + "."));
        return string.Create(CultureInfo.InvariantCulture,
            $"Audience: {audience.Factors} = {request.AudienceSize:N0} people ({request.Market.AdultPopulation:N0} adults: {request.Market.Source}); age shares follow the US 2020 Census age structure.{notes}");
    }

    public IReadOnlyList<string> Assumptions(PlanRequest request, MediaMixLine[] lines)
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
        if (parameters.Mix is { } mix)
            list.Add(string.Create(c, $"Channel shares: {parameters.ModelName}'s mix, learned from {mix.TrainedOn:N0} validated plans (a softmax regression on the brief's objective, audience, market, budget and channels, shrunk toward the engine's own mix where data is thin); CPMs, reach and frequency are the engine's."));
        var missing = request.Brief.Channels.Where(ch => lines.All(l => l.Channel != ch)).ToList();
        if (missing.Count > 0)
            list.Add($"No benchmark figures for {string.Join(", ", missing.Select(m => m.Display()))}; left out of the plan.");
        return list;
    }

    public static IReadOnlyList<MediaPlan> AddComparisons(PlanRequest request, List<MediaPlan> plans, int requested)
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

    /// <summary>"Northwind's", but "Northwind Outfitters'" for a name that ends in s.</summary>
    internal static string Possessive(string name) => name.EndsWith('s') || name.EndsWith('S') ? name + "'" : name + "'s";
}
