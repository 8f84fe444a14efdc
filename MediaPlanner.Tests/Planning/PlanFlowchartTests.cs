using System.Globalization;
using Bunit;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web.Components.Shared;

namespace MediaPlanner.Tests.Planning;

public class PlanFlowchartTests : ComponentTestContext
{
    private static (MediaPlan Plan, PlanBasis Basis) Pulsed()
    {
        var brief = TestData.Brief();
        brief.Flighting = FlightingPattern.Pulsed;
        var request = TestData.Request(brief);
        return (TestData.Plans(request)[0], PlanBasis.From(request));
    }

    private static string Whole(decimal amount) => PlanCard.Compact((long)decimal.Round(amount, MidpointRounding.AwayFromZero));

    [Fact]
    public void The_flowchart_has_a_row_per_line_a_column_per_week_and_totals_both_ways()
    {
        var (plan, basis) = Pulsed();
        var chart = Flighting.For(plan, basis);

        var cut = Render<PlanFlowchart>(p => p.Add(c => c.Plan, plan).Add(c => c.Basis, basis));

        Assert.Equal(["01 Mar", "08 Mar", "15 Mar", "22 Mar", "29 Mar", "05 Apr"], cut.FindAll("[data-testid=flowchart-week]").Select(th => th.TextContent));
        var rows = cut.FindAll("[data-testid=flowchart-line]");
        Assert.Equal(plan.LineItems.Count, rows.Count);
        for (var k = 0; k < rows.Count; k++)
        {
            var line = chart.Lines[k];
            var cells = rows[k].QuerySelectorAll("td");
            Assert.Contains(plan.LineItems[k].Format, rows[k].QuerySelector("th")!.TextContent, StringComparison.Ordinal);
            Assert.Equal(chart.Weeks.Count + 1, cells.Length);
            foreach (var week in chart.Weeks)
            {
                Assert.Equal(week.On ? "on" : "off", cells[week.Index].ClassName);
                Assert.Equal(week.On ? Whole(line.WeekSpend[week.Index]) : "off", cells[week.Index].TextContent);
                Assert.StartsWith($"USD {line.WeekSpend[week.Index].ToString("N2", CultureInfo.InvariantCulture)}", cells[week.Index].GetAttribute("title"), StringComparison.Ordinal);
            }
            Assert.Equal(Whole(line.Spend), cells[^1].TextContent);
        }
        var total = cut.Find("[data-testid=flowchart-total]").QuerySelectorAll("td");
        Assert.Equal(chart.Weeks.Select(w => w.On ? Whole(chart.WeekSpend[w.Index]) : "off"), total.Take(chart.Weeks.Count).Select(td => td.TextContent));
        Assert.Equal(Whole(plan.Totals.Spend), total[^1].TextContent);
        Assert.Equal("off", total[2].TextContent);
    }

    [Fact]
    public void The_flowchart_names_the_briefs_pattern_and_runs_continuous_without_a_basis()
    {
        var (plan, basis) = Pulsed();

        var pulsed = Render<PlanFlowchart>(p => p.Add(c => c.Plan, plan).Add(c => c.Basis, basis));
        var continuous = Render<PlanFlowchart>(p => p.Add(c => c.Plan, plan));

        Assert.StartsWith("Pulsed: 2 weeks on, 1 off", pulsed.Find("[data-testid=flowchart-pattern]").TextContent, StringComparison.Ordinal);
        Assert.Contains("6 weeks", pulsed.Find("[data-testid=flowchart-pattern]").TextContent, StringComparison.Ordinal);
        Assert.StartsWith("Continuous", continuous.Find("[data-testid=flowchart-pattern]").TextContent, StringComparison.Ordinal);
        Assert.Empty(continuous.FindAll("td.off"));
    }

    [Fact]
    public void The_plan_card_offers_the_flowchart_in_a_panel_named_after_the_pattern()
    {
        var (plan, basis) = Pulsed();
        var entity = new GeneratedPlan
        {
            Id = 7, BriefId = 1, Provider = "local", Model = "local-mix-v1", StrategyName = plan.StrategyName,
            PlanJson = PlanJson.Serialize(plan), QualityJson = "{}", CreatedById = "u",
        };

        var cut = Render<PlanCard>(p => p.Add(c => c.View, new PlanView(entity, plan, new QualityReport(90, [], null, []))).Add(c => c.Basis, basis));

        Assert.Contains("Flowchart · Pulsed", cut.Find("[data-testid=flowchart-panel]").TextContent, StringComparison.Ordinal);
    }
}
