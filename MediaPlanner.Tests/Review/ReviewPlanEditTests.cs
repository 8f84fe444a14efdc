using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Infrastructure;

namespace MediaPlanner.Tests.Review;

public class ReviewPlanEditTests
{
    private static readonly PlanRequest Request = TestData.Request();
    private static readonly PlanBasis Basis = PlanBasis.From(Request);
    private static readonly MediaPlan Plan = TestData.Plans(Request)[0];

    [Fact]
    public void A_changed_spend_recomputes_the_plan_exactly_as_the_planners_editor_does()
    {
        var lines = ReviewPlanEdit.LinesOf(Plan).ToList();
        lines[0] = lines[0] with { Spend = lines[0].Spend + 20_000m };
        var plannerLines = PlanEdit.LinesOf(Plan).ToList();
        plannerLines[0] = plannerLines[0] with { Spend = plannerLines[0].Spend + 20_000m };

        var reviewed = ReviewPlanEdit.Apply(Plan, lines, Basis);
        var planned = PlanEdit.Apply(Plan, plannerLines, Basis);

        Assert.Equal(Plan.Totals.Spend + 20_000m, reviewed.Totals.Spend);
        Assert.Equal(planned.Totals, reviewed.Totals);
        Assert.Equal(planned.LineItems.Select(l => (l.Impressions, l.Reach, l.Clicks, l.Share)), reviewed.LineItems.Select(l => (l.Impressions, l.Reach, l.Clicks, l.Share)));
        Assert.True(reviewed.LineItems[0].Impressions > Plan.LineItems[0].Impressions);
        Assert.Equal(Plan.LineItems[0].Rationale, reviewed.LineItems[0].Rationale);
    }

    [Fact]
    public void The_assistant_message_keeps_en_dashes_as_written_and_reads_back_to_the_same_plan()
    {
        var plan = Plan with { Audience = "adults 25–54", Rationale = "Reach-led — video “first”, then search." };

        var json = ReviewPlanEdit.Serialize(plan);
        var back = ReviewPlanEdit.Read(json);

        Assert.Contains("adults 25–54", json, StringComparison.Ordinal);
        Assert.Contains("“first”", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u", json, StringComparison.Ordinal);
        Assert.True(back.Succeeded);
        Assert.Equal(json, ReviewPlanEdit.Serialize(back.Plan!));
        Assert.Equal(PlanJson.Serialize(plan), PlanJson.Serialize(back.Plan!));
    }

    [Fact]
    public void Each_bad_field_is_named_at_its_line()
    {
        ReviewLine[] lines =
        [
            new(Channel.Search, "Paid search", 1_000m, 2.5m, ""),
            new(null, " ", 0m, null, ""),
            new(Channel.Search, "paid search ", 10.005m, 3m, ""),
            new(Channel.Radio, "Spot", 500m, -1m, ""),
        ];

        var issues = ReviewPlanEdit.Validate(lines, Request.Brief.Channels);

        Assert.DoesNotContain(issues, i => i.Line == 0);
        Assert.Equal(
            [
                (1, ReviewField.Channel, "Choose a channel."),
                (1, ReviewField.Format, "Name the format."),
                (1, ReviewField.Spend, "Spend must be more than zero."),
                (1, ReviewField.Cpm, "The CPM must be more than zero."),
                (2, ReviewField.Format, "Search — paid search is already a line of this plan."),
                (2, ReviewField.Spend, "Spend has at most two decimals (cents)."),
                (3, ReviewField.Channel, "Radio is not one of the brief's channels."),
                (3, ReviewField.Cpm, "The CPM must be more than zero."),
            ],
            issues.Select(i => (i.Line!.Value, i.Field, i.Message)));
        Assert.Contains(ReviewPlanEdit.Validate([], null), i => i.Line is null && i.Message == "Keep at least one line.");
        Assert.Empty(ReviewPlanEdit.Validate(ReviewPlanEdit.LinesOf(Plan), Request.Brief.Channels));
    }

    [Fact]
    public void Json_that_is_not_a_plan_is_reported_at_its_line_and_field_in_words()
    {
        var json = ReviewPlanEdit.Serialize(Plan, indented: true);
        var spendLine = json.Split('\n').ToList().FindIndex(l => l.Contains("\"spend\"", StringComparison.Ordinal)) + 1;

        var wrongType = ReviewPlanEdit.Read(ReplaceFirst(json, "\"spend\": ", "\"spend\": \"lots\", \"x\": "));
        var badChannel = ReviewPlanEdit.Read(ReplaceFirst(json, $"\"channel\": \"{Plan.LineItems[0].Channel}\"", "\"channel\": \"Cinema\""));
        var broken = ReviewPlanEdit.Read(json.Replace("\"brand\": ", "\"brand\" ", StringComparison.Ordinal));

        Assert.Equal(spendLine, wrongType.Line);
        Assert.Equal("lineItems[0].spend", wrongType.Path);
        Assert.Equal($"Line {spendLine}, at lineItems[0].spend: expected a number.", wrongType.Describe());
        Assert.StartsWith("not a channel; use one of Search, Display", badChannel.Error, StringComparison.Ordinal);
        Assert.Equal(2, broken.Line);
        Assert.DoesNotContain("LineNumber", broken.Error, StringComparison.Ordinal);
        Assert.Equal("The plan JSON is empty.", ReviewPlanEdit.Read("  ").Error);
    }

    [Fact]
    public void Impressions_typed_for_a_line_set_its_cpm_and_a_plan_without_a_brief_is_costed_from_cpm()
    {
        var line = new ReviewLine(Channel.Search, "Paid search", 10_000m, 5m, "");

        Assert.Equal(2.50m, ReviewPlanEdit.WithImpressions(line, 4_000_000).Cpm);
        Assert.Equal(line, ReviewPlanEdit.WithImpressions(line with { Spend = null }, 4_000_000) with { Spend = 10_000m });

        var lines = ReviewPlanEdit.LinesOf(Plan).ToList();
        lines[0] = lines[0] with { Spend = lines[0].Spend * 2 };
        var costed = ReviewPlanEdit.Apply(Plan, lines, basis: null);
        var first = costed.LineItems[0];
        Assert.Equal((long)Math.Round((double)first.Spend / (double)first.Cpm * 1000), first.Impressions);
        Assert.Equal(Plan.LineItems[0].Frequency, first.Frequency, 1);
        Assert.Equal(costed.LineItems.Sum(l => l.Spend), costed.Totals.Spend);
    }

    private static string ReplaceFirst(string text, string find, string replace)
    {
        var at = text.IndexOf(find, StringComparison.Ordinal);
        Assert.True(at >= 0, $"'{find}' is not in the JSON");
        return string.Concat(text.AsSpan(0, at), replace, text.AsSpan(at + find.Length));
    }
}
