using MediaPlanner.Domain.Briefs;

namespace MediaPlanner.Domain.Planning;

/// <summary>
/// One column of a flowchart: the week commencing <see cref="Commencing"/> (a Monday), of which <see cref="Days"/> days
/// (<see cref="From"/> to <see cref="To"/>) are in the flight. <see cref="Weight"/> is the share of each line bought this week.
/// </summary>
public sealed record FlightWeek(int Index, DateOnly Commencing, DateOnly From, DateOnly To, int Days, bool On, double Weight);

/// <summary>One row of a flowchart: a plan line's spend (to the cent) and impressions (to the unit) by week.</summary>
public sealed record FlowchartLine(int Index, Channel Channel, string Format, decimal Spend, long Impressions,
    IReadOnlyList<decimal> WeekSpend, IReadOnlyList<long> WeekImpressions);

/// <summary>A plan spread over its flight's weeks: rows are the plan's lines, columns the weeks, with totals both ways.</summary>
public sealed record Flowchart(
    FlightingPattern Pattern,
    string PatternName,
    string Description,
    DateOnly FlightStart,
    DateOnly FlightEnd,
    IReadOnlyList<FlightWeek> Weeks,
    IReadOnlyList<FlowchartLine> Lines,
    IReadOnlyList<decimal> WeekSpend,
    IReadOnlyList<long> WeekImpressions,
    decimal Spend,
    long Impressions);

/// <summary>
/// Spreads a plan over its flight in "week commencing" Monday columns, as agencies lay out flowcharts. A week's weight is
/// its days in the flight (so a partial first or last week gets less) times the pattern's factor:
/// <list type="bullet">
/// <item>Continuous: 1 every week — spend follows the days.</item>
/// <item>Front-loaded: declines linearly from 1.5 in the first week to 0.5 in the last (1 when the flight is one week).</item>
/// <item>Pulsed: two weeks on, one off, repeating; the first and last weeks are always on, so the campaign opens and closes on air.</item>
/// <item>Custom: the brief's weeks, '1' on and '0' off, repeated when shorter than the flight; no on week at all falls back to continuous.</item>
/// </list>
/// Each line's spend is split to the cent and its impressions to the unit by largest remainder, so a line's cells add up
/// exactly to the line; off weeks are zero.
/// </summary>
public static class Flighting
{
    public const double FrontLoadedFirst = 1.5;
    public const double FrontLoadedLast = 0.5;
    public const int PulseOnWeeks = 2;
    public const int PulseOffWeeks = 1;

    /// <summary>The pattern in a planner's words, e.g. "Pulsed: 2 weeks on, 1 off".</summary>
    public static string Describe(FlightingPattern pattern, string? customWeeks) => pattern switch
    {
        FlightingPattern.FrontLoaded => $"Front-loaded: weekly weight falls from {FrontLoadedFirst:0.0}× to {FrontLoadedLast:0.0}× of the average",
        FlightingPattern.Pulsed => $"Pulsed: {PulseOnWeeks} weeks on, {PulseOffWeeks} off; first and last weeks on",
        FlightingPattern.Custom when OnOff(customWeeks).Length == 0 => "Custom weeks: none set",
        FlightingPattern.Custom => $"Custom weeks: {new string(OnOff(customWeeks).Select(on => on ? '1' : '0').ToArray())} (1 on, 0 off, repeating)",
        _ => "Continuous: spend follows the days in flight",
    };

    /// <summary>The Monday of the week <paramref name="day"/> falls in.</summary>
    public static DateOnly WeekCommencing(DateOnly day) => day.AddDays(-(((int)day.DayOfWeek + 6) % 7));

    /// <summary>
    /// The flight's weeks with their weights (summing to 1). An end before the start is a one-day flight; a flight longer
    /// than <see cref="BriefLimits.FlightMaxDays"/> is cut there, so a model's nonsense dates cannot make a thousand columns.
    /// </summary>
    public static IReadOnlyList<FlightWeek> Weeks(DateOnly start, DateOnly end, FlightingPattern pattern, string? customWeeks = null)
    {
        if (end < start)
            end = start;
        if (end.DayNumber - start.DayNumber + 1 > BriefLimits.FlightMaxDays)
            end = start.AddDays(BriefLimits.FlightMaxDays - 1);
        var spans = new List<(DateOnly Monday, DateOnly From, DateOnly To)>();
        for (var monday = WeekCommencing(start); monday <= end; monday = monday.AddDays(7))
        {
            var from = monday < start ? start : monday;
            var sunday = monday.AddDays(6);
            spans.Add((monday, from, sunday > end ? end : sunday));
        }
        var custom = OnOff(customWeeks);
        pattern = Effective(pattern, custom, spans.Count);
        var n = spans.Count;
        var raw = spans.Select((s, i) =>
        {
            var on = pattern switch
            {
                FlightingPattern.Pulsed => i == 0 || i == n - 1 || i % (PulseOnWeeks + PulseOffWeeks) < PulseOnWeeks,
                FlightingPattern.Custom => custom[i % custom.Length],
                _ => true,
            };
            var factor = pattern == FlightingPattern.FrontLoaded && n > 1
                ? FrontLoadedFirst - (FrontLoadedFirst - FrontLoadedLast) * i / (n - 1)
                : 1.0;
            var days = s.To.DayNumber - s.From.DayNumber + 1;
            return (s, on, days, weight: on ? days * factor : 0);
        }).ToList();
        var total = raw.Sum(r => r.weight);
        return raw.Select((r, i) => new FlightWeek(i, r.s.Monday, r.s.From, r.s.To, r.days, r.on, r.weight / total)).ToList();
    }

