using System.ClientModel;
using System.Collections.Concurrent;
using System.Text.Json;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Training;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenAI.Chat;
using PromptMessage = MediaPlanner.Domain.Training.ChatMessage;
using SdkMessage = OpenAI.Chat.ChatMessage;

namespace MediaPlanner.Domain.Providers.OpenAI;

// A little over 400 lines on purpose: one call's path (ask, read, ask again once, count usage, sort failures) reads top
// to bottom; the failure wording and the schema fallback depend on each step's state, so splitting them scatters it.

/// <summary>
/// Plans with an OpenAI chat model, a base model or a fine-tuned "ft:…" one. Each alternative is its own chat completion,
/// all sent at once, with the plan's JSON Schema as strict structured output: the first (Balanced) with exactly the prompt
/// the training examples hold (<see cref="PromptRenderer.PromptMessages"/>), the others with one steer line more
/// (<see cref="PlanAlternatives"/>), so that they differ even on a deterministic server; each plan is named after the
/// alternative it was asked as, and they come back in the local engine's order (reach-led first). An answer that is not a usable plan is asked for once more; a refusal
/// is not. Servers without json_schema support fall back to json_object mode, remembered per endpoint and model; a
/// schema the server calls invalid fails the call instead, since falling back would hide a bug in the plan schema.
/// Every answer's token usage counts, the unusable and retried ones too, on success and on failure alike.
/// </summary>
/// <remarks>
/// The client factory turns the SDK's retries off. Planners are waiting on this call, so it retries a 429 or 5xx once,
/// and only when the server asks for a wait of at most <see cref="MaxRetryAfter"/> (a 5xx that names no wait is retried
/// after half a second); anything longer fails at once with a code the caller can act on, e.g. by falling back to
/// another model.
/// </remarks>
public sealed class OpenAIPlanProvider(
    OpenAIClientFactory clients,
    IOptionsMonitor<OpenAIOptions> options,
    ILogger<OpenAIPlanProvider> logger,
    ProviderProfileService? profiles = null,
    PrivacySettingsService? settingsService = null)
    : IPlanProvider
{
    public const string ProviderName = "openai";
    public const int MaxAlternatives = PlanAlternatives.Max;
    /// <summary>Some variety between generations, little enough that the numbers stay sensible; alternatives differ by their steer lines.</summary>
    public const float Temperature = 0.7f;
    /// <summary>
    /// A plan is 1–3k tokens; the cap stops a runaway answer (json_object mode can emit endless whitespace) and is within
    /// every fine-tunable model's output limit (gpt-3.5-turbo's is 4,096).
    /// </summary>
    public const int MaxOutputTokens = 4_096;
    public const string SchemaName = "media_plan";
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ServerErrorRetryDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>Keys "endpoint|model" whose server rejected json_schema: their calls go straight to json_object.</summary>
    private readonly ConcurrentDictionary<string, bool> _jsonObjectOnly = new(StringComparer.Ordinal);

    public string Name => ProviderName;

    public bool IsConfigured => options.CurrentValue.IsConfigured;

    /// <summary>Every hosted profile: the primary OpenAI one and any an admin added.</summary>
    public bool Handles(string provider) => provider == ProviderName || profiles?.IsHosted(provider) == true;

    public bool IsConfiguredFor(string provider) =>
        provider == ProviderName ? IsConfigured : profiles?.Connection(provider)?.ApiKey is not null;

    public async Task<ProviderResult> GenerateAsync(PlanRequest request, ModelTarget target, int alternatives, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(target);
        var settings = options.CurrentValue;
        string endpoint, apiKey;
        if (target.Provider == ProviderName || profiles is null)
        {
            if (!settings.IsConfigured)
                throw new PlanProviderException("No OpenAI API key is configured. Add one in settings to plan with OpenAI.", "not_configured");
            if (settings.Validate() is [var problem, ..])
                throw new PlanProviderException(problem, "invalid_configuration");
            (endpoint, apiKey) = (settings.EndpointUri().ToString(), settings.ApiKey!.Trim());
        }
        else
        {
            var connection = profiles.Connection(target.Provider)
                ?? throw new PlanProviderException($"There is no provider {target.Provider}: add it in settings.", "not_configured");
            if (connection.ApiKey is null)
                throw new PlanProviderException($"The provider {target.Provider} has no API key for {connection.Endpoint}: enter it in settings.", "not_configured");
            (endpoint, apiKey) = (connection.Endpoint.Trim().TrimEnd('/'), connection.ApiKey);
        }

        // The plan generator's default target names no model: that means the configured base model. A deployment name
        // (Azure OpenAI) is what the request carries; the model name is what the call is recorded and priced under.
        var model = string.IsNullOrWhiteSpace(target.Model) ? settings.BaseModel.Trim() : target.Model.Trim();
        var requestModel = string.IsNullOrWhiteSpace(target.Deployment) ? model : target.Deployment.Trim();
        alternatives = Math.Clamp(alternatives, 1, MaxAlternatives);
        ChatClient chat;
        try
        {
            chat = clients.CreateChatClient(target.Provider, requestModel);
        }
        catch (InvalidOperationException ex)
        {
            throw new PlanProviderException(ex.Message, "invalid_configuration", ex);
        }

        // With anonymisation on, the brief leaves the app as the training files did (names as placeholders) and the plans
        // come back with the brief's names, so the model sees what it was trained on and the planner what they wrote.
        var names = settingsService?.AnonymiseOutbound == true ? Anonymiser.ForBrief(request.Brief) : null;
        // The request's prompt, rendered from the brief and market as the generator read them: the one the plans keep.
        var prompt = request.Prompt;
        var call = new Call(chat, requestModel, $"{endpoint}|{requestModel}", prompt, apiKey, settings.NetworkTimeout, names);
        var outcomes = await Task.WhenAll(PlanAlternatives.For(alternatives).Select(alternative =>
            AlternativeAsync(call with { Prompt = call.Outbound(PlanAlternatives.Prompt(prompt, alternative)) }, alternative, cancellationToken)));

        var inputTokens = outcomes.Sum(o => o.InputTokens);
        var outputTokens = outcomes.Sum(o => o.OutputTokens);
        var plans = Distinct(outcomes.Where(o => o.Plan is not null).Select(o => o.Plan!), model);
        if (plans.Count == 0)
            throw AllFailed(call, [.. outcomes.Select(o => o.Failure!)], inputTokens, outputTokens);
        if (plans.Count < alternatives)
            logger.LogInformation("OpenAI model {Model} gave {Plans} distinct plans of {Alternatives} asked for ({Failures})",
                model, plans.Count, alternatives, string.Join(", ", outcomes.Where(o => o.Failure is not null).Select(o => o.Failure!.Code)));
        return new ProviderResult(model, PlanAlternatives.InTiltOrder(plans), inputTokens, outputTokens);
    }

    /// <summary>One alternative: a call, and one more when the answer is not a usable plan; the plan is named after the alternative.</summary>
    private async Task<Outcome> AlternativeAsync(Call call, PlanAlternative alternative, CancellationToken ct)
    {
        var tally = new Tally();
        Failure? failure = null;
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            Answer answer;
            try
            {
                answer = await CompleteAsync(call, tally, ct);
            }
            catch (CallFailedException failed)
            {
                return new Outcome(null, failed.Failure, tally.Input, tally.Output);
            }

            if (!string.IsNullOrWhiteSpace(answer.Refusal))
                return new Outcome(null, new Failure("refused",
                    $"The model {call.Model} refused to plan this brief: \"{Shorten(call.Redact(call.Restore(answer.Refusal.Trim())), 200)}\""),
                    tally.Input, tally.Output);
            if (answer.FinishReason == ChatFinishReason.ContentFilter)
                return new Outcome(null, new Failure("refused",
                    $"OpenAI's content filter withheld the answer of {call.Model} for this brief."), tally.Input, tally.Output);

            if (Usable(answer, out var plan, out var reason))
                return new Outcome(call.Restore(plan!) with { StrategyName = alternative.Name }, null, tally.Input, tally.Output);
            failure = new Failure("invalid_output", $"The model {call.Model} did not return a usable plan, twice: {call.Redact(reason)}.");
            logger.LogWarning("OpenAI model {Model}, alternative {Alternative}, attempt {Attempt}: unusable answer ({Reason})",
                call.Model, alternative.Name, attempt, reason);
        }
        return new Outcome(null, failure, tally.Input, tally.Output);
    }

    /// <summary>
    /// Sends the chat completion: falls back to json_object when the server rejects json_schema, retries a short-wait
    /// 429 or 5xx once, and turns every other failure into a <see cref="CallFailedException"/> with a code.
    /// </summary>
    private async Task<Answer> CompleteAsync(Call call, Tally tally, CancellationToken ct)
    {
        var retried = false;
        while (true)
        {
            var jsonObject = _jsonObjectOnly.ContainsKey(call.Key);
            try
            {
                var result = await call.Chat.CompleteChatAsync(Messages(call.Prompt, jsonObject), CompletionOptions(jsonObject), ct);
                var completion = result.Value;
                // Compatible servers may leave usage out: it counts as nothing, never as an error.
                tally.Add(completion.Usage);
                // Read here, where an envelope without choices is caught as unreadable: the SDK reads choice 0.
                return new Answer(
                    string.Concat(completion.Content.Where(p => p.Kind == ChatMessageContentPartKind.Text).Select(p => p.Text)),
                    completion.Refusal, completion.FinishReason);
            }
            catch (ClientResultException ex) when (ex.Status == 400 && OpenAIErrorBody.From(ex) is var error && IsInvalidSchema(error))
            {
                var detail = Shorten(call.Redact(error.Message ?? ""), 500);
                logger.LogError("The OpenAI endpoint rejected the plan JSON Schema for {Model} as invalid: {Message}", call.Model, detail);
                throw new CallFailedException(new Failure("invalid_schema",
                    $"OpenAI rejected MediaPlanner's plan JSON Schema as invalid for {call.Model}, so no plan was asked for: {detail}"), ex);
            }
            catch (ClientResultException ex) when (!jsonObject && ex.Status == 400 && OpenAIErrorBody.From(ex) is var error && RejectsJsonSchema(error))
            {
                if (_jsonObjectOnly.TryAdd(call.Key, true))
                    logger.LogWarning("The OpenAI endpoint rejected json_schema output for {Model} ({Message}); using json_object from now on",
                        call.Model, call.Redact(error.Message ?? ""));
            }
            catch (Exception ex) when (ProviderErrorClassifier.Classify(ex, DateTimeOffset.UtcNow, ct) is { } error)
            {
                if (retried || RetryDelay(error) is not { } delay)
                    throw new CallFailedException(Classify(call, error), ex);
                retried = true;
                logger.LogInformation("OpenAI answered {Status} for {Model}; retrying once in {Delay} ms", error.Status, call.Model, delay.TotalMilliseconds);
                await Task.Delay(delay, ct);
            }
        }
    }

    private static IEnumerable<SdkMessage> Messages(IReadOnlyList<PromptMessage> prompt, bool jsonObject)
    {
        for (var i = 0; i < prompt.Count; i++)
        {
            var message = prompt[i];
            var content = message.Content ?? "";
            switch (message.Role)
            {
                case ChatRoles.System:
                    // json_object mode only promises JSON, so the shape travels in the prompt, once, after the training
                    // system prompt; only on servers without json_schema does the trained prompt differ.
                    yield return new SystemChatMessage(jsonObject && i == 0
                        ? $"{content}\n\nThe JSON object must match this JSON Schema:\n{PlanJson.SchemaJson}"
                        : content);
                    break;
                case ChatRoles.Assistant:
                    yield return new AssistantChatMessage(content);
                    break;
                default:
                    yield return new UserChatMessage(content);
                    break;
            }
        }
    }

    // A fresh options object per call: the SDK writes the model and stream flags into it while sending.
    private static ChatCompletionOptions CompletionOptions(bool jsonObject) => new()
    {
        Temperature = Temperature,
        MaxOutputTokenCount = MaxOutputTokens,
        ResponseFormat = jsonObject
            ? ChatResponseFormat.CreateJsonObjectFormat()
            : ChatResponseFormat.CreateJsonSchemaFormat(SchemaName, BinaryData.FromString(PlanJson.SchemaJson), jsonSchemaIsStrict: true),
    };

    private static bool Usable(Answer answer, out MediaPlan? plan, out string reason)
    {
        plan = null;
        var text = WithoutCodeFence(answer.Text);
        if (answer.FinishReason == ChatFinishReason.Length)
        {
            reason = $"the answer was cut off at the {MaxOutputTokens:N0}-token output limit";
            return false;
        }
        if (string.IsNullOrWhiteSpace(text))
        {
            reason = "the answer is empty";
            return false;
        }
        if (!PlanJson.TryDeserialize(text, out var parsed, out var error) || parsed is null)
        {
            reason = $"the answer is not plan JSON ({Shorten(error ?? "null", 200)})";
            return false;
        }
        if (parsed.LineItems is not { Count: > 0 } items || items.Any(i => i is null))
        {
            reason = "the plan has no line items";
            return false;
        }
        if (items.Sum(i => i.Spend) <= 0)
        {
            reason = "the plan spends nothing";
            return false;
        }
        plan = parsed;
        reason = "";
        return true;
    }

    /// <summary>Some compatible servers wrap json_object answers in a Markdown code fence.</summary>
    private static string WithoutCodeFence(string text)
    {
        var trimmed = text.Trim();
        if (!trimmed.StartsWith("```", StringComparison.Ordinal) || !trimmed.EndsWith("```", StringComparison.Ordinal) || trimmed.Length < 6)
            return text;
        var firstLineEnd = trimmed.IndexOf('\n', StringComparison.Ordinal);
        return firstLineEnd < 0 || firstLineEnd + 1 > trimmed.Length - 3 ? text : trimmed[(firstLineEnd + 1)..^3];
    }

    /// <summary>
    /// Each plan once: a model that ignored its steer line and gave the same plan as an earlier alternative adds nothing, so
    /// only the first (the Balanced one, asked with the trained prompt) is kept.
    /// </summary>
    private List<MediaPlan> Distinct(IEnumerable<MediaPlan> plans, string model)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<MediaPlan>();
        foreach (var plan in plans)
        {
            if (seen.Add(PlanJson.Serialize(plan with { StrategyName = "" })))
                result.Add(plan);
            else
                logger.LogInformation("OpenAI model {Model} gave the {Alternative} alternative the same plan as an earlier one", model, plan.StrategyName);
        }
        return result;
    }

    /// <summary>
    /// A server that does not know json_schema, e.g. "'response_format' of type 'json_schema' is not supported". An invalid
    /// schema is answered with a 400 on response_format too, and must not be taken for this.
    /// </summary>
    private static bool RejectsJsonSchema(OpenAIErrorBody error) =>
        !IsInvalidSchema(error) && (Mentions(error.Message) || Mentions(error.Param));

    /// <summary>
    /// OpenAI's answer to a strict schema that breaks its rules: "Invalid schema for response_format 'media_plan': In
    /// context=(...), ...". A json_object fallback would hide the bug until every planner ran on the weaker mode.
    /// </summary>
    private static bool IsInvalidSchema(OpenAIErrorBody error) =>
        error.Code is "invalid_json_schema" or "invalid_schema"
        || error.Message is { } message && (message.Contains("Invalid schema for", StringComparison.OrdinalIgnoreCase)
                                            || message.Contains("invalid json schema", StringComparison.OrdinalIgnoreCase));

    private static bool Mentions(string? text) =>
        text is not null && (text.Contains("response_format", StringComparison.OrdinalIgnoreCase)
                             || text.Contains("json_schema", StringComparison.OrdinalIgnoreCase));

    /// <summary>How long to wait before the one retry, or null when the failure is not worth a retry while someone waits.</summary>
    private static TimeSpan? RetryDelay(ProviderError error) => error switch
    {
        { Code: "rate_limited", RetryAfter: { } wait } when wait <= MaxRetryAfter => wait,
        { Code: "server_error", RetryAfter: null } => ServerErrorRetryDelay,
        { Code: "server_error", RetryAfter: { } wait } when wait <= MaxRetryAfter => wait,
        _ => null,
    };

    /// <summary>The classified failure in a planner's words; server text is redacted, and never shown for a 401.</summary>
    private static Failure Classify(Call call, ProviderError error)
    {
        var detail = error.Detail is { Length: > 0 } m ? $": {Shorten(call.Redact(m), 300)}" : ".";
        return error switch
        {
            { Status: 401 } => new("unauthorized", "OpenAI rejected the API key (401 Unauthorized). Check the OpenAI API key in settings."),
            { Status: 403 } => new("unauthorized",
                $"OpenAI refused access to the model {call.Model} (403 Forbidden). Check the OpenAI API key in settings and that its project may use this model."),
            { Code: "insufficient_quota" } => new("insufficient_quota",
                "OpenAI refused the request: the account has run out of quota. Check the plan and billing details of the OpenAI account."),
            { Code: "rate_limited" } => new("rate_limited", error.RetryAfter is { } wait
                ? $"OpenAI is limiting the request rate (429) and asks to wait {wait.TotalSeconds:0.#} s. Try again shortly."
                : "OpenAI is limiting the request rate (429). Try again shortly."),
            { Code: "server_error" } => new("server_error", $"OpenAI had a server error (HTTP {error.Status}) while planning with {call.Model}. Try again shortly."),
            { Status: 404 } => new("model_not_found", $"OpenAI does not know the model {call.Model} (404){detail}"),
            { Code: "timeout" } or { Status: 408 } => Timeout(call),
            { Code: "unreachable" } => new("unreachable", $"OpenAI could not be reached ({call.Redact(error.Detail ?? "network error")})."),
            // The envelope itself was unreadable: a proxy or gateway answering in OpenAI's place.
            { Code: "unreadable" } => new("server_error",
                $"OpenAI's answer for {call.Model} is not the chat completion JSON the API documents ({Shorten(call.Redact(error.Detail ?? ""), 200)})."),
            _ => new("bad_request", $"OpenAI rejected the request for {call.Model} ({error.Status}){detail}"),
        };
    }

    private static Failure Timeout(Call call) =>
        new("timeout", $"OpenAI did not answer within {call.NetworkTimeout.TotalSeconds:0.#} s while planning with {call.Model}.");

    /// <summary>When no alternative came back: the most actionable failure, with a count when they differ.</summary>
    private PlanProviderException AllFailed(Call call, IReadOnlyList<Failure> failures, int inputTokens, int outputTokens)
    {
        var first = failures.OrderBy(f => Array.IndexOf(Severity, f.Code) is var i and >= 0 ? i : Severity.Length).First();
        var message = first.Message;
        if (failures.Count > 1 && failures.Any(f => f.Code != first.Code))
            message += $" ({failures.Count} calls failed: " +
                       string.Join(", ", failures.GroupBy(f => f.Code).Select(g => $"{g.Count()} {g.Key}")) + ")";
        logger.LogWarning("OpenAI model {Model} gave no plan: {Failures}", call.Model,
            string.Join(" | ", failures.Select(f => $"{f.Code}: {f.Message}").Distinct()));
        return new PlanProviderException(message, first.Code) { InputTokens = inputTokens, OutputTokens = outputTokens };
    }

    // What a planner or admin must act on first comes first.
    private static readonly string[] Severity =
        ["unauthorized", "insufficient_quota", "invalid_schema", "model_not_found", "bad_request", "refused", "rate_limited", "timeout", "unreachable",
         "server_error", "invalid_output"];

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..max] + "…";

    private sealed record Call(
        ChatClient Chat, string Model, string Key, IReadOnlyList<PromptMessage> Prompt, string ApiKey, TimeSpan NetworkTimeout, Anonymiser? Names)
    {
        /// <summary>The prompt as it leaves the app: names replaced when anonymisation is on.</summary>
        public IReadOnlyList<PromptMessage> Outbound(IReadOnlyList<PromptMessage> prompt) => Names?.Anonymise(prompt) ?? prompt;

        public MediaPlan Restore(MediaPlan plan) => Names?.Restore(plan) ?? plan;

        public string Restore(string text) => Names?.Restore(text) ?? text;

        /// <summary>Server text goes into messages and logs: the key must never go with it.</summary>
        public string Redact(string text) =>
            ApiKey.Length == 0 ? text : text.Replace(ApiKey, "(redacted)", StringComparison.Ordinal);

        // The record's generated ToString would print the key.
        public override string ToString() => $"Call {{ Model = {Model} }}";
    }

    private sealed record Failure(string Code, string Message);

    private sealed record Answer(string Text, string? Refusal, ChatFinishReason? FinishReason);

    private sealed record Outcome(MediaPlan? Plan, Failure? Failure, int InputTokens, int OutputTokens);

    /// <summary>Token usage of one alternative's calls; its calls run one after another.</summary>
    private sealed class Tally
    {
        public int Input { get; private set; }
        public int Output { get; private set; }

        public void Add(ChatTokenUsage? usage)
        {
            Input += usage?.InputTokenCount ?? 0;
            Output += usage?.OutputTokenCount ?? 0;
        }
    }

    private sealed class CallFailedException(Failure failure, Exception inner) : Exception(failure.Message, inner)
    {
        public Failure Failure { get; } = failure;
    }

}
