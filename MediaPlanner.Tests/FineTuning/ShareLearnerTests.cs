using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Demo;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.FineTuning.Evaluation;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Training;

namespace MediaPlanner.Tests.FineTuning;

public class ShareLearnerTests
{
    private static readonly HouseStyleAgency Agency = HouseStyleAgency.Distinct();

    private static LocalTrainingSet Set(IEnumerable<HouseStyleExample> training, IEnumerable<HouseStyleExample>? validation = null) =>
        LocalTrainingSet.Prepare(new FineTuneDataset([.. training.Select(e => e.Line)], [.. (validation ?? []).Select(e => e.Line)]));

    private static List<LocalCheckpoint> Fit(LocalTrainingSet set, int epochs = 4, double? multiplier = null, bool pairs = false) =>
        [.. new ShareLearner(MediaMixParameters.Default).Fit(set, ShareLearner.Schedule(new FineTuneHyperparameters(epochs, null, multiplier)), pairs)];

    private static List<HeldOutBrief> Unseen(int count, Func<HouseStyleExample, bool>? where = null) =>
        [.. Agency.Examples(500_000, count * 20).Where(where ?? (_ => true)).Take(count).Select(e => e.HeldOut())];

    /// <summary>The best checkpoint on the briefs, as the job would pick it.</summary>
    private static (MediaMixParameters Parameters, HeldOutFigures Figures) Best(List<LocalCheckpoint> path, List<HeldOutBrief> briefs) =>
        path.Select(c => (c.Parameters, Figures: HeldOutEvaluator.Evaluate(c.Parameters, briefs))).MinBy(x => x.Figures.MeanDistance);

    [Fact]
    public void The_learner_recovers_a_style_that_depends_on_objective_and_age_and_plans_unseen_briefs_in_it()
    {
        var path = Fit(Set(Agency.Examples(0, 150)));
        var unseen = Unseen(60);

        var baseFigures = HeldOutEvaluator.Evaluate(MediaMixParameters.Default, unseen);
        var (_, trained) = Best(path, unseen);

        Assert.True(trained.MeanDistance < baseFigures.MeanDistance * 0.4,
            $"mean L1 to the house style on unseen briefs: base {baseFigures.MeanDistance:0.000}, trained {trained.MeanDistance:0.000}");
        Assert.True(trained.Agreement > baseFigures.Agreement + 0.25);
        Assert.True(trained.MeanQuality >= JobEvaluation.QualityFloor(trained, baseFigures) - JobEvaluation.QualityTolerance,
            $"quality {trained.MeanQuality:0.0}, base {baseFigures.MeanQuality:0.0}, validated plans {baseFigures.ValidatedQuality:0.0}");
        Assert.Equal(1.0, trained.WithinBudgetRate);
    }

    [Fact]
    public void The_conditional_style_is_learned_per_objective_and_age_not_as_one_average_mix()
    {
        var path = Fit(Set(Agency.Examples(0, 150)));
        var model = path[^1].Parameters;
        var engine = new LocalMediaMixEngine(model);
        double SocialShare(Objective objective, int ageMin, int ageMax)
        {
            var brief = Agency.Example(900_000).Brief;
            brief.Objective = objective;
            brief.AgeMin = ageMin;
            brief.AgeMax = ageMax;
            brief.Gender = AudienceGender.All;
            brief.Budget = 200_000m;
            brief.Currency = "USD";
            brief.MarketCode = "US";
            brief.Channels = [Channel.Social, Channel.Search, Channel.LinearTv, Channel.OnlineVideo];
            var example = new HouseStyleExample(brief, SeedReferenceData.Markets[0], new Dictionary<Channel, double>(), "");
            return HeldOutEvaluator.Shares(HeldOutEvaluator.Balanced(engine.Generate(example.Request()))).GetValueOrDefault(Channel.Social);
        }

        // The agency: young conversion briefs live on social, older awareness briefs on linear TV.
        var youngConversion = SocialShare(Objective.Conversion, 18, 24);
        var olderAwareness = SocialShare(Objective.Awareness, 55, 75);
        Assert.True(youngConversion > 0.45, $"Social for conversion, 18–24: {youngConversion:P0}");
        Assert.True(olderAwareness < 0.15, $"Social for awareness, 55+: {olderAwareness:P0}");
    }

    [Fact]
    public void Unseen_combinations_of_features_are_carried_by_their_main_effects()
    {
        // Never trained on conversion briefs for audiences aged 55+.
        var training = Agency.Examples(0, 400).Where(e => !(e.Brief.Objective == Objective.Conversion && BriefPrompt.AgeBand(e.Brief.AgeMin, e.Brief.AgeMax) == "55+")).Take(150);
        var path = Fit(Set(training));
        var unseen = Unseen(20, e => e.Brief.Objective == Objective.Conversion && BriefPrompt.AgeBand(e.Brief.AgeMin, e.Brief.AgeMax) == "55+");

        var baseFigures = HeldOutEvaluator.Evaluate(MediaMixParameters.Default, unseen);
        var (_, trained) = Best(path, unseen);

        Assert.Equal(20, unseen.Count);
        Assert.True(trained.MeanDistance < baseFigures.MeanDistance,
            $"unseen combination: base {baseFigures.MeanDistance:0.000}, trained {trained.MeanDistance:0.000}");
        Assert.Equal(1.0, trained.WithinBudgetRate);
    }

