using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Planning;

namespace MediaPlanner.Tests.Domain;

/// <summary>Briefs and plan requests built from the seeded reference data, for engine and evaluator tests.</summary>
internal static class TestData
{
    public static CampaignBrief Brief(
        decimal budget = 250_000m,
        Objective objective = Objective.Awareness,
        Channel[]? channels = null,
        string currency = "USD",
        string market = "US") => new()
    {
        Id = 1,
        OwnerId = "owner",
        Brand = "Northwind Running",
        CampaignName = "Spring launch",
        Budget = budget,
        Currency = currency,
        MarketCode = market,
        Objective = objective,
        AgeMin = 25,
        AgeMax = 54,
        Gender = AudienceGender.All,
        Interests = "running",
        FlightStart = new DateOnly(2027, 3, 1),
        FlightEnd = new DateOnly(2027, 4, 11),
        Channels = [.. channels ?? [Channel.Search, Channel.Social, Channel.OnlineVideo, Channel.Display]],
        BriefText = "Launch the new trail shoe to runners aged 25-54 across the US, building awareness before the spring racing season.",
        CreatedAt = DateTimeOffset.UnixEpoch,
    };

    public static PlanRequest Request(CampaignBrief? brief = null)
    {
        brief ??= Brief();
        return PlanRequest.Create(
            brief,
            SeedReferenceData.Markets.Single(m => m.Code == brief.MarketCode),
            SeedReferenceData.Currencies.Single(c => c.Code == brief.Currency),
            SeedReferenceData.Benchmarks);
    }
}
