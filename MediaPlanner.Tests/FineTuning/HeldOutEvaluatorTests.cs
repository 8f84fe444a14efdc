using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Demo;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.FineTuning.Evaluation;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Tests.Infrastructure;

namespace MediaPlanner.Tests.FineTuning;

public class HeldOutEvaluatorTests
{
    private static Dictionary<Channel, double> Mix(params (Channel Channel, double Share)[] shares) => shares.ToDictionary(s => s.Channel, s => s.Share);

    [Fact]
    public void Distance_is_zero_for_the_same_mix_two_for_disjoint_ones_and_counts_missing_channels()
    {
        var a = Mix((Channel.Search, 0.5), (Channel.Social, 0.5));

        Assert.Equal(0, HeldOutEvaluator.Distance(a, a), 12);
        Assert.Equal(2, HeldOutEvaluator.Distance(a, Mix((Channel.LinearTv, 1))), 12);
        Assert.Equal(0.4, HeldOutEvaluator.Distance(a, Mix((Channel.Search, 0.3), (Channel.Social, 0.5), (Channel.Radio, 0.2))), 12);
        Assert.Equal(1, HeldOutEvaluator.Agreement(a, a), 12);
        Assert.Equal(0, HeldOutEvaluator.Agreement(a, Mix((Channel.LinearTv, 1))), 12);
        Assert.Equal(0.8, HeldOutEvaluator.Agreement(a, Mix((Channel.Search, 0.3), (Channel.Social, 0.5), (Channel.Radio, 0.2))), 12);
    }

    [Fact]
    public void The_engine_measured_against_its_own_plans_fits_exactly_and_spends_every_budget_to_the_cent()
    {
        var engine = new LocalMediaMixEngine(MediaMixParameters.Default);
        var briefs = HouseStyleAgency.Control().Examples(0, 12)
            .Select(e => new HeldOutBrief(e.Request(), HeldOutEvaluator.Shares(HeldOutEvaluator.Balanced(engine.Generate(e.Request())))))
            .ToList();

        var figures = HeldOutEvaluator.Evaluate(MediaMixParameters.Default, briefs);

        Assert.Equal(12, figures.Briefs);
        Assert.Equal(12, figures.Planned);
        Assert.Equal(0, figures.MeanDistance, 9);
        Assert.Equal(1, figures.Agreement, 9);
        Assert.Equal(1.0, figures.WithinBudgetRate);
        Assert.InRange(figures.MeanQuality, 80, 100);
        Assert.True(figures.MeanDistanceAllAlternatives > 0, "reach-led and performance-led plans differ from the Balanced one");
    }

    [Fact]
    public async Task A_planner_that_fails_on_a_brief_counts_it_as_not_planned()
    {
        var examples = HouseStyleAgency.Distinct().Examples(0, 4).Select(e => e.HeldOut()).ToList();
        var engine = new LocalMediaMixEngine(MediaMixParameters.Default);
        var calls = 0;

        var figures = await HeldOutEvaluator.EvaluateAsync(examples, (request, _) =>
            ++calls % 2 == 0 ? throw new HttpRequestException("rate limited") : Task.FromResult(engine.Generate(request)), CancellationToken.None);

        Assert.Equal(4, figures.Briefs);
        Assert.Equal(2, figures.Planned);
    }

    [Fact]
    public void A_planner_that_plans_nothing_scores_the_worst_distance()
    {
        var brief = TestData.Brief(channels: [Channel.Search]);
        var noBenchmarks = new List<ChannelBenchmark>();
        var request = TestData.Request(brief, noBenchmarks);

        var figures = HeldOutEvaluator.Evaluate(MediaMixParameters.Default, [new HeldOutBrief(request, Mix((Channel.Search, 1)))]);

        Assert.Equal(0, figures.Planned);
        Assert.Equal(2, figures.MeanDistance);
    }