    [Fact]
    public void Strong_shrinkage_keeps_the_engines_own_mix()
    {
        var examples = Agency.Examples(0, 40);
        // The path's first point, with the multiplier turned right down: shrinkage 1,000 times the strongest.
        var shrunk = Fit(Set(examples), epochs: 2, multiplier: 0.001)[0].Parameters;
        var briefs = Unseen(20);

        var distances = briefs.Select(b => HeldOutEvaluator.Distance(
            HeldOutEvaluator.Shares(HeldOutEvaluator.Balanced(new LocalMediaMixEngine(shrunk).Generate(b.Request))),
            HeldOutEvaluator.Shares(HeldOutEvaluator.Balanced(new LocalMediaMixEngine(MediaMixParameters.Default).Generate(b.Request))))).ToList();

        Assert.True(distances.Max() < 0.05, $"largest gap to the engine's own Balanced plan: {distances.Max():0.000}");
    }

    [Fact]
    public void The_path_runs_from_strong_to_weak_shrinkage_and_the_training_loss_falls_along_it()
    {
        var path = Fit(Set(Agency.Examples(0, 60)), epochs: 4);

        Assert.Equal([1, 2, 3, 4], path.Select(c => c.Epoch));
        Assert.Equal(ShareLearner.StrongestShrinkage, path[0].Regularisation, 9);
        Assert.Equal(ShareLearner.WeakestShrinkage, path[^1].Regularisation, 9);
        for (var k = 1; k < path.Count; k++)
        {
            Assert.True(path[k].Regularisation < path[k - 1].Regularisation);
            Assert.True(path[k].TrainLoss < path[k - 1].TrainLoss, $"training loss along the path: {string.Join(", ", path.Select(c => c.TrainLoss.ToString("0.0000")))}");
        }
        Assert.All(path, c => c.Parameters.Validate());
    }

    [Fact]
    public void A_trained_model_survives_its_json_and_plans_the_same()
    {
        var model = Fit(Set(Agency.Examples(0, 40)), epochs: 2)[^1].Parameters;
        var request = Agency.Example(777_777).Request();

        var copy = MediaMixParameters.FromJson(model.ToJson());

        Assert.NotNull(copy.Mix);
        Assert.Equal(model.Mix!.Weights.Count, copy.Mix.Weights.Count);
        Assert.Equal(
            new LocalMediaMixEngine(model).Generate(request).Select(p => PlanJson.Serialize(p)),
            new LocalMediaMixEngine(copy).Generate(request).Select(p => PlanJson.Serialize(p)));
    }

    [Fact]
    public void The_schedule_has_six_auto_epochs_honours_epochs_and_lets_the_multiplier_weaken_shrinkage()
    {
        var auto = ShareLearner.Schedule(new FineTuneHyperparameters());
        var doubled = ShareLearner.Schedule(new FineTuneHyperparameters(Epochs: 3, LearningRateMultiplier: 2));

        Assert.Equal(ShareLearner.AutoEpochs, auto.Epochs);
        Assert.Equal(auto.Epochs, auto.TotalSteps);
        Assert.Equal(3, doubled.Epochs);
        Assert.Equal(ShareLearner.StrongestShrinkage / 2, doubled.Regularisation[0], 9);
        Assert.Equal(ShareLearner.MaxEpochs, ShareLearner.Schedule(new FineTuneHyperparameters(Epochs: 500)).Epochs);
    }

    // ---- degenerate sets ----

    [Fact]
    public void A_single_example_trains_and_gives_a_usable_model()
    {
        var path = Fit(Set(Agency.Examples(0, 1)), epochs: 2);

        Assert.Equal(2, path.Count);
        var plans = new LocalMediaMixEngine(path[^1].Parameters).Generate(Agency.Example(5).Request());
        Assert.NotEmpty(plans);
        Assert.All(plans, p => Assert.True(HeldOutEvaluator.WithinBudget(p, p.Budget)));
    }

    [Fact]
    public void Briefs_with_one_plannable_channel_put_the_whole_budget_there()
    {
        var examples = Agency.Examples(0, 30).Select(e =>
        {
            e.Brief.Channels = [Channel.Search];
            return e;
        }).ToList();
        var oneChannel = examples.Select(e => new HouseStyleExample(e.Brief, e.Market, new Dictionary<Channel, double> { [Channel.Search] = 1 },
            PromptRenderer.Example(e.Brief, e.Market, new LocalMediaMixEngine(MediaMixParameters.Default).Generate(e.Request())[0]).ToJsonLine()));

        var model = Fit(Set(oneChannel), epochs: 2)[^1].Parameters;
        var plan = Assert.Single(new LocalMediaMixEngine(model).Generate(examples[0].Request()));

        Assert.All(plan.LineItems, i => Assert.Equal(Channel.Search, i.Channel));
        Assert.True(HeldOutEvaluator.WithinBudget(plan, plan.Budget));
    }

