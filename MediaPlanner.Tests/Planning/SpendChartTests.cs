using Bunit;
using MediaPlanner.Domain.Models;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web.Components.Pages.Insights;

namespace MediaPlanner.Tests.Planning;

public class SpendChartTests : ComponentTestContext
{
    private static readonly DateOnly Start = new(2026, 12, 1);

    private static List<DailySpend> Spend(int days) =>
        [.. Enumerable.Range(0, days).Select(i => new DailySpend(Start.AddDays(i), 0.01m + i * 0.003m, 3 + i))];

    private IRenderedComponent<SpendChart> Chart(IReadOnlyList<DailySpend> days) =>
        Render<SpendChart>(p => p.Add(c => c.Days, days));

    [Fact]
    public void One_day_is_one_bar_with_one_date_label_and_its_amount()
    {
        var cut = Chart(Spend(1));

        Assert.Single(cut.FindAll("[data-testid=spend-bar]"));
        Assert.Equal("1 Dec", Assert.Single(cut.FindAll("[data-testid=spend-label]")).TextContent);
        Assert.Equal("0.010", Assert.Single(cut.FindAll("[data-testid=spend-value]")).TextContent);
        Assert.Single(cut.FindAll("[data-testid=spend-table] tbody tr"));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(60)]
    public void Many_days_have_one_bar_each_and_a_few_distinct_date_labels_ending_on_the_last_day(int days)
    {
        var cut = Chart(Spend(days));

        Assert.Equal(days, cut.FindAll("[data-testid=spend-bar]").Count);
        var labels = cut.FindAll("[data-testid=spend-label]").Select(l => l.TextContent).ToList();
        Assert.InRange(labels.Count, 1, SpendChart.MaxLabels);
        Assert.Equal(labels.Count, labels.Distinct().Count());
        Assert.Equal(Start.AddDays(days - 1).ToString("d MMM", System.Globalization.CultureInfo.InvariantCulture), labels[^1]);
        Assert.Equal(days, cut.FindAll("[data-testid=spend-table] tbody tr").Count);
        // Amounts on the bars only while they fit.
        Assert.Equal(days <= SpendChart.ValueLabelDays ? days : 0, cut.FindAll("[data-testid=spend-value]").Count);
    }

    [Fact]
    public void Days_without_calls_between_two_days_with_calls_are_empty_slots_not_left_out()
    {
        var cut = Chart([new DailySpend(Start, 0.02m, 2), new DailySpend(Start.AddDays(4), 0.04m, 4)]);

        Assert.Equal(5, cut.FindAll(".slot").Count);
        Assert.Equal(2, cut.FindAll("[data-testid=spend-bar]").Count);
    }

    [Fact]
    public void The_axis_has_round_ticks_from_zero_to_at_least_the_largest_day()
    {
        var cut = Chart([new DailySpend(Start, 0.0137m, 2)]);

        var ticks = cut.FindAll("[data-testid=spend-tick]").Select(t => decimal.Parse(t.TextContent, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(0m, ticks[0]);
        Assert.True(ticks[^1] >= 0.0137m, $"the top tick {ticks[^1]} is below the largest day");
        Assert.InRange(ticks.Count, 3, 6);
        Assert.Equal(ticks.Count, ticks.Distinct().Count());
    }

    [Theory]
    [InlineData(0.0137, 0.015, 0.005)]
    [InlineData(1, 1, 0.5)]
    [InlineData(37, 40, 10)]
    public void NiceAxis_rounds_up_to_a_1_2_5_step(double max, double top, double step)
    {
        var (t, s) = SpendChart.NiceAxis((decimal)max);
        Assert.Equal((decimal)top, t);
        Assert.Equal((decimal)step, s);
    }
}
