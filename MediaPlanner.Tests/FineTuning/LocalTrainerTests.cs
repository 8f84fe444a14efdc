using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.FineTuning.Local;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Training;

namespace MediaPlanner.Tests.FineTuning;

public class LocalTrainerTests
{
    private static readonly FineTuneHyperparameters Auto = new();

    // ---- learning ----

    [Fact]
    public void Training_lowers_the_held_out_loss_and_the_training_loss_falls_epoch_by_epoch()
    {
        var run = LocalTrainingData.Trained.Value;

        Assert.NotNull(run.Result.InitialValidation);
        Assert.NotNull(run.Result.FinalValidation);
        Assert.True(run.Result.FinalValidation.Loss < run.Result.InitialValidation.Loss * 0.6,
            $"validation loss {run.Result.InitialValidation.Loss:0.0000} → {run.Result.FinalValidation.Loss:0.0000}");
        Assert.True(run.Result.FinalValidation.Agreement > run.Result.InitialValidation.Agreement);

        // The engine's own fit at each checkpoint, and the steps' batch losses, fall from epoch to epoch.
        var epochLosses = run.Epochs.Select(e => e.Train.Loss).Prepend(run.Result.InitialTrain.Loss).ToList();
        for (var e = 1; e < epochLosses.Count; e++)
            Assert.True(epochLosses[e] < epochLosses[e - 1], $"training loss by epoch: {string.Join(", ", epochLosses.Select(l => l.ToString("0.0000")))}");
        var stepLossByEpoch = run.Steps.GroupBy(s => s.Epoch).Select(g => g.Average(s => s.TrainLoss)).ToList();
        Assert.True(stepLossByEpoch[^1] < stepLossByEpoch[0]);
        Assert.True(run.Steps[^1].ValidLoss < run.Steps[0].ValidLoss);
    }

    [Fact]
    public void Trained_parameters_move_the_engines_plans_towards_the_validated_allocations()
    {
        var trained = LocalTrainingData.Trained.Value.Result.Parameters;
        // Briefs the trainer never saw, planned with the default and with the trained parameters.
        var heldOut = Enumerable.Range(50_000, 60).Select(LocalTrainingData.Brief).ToList();

        var defaultDistance = heldOut.Average(b => LocalTrainingData.Distance(b, MediaMixParameters.Default));
        var trainedDistance = heldOut.Average(b => LocalTrainingData.Distance(b, trained));
        var defaultSocial = heldOut.Average(b => LocalTrainingData.SocialShare(LocalTrainingData.Balanced(b, MediaMixParameters.Default)));
        var trainedSocial = heldOut.Average(b => LocalTrainingData.SocialShare(LocalTrainingData.Balanced(b, trained)));
        var targetSocial = heldOut.Average(b => LocalTrainingData.SocialShare(LocalTrainingData.Target(b)));

        Assert.True(trainedDistance < defaultDistance * 0.6, $"mean L1 to the validated shares: default {defaultDistance:0.000}, trained {trainedDistance:0.000}");
        Assert.True(trainedSocial > defaultSocial + 0.10, $"Social: default {defaultSocial:P1}, trained {trainedSocial:P1}, validated {targetSocial:P1}");
        foreach (var objective in Enum.GetValues<Objective>())
            Assert.True(trained.For(Channel.Social).PreferenceFor(objective) > MediaMixParameters.Default.For(Channel.Social).PreferenceFor(objective));
    }

    [Fact]
    public void Trained_parameters_are_a_valid_named_and_versioned_parameter_set_within_the_preference_range()
    {
        var trained = LocalTrainingData.Trained.Value.Result.Parameters;

        trained.Validate();
        Assert.Equal(LocalTrainer.DefaultName, trained.Name);
        Assert.Equal(MediaMixParameters.Default.Version + 1, trained.Version);
        Assert.All(trained.Channels.Values.SelectMany(c => c.Preference.Values),
            p => Assert.InRange(p, LocalTrainer.MinPreference, LocalTrainer.MaxPreference));
        // Only preferences are learned: shares and curves stay as they were.
        Assert.All(trained.Channels, c => Assert.Equal(MediaMixParameters.Default.For(c.Key).MaxShare, c.Value.MaxShare));
        Assert.Equal(trained.ToJson(), MediaMixParameters.FromJson(trained.ToJson()).ToJson());
        Assert.Equal(MediaMixParameters.Default.For(Channel.Print).Preference, trained.For(Channel.Print).Preference);
    }

