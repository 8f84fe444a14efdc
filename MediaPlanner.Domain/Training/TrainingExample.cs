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
    public ExampleStatus Status { get; set; }
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
    public Guid Version { get; set; } = Guid.NewGuid();
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
