using Bunit;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web.Components.Pages.Briefs;

namespace MediaPlanner.Tests.Planning;

public class SideBySideTests : ComponentTestContext
{
    [Fact]
    public void A_waiting_column_says_so_and_shows_no_figures_yet()
    {
        var cut = Render<ColumnHeader>(p => p.Add(c => c.Column, PlanColumn.Waiting(ModelRole.FineTuned, "ft:gpt-4o-mini:x", "Auto: preferred.", isPrimary: true)).Add(c => c.ShowDetails, true));

        Assert.Contains("Fine-tuned", cut.Find("[data-testid=column-role]").TextContent);
        Assert.Contains("Waiting for the model", cut.Markup);
        Assert.Empty(cut.FindAll("[data-testid=column-stats]"));
        Assert.Equal("Auto: preferred.", cut.Find("[data-testid=column-reason]").TextContent);
    }

    [Fact]
    public void A_finished_column_shows_latency_tokens_and_cost_and_a_failed_one_its_reason()
    {
        var done = new ColumnResult(ModelRole.Base, "gpt-4o-mini-2024-07-18", "Comparison", [], null, 1234, 2_000, 1_500, 0.0012m);
        var failed = new ColumnResult(ModelRole.FineTuned, "ft:x", "Auto", [], "The model refused: not a media plan.", 800, 0, 0, 0);

        var ok = Render<ColumnHeader>(p => p.Add(c => c.Column, new PlanColumn(ModelRole.Base, done.Model, "", false, false, done, [])).Add(c => c.ShowDetails, true));
        var bad = Render<ColumnHeader>(p => p.Add(c => c.Column, new PlanColumn(ModelRole.FineTuned, failed.Model, "Auto", true, false, failed, [])));

        Assert.Equal("1.2 s · 3,500 tokens · USD 0.0012", ok.Find("[data-testid=column-stats]").TextContent.Trim());
        Assert.Empty(ok.FindAll("[data-testid=column-error]"));
        Assert.Contains("The model refused: not a media plan.", bad.Find("[data-testid=column-error]").TextContent);
    }

    private static PlanColumn Finished() =>
        new(ModelRole.FineTuned, "ft:gpt-4o-mini:acme", "Auto: the fine-tuned model scores higher.", true, false,
            new ColumnResult(ModelRole.FineTuned, "ft:gpt-4o-mini:acme", "Auto", [], null, 1234, 2_000, 1_500, 0.0012m), []);

    [Fact]
    public void A_planner_sees_the_models_role_and_opens_the_plumbing_with_details()
    {
        SignInAs("planner-1", Roles.Planner);
        bool? asked = null;

        var cut = Render<ColumnHeader>(p => p.Add(c => c.Column, Finished()).Add(c => c.ShowDetailsChanged, v => asked = v));

        Assert.Contains("Fine-tuned model", cut.Find("[data-testid=column-header]").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("ft:gpt-4o-mini:acme", cut.Markup, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=column-stats]"));
        Assert.Empty(cut.FindAll("[data-testid=column-reason]"));
        Assert.Equal("false", cut.Find("[data-testid=details-toggle]").GetAttribute("aria-expanded"));

        cut.Find("[data-testid=details-toggle]").Click();

        Assert.True(asked);
        Assert.Equal("true", cut.Find("[data-testid=details-toggle]").GetAttribute("aria-expanded"));
        Assert.Contains("ft:gpt-4o-mini:acme", cut.Find("[data-testid=column-model]").TextContent, StringComparison.Ordinal);
        Assert.Equal("1.2 s · 3,500 tokens · USD 0.0012", cut.Find("[data-testid=column-stats]").TextContent.Trim());
        Assert.Contains("scores higher", cut.Find("[data-testid=column-reason]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void An_admin_always_sees_the_plumbing_and_no_details_toggle()
    {
        SignInAs("admin-1", Roles.Admin);

        var cut = Render<ColumnHeader>(p => p.Add(c => c.Column, Finished()));

        Assert.Contains("ft:gpt-4o-mini:acme", cut.Find("[data-testid=column-model]").TextContent, StringComparison.Ordinal);
        Assert.NotEmpty(cut.FindAll("[data-testid=column-stats]"));
        Assert.NotEmpty(cut.FindAll("[data-testid=column-reason]"));
        Assert.Empty(cut.FindAll("[data-testid=details-toggle]"));
    }
}
