using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers.Local;

namespace MediaPlanner.Benchmarks;

/// <summary>Plan requests built from the seeded reference data, like the app builds them from the database.</summary>
internal static class BenchmarkData
{
    /// <summary>The OpenAI base model whose tokenizer and limits the benchmarks measure with.</summary>
    public const string OpenAIBaseModel = "gpt-4o-mini-2024-07-18";

    public static readonly Channel[] DefaultChannels = [Channel.Search, Channel.Social, Channel.OnlineVideo, Channel.Display];

    public static PlanRequest Request(Channel[] channels, Objective objective = Objective.Awareness, decimal budget = 250_000m)
    {
        var brief = new CampaignBrief
        {
            Id = 1,
            OwnerId = "owner",
            Brand = "Northwind Running",
            CampaignName = "Spring launch",
            Budget = budget,
            Currency = "USD",
            MarketCode = "US",
            Objective = objective,
            AgeMin = 25,
            AgeMax = 54,
            Gender = AudienceGender.All,
            Interests = "running",
            FlightStart = new DateOnly(2027, 3, 1),
            FlightEnd = new DateOnly(2027, 4, 11),
            Channels = [.. channels],
            BriefText = "Launch the new trail shoe to runners aged 25-54 across the US, building awareness before the spring racing season.",
            CreatedAt = DateTimeOffset.UnixEpoch,
        };
        return PlanRequest.Create(
            brief,
            SeedReferenceData.Markets.Single(m => m.Code == brief.MarketCode),
            SeedReferenceData.Currencies.Single(c => c.Code == brief.Currency),
            SeedReferenceData.Benchmarks);
    }

    /// <summary>The local engine's plans for every objective at three budgets: the shapes of typical stored examples.</summary>
    public static List<(CampaignBrief Brief, MediaPlan Plan)> Templates()
    {
        var templates = new List<(CampaignBrief Brief, MediaPlan Plan)>();
        foreach (var objective in Enum.GetValues<Objective>())
            foreach (var budget in new[] { 50_000m, 250_000m, 1_500_000m })
            {
                var request = Request(DefaultChannels, objective, budget);
                foreach (var plan in new LocalMediaMixEngine(MediaMixParameters.Default).Generate(request))
                    templates.Add((request.Brief, plan));
            }
        return templates;
    }
}
