using Bunit;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web.Components.Pages.Briefs;

namespace MediaPlanner.Tests.Briefs;

public class BriefDetailsPanelTests : ComponentTestContext
{
    private IRenderedComponent<BriefDetailsPanel> RenderPanel(CampaignBrief brief) =>
        Render<BriefDetailsPanel>(p => p
            .Add(x => x.Brief, brief)
            .Add(x => x.Audience, AudienceEstimator.Estimate(brief, SeedReferenceData.Markets.Single(m => m.Code == brief.MarketCode))));

    [Fact]
    public void The_panel_shows_the_audience_size_with_its_arithmetic_and_sources()
    {
        var brief = TestData.Brief();
        brief.Interests = "running, golf";

        var cut = RenderPanel(brief);

        var size = cut.Find("[data-testid=brief-audience-size]").TextContent;
        Assert.StartsWith("≈ ", size);
        Assert.Contains("258.3 M adults in United States × 49.6 % aged 25–54 × 22.2 % interested in running or golf", size);
        Assert.Contains("National Golf Foundation", cut.Markup);
        Assert.Contains("1 − Π(1 − share)", cut.Markup);
    }

    [Fact]
    public void The_panel_shows_targets_effective_frequency_and_custom_weeks()
    {
        var brief = TestData.Brief();
        brief.KpiReachPercent = 40;
        brief.KpiCpa = 25m;
        brief.EffectiveFrequency = 4;
        brief.Flighting = FlightingPattern.Custom;
        brief.FlightingWeeks = "110110";

        var cut = RenderPanel(brief);

        Assert.Equal("reach 40%, CPA USD 25.00", cut.Find("[data-testid=brief-targets]").TextContent.Trim());
        Assert.StartsWith("4+ — people must see the ad this many times to count", cut.Find("[data-testid=brief-effective-frequency]").TextContent.Trim());
        Assert.StartsWith("Custom weeks: on on off on on off", cut.Find("[data-testid=brief-flighting]").TextContent.Trim());
    }

    [Fact]
    public void A_brief_without_targets_says_so_and_names_its_flighting()
    {
        var brief = TestData.Brief();
        brief.Flighting = FlightingPattern.FrontLoaded;

        var cut = RenderPanel(brief);

        Assert.Equal("None set", cut.Find("[data-testid=brief-targets]").TextContent.Trim());
        Assert.Contains("Front-loaded — Heavier at launch", cut.Find("[data-testid=brief-flighting]").TextContent);
    }
}