    /// <summary>The plan's flowchart under the brief's pattern, carried by <paramref name="basis"/>; continuous without one.</summary>
    /// <summary>The plan spread over the brief's flight (the plan's own dates only when there is no brief).</summary>
    public static Flowchart For(MediaPlan plan, PlanBasis? basis) =>
        For(basis is { FlightStart: { } start, FlightEnd: { } end } ? plan with { FlightStart = start, FlightEnd = end } : plan,
            basis?.Flighting ?? FlightingPattern.Continuous, basis?.FlightingWeeks);

    public static Flowchart For(MediaPlan plan, FlightingPattern pattern, string? customWeeks)
    {
        var weeks = Weeks(plan.FlightStart, plan.FlightEnd, pattern, customWeeks);
        var weights = weeks.Select(w => w.Weight).ToList();
        var lines = plan.LineItems.Select((l, i) => new FlowchartLine(i, l.Channel, l.Format, l.Spend, l.Impressions,
            SpreadMoney(l.Spend, weights), SpreadUnits(l.Impressions, weights))).ToList();
        var effective = Effective(pattern, OnOff(customWeeks), weeks.Count);
        return new Flowchart(
            effective,
            effective.DisplayName(),
            effective == pattern ? Describe(pattern, customWeeks) : $"{Describe(pattern, customWeeks)}; no on week in this flight, so continuous",
            weeks[0].From,
            weeks[^1].To,
            weeks,
            lines,
            weeks.Select(w => lines.Sum(l => l.WeekSpend[w.Index])).ToList(),
            weeks.Select(w => lines.Sum(l => l.WeekImpressions[w.Index])).ToList(),
            lines.Sum(l => l.Spend),
            lines.Sum(l => l.Impressions));
    }

    /// <summary>
    /// <paramref name="amount"/> split by <paramref name="weights"/> in whole cents (largest remainder, earlier weeks first on
    /// ties); anything below a cent in the amount goes to the heaviest week, so the parts always add up to the amount.
    /// </summary>
    public static IReadOnlyList<decimal> SpreadMoney(decimal amount, IReadOnlyList<double> weights)
    {
        var cents = decimal.Truncate(amount * 100);
        var parts = Spread(cents, weights).Select(c => c / 100).ToArray();
        var rest = amount - cents / 100;
        if (rest != 0 && parts.Length > 0)
            parts[Heaviest(weights)] += rest;
        return parts;
    }

    /// <summary><paramref name="units"/> split by <paramref name="weights"/> in whole units, by largest remainder.</summary>
    public static IReadOnlyList<long> SpreadUnits(long units, IReadOnlyList<double> weights) =>
        Spread(units, weights).Select(u => (long)u).ToArray();

    private static decimal[] Spread(decimal whole, IReadOnlyList<double> weights)
    {
        var parts = new decimal[weights.Count];
        var total = weights.Sum();
        if (weights.Count == 0 || total <= 0)
            return parts;
        var sign = Math.Sign(whole);
        var units = Math.Abs(whole);
        var remainders = new decimal[weights.Count];
        for (var i = 0; i < weights.Count; i++)
        {
            var quota = units * (decimal)(weights[i] / total);
            parts[i] = decimal.Floor(quota);
            remainders[i] = quota - parts[i];
        }
        var left = units - parts.Sum();
        // Floors of quotas summing to a whole number leave fewer units than weeks; rounding in the quotas may leave one more
        // or one fewer, which the loop and the clamp below absorb.
        foreach (var i in Enumerable.Range(0, weights.Count).Where(i => weights[i] > 0).OrderByDescending(i => remainders[i]).ThenBy(i => i))
        {
            if (left <= 0)
                break;
            parts[i]++;
            left--;
        }
        if (left != 0)
            parts[Heaviest(weights)] += left;
        return sign < 0 ? parts.Select(p => -p).ToArray() : parts;
    }

    /// <summary>Custom weeks with no on week within the flight cannot carry spend: the flight runs continuous instead.</summary>
    private static FlightingPattern Effective(FlightingPattern pattern, bool[] custom, int weeks) =>
        pattern == FlightingPattern.Custom && !Enumerable.Range(0, weeks).Any(i => custom.Length > 0 && custom[i % custom.Length])
            ? FlightingPattern.Continuous
            : pattern;

    private static int Heaviest(IReadOnlyList<double> weights)
    {
        var best = 0;
        for (var i = 1; i < weights.Count; i++)
            if (weights[i] > weights[best])
                best = i;
        return best;
    }

    /// <summary>The custom pattern's weeks: '1' on, '0' off, anything else ignored.</summary>
    private static bool[] OnOff(string? weeks) =>
        (weeks ?? "").Where(c => c is '0' or '1').Select(c => c == '1').ToArray();
}
