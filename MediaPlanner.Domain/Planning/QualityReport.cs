using System.Text.Json.Serialization;
using MediaPlanner.Domain.Briefs;

namespace MediaPlanner.Domain.Planning;

public sealed record QualityCriterion(string Name, double Weight, double Score, string Reason)
{
    /// <summary>What this criterion adds to the 0–100 total.</summary>
    public double Points => Math.Round(Weight * Score * 100, 1);
}

/// <summary>
/// A plan's score, its criteria, and what is wrong with it worst first. <see cref="Ceiling"/> is the cap the worst
/// finding put on the score (null when nothing capped it); <see cref="Reasons"/> lists every failed check, the one
/// that set the ceiling first. Both default so reports saved before they existed still load.
/// </summary>
public sealed record QualityReport(double Score, IReadOnlyList<QualityCriterion> Criteria, double? Ceiling = null, IReadOnlyList<string>? Reasons = null)
{
    [JsonIgnore]
    public string? Headline => Reasons is { Count: > 0 } reasons ? reasons[0] : null;
}

/// <summary>
/// How bad a failed check is: the first three cap the score (<see cref="PlanQualityEvaluator.ImpossibleCeiling"/>,
/// <see cref="PlanQualityEvaluator.MismatchCeiling"/>, <see cref="PlanQualityEvaluator.ShortfallCeiling"/>).
/// </summary>
public enum FindingSeverity { Impossible, Mismatch, Shortfall, Weak }

/// <summary>What a plan is judged against: the brief as written and the audience, benchmarks and currency resolved for it.</summary>
public sealed record PlanEvaluationContext(
    decimal Budget,
    int AllowedChannels,
    long AudienceSize,
    IReadOnlyDictionary<Channel, (decimal Low, decimal High)> CpmRanges)
{
    public string Brand { get; init; } = "";
    public string CampaignName { get; init; } = "";
    public Objective? Objective { get; init; }
    public string CurrencyCode { get; init; } = "";
    public string MarketCode { get; init; } = "";
    public DateOnly? FlightStart { get; init; }
    public DateOnly? FlightEnd { get; init; }
    public IReadOnlySet<Channel> Channels { get; init; } = new HashSet<Channel>();
    public KpiTargets Kpis { get; init; } = KpiTargets.None;
    /// <summary>The reach model and benchmarks the plan is measured with (<see cref="PlanFigures.Of"/>); without it KPIs are not measured.</summary>
    public PlanBasis? Basis { get; init; }
    public int EffectiveFrequency => Basis?.EffectiveFrequency ?? BriefLimits.DefaultEffectiveFrequency;

    public static PlanEvaluationContext From(PlanRequest request) => new(
        request.Brief.Budget,
        request.Brief.Channels.Distinct().Count(),
        request.AudienceSize,
        request.Benchmarks
            .GroupBy(b => b.Channel)
            .ToDictionary(g => g.Key, g => (
                decimal.Round(g.Min(b => b.CpmLow) * request.Currency.UnitsPerUsd, 2),
                decimal.Round(g.Max(b => b.CpmHigh) * request.Currency.UnitsPerUsd, 2))))
    {
        Brand = request.Brief.Brand,
        CampaignName = request.Brief.CampaignName,
        Objective = request.Brief.Objective,
        CurrencyCode = request.Currency.Code,
        MarketCode = request.Market.Code,
        FlightStart = request.Brief.FlightStart,
        FlightEnd = request.Brief.FlightEnd,
        Channels = request.Brief.Channels.ToHashSet(),
        Kpis = KpiTargets.Of(request.Brief),
        Basis = PlanBasis.From(request),
    };
}
