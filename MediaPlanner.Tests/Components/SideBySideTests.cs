using Bunit;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Web.Components.Shared;

namespace MediaPlanner.Tests.Components;

public class SideBySideTests : ComponentTestContext
{
    [Fact]
    public void A_waiting_column_says_so_and_shows_no_figures_yet()
    {
        var cut = Render<ColumnHeader>(p => p.Add(c => c.Column, PlanColumn.Waiting(ModelRole.FineTuned, "ft:gpt-4o-mini:x", "Auto: preferred.", isPrimary: true)));

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

        var ok = Render<ColumnHeader>(p => p.Add(c => c.Column, new PlanColumn(ModelRole.Base, done.Model, "", false, false, done, [])));
        var bad = Render<ColumnHeader>(p => p.Add(c => c.Column, new PlanColumn(ModelRole.FineTuned, failed.Model, "Auto", true, false, failed, [])));

        Assert.Equal("1.2 s · 3,500 tokens · USD 0.0012", ok.Find("[data-testid=column-stats]").TextContent.Trim());
        Assert.Empty(ok.FindAll("[data-testid=column-error]"));
        Assert.Contains("The model refused: not a media plan.", bad.Find("[data-testid=column-error]").TextContent);
    }
}
