using Bunit;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web.Components.Pages.Briefs;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace MediaPlanner.Tests.Briefs;

/// <summary>
/// Each component a circuit holds costs render-tree buffers on the server (about 4–5 KB on this form), so the brief
/// form's component count is its memory per open planner: 278 before #14, 211 after its wrappers became markup, 117
/// with its own one-component fields, checkboxes and sections, 38 with native selects and date inputs. A ceiling, not
/// bytes, so the test does not depend on the machine.
/// </summary>
public class BriefFormFootprintTests : ComponentTestContext
{
    private const int Ceiling = 40;

    public BriefFormFootprintTests() => SignInAs("planner-1", Roles.Planner);

    [Fact]
    public void The_brief_form_renders_at_most_the_stated_number_of_components()
    {
        Render<MudPopoverProvider>();
        var cut = Render<NewBrief>();
        cut.WaitForElement("#brand");

        var count = cut.FindComponents<IComponent>().Count;

        Assert.True(count <= Ceiling, $"The brief form renders {count} components (ceiling {Ceiling}): each one is held by every open circuit.");
    }

    [Fact]
    public void A_select_holds_no_option_components_shows_its_value_and_lists_its_options()
    {
        Render<MudPopoverProvider>();
        var cut = Render<NewBrief>();
        cut.WaitForElement("#brand");
        Assert.Empty(cut.FindComponents<MudSelectItem<string>>());
        Assert.Equal("USD", cut.Find("#currency").GetAttribute("value"));

        Assert.Contains(cut.FindAll("#market option"), i => i.TextContent.Contains("United States"));
    }
}
