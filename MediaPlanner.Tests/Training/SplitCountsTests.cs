using MediaPlanner.Domain.Training;

namespace MediaPlanner.Tests.Training;

public class SplitCountsTests
{
    [Theory]
    [InlineData(1, 0, 1)]
    [InlineData(2, 1, 1)]
    [InlineData(9, 1, 8)]
    [InlineData(10, 1, 9)]
    [InlineData(11, 1, 10)]
    [InlineData(100, 10, 90)]
    public void A_10_percent_split_holds_out_at_least_one_of_two_or_more_and_leaves_one_to_train_on(int examples, int heldOut, int training)
    {
        var split = StratifiedSplit.Counts(examples, 10);

        Assert.Equal((heldOut, training), (split.HeldOut, split.Training));
        // The count the job and the export really hold out is the one the preview says.
        Assert.Equal(heldOut, StratifiedSplit.HeldOut(Enumerable.Range(1, examples).Select(i => new SplitCandidate(i, "a")), 10, 42).Count);
    }

    [Fact]
    public void One_example_with_a_share_is_refused_in_words_never_silently_zero()
    {
        var split = StratifiedSplit.Counts(1, 10);

        Assert.Equal("With 1 example nothing can be held out and still leave one to train on: validate at least 2, or set the share to 0 %.", split.Problem);
        Assert.Equal(split.Problem, split.Summary);
    }

    [Fact]
    public void A_share_that_rounds_to_zero_says_it_holds_out_one_anyway()
    {
        Assert.Equal("Holds out 1 of 2 examples for validation (10 % of 2 rounds to 0, so 1 is held out) and trains on 1.", StratifiedSplit.Counts(2, 10).Summary);
        Assert.Equal("Holds out 1 of 9 examples for validation and trains on 8.", StratifiedSplit.Counts(9, 10).Summary);
        Assert.Null(StratifiedSplit.Counts(9, 10).Problem);
    }

    [Fact]
    public void A_share_that_would_hold_out_everything_leaves_one_to_train_on_and_says_so()
    {
        Assert.Equal("Holds out 1 of 2 examples for validation (1 is always left to train on) and trains on 1.", StratifiedSplit.Counts(2, 90).Summary);
    }

    [Theory]
    [InlineData(0, 10, "No validated examples yet: nothing to hold out or train on.")]
    [InlineData(12, 0, "No split: trains on all 12 examples, none held out for validation.")]
    [InlineData(1, 0, "No split: trains on all 1 example, none held out for validation.")]
    public void Without_examples_or_without_a_share_nothing_is_held_out_and_that_is_no_problem(int examples, int percent, string summary)
    {
        var split = StratifiedSplit.Counts(examples, percent);

        Assert.Equal(0, split.HeldOut);
        Assert.Null(split.Problem);
        Assert.Equal(summary, split.Summary);
    }
}