    [Fact]
    public void The_verdict_says_plainly_when_a_model_did_not_improve_on_the_base_model()
    {
        var baseFigures = new HeldOutFigures(20, 20, 0.76, 0.9, 0.6, 95.0, 1);
        var worse = baseFigures with { MeanDistance = 0.78 };
        var better = baseFigures with { MeanDistance = 0.21, MeanQuality = 94.0 };
        var betterButSloppy = better with { MeanQuality = 90.0 };

        Assert.False(JobEvaluation.Beats(worse, baseFigures));
        Assert.Equal("m did not improve on the base model: held-out distance to the validated plans 0.78 vs the base model's 0.76, quality 95.0 vs 95.0 (on 20 held-out briefs) — not recommended for deployment.",
            JobEvaluation.VerdictFor("m", worse, baseFigures));
        Assert.True(JobEvaluation.Beats(better, baseFigures));
        Assert.StartsWith("m is 72 % closer to the validated plans than the base model", JobEvaluation.VerdictFor("m", better, baseFigures), StringComparison.Ordinal);
        Assert.EndsWith("— recommended.", JobEvaluation.VerdictFor("m", better, baseFigures), StringComparison.Ordinal);
        Assert.False(JobEvaluation.Beats(betterButSloppy, baseFigures));
        Assert.Contains("more than 2 points lower — not recommended", JobEvaluation.VerdictFor("m", betterButSloppy, baseFigures), StringComparison.Ordinal);
        // A gain within noise is no gain.
        Assert.False(JobEvaluation.Beats(baseFigures with { MeanDistance = 0.758 }, baseFigures));
    }

    [Fact]
    public void A_model_in_the_agencys_style_must_keep_the_quality_of_the_agencys_own_validated_plans_and_the_verdict_names_the_trade()
    {
        var baseFigures = new HeldOutFigures(20, 20, 0.76, 0.9, 0.6, 88.0, 1, ValidatedQuality: 75.0);
        var asGoodAsTheAgency = baseFigures with { MeanDistance = 0.21, MeanQuality = 76.0 };
        var worseThanBoth = asGoodAsTheAgency with { MeanQuality = 72.0 };

        Assert.Equal(75.0, JobEvaluation.QualityFloor(asGoodAsTheAgency, baseFigures));
        Assert.True(JobEvaluation.Beats(asGoodAsTheAgency, baseFigures));
        Assert.EndsWith("— recommended. Its quality is below the base model's but not below your validated plans' 75.0: it plans in your agency's style, which the benchmark figures rate lower.",
            JobEvaluation.VerdictFor("m", asGoodAsTheAgency, baseFigures), StringComparison.Ordinal);
        Assert.False(JobEvaluation.Beats(worseThanBoth, baseFigures));
        Assert.Contains("more than 2 points lower than the base model's and than your validated plans' 75.0 — not recommended",
            JobEvaluation.VerdictFor("m", worseThanBoth, baseFigures), StringComparison.Ordinal);
        // Validated plans that score above the base model do not raise the bar: the base model's quality is the floor.
        Assert.Equal(88.0, JobEvaluation.QualityFloor(asGoodAsTheAgency, baseFigures with { ValidatedQuality = 97.0 }));
    }

    [Fact]
    public void Held_out_figures_score_the_validated_plans_the_briefs_carry()
    {
        var examples = HouseStyleAgency.Distinct().Examples(0, 6);
        var evaluator = new PlanQualityEvaluator();
        var expected = examples.Average(e => evaluator.Evaluate(e.Plan!, PlanEvaluationContext.From(e.Request())).Score);

        var withPlans = HeldOutEvaluator.Evaluate(MediaMixParameters.Default, [.. examples.Select(e => e.HeldOut())]);
        var withoutPlans = HeldOutEvaluator.Evaluate(MediaMixParameters.Default, [.. examples.Select(e => new HeldOutBrief(e.Request(), e.Target))]);

        Assert.Equal(expected, withPlans.ValidatedQuality!.Value, 6);
        Assert.Null(withoutPlans.ValidatedQuality);
    }

    [Fact]
    public void A_gain_within_two_standard_errors_of_the_per_brief_gains_is_not_an_improvement()
    {
        var baseFigures = new HeldOutFigures(20, 20, 0.76, 0.9, 0.6, 95.0, 1);
        var noisy = baseFigures with { MeanDistance = 0.70, GainStdError = 0.05 };
        var clear = baseFigures with { MeanDistance = 0.70, GainStdError = 0.02 };

        Assert.False(JobEvaluation.Beats(noisy, baseFigures));
        Assert.Equal("m did not clearly improve on the base model: held-out distance to the validated plans 0.70 vs the base model's 0.76 is a gain within noise (±0.10 on 20 held-out briefs), quality 95.0 vs 95.0 — not recommended for deployment.",
            JobEvaluation.VerdictFor("m", noisy, baseFigures));
        Assert.True(JobEvaluation.Beats(clear, baseFigures));
    }

