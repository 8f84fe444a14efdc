using System.Globalization;
using System.Text.Json;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Planning;

namespace MediaPlanner.Domain.Training;

/// <summary>One problem with a training example. Blocking issues keep it out of a fine-tuning file.</summary>
public sealed record ValidationIssue(string Code, string Message, bool Blocking);

public sealed record ExampleValidation(IReadOnlyList<ValidationIssue> Issues, int TokenCount)
{
    public bool HasErrors => Issues.Any(i => i.Blocking);
    public IEnumerable<ValidationIssue> Errors => Issues.Where(i => i.Blocking);
    public IEnumerable<ValidationIssue> Warnings => Issues.Where(i => !i.Blocking);
}

/// <summary>
/// Issue codes. The format codes are those of OpenAI's cookbook "Data preparation and analysis for chat model
/// fine-tuning", so a reader can look them up there.
/// </summary>
public static class IssueCodes
{
    public const string InvalidJson = "invalid_json";
    public const string DataType = "data_type";
    public const string MissingMessagesList = "missing_messages_list";
    public const string MessageMissingKey = "message_missing_key";
    public const string MessageUnrecognizedKey = "message_unrecognized_key";
    public const string UnrecognizedRole = "unrecognized_role";
    public const string MissingContent = "missing_content";
    public const string ExampleMissingAssistantMessage = "example_missing_assistant_message";
    public const string InvalidWeight = "invalid_weight";

    public const string BriefTooShort = "brief_too_short";
    public const string PlanTooShort = "plan_too_short";
    public const string MissingField = "missing_field";
    public const string PlanNotJson = "plan_not_json";
    public const string OverBudget = "over_budget";
    public const string TooManyTokens = "too_many_tokens";

    public const string NoSystemMessage = "no_system_message";
    public const string UnusuallyLong = "unusually_long";
}

/// <summary>Checks chat training examples: OpenAI's format rules, then the planner's own rules for a brief and its plan.</summary>
public sealed class ExampleValidator
{
    public const int MinBriefLength = 50;
    public const int MinPlanLength = 100;

    /// <summary>
    /// A prompt-and-plan example is normally 1,500–3,000 tokens; past 8,000 it almost always holds pasted
    /// documents or a runaway answer, which costs training tokens without teaching planning.
    /// </summary>
    public const int UnusuallyLongTokens = 8_000;

    private static readonly string[] AllowedRoles = [ChatRoles.System, ChatRoles.User, ChatRoles.Assistant, ChatRoles.Function, ChatRoles.Tool];

    /// <summary>Validates one raw JSONL line: format first, then, if the format is sound, the content.</summary>
    public ExampleValidation ValidateLine(string jsonLine, string model)
    {
        ArgumentNullException.ThrowIfNull(jsonLine);
        try
        {
            return ValidateJson(jsonLine, model);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException and not ArgumentNullException)
        {
            // JSON may escape half a surrogate pair ("\ud800"), which no string can hold: System.Text.Json throws on reading it.
            return Single(IssueCodes.InvalidJson, $"The line holds text that is not valid Unicode ({ex.Message}). Each line must be UTF-8 JSON; an escape such as \\ud83d needs its pair.");
        }
    }

