using BenchmarkDotNet.Attributes;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Domain.Training;

namespace MediaPlanner.Benchmarks;

/// <summary>
/// Validating training data: each operation handles 1,000 typical examples (system prompt, rendered brief, an engine
/// plan's JSON), so examples per second = operations per second × 1,000.
/// </summary>
[MemoryDiagnoser]
public class TrainingBenchmarks
{
    private const int Examples = 1_000;
    private const string Model = "gpt-4o-mini-2024-07-18";

    private static readonly string[] Openings =
    [
        "Launch the new trail shoe to runners before the spring racing season.",
        "Grow trial of our oat milk among coffee drinkers who have not yet switched from dairy.",
        "Drive online sign-ups for the savings account with a limited-time bonus rate.",
        "Re-introduce the brand after the rename so existing customers recognise it.",
        "Fill the last weeks of the summer festival with ticket sales in the home region.",
    ];

    private static readonly string[] Details =
    [
        "Creative is ready in 6s, 15s and 30s video plus static banners.",
        "Last year's campaign over-relied on search; we want more upper-funnel reach.",
        "Legal requires no targeting under 21 and no gambling-adjacent placements.",
        "Success is measured on reach at 3+ frequency and cost per visit.",
        "The retail partner matches spend on social if we hit the agreed CPM.",
    ];

    private readonly ExampleValidator _validator = new();
    private string[] _lines = [];
    private ChatExample[] _examples = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(20_27);
        var engine = new LocalMediaMixEngine(MediaMixParameters.Default);
        var channels = Enum.GetValues<Channel>();
        _examples = new ChatExample[Examples];
        for (var i = 0; i < Examples; i++)
        {
            var market = SeedReferenceData.Markets[i % SeedReferenceData.Markets.Length];
            var currency = SeedReferenceData.Currencies.Single(c => c.Code == market.DefaultCurrency);
            var brief = new CampaignBrief
            {
                Id = i + 1,
                OwnerId = "owner",
                Brand = $"Brand {i % 37}",
                CampaignName = $"Campaign {i}",
                Budget = random.Next(20, 2_000) * 1_000m,
                Currency = currency.Code,
                MarketCode = market.Code,
                Objective = (Objective)(i % 3),
                AgeMin = 18 + random.Next(0, 20),
                AgeMax = 45 + random.Next(0, 31),
                Gender = (AudienceGender)(i % 3),
                Interests = i % 2 == 0 ? "running, outdoor sports" : "",
                FlightStart = new DateOnly(2027, 1, 1).AddDays(random.Next(0, 300)),
                FlightEnd = new DateOnly(2027, 12, 31),
                Channels = [.. channels.OrderBy(_ => random.Next()).Take(random.Next(3, channels.Length + 1))],
                Kpis = i % 4 == 0 ? "Reach 40% of the audience at 3+ frequency" : "",
                BriefText = $"{Openings[i % Openings.Length]} {Details[random.Next(Details.Length)]} {Details[random.Next(Details.Length)]} Reference {i}.",
                CreatedAt = DateTimeOffset.UnixEpoch,
            };
            var plan = engine.Generate(PlanRequest.Create(brief, market, currency, SeedReferenceData.Benchmarks), 1)[0];
            _examples[i] = PromptRenderer.Example(brief, market, plan);
        }
        _lines = [.. _examples.Select(e => e.ToJsonLine())];

        // A benchmark of examples that fail would measure the error path, not the normal one.
        if (_lines.Any(l => _validator.ValidateLine(l, Model).HasErrors))
            throw new InvalidOperationException("The benchmark's examples should all be valid.");
    }

    [Benchmark(Baseline = true, Description = "ValidateLine x 1,000 (JSONL import)")]
    public int ValidateLines()
    {
        var tokens = 0;
        foreach (var line in _lines)
            tokens += _validator.ValidateLine(line, Model).TokenCount;
        return tokens;
    }

    [Benchmark(Description = "Validate x 1,000 (examples in memory)")]
    public int ValidateExamples()
    {
        var tokens = 0;
        foreach (var example in _examples)
            tokens += _validator.Validate(example, Model).TokenCount;
        return tokens;
    }

    [Benchmark(Description = "CountExample x 1,000 (tokens only)")]
    public int CountTokens()
    {
        var counter = TokenCounter.ForModel(Model);
        var tokens = 0;
        foreach (var example in _examples)
            tokens += counter.CountExample(example);
        return tokens;
    }
}
