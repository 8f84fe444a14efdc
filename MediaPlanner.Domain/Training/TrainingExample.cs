using MediaPlanner.Domain.Briefs;

namespace MediaPlanner.Domain.Training;

public enum ExampleStatus
{
    PendingReview,
    Validated,
    Rejected,
}

public enum ExampleSource
{
    /// <summary>A planner chose this plan for a brief.</summary>
    ChosenPlan,
    /// <summary>Uploaded in a JSONL dataset.</summary>
    Imported,
}

/// <summary>
/// One chat-format training example (system, user, assistant) awaiting or past review. The messages are kept
/// exactly as they will be exported; the other fields describe it for the review queue.
/// </summary>
public class TrainingExample
{
    public int Id { get; set; }
    public ExampleSource Source { get; set; }
    /// <summary>Set at creation; afterwards only by <see cref="Validate"/>, <see cref="Reject"/> and <see cref="ReplacePlan"/>.</summary>
    public ExampleStatus Status { get => _status; init => _status = value; }
    public int? BriefId { get; set; }
    public int? PlanId { get; set; }
    /// <summary>The import that stored this example, when it came from a JSONL import.</summary>
    public int? ImportRunId { get; set; }
    /// <summary>The model that made the plan (unknown for imports).</summary>
    public string? Model { get; set; }
    public Objective? Objective { get; set; }
    public string? MarketCode { get; set; }
    public string? Brand { get; set; }
    /// <summary>The example as one JSONL line: {"messages":[...]}.</summary>
    public required string MessagesJson { get; set; }
    public required string ContentHash { get; set; }
    /// <summary>Set when the same messages were already stored: this row is a duplicate of that one.</summary>
    public int? DuplicateOfId { get; set; }
    public int TokenCount { get; set; }
    public bool HasErrors { get; set; }
    /// <summary>Validation issues (errors and warnings) as JSON.</summary>
    public string IssuesJson { get; set; } = "[]";
    public double? QualityScore { get; set; }

    // Campaign results a planner recorded for the chosen plan (the seed's performance metrics).
    public double? Ctr { get; set; }
    public double? ConversionRate { get; set; }
    public decimal? DeliveredSpend { get; set; }
    public DateTimeOffset? ResultsRecordedAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public string? CreatedById { get; set; }
    public string? ReviewedById { get; set; }
    public DateTimeOffset? ReviewedAt { get; set; }
    public string? RejectionReason { get; set; }
    public string? EditedById { get; set; }
    public DateTimeOffset? EditedAt { get; set; }
    /// <summary>The planner edited the generated plan before using it; the reviewer sees the difference (a learning signal).</summary>
    public bool PlannerEdited { get; set; }

    /// <summary>Optimistic concurrency: changes on every update, so a second reviewer's stale save is refused.</summary>
    public Guid Version { get => _version; init => _version = value; }

    // Written by the transitions below, each with a new version; EF reads and writes them directly.
    private ExampleStatus _status;
    private Guid _version = Guid.NewGuid();

    /// <summary>Why a reviewer cannot validate this example now, or null when they can.</summary>
    public string? ValidationBlock =>
        HasErrors ? "This example has blocking errors: edit the plan to fix them before validating."
        : DuplicateOfId is not null ? $"This example duplicates example {DuplicateOfId}; validate that one instead."
        : null;

    /// <summary>Makes the example training data; returns why not (see <see cref="ValidationBlock"/>) and changes nothing then.</summary>
    public string? Validate(string reviewerId, DateTimeOffset now)
    {
        if (ValidationBlock is { } block)
            return block;
        _status = ExampleStatus.Validated;
        ReviewedById = reviewerId;
        ReviewedAt = now;
        RejectionReason = null;
        _version = Guid.NewGuid();
        return null;
    }

    /// <summary>Why <paramref name="reason"/> cannot be a rejection's reason, or null when it can.</summary>
    public static string? RejectionProblem(string? reason) =>
        string.IsNullOrWhiteSpace(reason) ? "Give a reason for rejecting, so the planner can learn from it."
        : reason.Length > 1000 ? "Keep the reason under 1,000 characters."
        : null;

    /// <summary>Keeps the example out of training, with the reviewer's reason (see <see cref="RejectionProblem"/>).</summary>
    public void Reject(string reason, string reviewerId, DateTimeOffset now)
    {
        if (RejectionProblem(reason) is { } problem)
            throw new ArgumentException(problem, nameof(reason));
        _status = ExampleStatus.Rejected;
        RejectionReason = reason.Trim();
        ReviewedById = reviewerId;
        ReviewedAt = now;
        _version = Guid.NewGuid();
    }

    /// <summary>A corrected plan: the example takes the new messages and their validation, and goes back to review.</summary>
    public void ReplacePlan(string messagesJson, string contentHash, int? duplicateOfId, int tokenCount, bool hasErrors, string issuesJson,
        string editorId, DateTimeOffset now)
    {
        MessagesJson = messagesJson;
        ContentHash = contentHash;
        DuplicateOfId = duplicateOfId;
        TokenCount = tokenCount;
        HasErrors = hasErrors;
        IssuesJson = issuesJson;
        _status = ExampleStatus.PendingReview;
        EditedById = editorId;
        EditedAt = now;
        _version = Guid.NewGuid();
    }

    /// <summary>What the campaign delivered, as a planner recorded it.</summary>
    public void RecordResults(double? ctr, double? conversionRate, decimal? deliveredSpend, DateTimeOffset now)
    {
        (Ctr, ConversionRate, DeliveredSpend, ResultsRecordedAt) = (ctr, conversionRate, deliveredSpend, now);
        _version = Guid.NewGuid();
    }
}

/// <summary>Per-model prices per million tokens, with the date they were read. Editable later in settings.</summary>
public class ModelPrice
{
    /// <summary>The provider profile this price applies to; empty for every provider that has no row of its own.</summary>
    public string Provider { get; set; } = "";
    public required string Model { get; set; }
    public decimal InputPerMillion { get; set; }
    public decimal OutputPerMillion { get; set; }
    public decimal? TrainingPerMillion { get; set; }
    public required string Source { get; set; }
    public DateOnly AsOf { get; set; }

    public static readonly ModelPrice[] Seed =
    [
        new() { Model = "gpt-4o-mini-2024-07-18", InputPerMillion = 0.15m, OutputPerMillion = 0.60m, TrainingPerMillion = 3.00m, Source = "OpenAI pricing page (base model; training per 1M tokens)", AsOf = new(2024, 7, 18) },
        new() { Model = "gpt-4o-2024-08-06", InputPerMillion = 2.50m, OutputPerMillion = 10.00m, TrainingPerMillion = 25.00m, Source = "OpenAI pricing page (base model; training per 1M tokens)", AsOf = new(2024, 8, 6) },
        new() { Model = "gpt-3.5-turbo-0125", InputPerMillion = 0.50m, OutputPerMillion = 1.50m, TrainingPerMillion = 8.00m, Source = "OpenAI pricing page (base model; training per 1M tokens)", AsOf = new(2024, 1, 25) },
        new() { Model = "local-mix-v1", InputPerMillion = 0m, OutputPerMillion = 0m, TrainingPerMillion = 0m, Source = "Built-in offline planner: no charge", AsOf = new(2026, 11, 24) },
    ];
}
