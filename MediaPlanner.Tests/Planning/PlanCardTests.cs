using Bunit;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web.Components.Shared;

namespace MediaPlanner.Tests.Planning;

public class PlanCardTests : ComponentTestContext
{
    private static PlanView View(MediaPlan plan, double latencyMs = 1.5)
    {
        var request = TestData.Request();
        var quality = new PlanQualityEvaluator().Evaluate(plan, PlanEvaluationContext.From(request));
        var entity = new GeneratedPlan
        {
            Id = 42, BriefId = 1, Provider = "local", Model = "local-mix-v1", StrategyName = plan.StrategyName,
            PlanJson = PlanJson.Serialize(plan), QualityScore = quality.Score, QualityJson = "{}", LatencyMs = latencyMs, CreatedById = "u",
        };
        return new PlanView(entity, plan, quality);
    }

    private static MediaPlan EnginePlan() =>
        new LocalMediaMixEngine(MediaMixParameters.Default).Generate(TestData.Request())[0];

    [Fact]
    public void The_card_shows_the_plan_totals_lines_chart_and_quality_breakdown()
    {
        var plan = EnginePlan();
        var view = View(plan);

        var cut = Render<PlanCard>(p => p.Add(c => c.View, view).Add(c => c.ShowDetails, true));

        Assert.Equal(plan.StrategyName, cut.Find("[data-testid=plan-strategy]").TextContent);
        Assert.Contains("local-mix-v1", cut.Find("[data-testid=plan-model]").TextContent);
        Assert.Contains("1.5 ms", cut.Find("[data-testid=plan-model]").TextContent);
        Assert.Equal($"{view.Quality.Score:0} / 100", cut.Find("[data-testid=plan-score]").TextContent.Trim());
        Assert.Equal($"{plan.Totals.ReachPercent:0.0}%", cut.Find("[data-testid=plan-reach]").TextContent);
        Assert.Equal(plan.LineItems.Count, cut.FindAll("[data-testid=line-items] tbody tr").Count);
        Assert.Equal(plan.LineItems.Count, cut.FindAll("[data-testid=allocation-chart] span").Count);
        Assert.Equal(7, cut.FindAll("[data-testid=quality-breakdown] .mp-criterion").Count);
        Assert.Contains("Budget adherence", cut.Find("[data-testid=quality-breakdown]").TextContent);
    }

    [Fact]
    public void A_capped_plan_shows_why_before_the_breakdown()
    {
        var plan = EnginePlan() with { Brand = "n/a", Currency = "EUR" };

        var cut = Render<PlanCard>(p => p.Add(c => c.View, View(plan)));

        var headline = cut.Find("[data-testid=quality-headline]").TextContent;
        Assert.StartsWith("Plan is in EUR, the brief in USD. The score is capped: scaled to at most 40.", headline.Trim(), StringComparison.Ordinal);
        Assert.Contains("Brand \"n/a\"", headline, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plan_with_nothing_wrong_shows_no_headline()
    {
        var plan = EnginePlan();
        var view = View(plan) with { Quality = new QualityReport(95, [], null, []) };

        var cut = Render<PlanCard>(p => p.Add(c => c.View, view));

        Assert.Empty(cut.FindAll("[data-testid=quality-headline]"));
    }

    [Fact]
    public void Allocation_segments_are_as_wide_as_each_line_share()
    {
        var plan = EnginePlan();

        var cut = Render<PlanCard>(p => p.Add(c => c.View, View(plan)));

        var widths = cut.FindAll("[data-testid=allocation-chart] span")
            .Select(s => double.Parse(s.GetAttribute("style")!.Split("width:")[1].Split('%')[0], System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        Assert.Equal(plan.LineItems.Select(i => Math.Round(i.Share * 100, 3)), widths.Select(w => Math.Round(w, 3)));
        Assert.Equal(100, widths.Sum(), 1);
    }

    [Fact]
    public void Downloads_point_at_the_plan_export_endpoints()
    {
        var cut = Render<PlanCard>(p => p.Add(c => c.View, View(EnginePlan())));

        var links = cut.FindAll("a[download]").Select(a => a.GetAttribute("href")).ToList();

        Assert.Contains("api/plans/42/export.xlsx", links);
        Assert.Contains("api/plans/42/export.csv", links);
    }

    [Fact]
    public void A_poor_plan_shows_a_low_score_and_the_reason()
    {
        var plan = EnginePlan();
        var overspent = plan with { LineItems = [.. plan.LineItems.Select(i => i with { Spend = i.Spend * 2 })], Rationale = "" };

        var cut = Render<PlanCard>(p => p.Add(c => c.View, View(overspent)));

        Assert.Contains("mud-chip-color-error", cut.Find("[data-testid=plan-score]").ClassName);
        Assert.Contains("Overspends", cut.Find("[data-testid=quality-breakdown]").TextContent);
        Assert.Contains("No rationale", cut.Find("[data-testid=quality-breakdown]").TextContent);
    }

    [Fact]
    public void A_planner_sees_the_model_plumbing_only_when_asked_and_an_admin_always()
    {
        var view = View(EnginePlan());
        SignInAs("planner-1", Roles.Planner);

        var hidden = Render<PlanCard>(p => p.Add(c => c.View, view));
        var asked = Render<PlanCard>(p => p.Add(c => c.View, view).Add(c => c.ShowDetails, true));

        Assert.Empty(hidden.FindAll("[data-testid=plan-model]"));
        Assert.Contains("local-mix-v1", asked.Find("[data-testid=plan-model]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void An_admin_sees_the_model_plumbing_without_asking()
    {
        SignInAs("admin-1", Roles.Admin);

        var cut = Render<PlanCard>(p => p.Add(c => c.View, View(EnginePlan())));

        Assert.Contains("1.5 ms", cut.Find("[data-testid=plan-model]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Measured_against_the_brief_the_card_shows_effective_reach_conversions_CPA_and_a_reach_and_frequency_panel()
    {
        var plan = EnginePlan();
        var basis = PlanBasis.From(TestData.Request());
        var figures = PlanFigures.Of(plan, basis);

        var cut = Render<PlanCard>(p => p.Add(c => c.View, View(plan)).Add(c => c.Basis, basis));

        Assert.Equal($"{figures.EffectiveReachPercent:0.0}%", cut.Find("[data-testid=plan-effective-reach]").TextContent);
        Assert.Equal(figures.Conversions.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), cut.Find("[data-testid=plan-conversions]").TextContent);
        Assert.Equal(figures.Cpa!.Value.ToString("N2", System.Globalization.CultureInfo.InvariantCulture), cut.Find("[data-testid=plan-cpa]").TextContent);
        Assert.Contains("Reach & frequency", cut.Find("[data-testid=reach-frequency-panel]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_the_briefs_basis_the_card_says_it_cannot_measure_conversions()
    {
        var cut = Render<PlanCard>(p => p.Add(c => c.View, View(EnginePlan())));

        Assert.Equal("—", cut.Find("[data-testid=plan-cpa]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=reach-frequency-panel]"));
    }
}