    [Fact]
    public void The_gains_standard_error_is_paired_brief_by_brief()
    {
        var figures = new HeldOutFigures(4, 4, 0.5, 0.5, 0.5, 90, 1);
        var baseline = new HeldOutRun(figures with { MeanDistance = 0.8 }, [0.8, 0.9, 0.7, 0.8]);
        var candidate = new HeldOutRun(figures, [0.5, 0.4, 0.6, 0.5]);

        var compared = HeldOutEvaluator.Against(candidate, baseline);

        // Gains 0.3, 0.5, 0.1, 0.3: mean 0.3, sample sd √(0.08 / 3), standard error sd / √4.
        Assert.Equal(Math.Sqrt(0.08 / 3) / 2, compared.GainStdError!.Value, 9);
        Assert.Equal(candidate.Figures with { GainStdError = compared.GainStdError }, compared);
    }

    [Fact]
    public void A_job_evaluation_finds_each_models_figures_and_survives_its_json()
    {
        var baseFigures = new HeldOutFigures(10, 10, 0.8, 0.9, 0.5, 95, 1);
        var one = new CheckpointEvaluation("m:ckpt-step-1", 1, 1, baseFigures with { MeanDistance = 0.5 });
        var two = new CheckpointEvaluation("m:ckpt-step-2", 2, 2, baseFigures with { MeanDistance = 0.9 });
        var evaluation = new JobEvaluation(10, "split", baseFigures, [one, two], "m", one.Figures, true, "verdict",
            new ResultWeighting(40, 3, 0.5, 1.01, 1.8), new PreferenceUse(4, false, 0.52, 0.5));

        var copy = JobEvaluation.FromJson(evaluation.ToJson())!;

        Assert.Equal(evaluation.Checkpoints, copy.Checkpoints);
        Assert.Equal(evaluation.Weighting, copy.Weighting);
        Assert.Equal(evaluation.Preferences, copy.Preferences);
        Assert.True(copy.For("m")!.Recommended);
        Assert.True(copy.For("m:ckpt-step-1")!.Recommended);
        Assert.False(copy.For("m:ckpt-step-2")!.Recommended);
        Assert.Equal(0.375, copy.For("m")!.Improvement, 9);
        Assert.Null(copy.For("someone-else"));
        Assert.Null(JobEvaluation.FromJson("{not json"));
    }
}

public class OutcomeWeightTests
{
    private static (MediaPlan Plan, PlanRequest Request) Searchy()
    {
        var request = TestData.Request(TestData.Brief(channels: [Channel.Search, Channel.Social]));
        return (new LocalMediaMixEngine(MediaMixParameters.Default).Generate(request)[0], request);
    }

    [Fact]
    public void No_results_weigh_one()
    {
        var (plan, request) = Searchy();

        Assert.Equal(1, OutcomeWeight.For(plan, null, request));
        Assert.Equal(1, OutcomeWeight.For(plan, new ExampleOutcome(null, null, null), request));
    }

    [Fact]
    public void A_ctr_twice_the_benchmark_doubles_the_weight_and_half_the_budget_delivered_halves_it()
    {
        var (plan, request) = Searchy();
        var expected = ExpectedCtr(plan, request);

        Assert.Equal(2, OutcomeWeight.For(plan, new ExampleOutcome(expected * 2, null, null), request), 6);
        Assert.Equal(0.5, OutcomeWeight.For(plan, new ExampleOutcome(expected, null, request.Brief.Budget / 2), request), 6);
        Assert.Equal(1, OutcomeWeight.For(plan, new ExampleOutcome(expected, null, request.Brief.Budget * 2), request), 6);
    }

    [Fact]
    public void Weights_stay_within_a_quarter_and_four()
    {
        var (plan, request) = Searchy();

        Assert.Equal(OutcomeWeight.Max, OutcomeWeight.For(plan, new ExampleOutcome(0.9, 0.9, null), request));
        Assert.Equal(OutcomeWeight.Min, OutcomeWeight.For(plan, new ExampleOutcome(0.000001, 0.000001, null), request));
    }

    private static double ExpectedCtr(MediaPlan plan, PlanRequest request)
    {
        double impressions = 0, clicks = 0;
        foreach (var item in plan.LineItems)
        {
            var benchmark = SeedReferenceData.Benchmarks.First(b => b.Channel == item.Channel && b.Cpm > 0);
            var imps = (double)item.Spend / (double)(benchmark.Cpm * request.Currency.UnitsPerUsd) * 1000;
            impressions += imps;
            clicks += imps * benchmark.Ctr!.Value;
        }
        return clicks / impressions;
    }
}
