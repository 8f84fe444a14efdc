using Bunit;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web.Components.Shared;

namespace MediaPlanner.Tests.Planning;

public class PlanDiffTests : ComponentTestContext
{
    [Fact]
    public void The_diff_shows_changed_added_and_removed_lines_with_totals_and_score()
    {
        var request = TestData.Request();
        var basis = PlanBasis.From(request);
        var generated = TestData.Plans(request)[1];
        var lines = PlanEdit.LinesOf(generated).ToList();
        var removed = lines[^1];
        lines.RemoveAt(lines.Count - 1);
        lines[0] = lines[0] with { Spend = lines[0].Spend + 10_000m };
        var used = PlanEdit.Apply(generated, lines, basis);

        var cut = Render<PlanDiff>(p => p
            .Add(c => c.Generated, generated).Add(c => c.Used, used)
            .Add(c => c.GeneratedScore, 71.4).Add(c => c.UsedScore, 75.0));

        Assert.Equal(generated.LineItems.Count, cut.FindAll("[data-testid=diff-line]").Count);
        var gone = cut.FindAll("[data-testid=diff-line]").Single(r => r.QuerySelector("[data-testid=diff-removed]") is not null);
        Assert.Contains(removed.Format, gone.TextContent, StringComparison.Ordinal);
        Assert.Contains("+10,000", cut.FindAll("[data-testid=diff-line]")[0].TextContent, StringComparison.Ordinal);
        var total = cut.Find("[data-testid=diff-total]").TextContent;
        Assert.Contains(used.LineItems.Sum(l => l.Spend).ToString("N0", System.Globalization.CultureInfo.InvariantCulture), total, StringComparison.Ordinal);
        Assert.Contains("+4", cut.Find("[data-testid=diff-score]").TextContent, StringComparison.Ordinal);
        Assert.Contains($"{removed.Channel.Display()} removed", cut.Find("[data-testid=diff-summary]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void An_added_channel_is_marked_added()
    {
        var request = TestData.Request();
        var basis = PlanBasis.From(request);
        var generated = TestData.Plans(request)[1];
        var without = PlanEdit.Apply(generated, PlanEdit.LinesOf(generated).Where(l => l.Channel != Channel.Display).ToList(), basis);

        var cut = Render<PlanDiff>(p => p.Add(c => c.Generated, without).Add(c => c.Used, generated));

        var added = cut.FindAll("[data-testid=diff-line]").Single(r => r.QuerySelector("[data-testid=diff-added]") is not null);
        Assert.Contains("Display", added.TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=diff-score]"));
    }
}
