using Bunit;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Web.Components.Pages.Briefs;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace MediaPlanner.Tests.Components;

public class BriefFormTests : ComponentTestContext
{
    public BriefFormTests() => SignInAs("planner-1", Roles.Planner);

    private IRenderedComponent<MudPopoverProvider> popovers = default!;

    private IRenderedComponent<NewBrief> RenderForm()
    {
        popovers = Render<MudPopoverProvider>();
        var cut = Render<NewBrief>();
        cut.WaitForElement("#brand");
        return cut;
    }

    private static void Type(IRenderedComponent<NewBrief> cut, string selector, string value)
    {
        // Mud inputs listen to change, or to input when Immediate.
        var input = cut.Find(selector);
        if (input.HasAttribute("blazor:oninput"))
            input.Input(value);
        else
            input.Change(value);
        cut.Find(selector).Blur();
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
        Type(cut, "#brand", "Northwind");
        Type(cut, "#campaign", "Spring launch");
        Type(cut, "#budget", "50000");
        SelectMarket(cut, "United States");
        Type(cut, "#brief-text", "Launch the new trail shoe to runners aged 25-54 ahead of the spring racing season.");

        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Matches(@"/briefs/\d+$", Services.GetRequiredService<NavigationManager>().Uri));
        using var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext();
        var saved = Assert.Single(db.Briefs);
        Assert.Equal("Northwind", saved.Brand);
        Assert.Equal("planner-1", saved.OwnerId);
        Assert.Equal(50_000m, saved.Budget);
        Assert.Equal(4, saved.Channels.Count);
    }

    private void SelectMarket(IRenderedComponent<NewBrief> cut, string name)
    {
        cut.Find("#market").ParentElement!.ParentElement!.MouseDown();
        popovers.WaitForElements(".mud-list-item");
        popovers.FindAll(".mud-list-item").First(i => i.TextContent.Contains(name)).Click();
        cut.WaitForAssertion(() => Assert.Contains("258.3 M adults", cut.Markup));
    }
}
