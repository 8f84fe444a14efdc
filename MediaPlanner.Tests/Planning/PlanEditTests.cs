using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Tests.Infrastructure;

namespace MediaPlanner.Tests.Planning;

public class PlanEditTests
{
    private static readonly PlanRequest Request = TestData.Request();
    private static readonly PlanBasis Basis = PlanBasis.From(Request);
    private static MediaPlan Plan => TestData.Plans(Request)[1];

    private static IReadOnlyList<PlanEditLine> Lines(MediaPlan plan) => PlanEdit.LinesOf(plan);

    [Fact]
    public void An_edit_recomputes_every_figure_as_plan_math_does_from_the_new_spends()
    {
        var lines = Lines(Plan).Select((l, i) => i == 0 ? l with { Spend = l.Spend + 12_345.67m } : l).ToList();

        var edited = PlanEdit.Apply(Plan, lines, Basis);

        var items = lines.Select(l => new PlanLineItem(l.Channel, l.Format, l.Spend, 0, l.Cpm, 0, 0, 0, 0, "")).ToList();
        var expected = PlanMath.Recompute(Plan with { LineItems = items }, Basis);
        Assert.Equal(expected.Totals, edited.Totals);
        Assert.Equal(expected.LineItems.Select(l => (l.Spend, l.Impressions, l.Reach, l.Clicks, l.Frequency, l.Share)),
            edited.LineItems.Select(l => (l.Spend, l.Impressions, l.Reach, l.Clicks, l.Frequency, l.Share)));
        Assert.Equal(Plan.Totals.Spend + 12_345.67m, edited.Totals.Spend);
        Assert.True(edited.Totals.Impressions > Plan.Totals.Impressions);
        // Kept lines keep their reasons.
        Assert.Equal(Plan.LineItems.Select(l => l.Rationale), edited.LineItems.Select(l => l.Rationale));
    }

    [Fact]
    public void Setting_a_share_keeps_the_total_and_moves_the_difference_across_the_other_lines_in_proportion()
    {
        var lines = Lines(Plan);
        var total = lines.Sum(l => l.Spend);

        var changed = PlanEdit.WithShare(lines, 0, 0.5);

        Assert.Equal(total, changed.Sum(l => l.Spend));
        Assert.Equal(decimal.Round(total * 0.5m, 2), changed[0].Spend);
        var othersBefore = lines.Skip(1).Sum(l => l.Spend);
        for (var i = 1; i < lines.Count; i++)
            Assert.Equal((double)(lines[i].Spend / othersBefore), (double)(changed[i].Spend / (total - changed[0].Spend)), 3);
        Assert.All(changed, l => Assert.Equal(decimal.Round(l.Spend, 2), l.Spend));
    }

    [Fact]
    public void Validation_names_the_line_at_fault_and_the_plan_wide_problems()
    {
        var lines = Lines(Plan).ToList();
        lines[0] = lines[0] with { Spend = -1 };
        lines[1] = lines[1] with { Spend = 10.005m };
        lines.Add(new PlanEditLine(Channel.LinearTv, "Linear TV 30s", 20m, 1000m));

        var issues = PlanEdit.Validate(lines, Request.Brief.Channels, Basis);

        Assert.Contains(new PlanEditIssue(0, "Spend cannot be negative."), issues);
        Assert.Contains(new PlanEditIssue(1, "Spend has at most two decimals (cents)."), issues);
        Assert.Contains(issues, i => i.Line == lines.Count - 1 && i.Message.Contains("not one of the brief's channels", StringComparison.Ordinal));

        var empty = PlanEdit.Validate(Lines(Plan).Select(l => l with { Spend = 0 }).ToList(), Request.Brief.Channels, Basis);
        Assert.Equal([new PlanEditIssue(null, "Put spend on at least one line.")], empty);
        Assert.Empty(PlanEdit.Validate(Lines(Plan), Request.Brief.Channels, Basis));
    }

    [Fact]
    public void Channels_to_add_are_the_briefs_costed_channels_not_yet_in_the_plan_at_their_first_benchmark()
    {
        var lines = Lines(Plan).Where(l => l.Channel != Channel.Display).ToList();

        var addable = PlanEdit.Addable(Request.Brief.Channels, Basis, lines);

        var expected = TestData.DefaultChannels.Where(c => lines.All(l => l.Channel != c)).ToList();
        Assert.Contains(Channel.Display, expected);
        Assert.Equal(expected, addable.Select(f => f.Channel));
        Assert.All(addable, f => Assert.Equal(Basis.FormatsOf(f.Channel).First(), f));
    }

    [Fact]
    public void The_difference_names_changed_added_and_removed_channels()
    {
        var before = Plan;
        var lines = Lines(before).ToList();
        var removed = lines[^1];
        lines.RemoveAt(lines.Count - 1);
        lines = PlanEdit.WithShare(lines, 0, 0.3).ToList();
        var total = lines.Sum(l => l.Spend);

        var after = PlanEdit.Apply(before, lines, Basis);
        var difference = PlanDifference.Of(before, after);

        var gone = difference.Lines.Single(l => l.Removed);
        Assert.Equal(removed.Channel, gone.Channel);
        Assert.Equal(0.3, difference.Lines.Single(l => l.Channel == lines[0].Channel).ShareAfter!.Value, 3);
        Assert.Equal(total, difference.TotalAfter);
        var words = difference.Describe();
        Assert.Contains($"{removed.Channel.Display()} removed", words, StringComparison.Ordinal);
        Assert.Contains($"{lines[0].Channel.Display()} ", words, StringComparison.Ordinal);
        Assert.Contains("→ 30 %", words, StringComparison.Ordinal);
    }

    [Fact]
    public void A_saved_edit_notes_the_change_from_the_generated_plan_once()
    {
        var generated = Plan;
        var first = PlanEdit.Saved(generated, generated, PlanEdit.WithShare(Lines(generated), 0, 0.4), Basis);
        var second = PlanEdit.Saved(generated, first, PlanEdit.WithShare(Lines(first), 0, 0.5), Basis);

        var note = Assert.Single(second.Assumptions, a => a.StartsWith(PlanEdit.EditNotePrefix, StringComparison.Ordinal));
        Assert.Contains("→ 50 %", note, StringComparison.Ordinal);
        Assert.StartsWith(generated.Rationale.TrimEnd(), second.Rationale, StringComparison.Ordinal);
        Assert.EndsWith(note, second.Rationale, StringComparison.Ordinal);
    }
}
