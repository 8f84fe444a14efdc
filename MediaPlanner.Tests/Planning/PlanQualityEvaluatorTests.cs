using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Tests.Infrastructure;

namespace MediaPlanner.Tests.Planning;

public class PlanQualityEvaluatorTests
{
    private static readonly PlanQualityEvaluator Evaluator = new();

    /// <summary>A budget that buys the default audience an effective frequency over six weeks, so the sound plan is not thin.</summary>
    private const decimal SoundBudget = 5_000_000m;

    private static CampaignBrief Brief(params Channel[] channels) => TestData.Brief(budget: SoundBudget, channels: channels.Length == 0 ? null : channels);

    private static readonly PlanRequest Request = TestData.Request(Brief());
    private static readonly PlanEvaluationContext Context = PlanEvaluationContext.From(Request);

    /// <summary>The engine's first (reach-led) plan for the four-channel Awareness brief.</summary>
    private static MediaPlan SoundPlan() => TestData.Plans(Request)[0];

    private static QualityReport Evaluate(MediaPlan plan) => Evaluator.Evaluate(plan, Context);

    private static QualityCriterion Criterion(QualityReport report, string name) => report.Criteria.Single(c => c.Name == name);

    private static void AssertClearlyWorse(MediaPlan bad, string criterion, string reasonFragment)
    {
        var good = Evaluate(SoundPlan());
        var report = Evaluate(bad);

        Assert.True(report.Score <= good.Score - 10, $"bad plan scored {report.Score}, sound plan {good.Score}");
        Assert.True(Criterion(report, criterion).Score < Criterion(good, criterion).Score,
            $"{criterion} did not drop: {Criterion(report, criterion).Score} vs {Criterion(good, criterion).Score}");
        Assert.Contains(reasonFragment, Criterion(report, criterion).Reason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Every_engine_plan_for_a_brief_its_budget_can_serve_scores_at_least_90_uncapped()
    {
        foreach (var plan in TestData.Plans(Request))
        {
            var report = Evaluate(plan);
            Assert.True(report.Score >= 90, $"{plan.StrategyName} scored {report.Score}: {report.Headline}");
            Assert.Null(report.Ceiling);
        }
    }

    [Fact]
    public void A_sound_plan_passes_the_budget_completeness_and_accuracy_checks_in_full()
    {
        var report = Evaluate(SoundPlan());

        Assert.Equal(1, Criterion(report, "Budget adherence").Score);
        Assert.Equal(1, Criterion(report, "Allocation completeness").Score);
        Assert.Equal(1, Criterion(report, "Estimate accuracy").Score);
        Assert.Equal(1, Criterion(report, "Rationale quality").Score);
    }

    [Fact]
    public void An_overspending_plan_scores_clearly_lower_on_budget_adherence()
    {
        var plan = SoundPlan();
        var bad = plan with { LineItems = [.. plan.LineItems.Select(i => i with { Spend = decimal.Round(i.Spend * 1.3m, 2) })] };

        AssertClearlyWorse(bad, "Budget adherence", "Overspends");
    }

    [Fact]
    public void An_underspending_plan_loses_budget_points_and_says_how_much_is_left()
    {
        var plan = SoundPlan();
        var bad = plan with { LineItems = [.. plan.LineItems.Select(i => i with { Spend = decimal.Round(i.Spend * 0.5m, 2) })] };

        var report = Evaluate(bad);

        Assert.True(Criterion(report, "Budget adherence").Score < 0.1);
        Assert.Contains("Leaves", Criterion(report, "Budget adherence").Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_one_channel_plan_scores_clearly_lower_when_several_channels_are_allowed()
    {
        // A consistent plan (the engine's own, for a Social-only brief with the same budget), judged against the
        // four-channel brief: only its lack of diversity is wrong with it.
        var oneChannel = TestData.Plans(TestData.Request(Brief(Channel.Social)))[0];
        Assert.Single(oneChannel.LineItems);

        AssertClearlyWorse(oneChannel, "Allocation diversity", "1 channel");
        Assert.Equal(0, Criterion(Evaluate(oneChannel), "Allocation diversity").Score);
        Assert.Equal(1, Criterion(Evaluate(oneChannel), "Budget adherence").Score);
        Assert.Equal(1, Criterion(Evaluate(oneChannel), "Estimate accuracy").Score);
    }

    [Fact]
    public void A_one_channel_plan_is_not_penalised_when_only_one_channel_was_allowed()
    {
        var request = TestData.Request(Brief(Channel.Social));
        var plan = TestData.Plans(request)[0];

        var report = Evaluator.Evaluate(plan, PlanEvaluationContext.From(request));

        Assert.Equal(1, Criterion(report, "Allocation diversity").Score);
    }

    [Fact]
    public void An_even_split_over_three_channels_earns_full_diversity_and_a_lopsided_one_less()
    {
        var plan = SoundPlan();
        PlanLineItem Line(Channel channel, decimal spend) => plan.LineItems[0] with { Channel = channel, Spend = spend, Share = (double)(spend / plan.Budget) };
        var even = plan with { LineItems = [Line(Channel.Search, 83_333.34m), Line(Channel.Social, 83_333.33m), Line(Channel.Display, 83_333.33m)] };
        var lopsided = plan with { LineItems = [Line(Channel.Search, 200_000m), Line(Channel.Social, 25_000m), Line(Channel.Display, 25_000m)] };

        var evenScore = Criterion(Evaluate(even), "Allocation diversity").Score;
        var lopsidedScore = Criterion(Evaluate(lopsided), "Allocation diversity").Score;

        Assert.Equal(1, evenScore, 6);
        Assert.InRange(lopsidedScore, 0.01, 0.99);
    }

    [Fact]
    public void A_plan_without_rationale_scores_clearly_lower_on_rationale_quality()
    {
        var plan = SoundPlan();
        var bad = plan with { Rationale = "", LineItems = [.. plan.LineItems.Select(i => i with { Rationale = "" })] };

        AssertClearlyWorse(bad, "Rationale quality", "No rationale");
        Assert.Contains("line rationale", Criterion(Evaluate(bad), "Allocation completeness").Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_vague_rationale_without_figures_or_channels_loses_rationale_points()
    {
        var plan = SoundPlan();
        var bad = plan with { Rationale = "This plan is good because it is balanced and sensible for the brand." };

        var criterion = Criterion(Evaluate(bad), "Rationale quality");

        Assert.True(criterion.Score < Criterion(Evaluate(plan), "Rationale quality").Score);
        Assert.Contains("cites no figures", criterion.Reason, StringComparison.Ordinal);
        Assert.Contains("names few of its channels", criterion.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plan_with_impossible_estimates_scores_clearly_lower_on_estimate_accuracy()
    {
        var plan = SoundPlan();
        var bad = plan with
        {
            LineItems = [.. plan.LineItems.Select(i => i with
            {
                Impressions = i.Impressions * 10,
                Reach = plan.AudienceSize * 2,
                Frequency = 0.5,
                Cpm = i.Cpm * 50,
            })],
        };

        AssertClearlyWorse(bad, "Estimate accuracy", "impressions do not match");
    }

    public static TheoryData<string, string> ImpossibleEstimates => new()
    {
        { "impressions x10", "impressions do not match spend / CPM" },
        { "reach above audience", "reaches more people than the audience has" },
        { "frequency below 1", "frequency is below 1" },
        { "CPM x50", "outside its benchmark range" },
        { "frequency not impressions / reach", "frequency is not impressions / reach" },
        { "reach half the reach model's", "is not the reach model's" },
    };

    [Theory]
    [MemberData(nameof(ImpossibleEstimates))]
    public void Each_impossible_estimate_is_caught_and_named(string distortion, string reason)
    {
        var plan = SoundPlan();
        PlanLineItem Distort(PlanLineItem i) => distortion switch
        {
            "impressions x10" => i with { Impressions = i.Impressions * 10 },
            "reach above audience" => i with { Reach = plan.AudienceSize + 1_000, Frequency = Math.Round(i.Impressions / (double)(plan.AudienceSize + 1_000), 2) },
            "frequency below 1" => i with { Frequency = 0.5 },
            "CPM x50" => i with { Cpm = i.Cpm * 50, Impressions = (long)Math.Round(i.Spend / (i.Cpm * 50) * 1000) },
            "frequency not impressions / reach" => i with { Frequency = i.Frequency * 2 },
            "reach half the reach model's" => i with { Reach = i.Reach / 2, Frequency = Math.Round(i.Impressions / (double)(i.Reach / 2), 2) },
            _ => throw new ArgumentOutOfRangeException(nameof(distortion)),
        };
        var bad = plan with { LineItems = [Distort(plan.LineItems[0]), .. plan.LineItems.Skip(1)] };

        var criterion = Criterion(Evaluate(bad), "Estimate accuracy");

        Assert.True(criterion.Score < 1, $"{distortion} was not noticed");
        Assert.Contains(reason, criterion.Reason, StringComparison.Ordinal);
        Assert.Contains(plan.LineItems[0].Channel.Display(), criterion.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_evaluator_recomputes_totals_rather_than_trusting_them()
    {
        var plan = SoundPlan();
        var bad = plan with { Totals = plan.Totals with { Spend = plan.Totals.Spend * 2, Impressions = plan.Totals.Impressions + 1 } };

        var criterion = Criterion(Evaluate(bad), "Allocation completeness");

        Assert.True(criterion.Score < 1);
        Assert.Contains("total spend", criterion.Reason, StringComparison.Ordinal);
        Assert.Contains("total impressions", criterion.Reason, StringComparison.Ordinal);
        // Budget adherence is judged on the line items, which still spend the budget exactly.
        Assert.Equal(1, Criterion(Evaluate(bad), "Budget adherence").Score);
    }

    [Fact]
    public void The_seven_criteria_are_weighted_15_10_10_10_15_20_20_and_the_weights_sum_to_one()
    {
        var report = Evaluate(SoundPlan());

        Assert.Equal(
            [("Budget adherence", 0.15), ("Allocation diversity", 0.10), ("Rationale quality", 0.10), ("Allocation completeness", 0.10),
             ("Estimate accuracy", 0.15), ("Brief fit", 0.20), ("KPI fit", 0.20)],
            report.Criteria.Select(c => (c.Name, c.Weight)));
        Assert.Equal(1.0, report.Criteria.Sum(c => c.Weight), 12);
        Assert.Equal(1.0, PlanQualityEvaluator.BudgetWeight + PlanQualityEvaluator.DiversityWeight + PlanQualityEvaluator.RationaleWeight
                          + PlanQualityEvaluator.CompletenessWeight + PlanQualityEvaluator.AccuracyWeight + PlanQualityEvaluator.BriefFitWeight
                          + PlanQualityEvaluator.KpiFitWeight, 12);
    }

    public static TheoryData<string> PlanVariants => new() { "sound", "overspend", "empty", "nonsense", "one channel", "no rationale" };

    private static MediaPlan Variant(string name)
    {
        var plan = SoundPlan();
        return name switch
        {
            "sound" => plan,
            "overspend" => plan with { LineItems = [.. plan.LineItems.Select(i => i with { Spend = i.Spend * 100 })] },
            "empty" => plan with { LineItems = [], Rationale = "" },
            "nonsense" => plan with { LineItems = [.. plan.LineItems.Select(i => i with { Spend = -i.Spend, Share = 7, Cpm = 0, Impressions = -5, Reach = -1, Frequency = -3, Format = "" })] },
            "one channel" => TestData.Plans(TestData.Request(Brief(Channel.Search)))[0],
            "no rationale" => plan with { Rationale = "   ", LineItems = [.. plan.LineItems.Select(i => i with { Rationale = "" })] },
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
    }

    [Theory]
    [MemberData(nameof(PlanVariants))]
    public void The_score_is_the_weighted_sum_of_criteria_within_0_to_100(string variant)
    {
        var report = Evaluate(Variant(variant));

        Assert.InRange(report.Score, 0, 100);
        Assert.All(report.Criteria, c => Assert.InRange(c.Score, 0, 1));
        Assert.All(report.Criteria, c => Assert.False(string.IsNullOrWhiteSpace(c.Reason)));
        // Under a ceiling the sum is scaled into 0–ceiling, so capped plans keep their order.
        var sum = report.Criteria.Sum(c => c.Weight * c.Score) * 100;
        Assert.Equal(Math.Round(report.Ceiling is { } ceiling ? sum * ceiling / 100 : sum, 1), report.Score, 6);
        Assert.True(report.Score <= (report.Ceiling ?? 100));
    }

    [Fact]
    public void An_empty_plan_scores_low_without_throwing()
    {
        var plan = SoundPlan() with { LineItems = [] };

        var report = Evaluate(plan);

        Assert.True(report.Score < 20, $"an empty plan scored {report.Score}");
        Assert.Equal(0, Criterion(report, "Budget adherence").Score);
        Assert.Equal(0, Criterion(report, "Allocation diversity").Score);
        Assert.Equal(0, Criterion(report, "Allocation completeness").Score);
        Assert.Equal(0, Criterion(report, "Estimate accuracy").Score);
    }

    [Fact]
    public void A_context_with_no_budget_scores_budget_adherence_zero_without_dividing_by_zero()
    {
        var report = Evaluator.Evaluate(SoundPlan(), Context with { Budget = 0 });

        Assert.Equal(0, Criterion(report, "Budget adherence").Score);
        Assert.InRange(report.Score, 0, 100);
    }

    [Fact]
    public void The_context_converts_benchmark_cpm_ranges_into_the_brief_currency()
    {
        var euro = PlanEvaluationContext.From(TestData.Request(TestData.Brief(currency: "EUR", market: "DE")));

        // Search's seeded range is USD 20–60; at 0.93 EUR per USD that is EUR 18.60–55.80.
        Assert.Equal((18.60m, 55.80m), euro.CpmRanges[Channel.Search]);
        Assert.Equal(4, euro.AllowedChannels);
        Assert.Equal(250_000m, euro.Budget);
        Assert.Equal(("EUR", BriefLimits.DefaultEffectiveFrequency), (euro.Basis!.Currency, euro.EffectiveFrequency));
        Assert.False(euro.Kpis.Any);
        Assert.Equal(("EUR", "DE", "Northwind Running", "Spring launch", Objective.Awareness), (euro.CurrencyCode, euro.MarketCode, euro.Brand, euro.CampaignName, euro.Objective));
        Assert.Equal((new DateOnly(2027, 3, 1), new DateOnly(2027, 4, 11)), (euro.FlightStart, euro.FlightEnd));
        Assert.Equal(TestData.DefaultChannels.ToHashSet(), euro.Channels);
    }
}
