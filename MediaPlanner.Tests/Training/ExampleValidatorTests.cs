using System.Text.Json.Nodes;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Training;

namespace MediaPlanner.Tests.Training;

public class ExampleValidatorTests
{
    private const string Model = TrainingTestData.Model;
    private readonly ExampleValidator _validator = new();

    private static void AssertOnly(string code, ExampleValidation result, bool blocking = true)
    {
        Assert.Equal([code], result.Issues.Select(i => i.Code).Distinct());
        Assert.All(result.Issues, i => Assert.Equal(blocking, i.Blocking));
        Assert.All(result.Issues, i => Assert.False(string.IsNullOrWhiteSpace(i.Message)));
        Assert.Equal(blocking, result.HasErrors);
    }

    [Fact]
    public void A_rendered_engine_plan_is_valid_with_no_issues_at_all()
    {
        var example = TrainingTestData.Example();

        var result = _validator.Validate(example, Model);

        Assert.Empty(result.Issues);
        Assert.False(result.HasErrors);
        Assert.Equal(TokenCounter.ForModel(Model).CountExample(example), result.TokenCount);
        Assert.InRange(result.TokenCount, 500, ExampleValidator.UnusuallyLongTokens);
    }

    [Fact]
    public void A_rendered_line_is_valid_and_counts_the_same_tokens_as_the_example()
    {
        var example = TrainingTestData.Example();

        var result = _validator.ValidateLine(example.ToJsonLine(), Model);

        Assert.Empty(result.Issues);
        Assert.Equal(_validator.Validate(example, Model).TokenCount, result.TokenCount);
    }

    // Format checks (OpenAI cookbook codes).

