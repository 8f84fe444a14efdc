using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers.Local;
using Microsoft.AspNetCore.Http;

namespace MediaPlanner.Tests.Fakes;

/// <summary>What a chat answer holds instead of a plan.</summary>
public enum FakeBadContent
{
    /// <summary>Prose, not JSON.</summary>
    NotJson,
    /// <summary>A plan cut off halfway.</summary>
    Truncated,
    /// <summary>Valid plan JSON with no line items.</summary>
    NoLineItems,
}

/// <summary>
/// How /v1/chat/completions answers once a request is past the key check and any fault aimed at
/// <see cref="FakeRoute.ChatCompletions"/> (401, 429, 5xx, slow): by default a real plan for the brief in the user message.
/// </summary>
public sealed partial class FakeChatBehaviour
{
    private int _badAnswers;

    /// <summary>Every answer waits this long first, as a model generating does.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>When set, every answer is this refusal instead of a plan.</summary>
    public string? Refusal { get; set; }

    /// <summary>Leaves the usage block out, as some OpenAI-compatible servers do.</summary>
    public bool OmitUsage { get; set; }

    /// <summary>Wraps plans in a Markdown code fence, as some compatible servers do in json_object mode.</summary>
    public bool CodeFence { get; set; }

    /// <summary>Rejects response_format json_schema with OpenAI's 400, as servers without structured outputs do.</summary>
    public bool RejectJsonSchema { get; set; }

    /// <summary>
    /// Changes the strict schema the fake checks, as if the provider had sent it so: a way to test how a broken plan
    /// schema fails without breaking the real one.
    /// </summary>
    public Func<JsonNode, JsonNode>? BreakSchema { get; set; }

    /// <summary>Changes each plan before it is sent, e.g. to blank its strategy name or send the same plan every time.</summary>
    public Func<MediaPlan, MediaPlan>? EditPlan { get; set; }

    public FakeBadContent BadContent { get; private set; }

    /// <summary>Models this server does not know (a deleted fine-tune, say): they answer OpenAI's 404 model_not_found.</summary>
    public HashSet<string> UnknownModels { get; } = [];

    /// <summary>
    /// The planner each model answers with, by model name: e.g. a fine-tuned model that learned a house style. Null, or
    /// a null answer, plans with the engine's default parameters.
    /// </summary>
    public Func<string, MediaMixParameters?>? ParametersFor { get; set; }

    private readonly ConcurrentDictionary<string, int> _rateLimits = new(StringComparer.Ordinal);

    /// <summary>The next <paramref name="times"/> calls to <paramref name="model"/> answer 429 with a 30 s retry-after.</summary>
    public void RateLimit(string model, int times = 1) => _rateLimits[model] = times;

    internal bool TakeRateLimit(string model)
    {
        while (_rateLimits.TryGetValue(model, out var left))
        {
            if (left <= 0)
                return false;
            if (_rateLimits.TryUpdate(model, left == int.MaxValue ? left : left - 1, left))
                return true;
        }
        return false;
    }

    private readonly ConcurrentQueue<(int Prompt, int Completion)> _usages = new();

    /// <summary>The next answers report these token counts in turn instead of counting them.</summary>
    public void ReportUsage(params (int Prompt, int Completion)[] usages)
    {
        foreach (var usage in usages)
            _usages.Enqueue(usage);
    }

    internal (int Prompt, int Completion)? TakeUsage() => _usages.TryDequeue(out var usage) ? usage : null;

    /// <summary>The next <paramref name="times"/> answers are not usable plans; then plans again.</summary>
    public void AnswerBadly(int times = int.MaxValue, FakeBadContent content = FakeBadContent.NotJson)
    {
        BadContent = content;
        Volatile.Write(ref _badAnswers, times);
    }

    internal bool TakeBadAnswer()
    {
        while (true)
        {
            var left = Volatile.Read(ref _badAnswers);
            if (left <= 0)
                return false;
            if (left == int.MaxValue || Interlocked.CompareExchange(ref _badAnswers, left - 1, left) == left)
                return true;
        }
    }
}

