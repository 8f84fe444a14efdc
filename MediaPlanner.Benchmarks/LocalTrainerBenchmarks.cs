using BenchmarkDotNet.Attributes;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.FineTuning.Local;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Training;

namespace MediaPlanner.Benchmarks;

/// <summary>
/// A local fine-tuning job's work: reading 1,000 validated examples plus 100 held out, and training on them for
/// 3 epochs (auto batch size 32, so 96 steps, each followed by the held-out loss, and a full re-plan per epoch).
/// </summary>
[MemoryDiagnoser]
public class LocalTrainerBenchmarks
{
    private const int TrainingExamples = 1_000;
    private const int ValidationExamples = 100;
    private static readonly FineTuneHyperparameters ThreeEpochs = new(Epochs: 3);

    private readonly LocalTrainer _trainer = new(MediaMixParameters.Default);
    private string[] _training = [];
    private string[] _validation = [];
    private LocalTrainingSet _set = null!;

    [GlobalSetup]
    public void Setup()
    {
        _training = [.. Enumerable.Range(0, TrainingExamples).Select(Line)];
        _validation = [.. Enumerable.Range(TrainingExamples, ValidationExamples).Select(Line)];
        _set = LocalTrainer.Prepare(_training, _validation);
        if (_set.Skipped.Count > 0)
            throw new InvalidOperationException("The benchmark's examples should all be usable.");
    }

    [Benchmark(Description = "Prepare 1,000 + 100 examples")]
    public LocalTrainingSet Prepare() => LocalTrainer.Prepare(_training, _validation);

    [Benchmark(Baseline = true, Description = "Train 1,000 examples x 3 epochs")]
    public MediaMixParameters Train() => _trainer.Train(_set, ThreeEpochs, seed: 42).Parameters;

    [Benchmark(Description = "Prepare and train (the whole job)")]
    public MediaMixParameters PrepareAndTrain() => _trainer.Train(LocalTrainer.Prepare(_training, _validation), ThreeEpochs, seed: 42).Parameters;

    /// <summary>A varied brief and the engine's Balanced plan with 20 points of budget moved to Social, as a planner might validate it.</summary>
    private static string Line(int i)
    {
        var random = new Random(i);
        var market = SeedReferenceData.Markets[i % SeedReferenceData.Markets.Length];
        var currency = SeedReferenceData.Currencies.Single(c => c.Code == market.DefaultCurrency);
        var others = Enum.GetValues<Channel>().Where(c => c != Channel.Social).OrderBy(_ => random.Next()).Take(random.Next(2, 6));
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
            FlightStart = new DateOnly(2027, 1, 1).AddDays(random.Next(0, 300)),
            FlightEnd = new DateOnly(2027, 12, 31),
            Channels = [Channel.Social, .. others],
            BriefText = $"Build the brand with the audience this season and measure it honestly. Reference {i}.",
        };
        var plan = new LocalMediaMixEngine(MediaMixParameters.Default)
            .Generate(PlanRequest.Create(brief, market, currency, SeedReferenceData.Benchmarks), 1)[0];

        var social = plan.LineItems.Where(l => l.Channel == Channel.Social).Sum(l => l.Share);
        var moved = Math.Min(0.2, 1 - social);
        var items = plan.LineItems.Select(l => l with
        {
            Share = l.Channel == Channel.Social
                ? social > 0 ? l.Share * (social + moved) / social : moved
                : l.Share * (1 - (social + moved)) / (1 - social),
        }).ToList();
        if (social == 0)
            items.Add(new PlanLineItem(Channel.Social, "Facebook / Instagram feed", 0, moved, 7m, 0, 0, 0, 0, ""));
        items = [.. items.Select(l => l with { Spend = decimal.Round(brief.Budget * (decimal)l.Share, 2) })];
        return PromptRenderer.Example(brief, market, plan with { LineItems = items }).ToJsonLine();
    }
}
