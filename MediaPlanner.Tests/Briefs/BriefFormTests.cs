using Bunit;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web.Components.Pages.Briefs;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace MediaPlanner.Tests.Briefs;

public class BriefFormTests : ComponentTestContext
{
    public BriefFormTests() => SignInAs("planner-1", Roles.Planner);

    private IRenderedComponent<NewBrief> RenderForm()
    {
        Render<MudPopoverProvider>();
        var cut = Render<NewBrief>();
        cut.WaitForElement("#brand");
        return cut;
    }

    [Fact]
    public void Submitting_an_empty_form_shows_every_problem_at_its_field()
    {
        var cut = RenderForm();
        cut.FindAll("button").Single(b => b.TextContent.Trim() == "None").Click();

        cut.Find("form").Submit();

        cut.WaitForAssertion(() =>
        {
            var text = cut.Markup;
            Assert.Contains("Enter the brand.", text);
            Assert.Contains("Name the campaign.", text);
            Assert.Contains("Enter the budget.", text);
            Assert.Contains("Choose a market.", text);
            Assert.Contains("Write the brief.", text);
            Assert.Contains("Choose at least one channel.", cut.Find("[data-testid=channels-error]").TextContent);
        });
    }

    [Fact]
    public void Tabbing_past_empty_fields_shows_no_error_until_the_first_submit_then_errors_follow_each_change()
    {
        var cut = RenderForm();
        foreach (var field in new[] { "#brand", "#campaign", "#budget", "#brief-text" })
            cut.Find(field).Blur();
        Type(cut, "#brief-text", "Too short.");

        Assert.DoesNotContain("Enter the brand.", cut.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("Write at least", cut.Markup, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[aria-invalid=true]"));

        cut.Find("form").Submit();
        cut.WaitForAssertion(() =>
        {
            Assert.Contains("Enter the brand.", cut.Markup, StringComparison.Ordinal);
            Assert.Equal("5 fields need attention.", cut.Find("[data-testid=error-summary]").TextContent.Trim());
        });

        // After the first submit a change is checked at once: the brand's error goes as it is typed, nothing else is lost.
        Type(cut, "#brand", "Northwind");
        cut.WaitForAssertion(() => Assert.DoesNotContain("Enter the brand.", cut.Markup, StringComparison.Ordinal));
        Assert.Contains("Name the campaign.", cut.Markup, StringComparison.Ordinal);
        Assert.Equal("Too short.", cut.Find("#brief-text").GetAttribute("value") ?? cut.Find("#brief-text").TextContent);
    }

    [Fact]
    public void Enums_are_offered_by_their_display_names()
    {
        var cut = RenderForm();
        var options = cut.Find("#flighting").OuterHtml;
        Assert.Contains("Pulsed (bursts)", options, StringComparison.Ordinal);
        Assert.DoesNotContain(">FrontLoaded<", options, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0", "The budget must be more than zero.")]
    [InlineData("-100", "The budget must be more than zero.")]
    [InlineData("99000000000", "is not plausible")]
    public void A_bad_budget_gets_a_message_at_the_budget_field(string budget, string message)
    {
        var cut = RenderForm();

        Type(cut, "#budget", budget);
        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Contains(message, cut.Markup));
    }

    [Fact]
    public void A_short_brief_and_a_flight_that_ends_before_it_starts_are_both_explained()
    {
        var cut = RenderForm();

        Type(cut, "#brief-text", "Too short.");
        Type(cut, "#flight-start", "2027-05-10");
        Type(cut, "#flight-end", "2027-05-01");
        cut.Find("form").Submit();

        cut.WaitForAssertion(() =>
        {
            Assert.Contains("Write at least 50 characters", cut.Markup);
            Assert.Contains("The flight must end on or after its start.", cut.Markup);
        });
    }

    [Fact]
    public void A_valid_brief_is_saved_for_the_signed_in_planner_and_opens_its_page()
    {
        var cut = RenderForm();
        FillRequiredFields(cut);

        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Matches(@"/briefs/\d+$", Services.GetRequiredService<NavigationManager>().Uri));
        using var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext();
        var saved = Assert.Single(db.Briefs);
        Assert.Equal("Northwind", saved.Brand);
        Assert.Equal("planner-1", saved.OwnerId);
        Assert.Equal(50_000m, saved.Budget);
        Assert.Equal(4, saved.Channels.Count);
    }

    [Fact]
    public void A_save_that_fails_unexpectedly_shows_an_error_keeps_the_form_and_gives_the_button_back()
    {
        using (var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext())
            db.Database.ExecuteSqlRaw("CREATE TRIGGER refuse_brief BEFORE INSERT ON Briefs BEGIN SELECT RAISE(ABORT, 'disk full'); END;");
        var cut = RenderForm();
        FillRequiredFields(cut);

        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Contains(Snackbars, s => s.Severity == Severity.Error));
        Assert.DoesNotMatch(@"/briefs/\d+$", Services.GetRequiredService<NavigationManager>().Uri);
        Assert.Equal("Northwind", cut.Find("#brand").GetAttribute("value"));
        var save = cut.Find("#save-brief");
        Assert.False(save.HasAttribute("disabled"));
        Assert.Equal("Save brief", save.TextContent.Trim());
    }

    [Fact]
    public void Kpi_text_fills_the_empty_targets_and_marks_them()
    {
        var cut = RenderForm();

        Type(cut, "#kpis", "reach 40%, avg freq 4, CPC < $2, CTR 0.8%");

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("40", cut.Find("#kpi-reach").GetAttribute("value"));
            Assert.Equal("4", cut.Find("#kpi-frequency").GetAttribute("value"));
            Assert.Equal("2", cut.Find("#kpi-cpc").GetAttribute("value"));
            Assert.Equal("0.8", cut.Find("#kpi-ctr").GetAttribute("value"));
            Assert.Equal("", cut.Find("#kpi-cpa").GetAttribute("value") ?? "");
            Assert.Equal(4, HelperOf(cut, "#kpi-reach", "#kpi-frequency", "#kpi-cpc", "#kpi-ctr").Count(h => h == "from your KPI text"));
            Assert.NotEqual("from your KPI text", HelperOf(cut, "#kpi-cpa").Single());
        });
    }

    [Fact]
    public void Kpi_text_never_overwrites_a_target_the_planner_typed()
    {
        var cut = RenderForm();
        Type(cut, "#kpi-reach", "55");

        Type(cut, "#kpis", "reach 40%, CPA under 25");
        Type(cut, "#kpis", "reach 30%, CPA under 20");

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("55", cut.Find("#kpi-reach").GetAttribute("value"));
            Assert.Equal("20", cut.Find("#kpi-cpa").GetAttribute("value"));
            Assert.NotEqual("from your KPI text", HelperOf(cut, "#kpi-reach").Single());
        });
    }

    [Fact]
    public void A_target_filled_from_the_text_is_cleared_when_the_text_drops_it()
    {
        var cut = RenderForm();
        Type(cut, "#kpis", "CPA under 25");
        cut.WaitForAssertion(() => Assert.Equal("25", cut.Find("#kpi-cpa").GetAttribute("value")));

        Type(cut, "#kpis", "brand lift");

        cut.WaitForAssertion(() => Assert.Equal("", cut.Find("#kpi-cpa").GetAttribute("value") ?? ""));
    }

    [Fact]
    public void An_out_of_range_target_is_explained_at_its_field()
    {
        var cut = RenderForm();

        Type(cut, "#kpi-frequency", "80");
        Type(cut, "#effective-frequency", "12");
        cut.Find("form").Submit();

        cut.WaitForAssertion(() =>
        {
            Assert.Contains("An average frequency target must be between 1 and 50.", FieldText(cut, "#kpi-frequency"));
            Assert.Contains("Effective frequency must be between 1 and 10.", FieldText(cut, "#effective-frequency"));
        });
    }

    [Fact]
    public void Custom_weeks_are_checked_against_the_flight_and_need_a_week_on()
    {
        var cut = RenderForm();
        Type(cut, "#flight-start", "2027-03-01");
        Type(cut, "#flight-end", "2027-04-11");
        SelectFlighting(cut, "Custom weeks");
        cut.WaitForAssertion(() => Assert.Contains("this flight has 6 weeks", FieldText(cut, "#flighting-weeks")));
        // Errors follow each change once the form has been submitted.
        cut.Find("form").Submit();

        Type(cut, "#flighting-weeks", "on off on on off on on");
        cut.WaitForAssertion(() => Assert.Contains("The flight has 6 weeks; you gave 7. Remove 1.", FieldText(cut, "#flighting-weeks")));

        Type(cut, "#flighting-weeks", "0 0 0");
        cut.WaitForAssertion(() => Assert.Contains("Turn at least one week on", FieldText(cut, "#flighting-weeks")));

        Type(cut, "#flighting-weeks", "on off maybe");
        cut.WaitForAssertion(() => Assert.Contains("Week 3 reads \"maybe\"", FieldText(cut, "#flighting-weeks")));
    }

    [Fact]
    public void The_audience_preview_shows_the_arithmetic_as_interests_change()
    {
        var cut = RenderForm();
        Assert.Contains("Choose a market", cut.Find("[data-testid=audience-preview]").TextContent);
        SelectMarket(cut, "United States");

        Type(cut, "#interests", "running");
        cut.WaitForAssertion(() => Assert.Contains(
            "≈ 19.2 M people: 258.3 M adults in United States × 49.6 % aged 25–54 × 15.0 % interested in running",
            cut.Find("[data-testid=audience-preview]").TextContent));

        Type(cut, "#interests", "running, origami");
        cut.WaitForAssertion(() =>
        {
            var preview = cut.Find("[data-testid=audience-preview]").TextContent;
            Assert.Contains("× 15.0 % interested in running", preview);
            Assert.Contains("not narrowing the audience: origami", preview);
        });
    }

    [Fact]
    public void Targets_effective_frequency_and_flighting_are_saved_with_the_brief()
    {
        var cut = RenderForm();
        FillRequiredFields(cut);
        Type(cut, "#flight-start", "2027-03-01");
        Type(cut, "#flight-end", "2027-04-11");
        Type(cut, "#kpi-cpa", "18.5");
        Type(cut, "#kpis", "reach 40%, CPA under 25");
        Type(cut, "#effective-frequency", "4");
        SelectFlighting(cut, "Custom weeks");
        Type(cut, "#flighting-weeks", "on on off on");

        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Matches(@"/briefs/\d+$", Services.GetRequiredService<NavigationManager>().Uri));
        using var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext();
        var saved = Assert.Single(db.Briefs);
        Assert.Equal(40, saved.KpiReachPercent);
        Assert.Equal(18.5m, saved.KpiCpa);
        Assert.Null(saved.KpiCpc);
        Assert.Equal(4, saved.EffectiveFrequency);
        Assert.Equal(FlightingPattern.Custom, saved.Flighting);
        Assert.Equal("1101", saved.FlightingWeeks);
    }

    [Fact]
    public async Task The_server_fills_empty_targets_from_the_kpi_text_of_a_brief_sent_without_them()
    {
        var service = Services.GetRequiredService<BriefService>();
        var input = TestBriefs.Input(campaign: "API brief", budget: 10_000m,
            start: new DateTime(2027, 3, 1), end: new DateTime(2027, 3, 28), channels: [Channel.Search],
            text: "A brief sent by an older client that only knew the KPI text field, long enough to be valid.",
            change: i => { i.Kpis = "reach 35%, CPC < $1.50, CTR 2%"; i.KpiCtrPercent = 1.1; });

        var result = await service.CreateAsync(input, new CurrentUser("planner-1", IsAdmin: false));

        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Values));
        using var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext();
        var saved = Assert.Single(db.Briefs);
        Assert.Equal(new KpiTargets(35, null, 1.5m, null, 1.1), KpiTargets.Of(saved));
        Assert.Equal(FlightingPattern.Continuous, saved.Flighting);
        Assert.Equal("", saved.FlightingWeeks);
    }

    [Fact]
    public void Text_in_a_number_field_is_explained_at_the_field_and_the_brief_is_not_saved()
    {
        var cut = RenderForm();

        Type(cut, "#budget", "lots");
        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Contains("Budget must be a number.", FieldText(cut, "#budget")));
        Assert.Equal("true", cut.Find("#budget").GetAttribute("aria-invalid"));
        Assert.Equal("lots", cut.Find("#budget").GetAttribute("value"));
        Assert.EndsWith("/", Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Fact]
    public void The_age_spin_buttons_step_by_one_and_stop_at_the_limits()
    {
        var cut = RenderForm();
        var ageTo = cut.Find("#age-max").Closest(".mud-input-control")!;

        ageTo.QuerySelector("button[aria-label=Increment]")!.Click();
        cut.WaitForAssertion(() => Assert.Equal("55", cut.Find("#age-max").GetAttribute("value")));

        Type(cut, "#age-max", "75");
        cut.Find("#age-max").KeyDown(new KeyboardEventArgs { Key = "ArrowUp" });
        Assert.Equal("75", cut.Find("#age-max").GetAttribute("value"));
    }

    [Fact]
    public void Unticking_the_channel_boxes_changes_the_brief_and_the_last_one_is_explained_after_submit()
    {
        var cut = RenderForm();
        cut.Find("form").Submit();

        foreach (var channel in new[] { "Search", "Social", "OnlineVideo", "Display" })
            cut.Find($"[data-channel={channel}]").Change(false);

        cut.WaitForAssertion(() => Assert.Contains("Choose at least one channel.", cut.Find("[data-testid=channels-error]").TextContent));
        Assert.Equal("true", cut.Find("[role=group][aria-label='Allowed channels']").GetAttribute("data-invalid"));
        Assert.Empty(cut.FindAll("input[type=checkbox][checked]"));

        cut.Find("[data-channel=Radio]").Change(true);
        cut.WaitForAssertion(() => Assert.Empty(cut.Find("[data-testid=channels-error]").TextContent.Trim()));
        Assert.Contains("mud-checkbox-true", cut.Find("[data-channel=Radio]").ParentElement!.ClassName);
    }

    private static IEnumerable<string> HelperOf(IRenderedComponent<NewBrief> cut, params string[] selectors) =>
        selectors.Select(s => cut.Find(s).Closest(".mud-input-control")!.QuerySelector(".mud-input-helper-text")?.TextContent.Trim() ?? "");

    private void SelectFlighting(IRenderedComponent<NewBrief> cut, string name)
    {
        Choose(cut, "#flighting", name);
        cut.WaitForElement("#flighting-weeks");
    }

    /// <summary>Brand, campaign, budget, market and brief text: what a valid brief needs beyond the form's defaults.</summary>
    private void FillRequiredFields(IRenderedComponent<NewBrief> cut)
    {
        Type(cut, "#brand", "Northwind");
        Type(cut, "#campaign", "Spring launch");
        Type(cut, "#budget", "50000");
        SelectMarket(cut, "United States");
        Type(cut, "#brief-text", "Launch the new trail shoe to runners aged 25-54 ahead of the spring racing season.");
    }

    private void SelectMarket(IRenderedComponent<NewBrief> cut, string name)
    {
        Choose(cut, "#market", name);
        cut.WaitForAssertion(() => Assert.Contains("258.3 M adults", cut.Markup));
    }

    private static void Choose(IRenderedComponent<NewBrief> cut, string selector, string name) =>
        cut.Find(selector).Change(cut.FindAll($"{selector} option").First(o => o.TextContent.Contains(name, StringComparison.Ordinal)).GetAttribute("value"));
}