    private ExampleValidation ValidateJson(string jsonLine, string model)
    {
        var counter = TokenCounter.ForModel(model);

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(jsonLine);
        }
        catch (JsonException ex)
        {
            return Single(IssueCodes.InvalidJson, $"The line is not valid JSON ({ex.Message}). Each line must be one complete JSON object.");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return Single(IssueCodes.DataType, $"The line is a JSON {Kind(root.ValueKind)}, not an object. Each line must be {{\"messages\":[...]}}.");
            if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
                return Single(IssueCodes.MissingMessagesList, "The example has no \"messages\" list, or it is empty. Add a \"messages\" array with the system, user and assistant messages.");

            var issues = new List<ValidationIssue>();
            var parsed = new List<ChatMessage>(messages.GetArrayLength());
            var tokens = TokenCounter.ReplyPriming;
            var hasAssistant = false;
            var number = 0;
            foreach (var element in messages.EnumerateArray())
            {
                number++;
                if (element.ValueKind != JsonValueKind.Object)
                {
                    issues.Add(Error(IssueCodes.DataType, $"Message {number} is a JSON {Kind(element.ValueKind)}, not an object with \"role\" and \"content\"."));
                    continue;
                }

                var message = ReadMessage(element, number, issues);
                tokens += counter.CountMessage(message);
                hasAssistant |= message.Role == ChatRoles.Assistant;
                parsed.Add(message);
            }
            if (!hasAssistant)
                issues.Add(Error(IssueCodes.ExampleMissingAssistantMessage, "The example has no assistant message. Add the plan as a message with role \"assistant\"."));

            return issues.Count > 0
                ? new ExampleValidation(issues, tokens)
                : Validate(new ChatExample(parsed), model, tokens);
        }
    }

    /// <summary>Validates an example's content: brief, plan, budget and size.</summary>
    public ExampleValidation Validate(ChatExample example, string model)
    {
        ArgumentNullException.ThrowIfNull(example);
        return Validate(example, model, TokenCounter.ForModel(model).CountExample(example));
    }

    private static ExampleValidation Validate(ChatExample example, string model, int tokens)
    {
        var issues = new List<ValidationIssue>();
        ChatMessage? system = null, user = null, assistant = null;
        foreach (var message in example.Messages)
        {
            switch (message.Role)
            {
                case ChatRoles.System: system ??= message; break;
                case ChatRoles.User: user ??= message; break;
                case ChatRoles.Assistant: assistant = message; break;
            }
        }

        if (system is null)
            issues.Add(Warning(IssueCodes.NoSystemMessage, "The example has no system message. Add the standard planner instructions so training matches how plans are requested."));

        decimal? budgetFromBrief = null;
        if (user is null)
            issues.Add(Error(IssueCodes.BriefTooShort, "The example has no user message. Add the brief as a message with role \"user\"."));
        else
        {
            var brief = user.Content ?? "";
            var briefLength = brief.AsSpan().Trim().Length;
            if (briefLength < MinBriefLength)
                issues.Add(Error(IssueCodes.BriefTooShort, $"The brief is {briefLength} characters; it needs at least {MinBriefLength}. Describe the campaign: brand, budget, market, objective, flight and audience."));
            var fields = BriefPrompt.ReadFields(brief);
            budgetFromBrief = fields.BudgetAmount;
            foreach (var label in fields.MissingLabels())
                issues.Add(Error(IssueCodes.MissingField, $"The brief has no \"{label}:\" line. Add it at the start of a line, e.g. \"{label}: ...\"."));
        }

        if (assistant is null)
            issues.Add(Error(IssueCodes.ExampleMissingAssistantMessage, "The example has no assistant message. Add the plan as a message with role \"assistant\"."));
        else
            CheckPlan(assistant, budgetFromBrief, issues);

        var max = TokenCounter.MaxTokensPerExample(model);
        if (tokens > max)
            issues.Add(Error(IssueCodes.TooManyTokens, string.Create(CultureInfo.InvariantCulture, $"The example is {tokens:N0} tokens; {model} trains on at most {max:N0} and would cut the rest. Shorten the brief or the plan.")));
        else if (tokens > UnusuallyLongTokens)
            issues.Add(Warning(IssueCodes.UnusuallyLong, string.Create(CultureInfo.InvariantCulture, $"The example is {tokens:N0} tokens, far above a typical plan (under {UnusuallyLongTokens:N0}). Check for pasted documents or repeated text; it costs training tokens.")));

        return new ExampleValidation(issues, tokens);
    }

    private static void CheckPlan(ChatMessage assistant, decimal? budgetFromBrief, List<ValidationIssue> issues)
    {
        var answer = assistant.Content ?? "";
        var length = answer.AsSpan().Trim().Length;
        // Anything this short cannot be a plan, so "not JSON" would only repeat the point.
        if (length < MinPlanLength)
        {
            issues.Add(Error(IssueCodes.PlanTooShort, $"The plan is {length} characters; a plan needs at least {MinPlanLength}. Replace it with the full plan JSON."));
            return;
        }
        if (!PlanJson.TryDeserialize(answer, out var plan, out var error) || plan is null)
        {
            issues.Add(Error(IssueCodes.PlanNotJson, $"The assistant's answer is not a valid plan: {error} Fix the JSON so it matches the MediaPlan schema."));
            return;
        }

        var budget = budgetFromBrief ?? plan.Budget;
        var spend = 0m;
        foreach (var item in plan.LineItems)
            spend += item.Spend;
        if (spend > budget + 0.005m)
        {
            var inv = CultureInfo.InvariantCulture;
            issues.Add(Error(IssueCodes.OverBudget, string.Create(inv,
                $"The line items spend {plan.Currency} {spend:N2}, {spend - budget:N2} more than the {plan.Currency} {budget:N2} budget. Reduce spend so the lines add up to the budget.")));
        }
    }

    private static ChatMessage ReadMessage(JsonElement element, int number, List<ValidationIssue> issues)
    {
        string? role = null, content = null, name = null;
        int? weight = null;
        bool hasRole = false, hasContent = false, hasFunctionCall = false, contentIsText = true;
        List<string>? unknown = null;
        foreach (var property in element.EnumerateObject())
        {
            var value = property.Value;
            if (property.NameEquals("role"))
            {
                hasRole = true;
                role = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            }
            else if (property.NameEquals("content"))
            {
                hasContent = true;
                contentIsText = value.ValueKind is JsonValueKind.String or JsonValueKind.Null;
                content = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            }
            else if (property.NameEquals("name"))
                name = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            else if (property.NameEquals("function_call"))
                hasFunctionCall = value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined);
            else if (property.NameEquals("weight"))
            {
                if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var w) && w is 0 or 1)
                    weight = w;
                else
                    issues.Add(Error(IssueCodes.InvalidWeight, $"Message {number} has weight {value.GetRawText()}; a weight must be 0 (do not train on this message) or 1."));
            }
            else
                (unknown ??= []).Add(property.Name);
        }

        if (!hasRole || !hasContent)
            issues.Add(Error(IssueCodes.MessageMissingKey, $"Message {number} has no \"{(hasRole ? "content" : "role")}\" key. Every message needs \"role\" and \"content\"."));
        if (unknown is not null)
            issues.Add(Error(IssueCodes.MessageUnrecognizedKey, $"Message {number} has unrecognized keys: {string.Join(", ", unknown)}. Allowed keys are role, content, name, function_call and weight."));
        if (hasRole && (role is null || Array.IndexOf(AllowedRoles, role) < 0))
            issues.Add(Error(IssueCodes.UnrecognizedRole, $"Message {number} has role {element.GetProperty("role").GetRawText()}. Use one of {string.Join(", ", AllowedRoles)}."));
        if (hasContent && !contentIsText)
            issues.Add(Error(IssueCodes.MissingContent, $"Message {number} has content that is not text. Write the content as a string."));
        else if (hasContent && string.IsNullOrEmpty(content) && !hasFunctionCall)
            issues.Add(Error(IssueCodes.MissingContent, $"Message {number} has empty content. Write the message text, or remove the message."));

        return new ChatMessage(role ?? "", content, name, weight);
    }

    private static string Kind(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => "object",
    };

    private static ExampleValidation Single(string code, string message) => new([Error(code, message)], 0);

    private static ValidationIssue Error(string code, string message) => new(code, message, Blocking: true);

    private static ValidationIssue Warning(string code, string message) => new(code, message, Blocking: false);
}
