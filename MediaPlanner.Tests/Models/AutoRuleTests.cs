using MediaPlanner.Domain.FineTuning.Evaluation;
using MediaPlanner.Domain.Models;

namespace MediaPlanner.Tests.Models;

public class AutoRuleTests
{
    private static readonly AutoThresholds T = AutoThresholds.Default;
    private static readonly DateTimeOffset T0 = new(2027, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private const string Ft = "ft:gpt-4o-mini:agency::abc";

    /// <summary>How one model behaves in a recorded history; quality alternates ±<see cref="Spread"/> around its mean.</summary>
    private sealed record Side(double Quality = 92, double LatencyMs = 800, decimal Cost = 0.002m, double Spread = 1);

    /// <summary>
    /// n side-by-side runs, ten minutes apart, each calling both models; <paramref name="failures"/> gives the failure
    /// code of each model in run i (null: it succeeded).
    /// </summary>
    private static (List<ModelCall> Base, List<ModelCall> FineTuned) Runs(int n, Side? b = null, Side? f = null,
        Func<int, (string? Base, string? FineTuned)>? failures = null)
    {
        b ??= new Side();
        f ??= new Side();
        var baseCalls = new List<ModelCall>();
        var ftCalls = new List<ModelCall>();
        for (var i = 0; i < n; i++)
        {
            var run = Guid.NewGuid();
            var (baseFailure, ftFailure) = failures?.Invoke(i) ?? (null, null);
            baseCalls.Add(Call("gpt-4o-mini-2024-07-18", ModelRole.Base, run, T0.AddMinutes(10 * i), b, i, baseFailure));
            ftCalls.Add(Call(Ft, ModelRole.FineTuned, run, T0.AddMinutes(10 * i).AddSeconds(1), f, i, ftFailure));
        }
        return (baseCalls, ftCalls);
    }

    private static ModelCall Call(string model, ModelRole role, Guid? run, DateTimeOffset at, Side side, int i, string? failure) => new()
    {
        UserId = "u", Provider = "openai", Model = model, Role = role, Reason = "r", RunId = run, CreatedAt = at,
        Succeeded = failure is null,
        FailureCode = failure,
        QualityScore = failure is null ? side.Quality + (i % 2 == 0 ? -side.Spread : side.Spread) : null,
        LatencyMs = failure is null ? side.LatencyMs + i % 3 : 30_000,
        Cost = failure is null ? side.Cost : 0m,
    };

    private static HeldOutFigures Figures(double distance, double quality) => new(20, 20, distance, distance + 0.05, 1 - distance / 2, quality, 1);

    /// <summary>A job evaluation built the way the evaluator stores it, read back through <see cref="JobEvaluation.For"/>.</summary>
    private static HeldOutComparison HeldOut(double ftDistance, double baseDistance = 0.76, double ftQuality = 92, double baseQuality = 92)
    {
        var ft = Figures(ftDistance, ftQuality);
        var evaluation = new JobEvaluation(20, "80/20 by brief", Figures(baseDistance, baseQuality), [new CheckpointEvaluation(Ft, 3, 30, ft)], Ft, ft,
            JobEvaluation.Beats(ft, Figures(baseDistance, baseQuality)), "verdict");
        return JobEvaluation.FromJson(evaluation.ToJson())!.For(Ft)!;
    }

    private static readonly HeldOutComparison Recommended = HeldOut(0.21);
    private static readonly HeldOutComparison NotRecommended = HeldOut(0.78);

    /// <summary>Planners' choices as the plans record them: each run shows both columns and one plan is chosen.</summary>
    private static ABResult Choices(int fineTunedWins, int baseWins) =>
        ABResult.From(Enumerable.Range(0, fineTunedWins + baseWins).SelectMany(i =>
        {
            var run = Guid.NewGuid();
            var ftChosen = i < fineTunedWins;
            return new[]
            {
                new PlanChoice(run, ModelRole.Base, 90, ftChosen ? null : T0),
                new PlanChoice(run, ModelRole.Base, 88, null),
                new PlanChoice(run, ModelRole.FineTuned, 91, ftChosen ? T0 : null),
            };
        }));

    private static AutoDecision Decide(HeldOutComparison? heldOut, (List<ModelCall> Base, List<ModelCall> FineTuned) calls, ABResult? choices = null,
        bool overridden = false) =>
        AutoRule.Decide(new AutoEvidence(heldOut, overridden, calls.Base, calls.FineTuned, choices ?? Choices(0, 0)), T);

    [Fact]
    public void A_recommended_model_with_a_good_record_is_used_and_the_reason_names_the_deciding_figures()
    {
        var decision = Decide(Recommended, Runs(20, new Side(Quality: 92.4), new Side(Quality: 93.1)), Choices(14, 6));

        Assert.Equal(ModelRole.FineTuned, decision.Role);
        Assert.StartsWith("Auto: fine-tuned — held-out distance 0.21 vs base 0.76 (72 % closer, 20 briefs)", decision.Reason);
        Assert.Contains("planners chose it in 14 of 20 runs", decision.Reason);
        Assert.Contains("quality 93.1 vs 92.4", decision.Reason);
        Assert.Contains("success 100 % vs 100 % (20 vs 20 calls)", decision.Reason);
        Assert.Contains("median latency 1.0×", decision.Reason);
        Assert.Contains("cost per call 1.0×", decision.Reason);
    }

    [Fact]
    public void A_model_the_held_out_evaluation_does_not_recommend_stays_off_even_when_faster_and_cheaper()
    {
        var decision = Decide(NotRecommended, Runs(40, new Side(LatencyMs: 900), new Side(LatencyMs: 300, Cost: 0.001m)), Choices(11, 9));

        Assert.Equal(ModelRole.Base, decision.Role);
        Assert.StartsWith("Auto: base — fine-tuned not recommended on held-out briefs (distance 0.78 vs base 0.76, quality 92.0 vs 92.0)", decision.Reason);
        Assert.Contains("the record does not show it winning: planners chose it in 11 of 20 runs", decision.Reason);
        Assert.Contains("median latency 0.33×", decision.Reason);
    }

    [Fact]
    public void A_model_deployed_by_override_or_never_evaluated_stays_off_and_the_reason_says_so()
    {
        var overridden = Decide(NotRecommended, Runs(40), Choices(5, 5), overridden: true);
        var unevaluated = Decide(null, Runs(40), Choices(5, 5));

        Assert.Equal(ModelRole.Base, overridden.Role);
        Assert.Contains("deployed by override", overridden.Reason);
        Assert.Equal(ModelRole.Base, unevaluated.Role);
        Assert.Contains("no held-out evaluation shows the fine-tuned model better", unevaluated.Reason);
    }

    [Fact]
    public void A_model_that_could_not_plan_the_held_out_briefs_stays_off_and_no_made_up_distance_is_quoted()
    {
        var failed = new HeldOutComparison(Ft, 20, Figures(0.76, 92), new HeldOutFigures(20, 0, double.NaN, double.NaN, 0, 0, 0), false, "verdict");

        var decision = Decide(failed, Runs(40), Choices(5, 5));

        Assert.Equal(ModelRole.Base, decision.Role);
        Assert.StartsWith("Auto: base — fine-tuned could not plan the held-out briefs, and the record does not show it winning", decision.Reason);
    }

    [Fact]
    public void Planners_choosing_an_unrecommended_model_significantly_more_often_win_it_the_traffic()
    {
        var clear = Decide(NotRecommended, Runs(40), Choices(16, 4));
        var unclear = Decide(NotRecommended, Runs(40), Choices(13, 7));
        var tooFewChoices = Decide(null, Runs(40), Choices(T.MinSamples - 1, 0));

        Assert.Equal(ModelRole.FineTuned, clear.Role);
        Assert.StartsWith("Auto: fine-tuned — planners chose it significantly more often (16 of 20 runs) although fine-tuned not recommended", clear.Reason);
        Assert.Equal(ModelRole.Base, unclear.Role);
        Assert.Equal(ModelRole.Base, tooFewChoices.Role);
    }

    [Fact]
    public void Planners_choosing_an_unrecommended_model_do_not_win_it_the_traffic_when_its_quality_is_clearly_lower()
    {
        var decision = Decide(NotRecommended, Runs(40, new Side(Quality: 92), new Side(Quality: 89.5)), Choices(16, 4));

        Assert.Equal(ModelRole.Base, decision.Role);
        Assert.StartsWith("Auto: base — fine-tuned quality 89.5 is clearly below base 92.0 (40 vs 40 calls)", decision.Reason);
    }

    [Fact]
    public void A_recommended_model_with_clearly_lower_measured_quality_loses_to_the_base_model()
    {
        var clearly = Decide(Recommended, Runs(40, new Side(Quality: 92), new Side(Quality: 90.5)), Choices(10, 10));
        var farBelow = Decide(Recommended, Runs(40, new Side(Quality: 92), new Side(Quality: 92 - T.QualityTolerance - 0.5, Spread: 20)), Choices(10, 10));
        var noise = Decide(Recommended, Runs(40, new Side(Quality: 92), new Side(Quality: 91.5)), Choices(10, 10));

        Assert.Equal(ModelRole.Base, clearly.Role);
        Assert.Contains("fine-tuned quality 90.5 is clearly below base 92.0", clearly.Reason);
        Assert.Contains("held-out distance 0.21 vs base 0.76", clearly.Reason);
        Assert.Equal(ModelRole.Base, farBelow.Role);
        Assert.Contains("more than 3 points below base 92.0", farBelow.Reason);
        // Half a point is consistent but too small to matter.
        Assert.Equal(ModelRole.FineTuned, noise.Role);
    }

    [Fact]
    public void Planners_choosing_the_base_model_significantly_more_often_overrule_the_held_out_recommendation()
    {
        var decision = Decide(Recommended, Runs(40), Choices(4, 16));

        Assert.Equal(ModelRole.Base, decision.Role);
        Assert.StartsWith("Auto: base — planners chose the base model's plan in 16 of 20 runs", decision.Reason);
    }

    [Fact]
    public void Provider_wide_failures_that_hit_both_models_in_the_same_runs_are_not_blamed()
    {
        var calls = Runs(40, failures: i => i < 6 ? ("rate_limited", "rate_limited") : i == 6 ? ("timeout", "server_error") : (null, null));

        var decision = Decide(Recommended, calls, Choices(12, 8));

        Assert.Equal(ModelRole.FineTuned, decision.Role);
        Assert.Contains("success 100 % vs 100 % (33 vs 33 calls)", decision.Reason);
        Assert.Contains("(12 rate_limited, 1 timeout, 1 server_error failures hit both models and are not counted)", decision.Reason);
    }

    [Fact]
    public void Failures_of_the_fine_tuned_model_alone_count_against_it_even_with_a_provider_wide_code()
    {
        var belowFloor = Decide(Recommended, Runs(40, failures: i => i < 6 ? (null, "rate_limited") : (null, null)), Choices(12, 8));
        var clearlyBelowBase = Decide(Recommended, Runs(50, failures: i => i < 4 ? (null, "invalid_output") : (null, null)), Choices(12, 8));

        Assert.Equal(ModelRole.Base, belowFloor.Role);
        Assert.StartsWith("Auto: base — fine-tuned success 85 % of 40 calls is below the 90 % floor (base 100 % of 40)", belowFloor.Reason);
        Assert.DoesNotContain("not counted", belowFloor.Reason);
        Assert.Equal(ModelRole.Base, clearlyBelowBase.Role);
        Assert.StartsWith("Auto: base — fine-tuned success 92 % of 50 calls is clearly below base 100 % of 50", clearlyBelowBase.Reason);
    }

    [Fact]
    public void A_failure_is_shared_when_the_other_model_failed_provider_wide_in_its_run_or_within_minutes_when_it_was_not_in_that_run()
    {
        var side = new Side();
        var sameRun = Guid.NewGuid();
        var otherRun = Guid.NewGuid();
        var fineTuned = new List<ModelCall>
        {
            Call(Ft, ModelRole.FineTuned, sameRun, T0, side, 0, "timeout"),
            Call(Ft, ModelRole.FineTuned, otherRun, T0.AddMinutes(30), side, 0, "server_error"),
            Call(Ft, ModelRole.FineTuned, Guid.NewGuid(), T0.AddMinutes(60), side, 0, "server_error"),
            Call(Ft, ModelRole.FineTuned, Guid.NewGuid(), T0.AddMinutes(90), side, 0, "model_not_found"),
        };
        var baseCalls = new List<ModelCall>
        {
            Call("base", ModelRole.Base, sameRun, T0, side, 0, "rate_limited"),
            // Not in the fine-tuned model's run, but failing provider-wide two minutes later: the same outage.
            Call("base", ModelRole.Base, Guid.NewGuid(), T0.AddMinutes(32), side, 0, "unreachable"),
            // Provider-wide, but long after the fine-tuned model's third failure.
            Call("base", ModelRole.Base, Guid.NewGuid(), T0.AddMinutes(70), side, 0, "server_error"),
            Call("base", ModelRole.Base, Guid.NewGuid(), T0.AddMinutes(90), side, 0, "timeout"),
        };

        var (counted, excused) = SharedFailures.Split(fineTuned, baseCalls);

        Assert.Equal([fineTuned[0], fineTuned[1]], excused);
        Assert.Equal([fineTuned[2], fineTuned[3]], counted);
    }

    [Fact]
    public void A_provider_wide_failure_is_blamed_when_the_other_model_answered_in_the_same_run()
    {
        var run = Guid.NewGuid();
        var side = new Side();
        var fineTuned = new List<ModelCall> { Call(Ft, ModelRole.FineTuned, run, T0, side, 0, "rate_limited") };
        // The base model answered in this run; another base failure a minute later does not excuse it.
        var baseCalls = new List<ModelCall>
        {
            Call("base", ModelRole.Base, run, T0, side, 0, null),
            Call("base", ModelRole.Base, Guid.NewGuid(), T0.AddMinutes(1), side, 0, "rate_limited"),
        };

        var (counted, excused) = SharedFailures.Split(fineTuned, baseCalls);

        Assert.Single(counted);
        Assert.Empty(excused);
    }

    [Fact]
    public void Too_few_calls_leave_the_decision_to_the_held_out_verdict_and_say_so()
    {
        var few = Runs(T.MinSamples - 1);

        var recommended = Decide(Recommended, few);
        var notRecommended = Decide(NotRecommended, few);
        var unevaluated = Decide(null, few);

        Assert.Equal(ModelRole.FineTuned, recommended.Role);
        Assert.Equal("Auto: fine-tuned — held-out distance 0.21 vs base 0.76 (72 % closer, 20 briefs); too few calls to compare (9 fine-tuned, 9 base; 10 needed each), so the held-out verdict decides and the fine-tuned model gets measured.",
            recommended.Reason);
        Assert.Equal(ModelRole.Base, notRecommended.Role);
        Assert.Contains("not recommended on held-out briefs (distance 0.78 vs base 0.76", notRecommended.Reason);
        Assert.Contains("too few calls to compare", notRecommended.Reason);
        Assert.Equal(ModelRole.Base, unevaluated.Role);
    }

    [Fact]
    public void Failures_that_hit_both_models_do_not_count_as_samples()
    {
        var decision = Decide(NotRecommended, Runs(15, failures: i => i < 8 ? ("timeout", "timeout") : (null, null)), Choices(7, 0));

        Assert.Equal(ModelRole.Base, decision.Role);
        Assert.Contains("too few calls to compare (7 fine-tuned, 7 base; 10 needed each)", decision.Reason);
        Assert.Contains("16 timeout failures hit both models", decision.Reason);
    }

    [Fact]
    public void Much_slower_or_much_dearer_loses_to_the_base_model_even_when_recommended()
    {
        var slow = Decide(Recommended, Runs(40, new Side(LatencyMs: 500), new Side(LatencyMs: 500 * T.MaxLatencyRatio + 50)));
        var dear = Decide(Recommended, Runs(40, new Side(Cost: 0.002m), new Side(Cost: 0.002m * (decimal)T.MaxCostRatio + 0.001m)));

        Assert.Equal(ModelRole.Base, slow.Role);
        Assert.StartsWith("Auto: base — fine-tuned median latency 1051 ms is over 2× base 501 ms", slow.Reason);
        Assert.Equal(ModelRole.Base, dear.Role);
        Assert.StartsWith("Auto: base — fine-tuned cost per call 0.007 is over 3× base 0.002", dear.Reason);
    }

    [Fact]
    public void The_reason_fits_the_stored_column_whatever_the_failures()
    {
        var codes = SharedFailures.ProviderWideCodes.ToArray();
        var calls = Runs(60, failures: i => i % 2 == 0 ? (codes[i % codes.Length], codes[(i + 1) % codes.Length]) : (null, null));

        var decision = Decide(NotRecommended, calls, Choices(30, 20), overridden: true);

        Assert.True(decision.Reason.Length <= AutoRule.MaxReasonLength, $"{decision.Reason.Length} characters");
    }

    [Fact]
    public void Planners_choices_count_only_runs_that_showed_both_columns_and_where_a_plan_was_chosen()
    {
        Guid a = Guid.NewGuid(), b = Guid.NewGuid(), c = Guid.NewGuid(), d = Guid.NewGuid();
        var result = ABResult.From(
        [
            new(a, ModelRole.Base, 90, null), new(a, ModelRole.FineTuned, 94, T0),
            new(b, ModelRole.Base, 92, T0), new(b, ModelRole.FineTuned, 90, null),
            new(c, ModelRole.Base, 91, null), new(c, ModelRole.FineTuned, 91, null),
            new(d, ModelRole.FineTuned, 99, T0),
        ]);

        Assert.Equal(new ABResult(2, 1, 1, (4 - 2 + 0) / 3.0, 3), result);
    }

    [Fact]
    public void Stats_compute_success_rate_average_quality_median_latency_and_cost_per_call()
    {
        var calls = new List<ModelCall>
        {
            new() { UserId = "u", Provider = "p", Model = "m", Reason = "r", Succeeded = true, QualityScore = 80, LatencyMs = 100, Cost = 0.01m },
            new() { UserId = "u", Provider = "p", Model = "m", Reason = "r", Succeeded = true, QualityScore = 90, LatencyMs = 300, Cost = 0.03m },
            new() { UserId = "u", Provider = "p", Model = "m", Reason = "r", Succeeded = false, LatencyMs = 200, Cost = 0m },
            new() { UserId = "u", Provider = "p", Model = "m", Reason = "r", Succeeded = true, QualityScore = 70, LatencyMs = 400, Cost = 0.02m },
        };

        var stats = ModelStats.From(calls);

        Assert.Equal(4, stats.Calls);
        Assert.Equal(0.75, stats.SuccessRate);
        Assert.Equal(80, stats.AverageQuality);
        Assert.Equal(200, stats.P50LatencyMs);
        Assert.Equal(0.015m, stats.CostPerCall);
        Assert.Equal(400, ModelStats.Percentile([100, 200, 300, 400], 0.95));
    }

    [Fact]
    public void Call_cost_is_tokens_times_the_price_per_million()
    {
        var price = new MediaPlanner.Domain.Training.ModelPrice { Model = "gpt-4o-mini-2024-07-18", InputPerMillion = 0.15m, OutputPerMillion = 0.60m, Source = "s" };

        Assert.Equal(0.00015m * 2 + 0.0006m * 3, MediaPlanner.Domain.Planning.ModelCost.Of(2_000, 3_000, price));
        Assert.Equal(0.15m + 0.60m, MediaPlanner.Domain.Planning.ModelCost.Of(1_000_000, 1_000_000, price));
    }
}
