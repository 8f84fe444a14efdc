using MediaPlanner.Domain.Training;

namespace MediaPlanner.Tests.Training;

/// <summary>The example's own review transitions: today's rules, each change with a new version.</summary>
public class TrainingExampleTransitionsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

    private static TrainingExample Example(bool hasErrors = false, int? duplicateOf = null, ExampleStatus status = ExampleStatus.PendingReview) =>
        new() { Id = 3, MessagesJson = "{}", ContentHash = "hash", HasErrors = hasErrors, DuplicateOfId = duplicateOf, Status = status };

    [Fact]
    public void Validate_makes_the_example_training_data_with_a_new_version()
    {
        var example = Example(status: ExampleStatus.Rejected);
        example.RejectionReason = "Too much TV.";
        var version = example.Version;

        Assert.Null(example.Validate("reviewer", Now));

        Assert.Equal(ExampleStatus.Validated, example.Status);
        Assert.Equal(("reviewer", Now), (example.ReviewedById, example.ReviewedAt));
        Assert.Null(example.RejectionReason);
        Assert.NotEqual(version, example.Version);
    }

    [Fact]
    public void An_example_with_blocking_errors_is_not_validated_and_keeps_its_version()
    {
        var example = Example(hasErrors: true);
        var version = example.Version;

        Assert.Equal("This example has blocking errors: edit the plan to fix them before validating.", example.Validate("reviewer", Now));

        Assert.Equal(ExampleStatus.PendingReview, example.Status);
        Assert.Equal(version, example.Version);
        Assert.Null(example.ReviewedById);
    }

    [Fact]
    public void A_duplicate_is_not_validated()
    {
        var example = Example(duplicateOf: 9);

        Assert.Equal("This example duplicates example 9; validate that one instead.", example.Validate("reviewer", Now));
        Assert.Equal(ExampleStatus.PendingReview, example.Status);
    }

    [Fact]
    public void Reject_keeps_the_trimmed_reason_with_a_new_version()
    {
        var example = Example(status: ExampleStatus.Validated);
        var version = example.Version;

        example.Reject("  Too much TV.  ", "reviewer", Now);

        Assert.Equal((ExampleStatus.Rejected, "Too much TV."), (example.Status, example.RejectionReason));
        Assert.NotEqual(version, example.Version);
    }

    [Theory]
    [InlineData("", "Give a reason for rejecting, so the planner can learn from it.")]
    [InlineData("   ", "Give a reason for rejecting, so the planner can learn from it.")]
    public void A_rejection_needs_a_reason(string reason, string problem)
    {
        var example = Example();

        Assert.Equal(problem, TrainingExample.RejectionProblem(reason));
        Assert.Equal(problem, Assert.Throws<ArgumentException>(() => example.Reject(reason, "reviewer", Now)).Message.Split(" (Parameter")[0]);
        Assert.Equal(ExampleStatus.PendingReview, example.Status);
    }

    [Fact]
    public void A_reason_over_1000_characters_is_refused()
    {
        Assert.Equal("Keep the reason under 1,000 characters.", TrainingExample.RejectionProblem(new string('x', 1001)));
        Assert.Null(TrainingExample.RejectionProblem(new string('x', 1000)));
    }

    [Fact]
    public void Replacing_the_plan_puts_the_example_back_in_review_with_a_new_version()
    {
        var example = Example(status: ExampleStatus.Validated);
        var version = example.Version;

        example.ReplacePlan("{\"messages\":[]}", "new-hash", 4, 120, true, "[{}]", "editor", Now);

        Assert.Equal(ExampleStatus.PendingReview, example.Status);
        Assert.Equal(("{\"messages\":[]}", "new-hash", (int?)4, 120, true, "[{}]"),
            (example.MessagesJson, example.ContentHash, example.DuplicateOfId, example.TokenCount, example.HasErrors, example.IssuesJson));
        Assert.Equal(("editor", (DateTimeOffset?)Now), (example.EditedById, example.EditedAt));
        Assert.NotEqual(version, example.Version);
    }

    [Fact]
    public void Recording_results_changes_the_version()
    {
        var example = Example();
        var version = example.Version;

        example.RecordResults(0.02, 0.01, 1000m, Now);

        Assert.Equal((0.02, 0.01, 1000m, Now), (example.Ctr!.Value, example.ConversionRate!.Value, example.DeliveredSpend!.Value, example.ResultsRecordedAt!.Value));
        Assert.NotEqual(version, example.Version);
    }
}
