using MediaPlanner.Domain.Training;

namespace MediaPlanner.Tests.Training;

public class TrainingSplitTests
{
    [Fact]
    public void The_same_id_seed_and_percent_always_land_on_the_same_side()
    {
        var first = Enumerable.Range(1, 1_000).Select(id => TrainingSplit.IsValidation(id, 20, 42)).ToList();
        var second = Enumerable.Range(1, 1_000).Select(id => TrainingSplit.IsValidation(id, 20, 42)).ToList();

        Assert.Equal(first, second);
    }

    [Fact]
    public void The_split_is_fixed_across_processes()
    {
        // Computed outside .NET (Python hashlib: SHA-256 of id as int64 LE + seed as int32 LE, first 8 bytes as
        // uint64 LE, mod 100): a hash that varied by run or machine would move examples between the files.
        var validation = Enumerable.Range(1, 40).Where(id => TrainingSplit.IsValidation(id, 20, 42));

        Assert.Equal([11, 17, 20, 22, 25, 28, 31, 33], validation);
    }

    [Theory]
    [InlineData(20, 42)]
    [InlineData(10, 7)]
    [InlineData(50, 1)]
    public void Roughly_the_requested_share_goes_to_validation(int percent, int seed)
    {
        var count = Enumerable.Range(1, 10_000).Count(id => TrainingSplit.IsValidation(id, percent, seed));

        Assert.InRange(count, (percent - 2) * 100, (percent + 2) * 100);
    }

    [Fact]
    public void A_different_seed_gives_a_different_split()
    {
        var a = Enumerable.Range(1, 1_000).Select(id => TrainingSplit.IsValidation(id, 20, 1));
        var b = Enumerable.Range(1, 1_000).Select(id => TrainingSplit.IsValidation(id, 20, 2));

        Assert.NotEqual(a, b);
    }

    [Fact]
    public void A_larger_percent_keeps_every_example_already_in_validation()
    {
        for (var id = 1L; id <= 2_000; id++)
        {
            if (TrainingSplit.IsValidation(id, 10, 42))
                Assert.True(TrainingSplit.IsValidation(id, 20, 42));
        }
    }

    [Fact]
    public void Zero_percent_is_all_training_and_100_percent_all_validation()
    {
        Assert.DoesNotContain(Enumerable.Range(1, 500), id => TrainingSplit.IsValidation(id, 0, 42));
        Assert.All(Enumerable.Range(1, 500), id => Assert.True(TrainingSplit.IsValidation(id, 100, 42)));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(101)]
    public void A_percent_outside_0_to_100_is_refused(int percent)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TrainingSplit.IsValidation(1, percent, 42));
    }
}
