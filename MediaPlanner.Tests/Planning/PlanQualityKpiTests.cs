using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Tests.Infrastructure;

namespace MediaPlanner.Tests.Planning;

/// <summary>KPI fit: the brief's targets (or the objective's own KPI) measured by the reach model, never taken from the plan.</summary>
public class PlanQualityKpiTests
{
    private static readonly PlanQualityEvaluator Evaluator = new();

    private static CampaignBrief Brief(Objective objective = Objective.Consideration, Channel[]? channels = null) =>
        TestData.Brief(budget: 5_000_000m, objective: objective, channels: channels);

    private static (MediaPlan Plan, PlanEvaluationContext Context, PlanFigures Figures) Judge(CampaignBrief brief, int alternative = 0)
    {
        var request = TestData.Request(brief);
        var plan = TestData.Plans(request)[alternative];
        return (plan, PlanEvaluationContext.From(request), PlanFigures.Of(plan, PlanBasis.From(request)));
    }

    private static QualityCriterion KpiFit(QualityReport report) => report.Criteria.Single(c => c.Name == PlanQualityEvaluator.KpiFitName);

    [Fact]
    public void Targets_the_plan_meets_earn_full_kpi_fit_and_no_finding()
    {
        var brief = Brief();
        var (_, _, figures) = Judge(brief);
        brief.KpiReachPercent = Math.Floor(figures.ReachPercent);
        brief.KpiFrequency = Math.Floor(figures.AverageFrequency);
        brief.KpiCpc = Math.Ceiling(figures.Cpc!.Value * 100) / 100;
        brief.KpiCpa = Math.Ceiling(figures.Cpa!.Value);
        brief.KpiCtrPercent = Math.Floor(figures.CtrPercent!.Value * 10) / 10;
        var (plan, context, _) = Judge(brief);

        var report = Evaluator.Evaluate(plan, context);

        Assert.Equal(1, KpiFit(report).Score);
        Assert.StartsWith("Meets the brief's KPIs: reach 1+", KpiFit(report).Reason, StringComparison.Ordinal);
        Assert.Null(report.Ceiling);
        Assert.DoesNotContain(report.Reasons!, r => r.StartsWith("Misses", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missed_target_earns_credit_in_proportion_to_how_close_it_comes()
    {
        var brief = Brief();
        var (_, _, figures) = Judge(brief);
        brief.KpiCpc = decimal.Round(figures.Cpc!.Value / 2, 2);
        brief.KpiReachPercent = Math.Min(100, figures.ReachPercent + 1);
        var (plan, context, _) = Judge(brief);

        var report = Evaluator.Evaluate(plan, context);

        var cpcScore = (double)(brief.KpiCpc.Value / figures.Cpc.Value);
        var reachScore = figures.ReachPercent / brief.KpiReachPercent.Value;
        Assert.Equal((cpcScore + reachScore) / 2, KpiFit(report).Score, 3);
        Assert.StartsWith("Misses 2 of 2 KPIs: reach 1+", KpiFit(report).Reason, StringComparison.Ordinal);
        Assert.Equal(PlanQualityEvaluator.ShortfallCeiling, report.Ceiling);
        Assert.Equal(2, report.Reasons!.Count(r => r.StartsWith("Misses the brief's", StringComparison.Ordinal)));
    }

    [Fact]
    public void Kpis_are_measured_by_the_reach_model_not_taken_from_the_plans_claims()
    {
        var brief = Brief();
        brief.KpiCpc = 0.40m;
        brief.KpiReachPercent = 99;
        var (plan, context, _) = Judge(brief);
        // The plan claims ten times the clicks and all of the audience: its KPI fit does not move.
        var boasting = plan with
        {
            LineItems = [.. plan.LineItems.Select(i => i with { Clicks = i.Clicks * 10 })],
            Totals = plan.Totals with { Clicks = plan.Totals.Clicks * 10, Reach = context.AudienceSize, ReachPercent = 100 },
        };

        var honest = Evaluator.Evaluate(plan, context);
        var claimed = Evaluator.Evaluate(boasting, context);

        Assert.Equal(KpiFit(honest).Score, KpiFit(claimed).Score);
        Assert.Equal(KpiFit(honest).Reason, KpiFit(claimed).Reason);
    }

    [Fact]
    public void A_cost_target_with_nothing_to_measure_it_by_is_missed()
    {
        // Connected TV and radio carry no click benchmark: no clicks, so no CPC can meet the target.
        var brief = Brief(channels: [Channel.ConnectedTv, Channel.Radio]);
        brief.KpiCpc = 2m;
        var (plan, context, _) = Judge(brief);

        var report = Evaluator.Evaluate(plan, context);

        Assert.Equal(0, KpiFit(report).Score);
        Assert.StartsWith("Misses the brief's CPC KPI: CPC none (no clicks or conversions) against the target USD 2.00", report.Headline, StringComparison.Ordinal);
    }

    public static TheoryData<Objective, string> Defaults => new()
    {
        { Objective.Awareness, "No KPI stated, so judged on Awareness's 3+ reach: effective reach (3+)" },
        { Objective.Consideration, "No KPI stated, so judged on Consideration's CPC: CPC USD" },
        { Objective.Conversion, "No KPI stated, so judged on Conversion's CPA: CPA USD" },
    };

    [Theory]
    [MemberData(nameof(Defaults))]
    public void With_no_target_the_objectives_own_kpi_is_judged_against_the_benchmark_weighted_split_and_said_so(Objective objective, string reason)
    {
        var (plan, context, _) = Judge(Brief(objective));

        var criterion = KpiFit(Evaluator.Evaluate(plan, context));

        Assert.StartsWith(reason, criterion.Reason, StringComparison.Ordinal);
        Assert.Contains("for the benchmark-weighted split", criterion.Reason, StringComparison.Ordinal);
        Assert.InRange(criterion.Score, 0.01, 1);
    }

    [Fact]
    public void The_default_conversion_kpi_prefers_the_plan_with_the_lower_measured_cpa_and_does_not_cap()
    {
        var request = TestData.Request(Brief(Objective.Conversion));
        var context = PlanEvaluationContext.From(request);
        var basis = PlanBasis.From(request);
        var template = TestData.Plans(request)[0];
        MediaPlan AllIn(Channel channel)
        {
            var format = basis.FormatsOf(channel).First();
            return PlanMath.Recompute(template with
            {
                LineItems = [new PlanLineItem(channel, format.Format, context.Budget, 1, format.Cpm, 0, 0, 0, 0, "All of the budget.")],
            }, basis);
        }

        var social = Evaluator.Evaluate(AllIn(Channel.Social), context);
        var video = Evaluator.Evaluate(AllIn(Channel.OnlineVideo), context);

        Assert.Equal(1, KpiFit(social).Score);
        Assert.True(KpiFit(video).Score < 0.1, KpiFit(video).Reason);
        Assert.Contains(video.Reasons!, r => r.StartsWith("No KPI stated, so judged on Conversion's CPA", StringComparison.Ordinal));
        Assert.NotEqual(PlanQualityEvaluator.ShortfallCeiling, video.Ceiling);
    }

    [Fact]
    public void A_consideration_brief_on_channels_without_clicks_is_judged_on_effective_reach()
    {
        var (plan, context, _) = Judge(Brief(channels: [Channel.ConnectedTv, Channel.Radio]));

        var criterion = KpiFit(Evaluator.Evaluate(plan, context));

        Assert.StartsWith("No KPI stated, so judged on Consideration's 3+ reach", criterion.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_benchmark_basis_kpis_are_not_measured()
    {
        var (plan, context, _) = Judge(Brief());

        var criterion = KpiFit(Evaluator.Evaluate(plan, context with { Basis = null }));

        Assert.Equal(0, criterion.Score);
        Assert.Equal("The KPIs cannot be measured without the brief's benchmarks.", criterion.Reason);
    }

    [Fact]
    public void The_context_carries_the_briefs_kpi_targets_and_basis()
    {
        var brief = Brief();
        (brief.KpiReachPercent, brief.KpiFrequency, brief.KpiCpc, brief.KpiCpa, brief.KpiCtrPercent, brief.EffectiveFrequency) = (40, 3, 2m, 25m, 0.8, 4);

        var context = PlanEvaluationContext.From(TestData.Request(brief));

        Assert.Equal(new KpiTargets(40, 3, 2m, 25m, 0.8), context.Kpis);
        Assert.True(context.Kpis.Any);
        Assert.Equal(4, context.EffectiveFrequency);
        Assert.Equal(("USD", 4), (context.Basis!.Currency, context.Basis.EffectiveFrequency));
    }
}
