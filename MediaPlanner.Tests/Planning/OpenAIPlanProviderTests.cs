using System.Diagnostics;
using System.Text.Json.Nodes;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers.OpenAI;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Fakes;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace MediaPlanner.Tests.Planning;

/// <summary>The OpenAI plan provider against the fake OpenAI server on loopback: the real API is never called.</summary>
public sealed partial class OpenAIPlanProviderTests : IClassFixture<FakeOpenAIServer>
{
    private const string BaseModel = "gpt-4o-mini-2024-07-18";
    private const string FineTunedModel = "ft:gpt-4o-mini-2024-07-18:mediaplanner:media-plans:abc123";
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);

    private readonly FakeOpenAIServer _server;
    private readonly ITestOutputHelper _output;
    private readonly CancellationToken _ct = new CancellationTokenSource(TestTimeout).Token;
    private readonly PlanRequest _request = TestData.Request();

    public OpenAIPlanProviderTests(FakeOpenAIServer server, ITestOutputHelper output)
    {
        _server = server;
        _output = output;
        _server.Reset();
    }

    [Fact]
    public async Task Valid_answers_give_one_named_plan_per_alternative_the_first_asked_with_the_training_prompt_and_usage_summed()
    {
        // Deterministic, so each answer is the engine's plan of the name asked for and its length is known.
        _server.Chat.Deterministic = true;
        var provider = Provider();

        var result = await provider.GenerateAsync(_request, Target(FineTunedModel), 3, _ct);

        Assert.Equal(FineTunedModel, result.Model);
        Assert.Equal(3, result.Plans.Count);
        Assert.Equal(3, result.Plans.Select(p => PlanJson.Serialize(p)).Distinct().Count());
        Assert.Equal([PlanAlternatives.ReachLed, PlanAlternatives.Balanced, PlanAlternatives.PerformanceLed], result.Plans.Select(p => p.StrategyName));
        Assert.All(result.Plans, p =>
        {
            Assert.Equal(_request.Brief.Brand, p.Brand);
            Assert.Equal(_request.Brief.Budget, p.LineItems.Sum(i => i.Spend));
        });

        var requests = _server.ChatRequests;
        Assert.Equal(3, requests.Count);
        var prompt = PromptRenderer.PromptMessages(_request.Brief, _request.Market);
        Assert.Equal(2, prompt.Count);
        // Sent at once, so in any order: exactly the training prompt once, and the training prompt plus one steer line twice.
        var trained = prompt.Select(m => (m.Role, m.Content!)).ToList();
        Assert.Single(requests, r => r.Messages.SequenceEqual(trained));
        foreach (var name in new[] { PlanAlternatives.ReachLed, PlanAlternatives.PerformanceLed })
        {
            var steered = Assert.Single(requests, r => r.Messages.Count == 3 && r.Messages[2].Content.Contains($"the {name} alternative", StringComparison.Ordinal));
            Assert.Equal(trained, steered.Messages.Take(2));
            Assert.Equal(ChatRoles.System, steered.Messages[2].Role);
        }
        Assert.All(requests, r =>
        {
            Assert.Equal(FineTunedModel, r.Model);
            Assert.Equal("json_schema", r.ResponseFormatType);
            Assert.Equal(OpenAIPlanProvider.SchemaName, r.JsonSchema!["name"]!.GetValue<string>());
            Assert.True(r.JsonSchema["strict"]!.GetValue<bool>());
            Assert.True(JsonNode.DeepEquals(PlanJson.Schema(), r.JsonSchema["schema"]));
            Assert.Equal(OpenAIPlanProvider.Temperature, r.Temperature!.Value, 3);
        });

        // The fake counts 4 + ⌈chars / 4⌉ per message + 3 in, ⌈chars / 4⌉ of the answer out.
        Assert.Equal(requests.Sum(r => r.Messages.Sum(m => 4 + (int)Math.Ceiling(m.Content.Length / 4.0)) + 3), result.InputTokens);
        Assert.Equal(result.Plans.Sum(p => (int)Math.Ceiling(PlanJson.Serialize(p).Length / 4.0)), result.OutputTokens);
        Assert.All(_server.Requests, r => Assert.Equal("(redacted)", r.Headers["authorization"]));
    }

    [Fact]
    public async Task A_target_without_a_model_uses_the_configured_base_model()
    {
        var result = await Provider().GenerateAsync(_request, new ModelTarget(OpenAIPlanProvider.ProviderName, ""), 1, _ct);

        Assert.Equal(BaseModel, result.Model);
        Assert.Equal(BaseModel, Assert.Single(_server.ChatRequests).Model);
        Assert.Single(result.Plans);
    }

    [Theory]
    [InlineData(FakeBadContent.NotJson)]
    [InlineData(FakeBadContent.Truncated)]
    [InlineData(FakeBadContent.NoLineItems)]
    public async Task An_unusable_answer_is_asked_for_again_once_and_the_second_answer_is_used(FakeBadContent content)
    {
        _server.Chat.AnswerBadly(times: 1, content);

        var result = await Provider().GenerateAsync(_request, Target(BaseModel), 1, _ct);

        Assert.Single(result.Plans);
        Assert.Equal(2, _server.ChatRequests.Count);
        var promptTokens = _server.ChatRequests[0].Messages.Sum(m => 4 + (int)Math.Ceiling(m.Content.Length / 4.0)) + 3;
        Assert.Equal(2 * promptTokens, result.InputTokens); // the wasted call is paid for too
    }

    [Theory]
    [InlineData(FakeBadContent.NotJson, "not plan JSON")]
    [InlineData(FakeBadContent.NoLineItems, "no line items")]
    public async Task Answers_that_stay_unusable_fail_as_invalid_output_after_exactly_two_calls_per_alternative(FakeBadContent content, string reason)
    {
        _server.Chat.AnswerBadly(content: content);

        var ex = await Assert.ThrowsAsync<PlanProviderException>(() => Provider().GenerateAsync(_request, Target(BaseModel), 3, _ct));

        Assert.Equal("invalid_output", ex.Code);
        Assert.Contains(BaseModel, ex.Message);
        Assert.Contains(reason, ex.Message);
        Assert.Equal(6, _server.ChatRequests.Count);
    }

    [Fact]
    public async Task When_some_alternatives_fail_the_others_are_returned()
    {
        // Four bad answers among three alternatives of two tries each: at least one fails, at least one succeeds.
        _server.Chat.AnswerBadly(times: 4);

        var result = await Provider().GenerateAsync(_request, Target(BaseModel), 3, _ct);

        Assert.InRange(result.Plans.Count, 1, 2);
        Assert.InRange(_server.ChatRequests.Count, 5, 6);
    }

    [Fact]
    public async Task A_plan_in_a_markdown_code_fence_is_read()
    {
        _server.Chat.CodeFence = true;

        var result = await Provider().GenerateAsync(_request, Target(BaseModel), 2, _ct);

        Assert.Equal(2, result.Plans.Count);
        Assert.Equal(2, _server.ChatRequests.Count);
    }

    [Fact]
    public async Task A_refusal_is_not_retried_and_fails_as_refused_quoting_the_model()
    {
        _server.Chat.Refusal = "I'm sorry, but I can't help with that request.";

        var ex = await Assert.ThrowsAsync<PlanProviderException>(() => Provider().GenerateAsync(_request, Target(BaseModel), 3, _ct));

        Assert.Equal("refused", ex.Code);
        Assert.Contains("I'm sorry, but I can't help with that request.", ex.Message);
        Assert.Equal(3, _server.ChatRequests.Count);
    }

    [Fact]
    public async Task Plans_are_named_after_the_alternative_asked_for_and_a_plan_repeated_under_another_name_is_kept_once()
    {
        _server.Chat.EditPlan = p => p with { StrategyName = "" };
        var named = await Provider().GenerateAsync(_request, Target(BaseModel), 4, _ct);

        // Asked Balanced, Reach-led, Performance-led, Reach-leaning; shown as the local engine shows its own.
        Assert.Equal([PlanAlternatives.ReachLed, PlanAlternatives.ReachLeaning, PlanAlternatives.Balanced, PlanAlternatives.PerformanceLed],
            named.Plans.Select(p => p.StrategyName));

        _server.Reset();
        var same = TestData.Plans(_request, alternatives: 1)[0];
        _server.Chat.EditPlan = _ => same;
        var deduped = await Provider().GenerateAsync(_request, Target(BaseModel), 3, _ct);

        Assert.Equal(3, _server.ChatRequests.Count);
        var kept = Assert.Single(deduped.Plans);
        Assert.Equal(PlanAlternatives.Balanced, kept.StrategyName);
        Assert.Equal(PlanJson.Serialize(same with { StrategyName = PlanAlternatives.Balanced }), PlanJson.Serialize(kept));
    }

    [Fact]
    public async Task A_deterministic_server_gives_three_different_plans_because_each_alternative_is_asked_differently()
    {
        _server.Chat.Deterministic = true;
        var provider = Provider();

        var first = await provider.GenerateAsync(_request, Target(FineTunedModel), 3, _ct);
        var again = await provider.GenerateAsync(_request, Target(FineTunedModel), 3, _ct);

        Assert.Equal([PlanAlternatives.ReachLed, PlanAlternatives.Balanced, PlanAlternatives.PerformanceLed], first.Plans.Select(p => p.StrategyName));
        Assert.Equal(3, first.Plans.Select(p => PlanJson.Serialize(p with { StrategyName = "" })).Distinct().Count());
        // Each is the engine's plan of that name: the steer line reached the server, not only the label.
        var engine = TestData.Plans(_request, alternatives: 3).ToDictionary(p => p.StrategyName);
        Assert.All(first.Plans, p => Assert.Equal(engine[p.StrategyName].LineItems.Select(i => (i.Channel, i.Spend)), p.LineItems.Select(i => (i.Channel, i.Spend))));
        Assert.Equal(first.Plans.Select(p => PlanJson.Serialize(p)), again.Plans.Select(p => PlanJson.Serialize(p)));
    }

    [Fact]
    public void The_plan_schema_is_valid_for_openai_strict_structured_outputs()
    {
        // The keywords structured outputs accept in strict mode; anything else is rejected or ignored by OpenAI.
        string[] allowed =
        [
            "type", "properties", "required", "additionalProperties", "items", "enum", "const", "description", "title",
            "anyOf", "$ref", "$defs", "format", "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
            "multipleOf", "minItems", "maxItems",
        ];
        string[] formats = ["date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"];
        var schema = Assert.IsType<JsonObject>(PlanJson.Schema());
        Assert.Equal("object", schema["type"]!.GetValue<string>());
        Assert.Null(schema["anyOf"]);
        var properties = 0;
        var maxDepth = 0;

        void Walk(JsonObject node, string path, int depth)
        {
            maxDepth = Math.Max(maxDepth, depth);
            foreach (var (key, _) in node)
                Assert.True(allowed.Contains(key), $"{path}: \"{key}\" is not supported in strict mode");
            var types = node["type"] switch
            {
                JsonValue v => [v.GetValue<string>()],
                JsonArray a => a.Select(t => t!.GetValue<string>()).ToArray(),
                _ => Array.Empty<string>(),
            };
            Assert.True(types.Length > 0 || node["enum"] is not null || node["anyOf"] is not null || node["$ref"] is not null || node["const"] is not null,
                $"{path}: every schema needs a type (or enum, anyOf, $ref, const)");
            if (node["enum"] is JsonArray values)
                Assert.All(values, v => Assert.IsAssignableFrom<JsonValue>(v));
            if (node["pattern"] is not null || node["format"] is not null)
                Assert.True(types.SequenceEqual(["string"]), $"{path}: pattern and format apply to strings only");
            if (node["format"] is { } format)
                Assert.Contains(format.GetValue<string>(), formats);
            if (types.Contains("object") || node["properties"] is not null)
            {
                var props = Assert.IsType<JsonObject>(node["properties"]);
                Assert.False(node["additionalProperties"]!.GetValue<bool>(), $"{path}: additionalProperties must be false");
                Assert.Equal(props.Select(p => p.Key).Order(), node["required"]!.AsArray().Select(r => r!.GetValue<string>()).Order());
                foreach (var (name, child) in props)
                {
                    properties++;
                    Walk(Assert.IsType<JsonObject>(child), $"{path}.{name}", depth + 1);
                }
            }
            if (types.Contains("array"))
                Walk(Assert.IsType<JsonObject>(node["items"]), $"{path}[]", depth + 1);
            if (node["anyOf"] is JsonArray any)
                foreach (var option in any)
                    Walk(Assert.IsType<JsonObject>(option), $"{path}|", depth + 1);
        }

        Walk(schema, "$", 0);

        Assert.InRange(properties, 30, 5_000);
        Assert.InRange(maxDepth, 1, 10);
    }

    /// <summary>
    /// Not a timing assertion: prints how long a base and a fine-tuned generation take when started together, three
    /// alternatives each, against a fake that takes 1 s per answer. Run with --logger "console;verbosity=detailed".
    /// </summary>
    [Fact]
    public async Task Speed_base_and_fine_tuned_generations_run_all_six_calls_at_once()
    {
        var provider = Provider();
        // A warm-up call, so the figure is about concurrency and not about the first connection.
        await provider.GenerateAsync(_request, Target(BaseModel), 1, _ct);
        _server.Reset();
        _server.Chat.Delay = TimeSpan.FromSeconds(1);

        var clock = Stopwatch.StartNew();
        var baseCall = provider.GenerateAsync(_request, Target(BaseModel), 3, _ct);
        var fineTunedCall = provider.GenerateAsync(_request, Target(FineTunedModel), 3, _ct);
        var results = await Task.WhenAll(baseCall, fineTunedCall);
        clock.Stop();

        Assert.All(results, r => Assert.Equal(3, r.Plans.Count));
        Assert.Equal(3, _server.ChatRequests.Count(r => r.Model == BaseModel));
        Assert.Equal(3, _server.ChatRequests.Count(r => r.Model == FineTunedModel));
        // The proof of concurrency is the server's count of calls in progress together, not the clock.
        Assert.Equal(6, _server.MaxConcurrentChats);
        _output.WriteLine($"Base + fine-tuned, 3 alternatives each, 1 s per answer: {clock.Elapsed.TotalMilliseconds:0} ms " +
                          $"for 6 calls, at most {_server.MaxConcurrentChats} in progress at once.");
    }

    private static ModelTarget Target(string model) => new(OpenAIPlanProvider.ProviderName, model);

    private OpenAIPlanProvider Provider(Action<OpenAIOptions>? change = null)
    {
        var options = new OpenAIOptions
        {
            ApiKey = _server.ApiKey,
            Endpoint = _server.BaseAddress.ToString(),
            BaseModel = BaseModel,
            NetworkTimeout = TimeSpan.FromSeconds(10),
        };
        change?.Invoke(options);
        var monitor = new FixedOptionsMonitor(options);
        return new OpenAIPlanProvider(new OpenAIClientFactory(monitor), monitor, NullLogger<OpenAIPlanProvider>.Instance);
    }

    private sealed class FixedOptionsMonitor(OpenAIOptions value) : IOptionsMonitor<OpenAIOptions>
    {
        public OpenAIOptions CurrentValue => value;
        public OpenAIOptions Get(string? name) => value;
        public IDisposable? OnChange(Action<OpenAIOptions, string?> listener) => null;
    }
}
