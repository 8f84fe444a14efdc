using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Tests.Infrastructure;

namespace MediaPlanner.Tests.Planning;

public class ReachCurveTests
{
    public static TheoryData<Objective> Objectives => new(Enum.GetValues<Objective>());

    [Theory]
    [MemberData(nameof(Objectives))]
    public void The_curve_at_the_plans_budget_matches_the_engines_plan(Objective objective)
    {
        var request = TestData.Request(TestData.Brief(objective: objective));
        var basis = PlanBasis.From(request);
        foreach (var plan in TestData.Plans(request))
        {
            var point = ReachCurve.ForPlan(plan, basis).Single(p => p.BudgetFactor == 1.0);
            Assert.Equal(plan.Totals.ReachPercent, point.ReachPercent, 1);
            Assert.Equal(plan.Totals.AverageFrequency, point.AverageFrequency, 1);
            Assert.Equal(plan.Totals.Spend, point.Spend);
            var figures = PlanFigures.Of(plan, basis);
            Assert.Equal(plan.Totals.ReachPercent, figures.ReachPercent, 1);
            Assert.Equal(plan.Totals.Impressions, figures.Impressions);
            Assert.Equal(plan.Totals.Clicks, figures.Clicks);
        }
    }

    [Theory]
    [MemberData(nameof(Objectives))]
    public void Reach_rises_with_budget_at_a_falling_rate_and_effective_reach_never_exceeds_it(Objective objective)
    {
        var request = TestData.Request(TestData.Brief(objective: objective));
        var basis = PlanBasis.From(request);
        foreach (var plan in TestData.Plans(request))
        {
            var curve = ReachCurve.ForPlan(plan, basis);
            Assert.Equal(15, curve.Count);
            Assert.Equal(0.25, curve[0].BudgetFactor);
            Assert.Equal(2.0, curve[^1].BudgetFactor);
            for (var i = 1; i < curve.Count; i++)
            {
                Assert.True(curve[i].ReachPercent > curve[i - 1].ReachPercent, $"{plan.StrategyName}: reach must rise at {curve[i].BudgetFactor}");
                Assert.True(curve[i].EffectiveReachPercent >= curve[i - 1].EffectiveReachPercent);
                Assert.True(curve[i].EffectiveReachPercent <= curve[i].ReachPercent);
                Assert.True(curve[i].AverageFrequency >= curve[i - 1].AverageFrequency - 1e-9);
            }
            // Concave: each equal step of budget adds less reach than the one before.
            for (var i = 2; i < curve.Count; i++)
                Assert.True(curve[i].ReachPercent - curve[i - 1].ReachPercent <= curve[i - 1].ReachPercent - curve[i - 2].ReachPercent + 1e-9,
                    $"{plan.StrategyName}: reach gain must shrink at {curve[i].BudgetFactor}");
        }
    }

    [Fact]
    public void The_frequency_distribution_falls_from_one_plus_reach_and_includes_the_effective_threshold()
    {
        var brief = TestData.Brief();
        brief.EffectiveFrequency = 7;
        var request = TestData.Request(brief);
        var plan = TestData.Plans(request)[0];
        var figures = PlanFigures.Of(plan, PlanBasis.From(request));
        Assert.Equal([1, 2, 3, 4, 5, 7], figures.Distribution.Select(b => b.AtLeast));
        Assert.Equal(figures.ReachPercent, figures.Distribution[0].ReachPercent, 1);
        for (var i = 1; i < figures.Distribution.Count; i++)
            Assert.True(figures.Distribution[i].ReachPercent < figures.Distribution[i - 1].ReachPercent);
        Assert.Equal(figures.Distribution[^1].ReachPercent, figures.EffectiveReachPercent, 2);
        // Every person counted at 1+ is exposed at least once: exposures ≥ people reached.
        Assert.True(figures.AverageFrequency >= 1);
    }

    [Fact]
    public void A_single_line_distribution_is_geometric_with_the_lines_reach_and_frequency()
    {
        var distribution = ReachModel.ExposureDistribution([(0.4, 2.5)]);
        var q = 1 - 1 / 2.5;
        Assert.Equal(0.6, distribution[0], 12);
        Assert.Equal(0.4, ReachModel.AtLeast(distribution, 1), 12);
        Assert.Equal(0.4 * q, ReachModel.AtLeast(distribution, 2), 12);
        Assert.Equal(0.4 * q * q, ReachModel.AtLeast(distribution, 3), 12);
        var mean = Enumerable.Range(0, distribution.Length).Sum(k => k * distribution[k]) / 0.4;
        Assert.Equal(2.5, mean, 2);
    }

    [Fact]
    public void Conversions_come_from_clicks_at_the_benchmark_conversion_rate_and_price_the_cpa()
    {
        var request = TestData.Request(TestData.Brief(objective: Objective.Conversion));
        var basis = PlanBasis.From(request);
        var plan = TestData.Plans(request)[^1];
        var figures = PlanFigures.Of(plan, basis);
        var expected = plan.LineItems.Sum(l => l.Clicks * (basis.For(l.Channel, l.Format, l.Cpm)!.ConversionRate ?? 0));
        Assert.True(expected > 0);
        Assert.Equal(expected, figures.Conversions, 6);
        Assert.Equal(decimal.Round(plan.Totals.Spend / (decimal)expected, 2), figures.Cpa);
        Assert.Equal(decimal.Round(plan.Totals.Spend / plan.Totals.Clicks, 2), figures.Cpc);
    }
}
