using MediaPlanner.Domain.Briefs;

namespace MediaPlanner.Domain.Planning;

/// <summary>
/// Recomputes a plan from what a planner decides — each line's channel, format, CPM and spend — with the
/// <see cref="ReachModel"/>: impressions, reach, frequency, clicks, shares and totals. The engine builds its plans with it,
/// plan edits use it, and the figures and curves measure every plan (whatever model wrote it) the same way.
/// </summary>
public static class PlanMath
{
    /// <summary>One line recomputed from its spend and CPM; a line whose channel has no benchmark keeps its stated figures.</summary>
    public static PlanLineItem Line(PlanBasis basis, PlanLineItem line, decimal totalSpend)
    {
        var cpm = line.Cpm > 0 ? line.Cpm : basis.For(line.Channel, line.Format, line.Cpm)?.Cpm ?? 0;
        var format = basis.For(line.Channel, line.Format, cpm);
        var share = totalSpend > 0 ? (double)(line.Spend / totalSpend) : 0;
        if (format is null || cpm <= 0)
            return line with { Share = share };
        var impressions = (long)Math.Round((double)line.Spend / (double)cpm * 1000);
        var reachPeople = format.ReachPeople(impressions);
        var reach = Math.Max(reachPeople > 0 ? 1 : 0, (long)Math.Round(reachPeople));
        var clicks = format.Ctr is { } ctr ? (long)Math.Round(impressions * ctr) : 0;
        var frequency = reach > 0 ? impressions / (double)reach : 0;
        return line with { Cpm = cpm, Share = share, Impressions = impressions, Reach = reach, Clicks = clicks, Frequency = Math.Round(frequency, 2) };
    }

    /// <summary>Totals of recomputed lines: reach combines at random (1 − Π(1 − reach share)).</summary>
    public static PlanTotals Totals(IReadOnlyList<PlanLineItem> items, long audience)
    {
        var totalSpend = items.Sum(i => i.Spend);
        var totalImpressions = items.Sum(i => i.Impressions);
        var combined = audience <= 0 ? 0 : 1 - items.Aggregate(1.0, (p, i) => p * (1 - Math.Min(1, i.Reach / (double)audience)));
        var combinedReach = (long)Math.Round(combined * audience);
        var avgFrequency = combinedReach > 0 ? totalImpressions / (double)combinedReach : 0;
        return new PlanTotals(
            totalSpend,
            totalImpressions,
            items.Sum(i => i.Clicks),
            combinedReach,
            Math.Round(combined * 100, 2),
            Math.Round(avgFrequency, 2),
            totalImpressions > 0 ? decimal.Round(totalSpend / totalImpressions * 1000m, 2) : 0m,
            Math.Round(combined * 100 * avgFrequency, 1));
    }

    /// <summary>The plan with every line and total recomputed from the lines' spend and CPM; text is kept.</summary>
    public static MediaPlan Recompute(MediaPlan plan, PlanBasis basis)
    {
        var total = plan.LineItems.Sum(i => i.Spend);
        var items = plan.LineItems.Select(i => Line(basis, i, total)).ToList();
        return plan with { AudienceSize = basis.AudienceSize, LineItems = items, Totals = Totals(items, basis.AudienceSize) };
    }
}

/// <summary>Share of the audience that sees the plan at least <see cref="AtLeast"/> times.</summary>
public sealed record FrequencyBucket(int AtLeast, double ReachPercent, long People);

/// <summary>One point of a reach &amp; frequency curve: the plan (or line) bought at <see cref="BudgetFactor"/> × its spend.</summary>
public sealed record CurvePoint(double BudgetFactor, decimal Spend, double ReachPercent, double EffectiveReachPercent, double AverageFrequency, double Grp);

/// <summary>A line's response figures: conversions at the benchmark conversion rate and what they cost.</summary>
public sealed record LineFigures(int Index, Channel Channel, string Format, decimal Spend, double ReachPercent, double Conversions, decimal? Cpa,
    decimal? CostPerReachPoint);

