using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.FineTuning;

namespace MediaPlanner.Tests.Training;

public class StratifiedSplitTests
{
    private static List<SplitCandidate> Strata(params (string Stratum, int Count)[] strata)
    {
        var id = 0L;
        return [.. strata.SelectMany(s => Enumerable.Range(0, s.Count).Select(_ => new SplitCandidate(++id, s.Stratum)))];
    }

    [Fact]
    public void The_same_examples_seed_and_percent_always_hold_out_the_same_ids_whatever_the_input_order()
    {
        var examples = Strata(("a", 40), ("b", 25), ("c", 9));

        var first = StratifiedSplit.HeldOut(examples, 20, 42);
        var again = StratifiedSplit.HeldOut(examples, 20, 42);
        var shuffled = StratifiedSplit.HeldOut(examples.OrderBy(e => StratifiedSplit.Rank(e.ExampleId, 99)), 20, 42);

        Assert.Equal(first.Order(), again.Order());
        Assert.Equal(first.Order(), shuffled.Order());
    }

    [Fact]
    public void The_choice_within_a_stratum_is_fixed_across_processes()
    {
        // Computed outside .NET (Python hashlib: SHA-256 of id as int64 LE + seed as int32 LE, first 8 bytes as
        // uint64 LE; the 8 smallest): a hash that varied by run or machine would move examples between the files.
        var heldOut = StratifiedSplit.HeldOut(Strata(("only", 40)), 20, 42);

        Assert.Equal([4L, 11, 22, 24, 25, 27, 36, 38], heldOut.Order());
    }

    [Fact]
    public void A_different_seed_holds_out_different_examples()
    {
        var examples = Strata(("a", 50), ("b", 50));

        var one = StratifiedSplit.HeldOut(examples, 20, 1);
        var two = StratifiedSplit.HeldOut(examples, 20, 2);

        Assert.Equal(one.Count, two.Count);
        Assert.NotEqual(one.Order(), two.Order());
    }

    [Fact]
    public void Each_stratum_is_held_out_in_proportion_to_its_size()
    {
        var examples = Strata(("a", 50), ("b", 30), ("c", 20));

        var heldOut = StratifiedSplit.HeldOut(examples, 20, 42);

        var byStratum = examples.Where(e => heldOut.Contains(e.ExampleId)).CountBy(e => e.Stratum).ToDictionary();
        Assert.Equal(new Dictionary<string, int> { ["a"] = 10, ["b"] = 6, ["c"] = 4 }, byStratum);
    }

    [Fact]
    public void Seats_left_after_the_whole_quotas_go_to_the_largest_remainders()
    {
        // 25 % of 10 is 2.5, rounded to 3; quotas 1.5, 0.9 and 0.6 give 1 each rather than 2, 1 and 0.
        var examples = Strata(("a", 5), ("b", 3), ("c", 2));

        var heldOut = StratifiedSplit.HeldOut(examples, 25, 42);

        var byStratum = examples.Where(e => heldOut.Contains(e.ExampleId)).CountBy(e => e.Stratum).ToDictionary();
        Assert.Equal(new Dictionary<string, int> { ["a"] = 1, ["b"] = 1, ["c"] = 1 }, byStratum);
    }

    [Theory]
    [InlineData(8, 10, 1)]
    [InlineData(2, 10, 1)]
    [InlineData(3, 5, 1)]
    [InlineData(1, 50, 0)]
    [InlineData(0, 50, 0)]
    [InlineData(100, 0, 0)]
    [InlineData(100, 20, 20)]
    [InlineData(10, 15, 2)]
    [InlineData(10, 25, 3)]
    [InlineData(5, 90, 4)]
    [InlineData(5, 100, 4)]
    public void The_held_out_count_rounds_the_share_holds_out_one_of_a_small_set_and_never_all(int count, int percent, int expected)
    {
        Assert.Equal(expected, StratifiedSplit.HeldOutCount(count, percent));
        Assert.Equal(expected, StratifiedSplit.HeldOut(Strata(("a", count)), percent, 42).Count);
    }

    [Fact]
    public void Zero_percent_holds_out_nothing()
    {
        Assert.Empty(StratifiedSplit.HeldOut(Strata(("a", 50), ("b", 50)), 0, 42));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(101)]
    public void A_percent_outside_0_to_100_is_refused(int percent)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => StratifiedSplit.HeldOut(Strata(("a", 5)), percent, 42));
        Assert.Throws<ArgumentOutOfRangeException>(() => StratifiedSplit.HeldOutCount(5, percent));
    }

    [Fact]
    public void The_stratum_of_a_brief_is_its_objective_and_age_band()
    {
        var brief = LocalTrainingData.Brief(1);
        brief.Objective = Objective.Conversion;
        brief.AgeMin = 25;
        brief.AgeMax = 54;
        var example = PromptRenderer.Example(brief, SeedReferenceData.Markets.Single(m => m.Code == brief.MarketCode),
            LocalTrainingData.Balanced(brief));

        Assert.Equal("Conversion 35–54", StratifiedSplit.StratumOfLine(example.ToJsonLine()));
        Assert.Same(StratifiedSplit.StratumOfLine(example.ToJsonLine()), StratifiedSplit.StratumOfLine(example.ToJsonLine()));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"messages":[{"role":"user","content":"Plan me something nice for 100k."},{"role":"assistant","content":"{}"}]}""")]
    [InlineData("""{"messages":[{"role":"assistant","content":"{}"}]}""")]
    public void An_example_whose_brief_cannot_be_read_is_in_the_other_stratum(string line)
    {
        Assert.Equal(StratifiedSplit.OtherStratum, StratifiedSplit.StratumOfLine(line));
    }
}