    [Fact]
    public void Without_any_results_every_example_weighs_the_same()
    {
        var set = Set(Agency.Examples(0, 20));

        Assert.All(set.Training, e => Assert.Equal(1.0, e.Weight));
        Assert.Equal(new ResultWeighting(20, 0, 1, 1, 1), set.Weighting);
    }

    [Fact]
    public void An_empty_set_is_refused()
    {
        var learner = new ShareLearner(MediaMixParameters.Default);

        Assert.Throws<ArgumentException>(() => learner.Fit(Set([]), ShareLearner.Schedule(new FineTuneHyperparameters()), false).ToList());
    }

    // ---- results and preferences ----

    [Fact]
    public void Examples_that_delivered_better_pull_the_model_harder()
    {
        // Half the examples plan conversion briefs one way, half another; the second half delivered twice the clicks.
        var first = HouseStyleAgency.Distinct().Examples(0, 40).Where(e => e.Brief.Objective == Objective.Conversion).Take(10).ToList();
        var second = HouseStyleAgency.Control(noise: 0.02).Examples(0, 40).Where(e => e.Brief.Objective == Objective.Conversion).Take(10).ToList();
        var lines = first.Concat(second).Select(e => e.Line).ToList();
        var outcomes = first.Select(_ => (ExampleOutcome?)new ExampleOutcome(0.001, null, null))
            .Concat(second.Select(_ => (ExampleOutcome?)new ExampleOutcome(0.05, null, null))).ToList();
        var weighted = LocalTrainingSet.Prepare(new FineTuneDataset(lines, []) { TrainingOutcomes = outcomes });
        var plain = LocalTrainingSet.Prepare(new FineTuneDataset(lines, []));
        var probe = second.Select(e => e.HeldOut()).ToList();

        var withWeights = HeldOutEvaluator.Evaluate(Fit(weighted, epochs: 3)[^1].Parameters, probe);
        var withoutWeights = HeldOutEvaluator.Evaluate(Fit(plain, epochs: 3)[^1].Parameters, probe);

        Assert.True(weighted.Training.Take(10).All(e => e.Weight < 1) && weighted.Training.Skip(10).All(e => e.Weight > 1));
        Assert.True(withWeights.MeanDistance < withoutWeights.MeanDistance,
            $"distance to the better-delivering plans: weighted {withWeights.MeanDistance:0.000}, unweighted {withoutWeights.MeanDistance:0.000}");
    }

    [Fact]
    public void Preference_pairs_move_the_mix_toward_the_chosen_plans()
    {
        var engine = new LocalMediaMixEngine(MediaMixParameters.Default);
        var examples = Agency.Examples(0, 6).ToList();
        var pairs = Agency.Examples(100, 60).Select(e =>
        {
            var chat = ChatExample.Parse(e.Line);
            var input = new ChatExample([.. chat.Messages.Take(2)]).ToJsonLine();
            return PreferencePairService.ToJsonLine(input, chat.Messages[2].Content!, PlanJson.Serialize(engine.Generate(e.Request())[0]));
        }).ToList();
        var set = LocalTrainingSet.Prepare(new FineTuneDataset([.. examples.Select(e => e.Line)], []) { PreferenceLines = pairs });
        var probe = Unseen(30);

        var withPairs = HeldOutEvaluator.Evaluate(Fit(set, epochs: 3, pairs: true)[^1].Parameters, probe);
        var withoutPairs = HeldOutEvaluator.Evaluate(Fit(set, epochs: 3, pairs: false)[^1].Parameters, probe);

        Assert.Equal(60, set.Pairs.Count);
        Assert.True(withPairs.MeanDistance < withoutPairs.MeanDistance,
            $"distance to the chosen style: with pairs {withPairs.MeanDistance:0.000}, without {withoutPairs.MeanDistance:0.000}");
    }

    [Fact]
    public void Pairs_about_held_out_briefs_are_left_out_so_the_evaluation_stays_unseen()
    {
        var examples = Agency.Examples(0, 10).ToList();
        var engine = new LocalMediaMixEngine(MediaMixParameters.Default);
        string Pair(HouseStyleExample e)
        {
            var chat = ChatExample.Parse(e.Line);
            return PreferencePairService.ToJsonLine(new ChatExample([.. chat.Messages.Take(2)]).ToJsonLine(),
                chat.Messages[2].Content!, PlanJson.Serialize(engine.Generate(e.Request())[0]));
        }

        var set = LocalTrainingSet.Prepare(new FineTuneDataset([.. examples.Skip(2).Select(e => e.Line)], [.. examples.Take(2).Select(e => e.Line)])
        {
            PreferenceLines = [.. examples.Select(Pair)],
        });

        Assert.Equal(8, set.Pairs.Count);
    }
}
