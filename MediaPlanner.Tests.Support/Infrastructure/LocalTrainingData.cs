using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers.Local;

namespace MediaPlanner.Tests.FineTuning;

/// <summary>Varied briefs (markets, currencies, audiences, channel sets, KPIs) for prompt and split tests.</summary>
internal static class LocalTrainingData
{
    private static readonly Channel[][] ChannelSets =
    [
        [Channel.Search, Channel.Social, Channel.OnlineVideo, Channel.Display],
        [Channel.Social, Channel.Display, Channel.Search],
        [Channel.Social, Channel.OnlineVideo, Channel.ConnectedTv],
        [Channel.Social, Channel.Search, Channel.Radio, Channel.OutOfHome],
        [Channel.Social, Channel.Display, Channel.OnlineVideo, Channel.Podcast],
        [Channel.Social, Channel.LinearTv, Channel.Search, Channel.Display],
        [Channel.Social, Channel.Search, Channel.OnlineVideo, Channel.Display, Channel.ConnectedTv, Channel.Radio],
    ];

    private static readonly string[] Interests = ["", "running", "home cooking", "personal finance", "gaming"];

    public static CampaignBrief Brief(int i)
    {
        var random = new Random(1_000 + i);
        var market = SeedReferenceData.Markets[i % SeedReferenceData.Markets.Length];
        var ageMin = 18 + random.Next(0, 5) * 5;
        var start = new DateOnly(2027, 1, 1).AddDays(random.Next(0, 300));
        return new CampaignBrief
        {
            Id = i + 1,
            OwnerId = "owner",
            Brand = $"Brand {i % 17}",
            CampaignName = $"Campaign {i}",
            Budget = random.Next(40, 3_000) * 1_000m + random.Next(0, 100) / 100m,
            Currency = market.DefaultCurrency,
            MarketCode = market.Code,
            Objective = (Objective)(i % 3),
            AgeMin = ageMin,
            AgeMax = random.Next(0, 3) == 0 ? BriefLimits.MaxAge : ageMin + 10 + random.Next(0, 4) * 5,
            Gender = (AudienceGender)(i / 3 % 3),
            Interests = Interests[i % Interests.Length],
            FlightStart = start,
            FlightEnd = start.AddDays(random.Next(14, 90)),
            Channels = [.. ChannelSets[i / 9 % ChannelSets.Length]],
            Kpis = i % 4 == 0 ? "" : "Reach at 3+ frequency; cost per visit",
            BriefText = $"Campaign {i} for Brand {i % 17}: build the brand with the audience this season, and measure it honestly.",
        };
    }

    public static PlanRequest Request(CampaignBrief brief) => PlanRequest.Create(
        brief,
        SeedReferenceData.Markets.Single(m => m.Code == brief.MarketCode),
        SeedReferenceData.Currencies.Single(c => c.Code == brief.Currency),
        SeedReferenceData.Benchmarks);

    public static MediaPlan Balanced(CampaignBrief brief, MediaMixParameters? parameters = null) =>
        new LocalMediaMixEngine(parameters ?? MediaMixParameters.Default).Generate(Request(brief), 1)[0];
}