    [Fact]
    public void Even_an_extreme_learning_rate_keeps_every_preference_within_its_range()
    {
        var set = LocalTrainer.Prepare(LocalTrainingData.Lines(0, 30), []);

        var result = new LocalTrainer(MediaMixParameters.Default).Train(set, new FineTuneHyperparameters(Epochs: 6, BatchSize: 1, LearningRateMultiplier: 10), seed: 1);

        result.Parameters.Validate();
        Assert.All(result.Parameters.Channels.Values.SelectMany(c => c.Preference.Values),
            p => Assert.InRange(p, LocalTrainer.MinPreference, LocalTrainer.MaxPreference));
    }

    // ---- hyperparameters ----

    [Theory]
    [InlineData(30, 2, 7, 0.5)]
    [InlineData(30, 1, 30, 2.0)]
    [InlineData(25, 4, 1, 1.0)]
    [InlineData(20, 3, 64, 1.0)]
    public void Epochs_batch_size_and_learning_rate_multiplier_are_honoured(int examples, int epochs, int batchSize, double multiplier)
    {
        var set = LocalTrainer.Prepare(LocalTrainingData.Lines(0, examples), LocalTrainingData.Lines(9_000, 5));
        var progress = new List<LocalTrainingProgress>();

        var result = new LocalTrainer(MediaMixParameters.Default).Train(set, new FineTuneHyperparameters(epochs, batchSize, multiplier), seed: 3, progress.Add);

        var stepsPerEpoch = (examples + batchSize - 1) / batchSize;
        Assert.Equal(epochs * stepsPerEpoch, result.Schedule.TotalSteps);
        Assert.Equal(epochs, result.Schedule.Epochs);
        Assert.Equal(Math.Min(batchSize, examples), result.Schedule.BatchSize);
        Assert.Equal(LocalTrainer.BaseLearningRate * multiplier, result.Schedule.LearningRate, 12);
        Assert.Equal(Enumerable.Range(1, epochs * stepsPerEpoch), progress.OfType<LocalTrainingStep>().Select(s => s.Step));
        Assert.Equal(Enumerable.Range(1, epochs), progress.OfType<LocalTrainingEpoch>().Select(e => e.Epoch));
        Assert.Equal(Enumerable.Range(1, epochs).Select(e => e * stepsPerEpoch), progress.OfType<LocalTrainingEpoch>().Select(e => e.Step));
        Assert.IsType<LocalTrainingCompleted>(progress[^1]);
        Assert.All(progress.OfType<LocalTrainingStep>(), s => Assert.NotNull(s.ValidLoss));
    }

    [Theory]
    [InlineData(12, 8, 1)] // small sets get more epochs (OpenAI's rule) and single-example batches
    [InlineData(90, 3, 9)]
    [InlineData(1_000, 3, 32)]
    [InlineData(20_000, 1, 32)]
    public void Auto_hyperparameters_follow_the_set_size(int examples, int epochs, int batchSize)
    {
        var schedule = LocalTrainer.Schedule(examples, Auto);

        Assert.Equal(epochs, schedule.Epochs);
        Assert.Equal(FineTuneEstimator.DefaultEpochs(examples), schedule.Epochs);
        Assert.Equal(batchSize, schedule.BatchSize);
        Assert.Equal(LocalTrainer.BaseLearningRate, schedule.LearningRate);
        Assert.Equal(epochs * ((examples + batchSize - 1) / batchSize), schedule.TotalSteps);
    }

    [Fact]
    public void A_larger_learning_rate_multiplier_moves_the_preferences_further()
    {
        var set = LocalTrainer.Prepare(LocalTrainingData.Lines(0, 30), []);
        var trainer = new LocalTrainer(MediaMixParameters.Default);
        double SocialGain(double multiplier) =>
            trainer.Train(set, new FineTuneHyperparameters(1, 10, multiplier), seed: 5).Parameters.For(Channel.Social).PreferenceFor(Objective.Awareness)
            - MediaMixParameters.Default.For(Channel.Social).PreferenceFor(Objective.Awareness);

        var slow = SocialGain(0.25);
        var fast = SocialGain(1.0);

        Assert.True(slow > 0);
        Assert.True(fast > 1.5 * slow, $"Social awareness preference gain: ×0.25 {slow:0.000}, ×1 {fast:0.000}");
    }

    // ---- determinism ----

