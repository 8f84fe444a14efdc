using System.Globalization;
using Bunit;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web.Components.Shared;

namespace MediaPlanner.Tests.Planning;

public class ReachCurveChartTests : ComponentTestContext
{
    private static readonly PlanBasis Basis = PlanBasis.From(TestData.Request());

    private IRenderedComponent<ReachCurveChart> RenderChart(MediaPlan plan) =>
        Render<ReachCurveChart>(p => p.Add(c => c.Plan, plan).Add(c => c.Basis, Basis));

    private static string Cell(IRenderedComponent<ReachCurveChart> cut, int row, int column) =>
        cut.FindAll("[data-testid=curve-table] tbody tr")[row].Children[column].TextContent;

    [Fact]
    public void The_chart_has_a_point_per_budget_step_from_25_to_200_percent_with_the_plans_point_marked()
    {
        var plan = TestData.Plans()[1];
        var curve = ReachCurve.ForPlan(plan, Basis);

        var cut = RenderChart(plan);

        var points = cut.FindAll("[data-testid=curve-point]");
        Assert.Equal(curve.Count, points.Count);
        Assert.Equal(curve.Select(p => p.BudgetFactor.ToString(CultureInfo.InvariantCulture)), points.Select(p => p.GetAttribute("data-factor")));
        var marked = Assert.Single(points, p => p.GetAttribute("data-plan") == "true");
        Assert.Equal("1", marked.GetAttribute("data-factor"));
        Assert.Single(cut.FindAll("[data-testid=curve-plan-marker]"));
        // Reach rises with budget: the y of each point is above (smaller than) the one before.
        var ys = points.Select(p => double.Parse(p.GetAttribute("cy")!, CultureInfo.InvariantCulture)).ToList();
        Assert.True(ys.Zip(ys.Skip(1)).All(pair => pair.Second < pair.First));
    }

    [Fact]
    public void The_chart_is_described_for_screen_readers_and_its_data_is_a_table()
    {
        var plan = TestData.Plans()[0];
        var figures = PlanFigures.Of(plan, Basis);
        var atPlan = ReachCurve.ForPlan(plan, Basis).Single(p => p.BudgetFactor == 1);

        var cut = RenderChart(plan);

        var chart = cut.Find("[data-testid=curve-chart]");
        Assert.Equal("img", chart.GetAttribute("role"));
        var label = chart.GetAttribute("aria-label")!;
        Assert.Contains("Reach curve for the whole plan", label, StringComparison.Ordinal);
        Assert.Contains($"reach {atPlan.ReachPercent.ToString("0.0", CultureInfo.InvariantCulture)}%", label, StringComparison.Ordinal);
        Assert.Contains("effective reach 3+", label, StringComparison.Ordinal);
        Assert.Equal(15, cut.FindAll("[data-testid=curve-table] tbody tr").Count);
        Assert.Contains("(this plan)", Cell(cut, 6, 0), StringComparison.Ordinal);
        Assert.Contains("diminishing returns", cut.Find("[data-testid=curve-returns]").TextContent, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(figures.Distribution.Count, cut.FindAll("[data-testid=frequency-bucket]").Count);
        Assert.Contains(figures.CostPerReachPoint!.Value.ToString("N0", CultureInfo.InvariantCulture), cut.Find("[data-testid=cost-per-reach-point]").TextContent, StringComparison.Ordinal);

        // The table is there for screen readers all along; the toggle shows it to everyone.
        Assert.Contains("mud-sr-only", cut.Find("[data-testid=curve-table]").ParentElement!.ClassName);
        cut.Find("[data-testid=curve-table-toggle]").Click();
        Assert.DoesNotContain("mud-sr-only", cut.Find("[data-testid=curve-table]").ParentElement!.ClassName);
        Assert.Equal("true", cut.Find("[data-testid=curve-table-toggle]").GetAttribute("aria-expanded"));
    }

    [Fact]
    public void Choosing_a_line_draws_that_lines_curve()
    {
        var plan = TestData.Plans()[0];
        var line = plan.LineItems.Count - 1;
        var lineCurve = ReachCurve.ForLine(plan, line, Basis);
        var cut = RenderChart(plan);
        var wholePlan = Cell(cut, 14, 2);

        cut.Find("[data-testid=curve-line]").Change(line.ToString(CultureInfo.InvariantCulture));

        Assert.Equal($"{lineCurve[^1].ReachPercent.ToString("0.0", CultureInfo.InvariantCulture)}%", Cell(cut, 14, 2));
        Assert.NotEqual(wholePlan, Cell(cut, 14, 2));
        Assert.Contains($"Reach curve for {plan.LineItems[line].Channel.Display()}", cut.Find("[data-testid=curve-chart]").GetAttribute("aria-label"), StringComparison.Ordinal);
        Assert.Equal(lineCurve.Count, cut.FindAll("[data-testid=curve-point]").Count);
        var lineFigures = PlanFigures.Of(plan with { LineItems = [plan.LineItems[line]] }, Basis);
        Assert.Contains($"{lineFigures.Distribution[0].ReachPercent.ToString("0.0", CultureInfo.InvariantCulture)}%", cut.Find("[data-testid=frequency-bucket]").TextContent, StringComparison.Ordinal);

        cut.Find("[data-testid=curve-line]").Change("-1");
        Assert.Equal(wholePlan, Cell(cut, 14, 2));
    }
}
