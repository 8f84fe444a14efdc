using Bunit;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web.Components.Pages.FineTuning;

namespace MediaPlanner.Tests.FineTuning;

public class LossChartTests : ComponentTestContext
{
    private static readonly (int, double?, double?)[] TrainOnly =
        [(1, 2.4, null), (2, 1.9, null), (3, 2.1, null), (4, 1.2, null), (5, 0.9, null), (6, 1.0, null)];

    private IRenderedComponent<LossChart> RenderChart(IReadOnlyList<(int, double?, double?)> points) =>
        Render<LossChart>(p => p.Add(c => c.Points, points));

    [Fact]
    public void Without_validation_points_there_is_no_validation_series_nor_legend_entry()
    {
        var cut = RenderChart(TrainOnly);

        Assert.Empty(cut.FindAll("[data-testid=valid-line]"));
        Assert.Empty(cut.FindAll("[data-testid=loss-legend-valid]"));
        Assert.DoesNotContain("validation loss", cut.Find("[data-testid=loss-legend]").TextContent);
        Assert.Contains("no validation loss reported", cut.Find("[data-testid=loss-summary]").TextContent);
    }

    [Fact]
    public void With_validation_points_the_series_and_its_legend_entry_appear()
    {
        var cut = RenderChart([.. TrainOnly.Take(5), (6, 1.0, 1.3)]);

        Assert.Single(cut.FindAll("[data-testid=valid-point]"));
        Assert.Single(cut.FindAll("[data-testid=valid-line]"));
        Assert.Equal("validation loss", cut.Find("[data-testid=loss-legend-valid]").TextContent.Trim());
    }

    [Fact]
    public void Both_axes_have_more_than_two_distinct_tick_labels_and_a_title()
    {
        var cut = RenderChart(TrainOnly);

        foreach (var axis in new[] { "loss-tick-y", "loss-tick-x" })
        {
            var labels = cut.FindAll($"[data-testid={axis}]").Select(t => t.TextContent).ToList();
            Assert.True(labels.Count > 2, $"{axis}: {string.Join(", ", labels)}");
            Assert.Equal(labels.Count, labels.Distinct().Count());
        }
        Assert.Equal(["0.0", "0.5", "1.0", "1.5", "2.0", "2.5"], cut.FindAll("[data-testid=loss-tick-y]").Select(t => t.TextContent));
        Assert.Equal("Loss", cut.Find(".mp-loss-ytitle").TextContent);
        Assert.Equal("Step", cut.Find(".mp-loss-xtitle").TextContent);
    }

    [Fact]
    public void The_strong_line_is_the_moving_average_and_every_raw_step_is_drawn_faint()
    {
        var cut = RenderChart(TrainOnly);

        Assert.Equal(TrainOnly.Length, cut.FindAll("[data-testid=train-raw]").Count);
        Assert.All(cut.FindAll("[data-testid=train-raw]"), c => Assert.Equal("0.3", c.GetAttribute("fill-opacity")));
        var ys = cut.Find("[data-testid=train-line]").GetAttribute("points")!.Split(' ').Select(p => double.Parse(p.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(TrainOnly.Length, ys.Count);
        // Raw loss rises from step 2 to 3 (1.9 → 2.1); the average keeps falling, so that step's y (down is higher) grows.
        Assert.True(ys[2] > ys[1], string.Join(" ", ys));
        Assert.Contains("exponential moving average", cut.Find("[data-testid=loss-legend-train]").TextContent);
    }

    [Fact]
    public void Screen_readers_get_first_last_and_lowest_loss_and_the_step_count()
    {
        var cut = RenderChart(TrainOnly);

        var summary = cut.Find("[data-testid=loss-summary]");
        Assert.Equal("Training loss over 6 steps (steps 1–6): first 2.400, last 1.000, lowest 0.900 at step 5; no validation loss reported.", summary.TextContent);
        Assert.Equal(summary.Id, cut.Find("[data-testid=loss-chart]").GetAttribute("aria-labelledby"));
        Assert.Equal("img", cut.Find("[data-testid=loss-chart]").GetAttribute("role"));
    }

    [Fact]
    public void The_plot_keeps_a_fixed_height_and_never_stretches_its_text()
    {
        var cut = RenderChart(TrainOnly);

        var svg = cut.Find("[data-testid=loss-chart]");
        Assert.Equal("200", svg.GetAttribute("height"));
        Assert.Null(svg.GetAttribute("preserveAspectRatio"));
        Assert.Empty(svg.QuerySelectorAll("text"));
    }
}
