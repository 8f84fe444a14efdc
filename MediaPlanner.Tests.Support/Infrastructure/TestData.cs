using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers.Local;

namespace MediaPlanner.Tests.Infrastructure;

/// <summary>Briefs and plan requests built from the seeded reference data, for engine and evaluator tests.</summary>
internal static class TestData
{
    /// <summary>The OpenAI base model the tests train and plan with.</summary>
    public const string OpenAIBaseModel = "gpt-4o-mini-2024-07-18";

    /// <summary>The four channels of the default brief.</summary>
    public static readonly Channel[] DefaultChannels = [Channel.Search, Channel.Social, Channel.OnlineVideo, Channel.Display];

    public static CampaignBrief Brief(
        decimal budget = 250_000m,
        Objective objective = Objective.Awareness,
        Channel[]? channels = null,
        string currency = "USD",
        string market = "US",
        string interests = "") => new()
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
        // No interests by default: the engine and evaluator tests are about plans for all adults 25–54; interests
        // narrowing the audience (running: 15 % of them) have their own tests, which pass interests explicitly.
        Interests = interests,
        FlightStart = new DateOnly(2027, 3, 1),
        FlightEnd = new DateOnly(2027, 4, 11),
        Channels = [.. channels ?? DefaultChannels],
        BriefText = "Launch the new trail shoe to runners aged 25-54 across the US, building awareness before the spring racing season.",
        CreatedAt = DateTimeOffset.UnixEpoch,
    };

    public static PlanRequest Request(CampaignBrief? brief = null, IReadOnlyList<ChannelBenchmark>? benchmarks = null)
    {
        brief ??= Brief();
        return PlanRequest.Create(
            brief,
            SeedReferenceData.Markets.Single(m => m.Code == brief.MarketCode),
            SeedReferenceData.Currencies.Single(c => c.Code == brief.Currency),
            benchmarks ?? SeedReferenceData.Benchmarks);
    }

    public static LocalMediaMixEngine Engine(MediaMixParameters? parameters = null) => new(parameters ?? MediaMixParameters.Default);

    /// <summary>The engine's plans for a request (default engine, default brief unless given).</summary>
    public static IReadOnlyList<MediaPlan> Plans(PlanRequest? request = null, MediaMixParameters? parameters = null, int alternatives = 3) =>
        Engine(parameters).Generate(request ?? Request(), alternatives);

    /// <summary>The default parameters with some channels' share bounds changed.</summary>
    public static MediaMixParameters WithShares(params (Channel Channel, double? Min, double? Max)[] bounds)
    {
        var channels = new Dictionary<Channel, ChannelParameters>(MediaMixParameters.Default.Channels);
        foreach (var (channel, min, max) in bounds)
        {
            var current = MediaMixParameters.Default.For(channel);
            channels[channel] = current with { MinShare = min ?? current.MinShare, MaxShare = max ?? current.MaxShare };
        }
        return MediaMixParameters.Default with { Channels = channels };
    }

    /// <summary>The seeded benchmark for a plan line.</summary>
    public static ChannelBenchmark Benchmark(PlanLineItem item) =>
        SeedReferenceData.Benchmarks.Single(b => b.Channel == item.Channel && b.Format == item.Format);

    /// <summary>Each channel's share of the plan's spend, summed over its formats.</summary>
    public static Dictionary<Channel, decimal> ChannelShares(MediaPlan plan)
    {
        var total = plan.LineItems.Sum(i => i.Spend);
        return plan.LineItems.GroupBy(i => i.Channel).ToDictionary(g => g.Key, g => g.Sum(i => i.Spend) / total);
    }

    /// <summary>Expected conversions: clicks × the benchmark conversion rate of each line.</summary>
    public static double Conversions(MediaPlan plan) =>
        plan.LineItems.Sum(i => i.Clicks * (Benchmark(i).ConversionRate ?? 0));
}
