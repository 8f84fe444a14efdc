using MediaPlanner.Domain.Training;

namespace MediaPlanner.Tests.Training;

public class ContentHashTests
{
    private static ChatExample Example(string system, string user, string assistant, string userRole = "user") =>
        new([new("system", system), new(userRole, user), new("assistant", assistant)]);

    [Fact]
    public void The_hash_is_lowercase_hex_sha256()
    {
        Assert.Matches("^[0-9a-f]{64}$", ContentHash.Of(TrainingTestData.Example()));
    }

    [Fact]
    public void The_same_example_always_hashes_the_same()
    {
        Assert.Equal(ContentHash.Of(TrainingTestData.Example()), ContentHash.Of(TrainingTestData.Example()));
    }

    [Theory]
    [InlineData("Brand: A\r\nBudget: USD 10\r\n\r\nBrief:\r\nRun  fast.")]
    [InlineData("  Brand: A\nBudget:   USD 10\n\nBrief:\nRun fast.  ")]
    [InlineData("Brand: A\tBudget: USD 10 Brief: Run\n fast.")]
    public void Whitespace_differences_are_duplicates(string variant)
    {
        var original = Example("Plan.", "Brand: A\nBudget: USD 10\n\nBrief:\nRun fast.", "{}");

        Assert.Equal(ContentHash.Of(original), ContentHash.Of(Example("Plan. ", variant, "{}\n")));
    }

    [Fact]
    public void Role_case_does_not_matter()
    {
        Assert.Equal(ContentHash.Of(Example("a", "b", "c")), ContentHash.Of(Example("a", "b", "c", userRole: "User")));
    }

    [Theory]
    [InlineData("Brand: A\nBudget: USD 11\n\nBrief:\nRun fast.")]
    [InlineData("Brand: A\nBudget: USD 10\n\nBrief:\nRun fast!")]
    [InlineData("brand: a\nbudget: usd 10\n\nbrief:\nrun fast.")]
    [InlineData("Brand: A\nBudget: USD 10\n\nBrief:\nRunfast.")]
    public void Real_edits_are_not_duplicates(string edited)
    {
        var original = Example("Plan.", "Brand: A\nBudget: USD 10\n\nBrief:\nRun fast.", "{}");

        Assert.NotEqual(ContentHash.Of(original), ContentHash.Of(Example("Plan.", edited, "{}")));
    }

    [Fact]
    public void Moving_text_between_messages_is_a_real_edit()
    {
        Assert.NotEqual(ContentHash.Of(Example("ab", "c", "d")), ContentHash.Of(Example("a", "bc", "d")));
    }

    [Fact]
    public void A_changed_weight_or_name_is_a_real_edit()
    {
        var plain = new ChatExample([new("user", "brief"), new("assistant", "plan")]);
        var weighted = new ChatExample([new("user", "brief"), new("assistant", "plan", Weight: 0)]);
        var named = new ChatExample([new("user", "brief", Name: "a"), new("assistant", "plan")]);

        Assert.Equal(3, new[] { plain, weighted, named }.Select(ContentHash.Of).Distinct().Count());
    }

    [Fact]
    public void An_edited_plan_is_not_a_duplicate()
    {
        var example = TrainingTestData.Example();
        var edited = TrainingTestData.WithContent("assistant", plan => plan.Replace("\"brand\":\"Northwind Running\"", "\"brand\":\"Northwind\"", StringComparison.Ordinal));

        Assert.NotEqual(example.Messages[2].Content, edited.Messages[2].Content);
        Assert.NotEqual(ContentHash.Of(example), ContentHash.Of(edited));
    }
}
