using System.ComponentModel;
using MediaPlanner.Domain.Briefs;

namespace MediaPlanner.Domain.Planning;

/// <summary>
/// The one plan format: what every provider returns, what the quality evaluator scores, what the
/// training examples hold as the assistant's answer. Its JSON Schema is generated from this type (<see cref="PlanJson"/>).
/// </summary>
public sealed record MediaPlan(
    [property: Description("Brand the campaign is for.")] string Brand,
    [property: Description("Campaign name from the brief.")] string CampaignName,
    Objective Objective,
    [property: Description("Market code, e.g. US.")] string Market,
    [property: Description("Target audience in words.")] string Audience,
    [property: Description("Adults in the target audience.")] long AudienceSize,
    DateOnly FlightStart,
    DateOnly FlightEnd,
    decimal Budget,
    [property: Description("ISO 4217 code of budget and spend.")] string Currency,
    [property: Description("Short name of the plan's approach, e.g. Reach-led.")] string StrategyName,
    IReadOnlyList<PlanLineItem> LineItems,
    PlanTotals Totals,
    [property: Description("Why this plan: channels, trade-offs, numbers.")] string Rationale,
    IReadOnlyList<string> Assumptions);

public sealed record PlanLineItem(
    Channel Channel,
    string Format,
    decimal Spend,
    [property: Description("Share of total spend, 0 to 1.")] double Share,
    [property: Description("Cost per thousand impressions in the plan currency.")] decimal Cpm,
    long Impressions,
    long Clicks,
    [property: Description("People reached at least once.")] long Reach,
    [property: Description("Impressions divided by reach.")] double Frequency,
    string Rationale);

public sealed record PlanTotals(
    decimal Spend,
    long Impressions,
    long Clicks,
    [property: Description("Combined reach across channels (random duplication).")] long Reach,
    [property: Description("Reach as a percentage of the audience, 0 to 100.")] double ReachPercent,
    double AverageFrequency,
    [property: Description("Total spend / total impressions x 1000.")] decimal Ecpm,
    [property: Description("Gross rating points: reach % x average frequency.")] double Grp);