/// <summary>A chat completion request as the fake received it.</summary>
public sealed record FakeChatRequest(
    string? Model, string? ResponseFormatType, JsonObject? JsonSchema, double? Temperature,
    IReadOnlyList<(string Role, string Content)> Messages, JsonObject Body)
{
    public static FakeChatRequest Parse(string body)
    {
        var json = JsonNode.Parse(body) as JsonObject ?? throw new JsonException("The chat request is not a JSON object.");
        var format = json["response_format"] as JsonObject;
        var messages = (json["messages"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(m => (m["role"]?.GetValue<string>() ?? "", ContentText(m["content"])))
            .ToList();
        return new FakeChatRequest(
            json["model"]?.GetValue<string>(),
            format?["type"]?.GetValue<string>(),
            format?["json_schema"] as JsonObject,
            json["temperature"] is JsonValue t && t.TryGetValue<double>(out var temperature) ? temperature : null,
            messages,
            json);
    }

    /// <summary>Content is a string, or an array of parts whose text parts are joined.</summary>
    internal static string ContentText(JsonNode? content) => content switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonArray parts => string.Concat(parts.OfType<JsonObject>().Select(p => p["text"]?.GetValue<string>() ?? "")),
        _ => "",
    };
}

/// <summary><c>POST /v1/chat/completions</c>: plans from the local engine, or what <see cref="Chat"/> asks for instead.</summary>
public sealed partial class FakeOpenAIServer
{
    private async Task<IResult> ChatAsync(HttpContext ctx)
    {
        FakeChatRequest request;
        try
        {
            using var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8);
            request = FakeChatRequest.Parse(await reader.ReadToEndAsync(ctx.RequestAborted));
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return Error(400, null, "We could not parse the JSON body of your request.", null);
        }
        if (string.IsNullOrEmpty(request.Model))
            return Error(400, null, "you must provide a model parameter", "model");
        if (request.Messages.Count == 0)
            return Error(400, null, "[] is too short - 'messages'", "messages");
        var behaviour = Chat;
        if (behaviour.UnknownModels.Contains(request.Model))
            return Error(404, "model_not_found", $"The model `{request.Model}` does not exist or you do not have access to it.", null);
        if (ChatModel(ctx, request.Model) is not { } model)
            return DeploymentNotFoundAnswer();
        if (behaviour.TakeRateLimit(request.Model))
        {
            ctx.Response.Headers.RetryAfter = "30";
            return Error(429, "rate_limit_exceeded", $"Rate limit reached for {request.Model}. Please try again in 30s.", null);
        }
        if (request.ResponseFormatType == "json_schema" && behaviour.RejectJsonSchema)
            return Error(400, null, "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.", "response_format");
        // OpenAI checks a strict schema before anything else and answers 400 naming the first bad node; without this a
        // broken schema would pass every provider test and fail only against the real API.
        if (request.ResponseFormatType == "json_schema" && request.JsonSchema?["strict"] is JsonValue strict
            && strict.GetValueKind() == JsonValueKind.True
            && StrictSchemaRules.Check(behaviour.BreakSchema is { } breakSchema && request.JsonSchema["schema"] is { } sent
                ? breakSchema(sent.DeepClone())
                : request.JsonSchema["schema"]) is [var violation, ..])
            return Error(400, null,
                $"Invalid schema for response_format '{request.JsonSchema["name"]?.GetValue<string>()}': In context={violation.Context}, {violation.Problem}.",
                "response_format");
        if (request.ResponseFormatType == "json_object"
            && !request.Messages.Any(m => m.Content.Contains("json", StringComparison.OrdinalIgnoreCase)))
            return Error(400, null, "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.", "messages");

        var inFlight = Interlocked.Increment(ref _chatsInFlight);
        try
        {
            for (var max = Volatile.Read(ref _maxChatsInFlight); inFlight > max; max = Volatile.Read(ref _maxChatsInFlight))
                if (Interlocked.CompareExchange(ref _maxChatsInFlight, inFlight, max) == max)
                    break;
            if (behaviour.Delay > TimeSpan.Zero)
                await Task.Delay(behaviour.Delay, ctx.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            return Results.Empty; // the client gave up
        }
        finally
        {
            Interlocked.Decrement(ref _chatsInFlight);
        }

        var answer = _chatAnswers.AddOrUpdate(request.Model, 1, (_, n) => n + 1);
        string? content = null;
        string? refusal = behaviour.Refusal;
        if (refusal is null)
        {
            content = behaviour.TakeBadAnswer()
                ? BadContent(behaviour.BadContent)
                : PlanFor(request, answer, behaviour.EditPlan, behaviour.ParametersFor?.Invoke(model), behaviour.Deterministic);
            if (behaviour.CodeFence)
                content = $"```json\n{content}\n```";
        }
        var (promptTokens, completionTokens) = behaviour.TakeUsage() ?? (
            request.Messages.Sum(m => 4 + (int)Math.Ceiling(m.Content.Length / 4.0)) + 3,
            (int)Math.Ceiling((content ?? refusal ?? "").Length / 4.0));
        var completion = new JsonObject
        {
            ["id"] = $"chatcmpl-{NextId()}",
            ["object"] = "chat.completion",
            ["created"] = Now(),
            ["model"] = model,
            ["system_fingerprint"] = "fp_fake",
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject
                {
                    ["role"] = "assistant",
                    ["content"] = content,
                    ["refusal"] = refusal,
                    ["annotations"] = new JsonArray(),
                },
                ["logprobs"] = null,
                ["finish_reason"] = "stop",
            }),
            ["service_tier"] = "default",
        };
        if (!behaviour.OmitUsage)
            completion["usage"] = new JsonObject
            {
                ["prompt_tokens"] = promptTokens,
                ["completion_tokens"] = completionTokens,
                ["total_tokens"] = promptTokens + completionTokens,
                ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = 0, ["audio_tokens"] = 0 },
                ["completion_tokens_details"] = new JsonObject
                {
                    ["reasoning_tokens"] = 0,
                    ["audio_tokens"] = 0,
                    ["accepted_prediction_tokens"] = 0,
                    ["rejected_prediction_tokens"] = 0,
                },
            };
        return Json(completion);
    }

    /// <summary>
    /// The local engine's plan for the brief in the last user message, the model's next alternative in turn so that
    /// concurrent calls differ; prose when the message holds no brief.
    /// </summary>
    private static string PlanFor(FakeChatRequest request, int answer, Func<MediaPlan, MediaPlan>? edit, MediaMixParameters? parameters,
        bool deterministic)
    {
        var user = request.Messages.LastOrDefault(m => m.Role == "user").Content;
        if (BriefPrompt.Parse(user, out var error) is not { } parsed)
            return $"I could not find a campaign brief in your message ({error}).";
        var market = SeedReferenceData.Markets.FirstOrDefault(m => m.Code == parsed.Market.Code) ?? parsed.Market;
        if (SeedReferenceData.Currencies.FirstOrDefault(c => c.Code == parsed.Brief.Currency) is not { } currency)
            return $"I have no exchange rate for {parsed.Brief.Currency}.";
        var engine = new LocalMediaMixEngine(parameters ?? MediaMixParameters.Default);
        var planRequest = PlanRequest.Create(parsed.Brief, market, currency, SeedReferenceData.Benchmarks);
        var plans = engine.Generate(planRequest, LocalMediaMixEngine.MaxAlternatives);
        var plan = deterministic ? AskedFor(request, engine, planRequest) : plans[(answer - 1) % plans.Count];
        return PlanJson.Serialize(edit is null ? plan : edit(plan));
    }

    private static string BadContent(FakeBadContent kind) => kind switch
    {
        FakeBadContent.Truncated => PlanJson.Serialize(SamplePlan.Value)[..200],
        FakeBadContent.NoLineItems => PlanJson.Serialize(SamplePlan.Value with { LineItems = [] }),
        _ => "Here is a plan for your brief: put 40% into Search and the rest into Social.",
    };

    private static readonly Lazy<MediaPlan> SamplePlan = new(() =>
    {
        var market = SeedReferenceData.Markets.First(m => m.Code == "US");
        var brief = new CampaignBrief
        {
            OwnerId = "",
            Brand = "Sample",
            CampaignName = "Sample",
            Budget = 50_000m,
            Currency = "USD",
            MarketCode = market.Code,
            Objective = Objective.Awareness,
            AgeMin = 18,
            AgeMax = 54,
            FlightStart = new DateOnly(2027, 1, 1),
            FlightEnd = new DateOnly(2027, 1, 31),
            Channels = [Channel.Search, Channel.Social],
            BriefText = "Sample brief.",
        };
        var request = PlanRequest.Create(brief, market, SeedReferenceData.Currencies.First(c => c.Code == "USD"), SeedReferenceData.Benchmarks);
        return new LocalMediaMixEngine(MediaMixParameters.Default).Generate(request, 1)[0];
    });
}
