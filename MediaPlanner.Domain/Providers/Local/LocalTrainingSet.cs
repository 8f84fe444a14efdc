using System.Text.Json;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.FineTuning.Evaluation;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Training;
using MediaPlanner.Domain.FineTuning;

namespace MediaPlanner.Domain.Providers.Local;

/// <summary>
/// A validated example the learner can use: its brief as a plan request (reference data from the database), the channel
/// shares its plan chose, what the campaign delivered, and the weight that gives it.
/// </summary>
public sealed record LocalTrainingExample(
    ChatExample Chat,
    PlanRequest Request,
    IReadOnlyDictionary<Channel, double> TargetShares,
    ExampleOutcome? Outcome = null,
    double Weight = 1,
    MediaPlan? Plan = null);

/// <summary>A planner's choice: for this brief, the chosen plan's shares over a passed-over plan's.</summary>
public sealed record LocalPreferencePair(PlanRequest Request, IReadOnlyDictionary<Channel, double> Preferred, IReadOnlyDictionary<Channel, double> NonPreferred);

/// <summary>An example the learner could not use, by its position in the training or validation lines.</summary>
public sealed record LocalSkippedExample(bool Validation, int Index, string Reason);

public sealed record LocalTrainingSet(
    IReadOnlyList<LocalTrainingExample> Training,
    IReadOnlyList<LocalTrainingExample> Validation,
    IReadOnlyList<LocalSkippedExample> Skipped,
    IReadOnlyList<LocalPreferencePair> Pairs)
{
    public LocalTrainingSet(IReadOnlyList<LocalTrainingExample> training, IReadOnlyList<LocalTrainingExample> validation)
        : this(training, validation, [], []) { }

    /// <summary>How delivered results weighed the training examples.</summary>
    public ResultWeighting Weighting => new(
        Training.Count,
        Training.Count(e => e.Outcome?.HasAny == true),
        Training.Count == 0 ? 1 : Training.Min(e => e.Weight),
        Training.Count == 0 ? 1 : Training.Average(e => e.Weight),
        Training.Count == 0 ? 1 : Training.Max(e => e.Weight));

    /// <summary>Reads a job's dataset; unusable lines are listed with why.</summary>
    public static LocalTrainingSet Prepare(FineTuneDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var reference = data.Reference ?? ReferenceSnapshot.Seeded;
        var skipped = new List<LocalSkippedExample>();
        var training = Read(data.TrainingLines, data.TrainingOutcomes, reference, validation: false, skipped);
        var validation = Read(data.ValidationLines, data.ValidationOutcomes, reference, validation: true, skipped);
        // A pair about a held-out brief would leak it into training: the evaluation must see briefs the model never saw.
        var heldOutPrompts = validation.Select(e => e.Chat.Messages.Last(m => m.Role == ChatRoles.User).Content).ToHashSet(StringComparer.Ordinal);
        var pairs = new List<LocalPreferencePair>();
        foreach (var line in data.PreferenceLines)
            if (TryReadPair(line, reference, out var pair, out var prompt) && !heldOutPrompts.Contains(prompt))
                pairs.Add(pair);
        return new LocalTrainingSet(training, validation, skipped, pairs);
    }

    private static List<LocalTrainingExample> Read(IReadOnlyList<string> lines, IReadOnlyList<ExampleOutcome?> outcomes,
        ReferenceSnapshot reference, bool validation, List<LocalSkippedExample> skipped)
    {
        var examples = new List<LocalTrainingExample>(lines.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            var outcome = i < outcomes.Count ? outcomes[i] : null;
            if (TryRead(lines[i], reference, outcome, out var example, out var reason))
                examples.Add(example);
            else
                skipped.Add(new LocalSkippedExample(validation, i, reason));
        }
        return examples;
    }

    /// <summary>One JSONL line as a training example, or false with the reason it cannot be used.</summary>
    public static bool TryRead(string line, ReferenceSnapshot reference, ExampleOutcome? outcome, out LocalTrainingExample example, out string reason)
    {
        ArgumentNullException.ThrowIfNull(reference);
        example = null!;
        ChatExample chat;
        try
        {
            chat = ChatExample.Parse(line);
        }
        catch (JsonException ex)
        {
            reason = $"not a chat example: {ex.Message}";
            return false;
        }

        var answerAt = -1;
        for (var i = chat.Messages.Count - 1; i >= 0 && answerAt < 0; i--)
            if (chat.Messages[i].Role == ChatRoles.Assistant && !string.IsNullOrWhiteSpace(chat.Messages[i].Content))
                answerAt = i;
        var promptAt = -1;
        for (var i = answerAt - 1; i >= 0 && promptAt < 0; i--)
            if (chat.Messages[i].Role == ChatRoles.User)
                promptAt = i;
        if (answerAt < 0 || promptAt < 0)
        {
            reason = "it needs a user message (the brief) followed by an assistant message (the plan)";
            return false;
        }
        if (!TryRequest(chat.Messages[promptAt].Content, reference, out var request, out reason))
            return false;
        if (!TryShares(chat.Messages[answerAt].Content!, request, out var shares, out var plan, out reason))
            return false;

        example = new LocalTrainingExample(chat, request, shares, outcome, OutcomeWeight.For(plan, outcome, request), plan);
        reason = "";
        return true;
    }

    /// <summary>A preference JSONL line (input / preferred_output / non_preferred_output) as shares for the brief.</summary>
    public static bool TryReadPair(string line, ReferenceSnapshot reference, out LocalPreferencePair pair, out string prompt)
    {
        pair = null!;
        prompt = "";
        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            var user = root.GetProperty("input").GetProperty("messages").EnumerateArray()
                .LastOrDefault(m => m.TryGetProperty("role", out var r) && r.GetString() == ChatRoles.User);
            if (user.ValueKind != JsonValueKind.Object || user.GetProperty("content").GetString() is not { } content
                || !TryRequest(content, reference, out var request, out _))
                return false;
            prompt = content;
            var preferred = root.GetProperty("preferred_output")[0].GetProperty("content").GetString();
            var rejected = root.GetProperty("non_preferred_output")[0].GetProperty("content").GetString();
            if (preferred is null || rejected is null
                || !TryShares(preferred, request, out var a, out _, out _) || !TryShares(rejected, request, out var b, out _, out _))
                return false;
            pair = new LocalPreferencePair(request, a, b);
            return true;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            return false;
        }
    }

    private static bool TryRequest(string? userMessage, ReferenceSnapshot reference, out PlanRequest request, out string reason)
    {
        request = null!;
        if (BriefPrompt.Parse(userMessage, out var briefError) is not { } parsed)
        {
            reason = $"the brief cannot be read: {briefError}";
            return false;
        }
        if (reference.Currencies.FirstOrDefault(c => c.Code == parsed.Brief.Currency) is not { } currency)
        {
            reason = $"no exchange rate for the brief's currency {parsed.Brief.Currency}";
            return false;
        }
        // The market as the app knows it today; the prompt's own figures only for a market no longer in the database.
        var market = reference.Markets.FirstOrDefault(m => string.Equals(m.Code, parsed.Brief.MarketCode, StringComparison.OrdinalIgnoreCase)) ?? parsed.Market;
        request = PlanRequest.Create(parsed.Brief, market, currency, reference.Benchmarks);
        reason = "";
        return true;
    }

    private static bool TryShares(string planJson, PlanRequest request, out IReadOnlyDictionary<Channel, double> shares, out MediaPlan plan, out string reason)
    {
        shares = null!;
        if (!PlanJson.TryDeserialize(planJson, out var parsed, out var planError) || parsed?.LineItems is null)
        {
            plan = null!;
            reason = $"the plan cannot be read: {planError ?? "it has no line items"}";
            return false;
        }
        plan = parsed;
        var plannable = request.Brief.Channels
            .Where(c => request.Benchmarks.Any(b => b.Channel == c && b.Cpm > 0))
            .ToHashSet();
        var items = plan.LineItems.Where(i => i is not null && plannable.Contains(i.Channel)).ToList();
        // Spend is what the planner validated; the shares are only a fallback for a plan without spends.
        var bySpend = items.Sum(i => Math.Max(0, (double)i.Spend)) > 0;
        var weights = items
            .GroupBy(i => i.Channel)
            .ToDictionary(g => g.Key, g => g.Sum(i => Math.Max(0, bySpend ? (double)i.Spend : i.Share)));
        var total = weights.Values.Sum();
        if (!(total > 0) || double.IsInfinity(total))
        {
            reason = "the plan spends nothing on the brief's plannable channels";
            return false;
        }
        shares = plannable.ToDictionary(c => c, c => weights.TryGetValue(c, out var w) ? w / total : 0);
        reason = "";
        return true;
    }
}

