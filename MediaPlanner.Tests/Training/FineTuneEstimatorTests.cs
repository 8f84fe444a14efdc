using MediaPlanner.Domain.Training;

namespace MediaPlanner.Tests.Training;

public class FineTuneEstimatorTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(-5, 0)]
    [InlineData(1, 25)] // 100/1 capped at 25
    [InlineData(4, 25)]
    [InlineData(5, 20)]
    [InlineData(10, 10)]
    [InlineData(33, 3)] // 99 seen < 100, but 100/33 = 3
    [InlineData(34, 3)]
    [InlineData(1_000, 3)]
    [InlineData(8_333, 3)] // 24,999 seen
    [InlineData(8_334, 2)] // 25,002 seen > 25,000: 25,000/8,334 = 2
    [InlineData(12_500, 2)]
    [InlineData(12_501, 1)]
    [InlineData(100_000, 1)] // 25,000/100,000 = 0, at least 1
    [InlineData(int.MaxValue, 1)]
    public void Default_epochs_follow_openais_rule(int examples, int epochs)
    {
        Assert.Equal(epochs, FineTuneEstimator.DefaultEpochs(examples));
    }

    [Fact]
    public void Billed_tokens_are_epochs_times_each_example_capped_at_the_maximum()
    {
        Assert.Equal(3L * (1_000 + 4_096 + 4_096), FineTuneEstimator.BilledTokens([1_000, 4_096, 70_000], 3, 4_096));
    }

    [Fact]
    public void Billed_tokens_do_not_overflow_on_large_sets()
    {
        var billed = FineTuneEstimator.BilledTokens(Enumerable.Repeat(65_536, 100_000), 25, 65_536);

        Assert.Equal(25L * 100_000 * 65_536, billed);
    }

    [Fact]
    public void No_examples_bill_nothing()
    {
        Assert.Equal(0, FineTuneEstimator.BilledTokens([], 3, 65_536));
    }

    [Fact]
    public void Cost_is_billed_tokens_at_the_price_per_million()
    {
        Assert.Equal(4.5m, FineTuneEstimator.Cost(1_500_000, 3.00m));
        Assert.Equal(0.000003m, FineTuneEstimator.Cost(1, 3.00m));
    }

    [Theory]
    [InlineData(0, 0, false, false)]
    [InlineData(9, 0, false, false)]
    [InlineData(10, 0, true, false)]
    [InlineData(49, 0, true, false)]
    [InlineData(50, 0, true, true)]
    [InlineData(500, 1, false, false)]
    public void Readiness_needs_ten_clean_examples_and_recommends_fifty(int validated, int errors, bool ready, bool recommended)
    {
        var readiness = Readiness.Check(validated, errors);

        Assert.Equal(validated, readiness.Validated);
        Assert.Equal(ready, readiness.Ready);
        Assert.Equal(recommended, readiness.Recommended);
        Assert.NotEmpty(readiness.Reasons);
        Assert.Equal(readiness.Reasons, FineTuneEstimator.Check(validated, errors).Reasons);
    }

    [Fact]
    public void Readiness_says_how_many_more_examples_are_needed()
    {
        Assert.Contains("Validate 3 more", Readiness.Check(7, 0).Reasons[0], StringComparison.Ordinal);
        Assert.Contains("validate 30 more", Readiness.Check(20, 0).Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Readiness_names_blocking_errors_as_a_reason()
    {
        var readiness = Readiness.Check(60, 2);

        Assert.Contains(readiness.Reasons, r => r.Contains("2 examples have blocking errors", StringComparison.Ordinal));
    }
}
