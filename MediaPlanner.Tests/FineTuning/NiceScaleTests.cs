using MediaPlanner.Web.Components.Pages.FineTuning;

namespace MediaPlanner.Tests.FineTuning;

public class NiceScaleTests
{
    [Theory]
    [InlineData(0, 2.31, 0, 2.5, 0.5)]
    [InlineData(0, 0.93, 0, 1, 0.2)]
    [InlineData(1.9, 2.3, 1.9, 2.3, 0.1)]
    [InlineData(0, 37, 0, 40, 10)]
    public void The_axis_spans_the_data_on_round_steps(double min, double max, double low, double high, double step)
    {
        var axis = NiceScale.Axis(min, max, 5);

        Assert.Equal(low, axis.Min, 9);
        Assert.Equal(high, axis.Max, 9);
        Assert.Equal(step, axis.Step, 9);
    }

    [Fact]
    public void Steps_on_a_whole_number_axis_are_whole_even_for_two_steps()
    {
        var (min, max, step) = NiceScale.Axis(1, 2, 5, wholeNumbers: true);

        Assert.Equal(1, step);
        Assert.Equal([1.0, 2.0], NiceScale.Ticks(min, max, step));
    }

    [Fact]
    public void A_flat_series_still_gets_several_distinct_ticks()
    {
        var (min, max, step) = NiceScale.Axis(0.5, 0.5, 5);
        var ticks = NiceScale.Ticks(min, max, step);

        Assert.True(ticks.Count > 2);
        Assert.Equal(ticks.Count, ticks.Distinct().Count());
        Assert.InRange(0.5, min, max);
    }

    [Fact]
    public void Ticks_do_not_drift_and_labels_get_the_decimals_their_step_needs()
    {
        Assert.Equal([0, 0.1, 0.2, 0.3], NiceScale.Ticks(0, 0.3, 0.1));
        Assert.Equal(2, NiceScale.Decimals(0.25));
        Assert.Equal(0, NiceScale.Decimals(5));
    }
}