    [Fact]
    public void A_line_that_is_not_json_is_invalid_json_with_no_tokens()
    {
        var result = _validator.ValidateLine("""{"messages":[{"role":"user",""", Model);

        AssertOnly(IssueCodes.InvalidJson, result);
        Assert.Equal(0, result.TokenCount);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    [InlineData("42")]
    public void A_line_that_is_not_an_object_is_a_data_type_error(string line)
    {
        var result = _validator.ValidateLine(line, Model);

        AssertOnly(IssueCodes.DataType, result);
        Assert.Equal(0, result.TokenCount);
    }

    [Theory]
    [InlineData("""{"prompt":"a","completion":"b"}""")]
    [InlineData("""{"messages":[]}""")]
    [InlineData("""{"messages":"hello"}""")]
    public void A_line_without_a_messages_list_is_missing_messages_list(string line)
    {
        AssertOnly(IssueCodes.MissingMessagesList, _validator.ValidateLine(line, Model));
    }

    [Fact]
    public void A_message_without_content_is_missing_a_key()
    {
        var line = TrainingTestData.EditLine(m => m[0]!.AsObject().Remove("content"));

        AssertOnly(IssueCodes.MessageMissingKey, _validator.ValidateLine(line, Model));
    }

    [Fact]
    public void A_message_without_a_role_is_missing_a_key()
    {
        var line = TrainingTestData.EditLine(m => m[0]!.AsObject().Remove("role"));

        AssertOnly(IssueCodes.MessageMissingKey, _validator.ValidateLine(line, Model));
    }

    [Fact]
    public void A_message_with_an_unknown_key_has_an_unrecognized_key()
    {
        var line = TrainingTestData.EditLine(m => m[1]!["audience"] = "runners");

        var result = _validator.ValidateLine(line, Model);

        AssertOnly(IssueCodes.MessageUnrecognizedKey, result);
        Assert.Contains("audience", result.Issues[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_role_openai_does_not_know_is_unrecognized()
    {
        var line = TrainingTestData.EditLine(m => m[0]!["role"] = "narrator");

        AssertOnly(IssueCodes.UnrecognizedRole, _validator.ValidateLine(line, Model));
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public void A_message_with_empty_content_is_missing_content(string? content)
    {
        var line = TrainingTestData.EditLine(m => m[0]!["content"] = content);

        AssertOnly(IssueCodes.MissingContent, _validator.ValidateLine(line, Model));
    }

    [Fact]
    public void A_function_call_message_may_have_null_content()
    {
        var line = TrainingTestData.EditLine(m => m.Insert(2, new JsonObject
        {
            ["role"] = "assistant",
            ["content"] = null,
            ["function_call"] = new JsonObject { ["name"] = "lookup_cpm", ["arguments"] = "{}" },
        }));

        Assert.DoesNotContain(_validator.ValidateLine(line, Model).Issues, i => i.Code == IssueCodes.MissingContent);
    }

    [Fact]
    public void An_example_without_an_assistant_message_is_missing_it()
    {
        var line = TrainingTestData.EditLine(m => m.RemoveAt(2));

        AssertOnly(IssueCodes.ExampleMissingAssistantMessage, _validator.ValidateLine(line, Model));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(-1)]
    [InlineData(0.5)]
    public void A_weight_other_than_0_or_1_is_invalid(double weight)
    {
        var line = TrainingTestData.EditLine(m => m[2]!["weight"] = weight);

        AssertOnly(IssueCodes.InvalidWeight, _validator.ValidateLine(line, Model));
    }

    [Fact]
    public void A_weight_given_as_text_is_invalid()
    {
        var line = TrainingTestData.EditLine(m => m[2]!["weight"] = "1");

        AssertOnly(IssueCodes.InvalidWeight, _validator.ValidateLine(line, Model));
    }

    [Fact]
    public void Weights_of_0_and_1_are_valid()
    {
        var line = TrainingTestData.EditLine(m => m[2]!["weight"] = 1);

        Assert.Empty(_validator.ValidateLine(line, Model).Issues);
    }

    [Fact]
    public void Format_errors_still_report_a_token_count()
    {
        var line = TrainingTestData.EditLine(m => m[0]!["role"] = "narrator");

        Assert.True(_validator.ValidateLine(line, Model).TokenCount > 500);
    }

    // Content checks.

    [Fact]
    public void A_brief_under_50_characters_is_too_short()
    {
        // Every required label is there, so only the length is wrong.
        var example = TrainingTestData.WithContent("user", _ => "Brand:N\nBudget:?\nMarket:US\nObjective:A\nFlight:Q");

        AssertOnly(IssueCodes.BriefTooShort, _validator.Validate(example, Model));
    }

    [Fact]
    public void An_answer_under_100_characters_is_too_short_to_be_a_plan()
    {
        var example = TrainingTestData.WithContent("assistant", _ => """{"brand":"Northwind"}""");

        AssertOnly(IssueCodes.PlanTooShort, _validator.Validate(example, Model));
    }

    [Theory]
    [InlineData("Brand")]
    [InlineData("Budget")]
    [InlineData("Market")]
    [InlineData("Objective")]
    [InlineData("Flight")]
    public void A_brief_without_a_required_line_is_missing_that_field(string field)
    {
        var example = TrainingTestData.WithContent("user", text => string.Join('\n', text.Split('\n').Where(l => !l.StartsWith(field + ":", StringComparison.Ordinal))));

        var result = _validator.Validate(example, Model);

        AssertOnly(IssueCodes.MissingField, result);
        var issue = Assert.Single(result.Issues);
        Assert.Contains($"\"{field}:\"", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Field_labels_are_found_in_any_case_and_after_indentation()
    {
        var example = TrainingTestData.WithContent("user", text => text.Replace("Brand:", "  BRAND:", StringComparison.Ordinal).Replace("Flight:", "flight:", StringComparison.Ordinal));

        Assert.Empty(_validator.Validate(example, Model).Issues);
    }

    [Fact]
    public void A_label_in_the_middle_of_a_line_does_not_count()
    {
        var example = TrainingTestData.WithContent("user", text => text.Replace("Flight:", "The Flight:", StringComparison.Ordinal));

        AssertOnly(IssueCodes.MissingField, _validator.Validate(example, Model));
    }

    [Fact]
    public void An_answer_that_is_not_plan_json_is_plan_not_json()
    {
        var example = TrainingTestData.WithContent("assistant", plan => plan[..^20]);

        AssertOnly(IssueCodes.PlanNotJson, _validator.Validate(example, Model));
    }

    [Fact]
    public void Json_that_is_not_a_plan_is_plan_not_json()
    {
        var example = TrainingTestData.WithContent("assistant", _ => $$"""{"note":"{{new string('x', 200)}}"}""");

        AssertOnly(IssueCodes.PlanNotJson, _validator.Validate(example, Model));
    }

    [Fact]
    public void Spending_more_than_the_budget_on_the_brief_is_over_budget()
    {
        var example = TrainingTestData.WithContent("user", text => text.Replace("Budget: USD 250000.00", "Budget: USD 200000.00", StringComparison.Ordinal));

        var result = _validator.Validate(example, Model);

        AssertOnly(IssueCodes.OverBudget, result);
        Assert.Contains("50,000.00 more", result.Issues[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_readable_budget_on_the_brief_the_plans_own_budget_is_the_limit()
    {
        var plan = TrainingTestData.Plan();
        var inflated = plan with { LineItems = [.. plan.LineItems.Select((l, i) => i == 0 ? l with { Spend = l.Spend + 1m } : l)] };
        var example = TrainingTestData.WithContent("user", text => text.Replace("Budget: USD 250000.00", "Budget: see attached", StringComparison.Ordinal));
        example = new ChatExample([.. example.Messages.Take(2), new("assistant", PlanJson.Serialize(inflated))]);

        AssertOnly(IssueCodes.OverBudget, _validator.Validate(example, Model));
    }

    [Fact]
    public void Spending_within_half_a_cent_of_the_budget_is_not_over_budget()
    {
        var example = TrainingTestData.WithContent("user", text => text.Replace("Budget: USD 250000.00", "Budget: USD 249,999.996", StringComparison.Ordinal));

        Assert.Empty(_validator.Validate(example, Model).Issues);
    }

    [Fact]
    public void An_example_over_the_models_limit_has_too_many_tokens()
    {
        // gpt-3.5-turbo-0613 trains on 4,096 tokens: about 5,000 stays under the "unusually long" warning.
        var example = TrainingTestData.WithContent("user", text => text + string.Concat(Enumerable.Repeat(" reach", 3_000)));

        var result = _validator.Validate(example, "gpt-3.5-turbo-0613");

        AssertOnly(IssueCodes.TooManyTokens, result);
        Assert.InRange(result.TokenCount, 4_097, ExampleValidator.UnusuallyLongTokens);
    }

    [Fact]
    public void An_example_without_a_system_message_only_warns()
    {
        var result = _validator.Validate(TrainingTestData.Without("system"), Model);

        AssertOnly(IssueCodes.NoSystemMessage, result, blocking: false);
        Assert.Single(result.Warnings);
        Assert.Empty(result.Errors);
    }

    [Fact]
    public void An_example_far_longer_than_a_plan_only_warns()
    {
        var example = TrainingTestData.WithContent("user", text => text + string.Concat(Enumerable.Repeat(" reach", 9_000)));

        var result = _validator.Validate(example, Model);

        AssertOnly(IssueCodes.UnusuallyLong, result, blocking: false);
        Assert.InRange(result.TokenCount, ExampleValidator.UnusuallyLongTokens + 1, TokenCounter.MaxTokensPerExample(Model));
    }

    [Fact]
    public void An_example_without_a_user_message_has_no_brief()
    {
        AssertOnly(IssueCodes.BriefTooShort, _validator.Validate(TrainingTestData.Without("user"), Model));
    }

    [Fact]
    public void An_example_object_without_an_assistant_message_is_missing_it()
    {
        AssertOnly(IssueCodes.ExampleMissingAssistantMessage, _validator.Validate(TrainingTestData.Without("assistant"), Model));
    }

    [Fact]
    public void Content_checks_run_on_raw_lines_too()
    {
        var example = TrainingTestData.WithContent("user", text => text.Replace("Budget: USD 250000.00", "Budget: USD 1000.00", StringComparison.Ordinal));

        AssertOnly(IssueCodes.OverBudget, _validator.ValidateLine(example.ToJsonLine(), Model));
    }
}