/// <summary>
/// How much a validated example counts, from what its campaign delivered against the benchmarks its plan was built on:
/// the geometric mean of delivered ÷ expected CTR and conversion rate (each ratio kept within ¼–4), times the share of
/// the budget delivered when under 100 %, kept within <see cref="Min"/>–<see cref="Max"/>. No results: weight 1.
/// </summary>
public static class OutcomeWeight
{
    public const double Min = 0.25;
    public const double Max = 4;

    public static double For(MediaPlan plan, ExampleOutcome? outcome, PlanRequest request)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(request);
        if (outcome is null || !outcome.HasAny)
            return 1;
        var logs = new List<double>(2);
        var items = plan.LineItems.Where(i => i is not null && i.Spend > 0).ToList();
        double Benchmark(Channel channel, Func<ChannelBenchmark, double?> pick) =>
            request.Benchmarks.Where(b => b.Channel == channel).Select(pick).FirstOrDefault(v => v is > 0) ?? 0;

        // Expected CTR: the plan's clicks over its impressions at the benchmarks (clickable channels only).
        double impressions = 0, clicks = 0, conversions = 0;
        foreach (var item in items)
        {
            var ctr = Benchmark(item.Channel, b => b.Ctr);
            var cvr = Benchmark(item.Channel, b => b.ConversionRate);
            var cpm = request.Benchmarks.Where(b => b.Channel == item.Channel && b.Cpm > 0).Select(b => (double)b.Cpm * (double)request.Currency.UnitsPerUsd).DefaultIfEmpty(0).First();
            if (cpm <= 0 || ctr <= 0)
                continue;
            var imps = (double)item.Spend / cpm * 1000;
            impressions += imps;
            clicks += imps * ctr;
            conversions += imps * ctr * cvr;
        }
        if (outcome.Ctr is > 0 and var observedCtr && impressions > 0 && clicks > 0)
            logs.Add(Math.Clamp(Math.Log(observedCtr / (clicks / impressions)), Math.Log(0.25), Math.Log(4)));
        if (outcome.ConversionRate is > 0 and var observedCvr && clicks > 0 && conversions > 0)
            logs.Add(Math.Clamp(Math.Log(observedCvr / (conversions / clicks)), Math.Log(0.25), Math.Log(4)));
        var weight = logs.Count > 0 ? Math.Exp(logs.Average()) : 1;
        if (outcome.DeliveredSpend is { } delivered && request.Brief.Budget > 0)
            weight *= Math.Clamp((double)(delivered / request.Brief.Budget), 0, 1);
        return Math.Clamp(weight, Min, Max);
    }
}
