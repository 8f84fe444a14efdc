using MediaPlanner.Domain.Text;

namespace MediaPlanner.Domain.FineTuning;

/// <summary>OpenAI's job statuses; the local backend uses the same ones.</summary>
public enum FineTuneStatus
{
    ValidatingFiles,
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

public static class FineTuneStatusText
{
    /// <summary>The status as people read it; every page that shows a status uses this, so they never disagree.</summary>
    public static string Display(this FineTuneStatus status) => ((Enum)status).DisplayName();
}

public static class FineTuneProviders
{
    public const string Local = "local";
    public const string OpenAI = "openai";
}

/// <summary>Hyperparameters: null means "auto" (the provider chooses).</summary>
public sealed record FineTuneHyperparameters(int? Epochs = null, int? BatchSize = null, double? LearningRateMultiplier = null);

/// <summary>A fine-tuning job, local or at OpenAI, with everything the runner needs to resume it after a restart.</summary>
public class FineTuneJob
{
    public int Id { get; set; }
    public required string Provider { get; set; }
    public required string BaseModel { get; set; }
    public string? Suffix { get; set; }
    public int? Seed { get; set; }
    public int? Epochs { get; set; }
    public int? BatchSize { get; set; }
    public double? LearningRateMultiplier { get; set; }
    public int ValidationPercent { get; set; }
    public FineTuneStatus Status { get; set; }

    /// <summary>How many validated examples the job trains on (and holds out).</summary>
    public int TrainingExamples { get; set; }
    public int ValidationExamples { get; set; }
    /// <summary>Billed-token estimate and its cost when the job was created.</summary>
    public long EstimatedTokens { get; set; }
    public decimal? EstimatedCost { get; set; }

    // Provider side
    public string? ExternalId { get; set; }
    public string? TrainingFileId { get; set; }
    public string? ValidationFileId { get; set; }
    public string? FineTunedModel { get; set; }
    public long? TrainedTokens { get; set; }
    public DateTimeOffset? EstimatedFinish { get; set; }
    public string? ErrorCode { get; set; }
    public string? ErrorMessage { get; set; }
    public string? ErrorParam { get; set; }

    // Progress
    public int TotalSteps { get; set; }
    public int CompletedSteps { get; set; }
    /// <summary>The local model's trained parameter set (MediaMixParameters JSON) once the job succeeds.</summary>
    public string? ResultParametersJson { get; set; }

    // Held-out evaluation (see Evaluation/HeldOutEvaluation.cs): the base model and every checkpoint planned the
    // held-out briefs with the real planner; the best checkpoint on style fit becomes the job's result.
    /// <summary>The <see cref="Evaluation.JobEvaluation"/> as JSON, once the job has been evaluated.</summary>
    public string? EvaluationJson { get; set; }
    /// <summary>True when the best model beat the base model on held-out fit; false when it did not; null before evaluation.</summary>
    public bool? Recommended { get; set; }
    /// <summary>The evaluation in one plain sentence ("did not improve on the base model: 0.78 vs 0.76 …").</summary>
    public string? Verdict { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public required string CreatedById { get; set; }
    public bool CancelRequested { get; set; }

    // Runner bookkeeping: who holds the job, until when, and when to look at it next.
    public string? LeaseOwner { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public int FailedAttempts { get; set; }
    /// <summary>OpenAI event id of the newest event stored, for paging with "after".</summary>
    public string? LastEventCursor { get; set; }
    /// <summary>Last time the provider answered about this job.</summary>
    public DateTimeOffset? LastContactAt { get; set; }
    /// <summary>Set while the provider cannot be reached (network, 5xx, 429); cleared on the next answer.</summary>
    public DateTimeOffset? UnreachableSince { get; set; }
    public string? UnreachableReason { get; set; }
    /// <summary>
    /// Azure OpenAI serves a fine-tuned model only through a deployment: the name an admin deployed it under, so the
    /// held-out evaluation (and then the app's deployment) can call it.
    /// </summary>
    public string? FineTunedDeployment { get; set; }

    public bool IsFinished => Status is FineTuneStatus.Succeeded or FineTuneStatus.Failed or FineTuneStatus.Cancelled;

    public FineTuneHyperparameters Hyperparameters => new(Epochs, BatchSize, LearningRateMultiplier);
}

/// <summary>A message in a job's log; <see cref="ExternalId"/> is unique per job so a replay never stores it twice.</summary>
public class FineTuneEvent
{
    public long Id { get; set; }
    public int JobId { get; set; }
    public required string ExternalId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string Level { get; set; } = "info";
    public required string Message { get; set; }
    /// <summary>Set for metric events: the step and its losses.</summary>
    public int? Step { get; set; }
    public double? TrainLoss { get; set; }
    public double? ValidLoss { get; set; }
    public double? TrainAccuracy { get; set; }
    public double? ValidAccuracy { get; set; }
}

/// <summary>A model snapshot saved during training (OpenAI checkpoints; one per epoch locally).</summary>
public class FineTuneCheckpoint
{
    public long Id { get; set; }
    public int JobId { get; set; }
    public required string ExternalId { get; set; }
    public required string ModelName { get; set; }
    public int Step { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public double? TrainLoss { get; set; }
    public double? TrainAccuracy { get; set; }
    public double? ValidLoss { get; set; }
    public double? ValidAccuracy { get; set; }
    public double? FullValidLoss { get; set; }
    public double? FullValidAccuracy { get; set; }
    /// <summary>Local checkpoints carry their parameter set so they can be deployed later.</summary>
    public string? ParametersJson { get; set; }
    /// <summary>This checkpoint's <see cref="Evaluation.HeldOutFigures"/> on the job's held-out briefs, as JSON.</summary>
    public string? EvaluationJson { get; set; }
}