    [Fact]
    public void The_same_seed_gives_the_same_parameters_and_another_seed_another_path()
    {
        var hyperparameters = new FineTuneHyperparameters(2, 4, null);
        (string Json, List<double> Losses) Run(int seed)
        {
            // A fresh trainer and freshly read data each time: nothing may carry over between runs.
            var set = LocalTrainer.Prepare(LocalTrainingData.Lines(0, 40), LocalTrainingData.Lines(9_000, 8));
            var losses = new List<double>();
            var result = new LocalTrainer(MediaMixParameters.Default).Train(set, hyperparameters, seed, p =>
            {
                if (p is LocalTrainingStep step)
                    losses.Add(step.TrainLoss);
            });
            return (result.Parameters.ToJson(), losses);
        }

        var first = Run(7);
        var again = Run(7);
        var other = Run(8);

        Assert.Equal(first.Json, again.Json);
        Assert.Equal(first.Losses, again.Losses);
        Assert.NotEqual(first.Losses, other.Losses);
    }

    // ---- data ----

    [Fact]
    public void Target_shares_are_the_plans_spend_per_channel()
    {
        var brief = LocalTrainingData.Brief(3);
        var target = LocalTrainingData.Target(brief);

        Assert.True(LocalTrainer.TryRead(LocalTrainingData.Line(3), out var example, out var reason), reason);

        var expected = LocalTrainingData.Shares(target);
        Assert.Equal(expected.Keys.Order(), example.TargetShares.Keys.Order());
        foreach (var (channel, share) in expected)
            Assert.Equal(share, example.TargetShares[channel], 9);
        Assert.Equal(brief.Budget, example.Request.Brief.Budget);
        Assert.Equal(brief.MarketCode, example.Request.Market.Code);
        Assert.Equal(brief.Currency, example.Request.Currency.Code);
    }

    [Fact]
    public void Unusable_examples_are_skipped_with_their_reason_and_the_rest_still_train()
    {
        var good = LocalTrainingData.Lines(0, 12);
        var example = ChatExample.Parse(good[0]);
        string With(string role, string content) =>
            new ChatExample([.. example.Messages.Select(m => m.Role == role ? m with { Content = content } : m)]).ToJsonLine();
        var user = example.Messages.Single(m => m.Role == ChatRoles.User).Content!;
        string[] bad =
        [
            "not json",
            With(ChatRoles.Assistant, "Sorry, I cannot plan this."),
            With(ChatRoles.User, user.Replace("Budget: ", "Spend: ", StringComparison.Ordinal)),
            With(ChatRoles.User, user.Replace("Budget: USD", "Budget: XYZ", StringComparison.Ordinal)),
            new ChatExample([.. example.Messages.Where(m => m.Role != ChatRoles.Assistant)]).ToJsonLine(),
        ];

        var set = LocalTrainer.Prepare([.. good, .. bad], [bad[0]]);

        Assert.Equal(12, set.Training.Count);
        Assert.Empty(set.Validation);
        Assert.Equal(6, set.Skipped.Count);
        Assert.Equal([12, 13, 14, 15, 16], set.Skipped.Where(s => !s.Validation).Select(s => s.Index));
        Assert.Contains("not a chat example", set.Skipped[0].Reason, StringComparison.Ordinal);
        Assert.Contains("plan cannot be read", set.Skipped[1].Reason, StringComparison.Ordinal);
        Assert.Contains("\"Budget:\" line is missing", set.Skipped[2].Reason, StringComparison.Ordinal);
        Assert.Contains("XYZ", set.Skipped[3].Reason, StringComparison.Ordinal);
        Assert.Contains("assistant message", set.Skipped[4].Reason, StringComparison.Ordinal);
        Assert.True(set.Skipped[5].Validation);

        var result = new LocalTrainer(MediaMixParameters.Default).Train(set, Auto, seed: 1);
        Assert.Null(result.FinalValidation);
        Assert.True(result.FinalTrain.Loss < result.InitialTrain.Loss);
    }

    [Fact]
    public void Training_without_usable_examples_is_refused()
    {
        var set = LocalTrainer.Prepare(["{}"], []);

        Assert.Throws<ArgumentException>(() => new LocalTrainer(MediaMixParameters.Default).Run(set, Auto, 1));
    }
}

/// <summary>
/// Validated examples with a taste the default engine lacks: each is the engine's Balanced plan for a varied brief
/// with <see cref="Shift"/> of the budget moved to Social, taken from the other channels in proportion to their shares.
/// </summary>
internal static class LocalTrainingData
{
    public const double Shift = 0.20;

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