/// <summary>
/// The figures a planner decides with, measured by the <see cref="ReachModel"/> from the plan's lines (so plans from any
/// model compare on one footing): reach 1+ and at the brief's effective frequency, the frequency distribution, GRPs,
/// clicks, conversions (clicks × the format's benchmark conversion rate), CPA, CPC, CTR, eCPM and cost per reach point.
/// </summary>
public sealed record PlanFigures(
    decimal Spend,
    long Impressions,
    long Clicks,
    double Conversions,
    decimal? Cpa,
    decimal? Cpc,
    double? CtrPercent,
    long Reach,
    double ReachPercent,
    int EffectiveFrequency,
    double EffectiveReachPercent,
    double AverageFrequency,
    double Grp,
    decimal Ecpm,
    decimal? CostPerReachPoint,
    IReadOnlyList<FrequencyBucket> Distribution,
    IReadOnlyList<LineFigures> Lines)
{
    /// <summary>The distribution reported: 1+ to 5+, plus the effective-frequency threshold when above 5.</summary>
    public const int DistributionTop = 5;

    public static PlanFigures Of(MediaPlan plan, PlanBasis basis)
    {
        var measured = PlanMath.Recompute(plan, basis);
        var audience = Math.Max(1, basis.AudienceSize);
        var lines = measured.LineItems;
        var distribution = ReachModel.ExposureDistribution(lines.Select(l => (l.Reach / (double)audience, l.Frequency)));
        var spend = lines.Sum(l => l.Spend);
        var impressions = lines.Sum(l => l.Impressions);
        var clicks = lines.Sum(l => l.Clicks);
        var lineFigures = lines.Select((l, i) =>
        {
            var conversions = l.Clicks * (basis.For(l.Channel, l.Format, l.Cpm)?.ConversionRate ?? 0);
            var reachPercent = l.Reach * 100.0 / audience;
            return new LineFigures(i, l.Channel, l.Format, l.Spend, reachPercent, conversions, CostPer(l.Spend, conversions), CostPer(l.Spend, reachPercent));
        }).ToList();
        var conversionsTotal = lineFigures.Sum(l => l.Conversions);
        var reachShare = 1 - distribution[0];
        var reach = (long)Math.Round(reachShare * audience);
        var averageFrequency = reach > 0 ? impressions / (double)reach : 0;
        var buckets = Enumerable.Range(1, Math.Max(DistributionTop, basis.EffectiveFrequency))
            .Where(n => n <= DistributionTop || n == basis.EffectiveFrequency)
            .Select(n =>
            {
                var share = ReachModel.AtLeast(distribution, n);
                return new FrequencyBucket(n, Math.Round(share * 100, 2), (long)Math.Round(share * audience));
            })
            .ToList();
        return new PlanFigures(
            spend, impressions, clicks, conversionsTotal,
            CostPer(spend, conversionsTotal),
            clicks > 0 ? decimal.Round(spend / clicks, 2) : null,
            impressions > 0 && clicks > 0 ? clicks * 100.0 / impressions : null,
            reach,
            Math.Round(reachShare * 100, 2),
            basis.EffectiveFrequency,
            Math.Round(ReachModel.AtLeast(distribution, basis.EffectiveFrequency) * 100, 2),
            Math.Round(averageFrequency, 2),
            Math.Round(impressions * 100.0 / audience, 1),
            impressions > 0 ? decimal.Round(spend / impressions * 1000m, 2) : 0m,
            CostPer(spend, reachShare * 100),
            buckets,
            lineFigures);
    }

    /// <summary>Spend per unit, or null when there is less than one unit to divide by.</summary>
    private static decimal? CostPer(decimal spend, double units) =>
        units >= 1 ? decimal.Round(spend / (decimal)units, 2) : null;
}

/// <summary>
/// Reach &amp; frequency against budget: the plan (or one of its lines) bought at 25 % to 200 % of its spend with the same
/// split and CPMs. 1+ reach is concave in budget (each line's Goerg curve is, and random duplication keeps it so), which
/// is the diminishing return the chart shows.
/// </summary>
public static class ReachCurve
{
    /// <summary>25 % to 200 % in steps of 12.5 %; 1.0 (the plan itself) is one of them.</summary>
    public static IReadOnlyList<double> Factors { get; } = Enumerable.Range(2, 15).Select(i => i * 0.125).ToArray();

    public static IReadOnlyList<CurvePoint> ForPlan(MediaPlan plan, PlanBasis basis) =>
        Factors.Select(f => Point(plan.LineItems, f, basis)).ToList();

    public static IReadOnlyList<CurvePoint> ForLine(MediaPlan plan, int lineIndex, PlanBasis basis) =>
        Factors.Select(f => Point([plan.LineItems[lineIndex]], f, basis)).ToList();

    /// <summary>The curve at one budget factor (not rounded to whole people, so the curve is smooth).</summary>
    public static CurvePoint Point(IReadOnlyList<PlanLineItem> lines, double factor, PlanBasis basis)
    {
        var audience = (double)Math.Max(1, basis.AudienceSize);
        var spend = 0m;
        var impressions = 0.0;
        var exposures = new List<(double Reach, double Frequency)>();
        foreach (var line in lines)
        {
            var lineSpend = line.Spend * (decimal)factor;
            spend += lineSpend;
            var format = basis.For(line.Channel, line.Format, line.Cpm);
            var cpm = line.Cpm > 0 ? line.Cpm : format?.Cpm ?? 0;
            if (cpm <= 0)
                continue;
            var lineImpressions = (double)lineSpend / (double)cpm * 1000;
            impressions += lineImpressions;
            // A line the benchmarks do not know keeps its stated reach share, scaled like its impressions would allow.
            var people = format?.ReachPeople(lineImpressions) ?? Math.Min(lineImpressions, line.Reach * factor);
            if (people > 0)
                exposures.Add((people / audience, lineImpressions / people));
        }
        var distribution = ReachModel.ExposureDistribution(exposures);
        var reach = 1 - distribution[0];
        return new CurvePoint(
            factor,
            decimal.Round(spend, 2),
            reach * 100,
            ReachModel.AtLeast(distribution, basis.EffectiveFrequency) * 100,
            reach > 0 ? impressions / (reach * audience) : 0,
            impressions * 100 / audience);
    }
}
