using System.Text.Json.Nodes;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace MediaPlanner.Tests.Planning;

// Token usage counted on every outcome, and servers that do not take the strict JSON schema.
public sealed partial class OpenAIPlanProviderTests
{
    [Fact]
    public async Task A_server_without_usage_counts_zero_tokens_and_still_returns_plans()
    {
        _server.Chat.OmitUsage = true;

        var result = await Provider().GenerateAsync(_request, Target(BaseModel), 2, _ct);

        Assert.Equal(2, result.Plans.Count);
        Assert.Equal((0, 0), (result.InputTokens, result.OutputTokens));
    }

    [Fact]
    public async Task A_server_without_json_schema_support_gets_json_object_with_the_schema_in_the_prompt_and_that_is_remembered()
    {
        _server.Chat.RejectJsonSchema = true;
        var provider = Provider();
        var prompt = PromptRenderer.PromptMessages(_request.Brief, _request.Market);

        var first = await provider.GenerateAsync(_request, Target(BaseModel), 1, _ct);

        Assert.Single(first.Plans);
        Assert.Equal(["json_schema", "json_object"], _server.ChatRequests.Select(r => r.ResponseFormatType));
        var fallback = _server.ChatRequests[1];
        Assert.Equal("system", fallback.Messages[0].Role);
        Assert.StartsWith(PromptRenderer.SystemPrompt, fallback.Messages[0].Content);
        Assert.Contains(PlanJson.SchemaJson, fallback.Messages[0].Content);
        Assert.Equal((ChatRoles.User, prompt[1].Content!), fallback.Messages[1]);

        // The next call goes straight to json_object.
        _server.Reset();
        _server.Chat.RejectJsonSchema = true;
        var second = await provider.GenerateAsync(_request, Target(BaseModel), 3, _ct);

        Assert.Equal(3, second.Plans.Count);
        Assert.Equal(["json_object", "json_object", "json_object"], _server.ChatRequests.Select(r => r.ResponseFormatType));

        // Remembered per model: another model on the endpoint may well support structured outputs.
        _server.Reset();
        await provider.GenerateAsync(_request, Target(FineTunedModel), 1, _ct);
        Assert.Equal("json_schema", Assert.Single(_server.ChatRequests).ResponseFormatType);
    }

    [Fact]
    public async Task A_schema_openai_calls_invalid_fails_as_invalid_schema_and_is_not_taken_for_missing_json_schema_support()
    {
        _server.Chat.BreakSchema = schema =>
        {
            schema["properties"]!["objective"]!.AsObject().Remove("type");
            return schema;
        };
        var provider = Provider();

        var ex = await Assert.ThrowsAsync<PlanProviderException>(() => provider.GenerateAsync(_request, Target(BaseModel), 2, _ct));

        Assert.Equal("invalid_schema", ex.Code);
        Assert.Contains(BaseModel, ex.Message);
        Assert.Contains("Invalid schema for response_format 'media_plan': In context=('properties', 'objective'), schema must have a 'type' key.",
            ex.Message);
        Assert.Equal(["json_schema", "json_schema"], _server.ChatRequests.Select(r => r.ResponseFormatType));
        Assert.Equal((0, 0), (ex.InputTokens, ex.OutputTokens));

        // Nothing was remembered: the next call still asks for strict json_schema.
        _server.Reset();
        var result = await provider.GenerateAsync(_request, Target(BaseModel), 1, _ct);

        Assert.Single(result.Plans);
        Assert.Equal("json_schema", Assert.Single(_server.ChatRequests).ResponseFormatType);
    }

    [Fact]
    public async Task An_unusable_answer_and_its_retry_are_both_counted_in_the_usage()
    {
        _server.Chat.AnswerBadly(times: 1);
        _server.Chat.ReportUsage((100, 50), (120, 60));

        var result = await Provider().GenerateAsync(_request, Target(BaseModel), 1, _ct);

        Assert.Single(result.Plans);
        Assert.Equal((220, 110), (result.InputTokens, result.OutputTokens));
    }

    [Fact]
    public async Task A_call_that_fails_after_two_unusable_answers_carries_the_usage_of_both()
    {
        _server.Chat.AnswerBadly();
        _server.Chat.ReportUsage((100, 50), (120, 60));

        var ex = await Assert.ThrowsAsync<PlanProviderException>(() => Provider().GenerateAsync(_request, Target(BaseModel), 1, _ct));

        Assert.Equal("invalid_output", ex.Code);
        Assert.Equal((220, 110), (ex.InputTokens, ex.OutputTokens));
    }

    [Fact]
    public async Task A_refused_call_carries_the_usage_of_the_refusals()
    {
        _server.Chat.Refusal = "I'm sorry, but I can't help with that request.";
        _server.Chat.ReportUsage((100, 10), (100, 10));

        var ex = await Assert.ThrowsAsync<PlanProviderException>(() => Provider().GenerateAsync(_request, Target(BaseModel), 2, _ct));

        Assert.Equal("refused", ex.Code);
        Assert.Equal((200, 20), (ex.InputTokens, ex.OutputTokens));
    }
}