    /// <summary>90 training and 30 held-out examples, trained once with auto hyperparameters for the tests that only read the outcome.</summary>
    public static readonly Lazy<TrainedRun> Trained = new(() =>
    {
        var set = LocalTrainer.Prepare(Lines(0, 90), Lines(10_000, 30));
        var progress = new List<LocalTrainingProgress>();
        var result = new LocalTrainer(MediaMixParameters.Default).Train(set, new FineTuneHyperparameters(), seed: 42, progress.Add);
        return new TrainedRun(result, [.. progress.OfType<LocalTrainingStep>()], [.. progress.OfType<LocalTrainingEpoch>()]);
    });

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

    /// <summary>The validated plan: the default engine's Balanced plan with <see cref="Shift"/> more of the budget on Social.</summary>
    public static MediaPlan Target(CampaignBrief brief)
    {
        var plan = Balanced(brief);
        var shares = Shares(plan);
        var social = shares.GetValueOrDefault(Channel.Social);
        var newSocial = Math.Min(1, social + Shift);
        var scale = social < 1 ? (1 - newSocial) / (1 - social) : 0;
        var items = plan.LineItems.ToList();
        if (social == 0)
        {
            var benchmark = SeedReferenceData.Benchmarks.First(b => b.Channel == Channel.Social);
            var cpm = decimal.Round(benchmark.Cpm * SeedReferenceData.Currencies.Single(c => c.Code == brief.Currency).UnitsPerUsd, 2);
            items.Add(new PlanLineItem(Channel.Social, benchmark.Format, 0, 0, cpm, 0, 0, 0, 0, "Added by the planner."));
        }

        var budget = plan.Budget;
        var moved = items.Select(item =>
        {
            var channelShare = shares.GetValueOrDefault(item.Channel);
            var withinChannel = channelShare > 0 ? item.Share / channelShare : 1.0;
            var share = item.Channel == Channel.Social ? newSocial * withinChannel : item.Share * scale;
            var spend = decimal.Round(budget * (decimal)share, 2);
            var ratio = item.Spend > 0 ? (double)(spend / item.Spend) : 0;
            return item with
            {
                Spend = spend,
                Impressions = item.Cpm > 0 ? (long)Math.Round((double)(spend / item.Cpm * 1000)) : 0,
                Clicks = (long)Math.Round(item.Clicks * ratio),
            };
        }).ToList();
        // Cents lost to rounding go to the largest line, so the plan still spends exactly the budget.
        var largest = moved.IndexOf(moved.MaxBy(i => i.Spend)!);
        moved[largest] = moved[largest] with { Spend = moved[largest].Spend + budget - moved.Sum(i => i.Spend) };
        moved = [.. moved.Where(i => i.Spend > 0).Select(i => i with { Share = (double)(i.Spend / budget) })];
        return plan with
        {
            StrategyName = "Planner's choice",
            LineItems = moved,
            Totals = plan.Totals with { Impressions = moved.Sum(i => i.Impressions), Clicks = moved.Sum(i => i.Clicks) },
        };
    }

    public static string Line(int i)
    {
        var brief = Brief(i);
        var market = SeedReferenceData.Markets.Single(m => m.Code == brief.MarketCode);
        return PromptRenderer.Example(brief, market, Target(brief)).ToJsonLine();
    }

    public static string[] Lines(int from, int count) => [.. Enumerable.Range(from, count).Select(Line)];

    public static Dictionary<Channel, double> Shares(MediaPlan plan)
    {
        var total = plan.LineItems.Sum(i => (double)i.Spend);
        return plan.LineItems.GroupBy(i => i.Channel).ToDictionary(g => g.Key, g => g.Sum(i => (double)i.Spend) / total);
    }

    public static double SocialShare(MediaPlan plan) => Shares(plan).GetValueOrDefault(Channel.Social);

    /// <summary>L1 distance between the engine's Balanced channel shares with <paramref name="parameters"/> and the validated plan's.</summary>
    public static double Distance(CampaignBrief brief, MediaMixParameters parameters)
    {
        var engine = Shares(Balanced(brief, parameters));
        var target = Shares(Target(brief));
        return engine.Keys.Union(target.Keys).Sum(c => Math.Abs(engine.GetValueOrDefault(c) - target.GetValueOrDefault(c)));
    }
}

internal sealed record TrainedRun(LocalTrainingResult Result, IReadOnlyList<LocalTrainingStep> Steps, IReadOnlyList<LocalTrainingEpoch> Epochs);
