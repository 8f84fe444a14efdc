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
    /// <summary>Set at creation; afterwards only through <see cref="Start"/>, <see cref="Succeed"/>, <see cref="Fail"/> and the other transitions.</summary>
    public FineTuneStatus Status { get => _status; init => _status = value; }

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
    public string? ErrorCode { get => _errorCode; init => _errorCode = value; }
    public string? ErrorMessage { get => _errorMessage; init => _errorMessage = value; }
    public string? ErrorParam { get => _errorParam; init => _errorParam = value; }

    // Progress
    public int TotalSteps { get => _totalSteps; init => _totalSteps = value; }
    public int CompletedSteps { get => _completedSteps; init => _completedSteps = value; }
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
    public DateTimeOffset? StartedAt { get => _startedAt; init => _startedAt = value; }
    public DateTimeOffset? FinishedAt { get => _finishedAt; init => _finishedAt = value; }
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

    // The lifecycle's fields, written by the transitions below; EF reads and writes them directly.
    private FineTuneStatus _status;
    private string? _errorCode;
    private string? _errorMessage;
    private string? _errorParam;
    private int _totalSteps;
    private int _completedSteps;
    private DateTimeOffset? _startedAt;
    private DateTimeOffset? _finishedAt;

    /// <summary>The provider holds the job before training: validating its files or queued.</summary>
    public void Wait(FineTuneStatus waiting)
    {
        if (waiting is not (FineTuneStatus.ValidatingFiles or FineTuneStatus.Queued))
            throw new ArgumentOutOfRangeException(nameof(waiting), waiting, "A job waits as validating_files or queued.");
        EnsureUnfinished("wait");
        _status = waiting;
    }

    /// <summary>Training runs (again, after a restart); the first start is the one recorded.</summary>
    public void Start(DateTimeOffset now)
    {
        EnsureUnfinished("start");
        _status = FineTuneStatus.Running;
        _startedAt ??= now;
    }

    /// <summary>Steps done, and the total when it is known or changes.</summary>
    public void Progress(int completedSteps, int? totalSteps = null)
    {
        EnsureUnfinished("report progress on");
        _completedSteps = completedSteps;
        if (totalSteps is { } total)
            _totalSteps = total;
    }

    /// <summary>
    /// The provider finished training at <paramref name="at"/>; the job runs on (its held-out evaluation) until
    /// <see cref="Succeed"/>, so it is not deployable yet.
    /// </summary>
    public void Trained(DateTimeOffset at, DateTimeOffset now)
    {
        Start(now);
        _finishedAt = at;
        EstimatedFinish = null;
        if (_totalSteps > 0)
            _completedSteps = _totalSteps;
    }

    /// <summary>Waiting for an admin's Azure deployment before the evaluation: the reason is the job's message meanwhile.</summary>
    public void AwaitDeployment(string message)
    {
        EnsureUnfinished("await a deployment for");
        (_errorCode, _errorMessage) = (Providers.AzureDeployment.AwaitingCode, message);
        EstimatedFinish = null;
    }

    /// <summary>The deployment is in place (or no longer awaited): the waiting message goes.</summary>
    public void DeploymentArrived()
    {
        if (_errorCode == Providers.AzureDeployment.AwaitingCode)
            (_errorCode, _errorMessage) = (null, null);
    }

    public void Succeed(DateTimeOffset now) => Finish(FineTuneStatus.Succeeded, now, "succeed");

    public void Fail(string code, string message, string? param, DateTimeOffset now)
    {
        Finish(FineTuneStatus.Failed, now, "fail");
        (_errorCode, _errorMessage, _errorParam) = (code, message, param);
    }

    public void Cancel(DateTimeOffset now) => Finish(FineTuneStatus.Cancelled, now, "cancel");

    /// <summary>What watchers see of the job now: the hub's <see cref="JobUpdated"/> and the job page carry it.</summary>
    public JobProgress Snapshot() => new(Status, CompletedSteps, TotalSteps, FineTunedModel, TrainedTokens, ErrorCode, ErrorMessage,
        StartedAt, FinishedAt, CancelRequested, LastContactAt, UnreachableSince, UnreachableReason);

    /// <summary>
    /// Takes the fields a backend owns from <paramref name="worked"/>, the copy the backend changed: never the admin's
    /// cancel request or deployment name, nor the runner's lease and contact state.
    /// </summary>
    internal void TakeReport(FineTuneJob worked)
    {
        (_status, _errorCode, _errorMessage, _errorParam) = (worked.Status, worked.ErrorCode, worked.ErrorMessage, worked.ErrorParam);
        (_totalSteps, _completedSteps, _startedAt, _finishedAt) = (worked.TotalSteps, worked.CompletedSteps, worked.StartedAt, worked.FinishedAt);
        ExternalId = worked.ExternalId;
        TrainingFileId = worked.TrainingFileId;
        ValidationFileId = worked.ValidationFileId;
        FineTunedModel = worked.FineTunedModel;
        TrainedTokens = worked.TrainedTokens;
        EstimatedFinish = worked.EstimatedFinish;
        ResultParametersJson = worked.ResultParametersJson;
        EvaluationJson = worked.EvaluationJson;
        Recommended = worked.Recommended;
        Verdict = worked.Verdict;
        LastEventCursor = worked.LastEventCursor;
    }

    private void Finish(FineTuneStatus status, DateTimeOffset now, string verb)
    {
        EnsureUnfinished(verb);
        _status = status;
        _finishedAt ??= now;
        EstimatedFinish = null;
    }

    private void EnsureUnfinished(string verb)
    {
        if (IsFinished)
            throw new FineTuneTransitionException($"Cannot {verb} job {Id}: it has already {Status.Display().ToLowerInvariant()}.");
    }
}

/// <summary>A transition the job's lifecycle does not allow: a finished job (succeeded, failed, cancelled) stays as it ended.</summary>
public sealed class FineTuneTransitionException(string message) : InvalidOperationException(message);

/// <summary>
/// A job's progress as its watchers see it: one snapshot, taken by <see cref="FineTuneJob.Snapshot"/>, sent in
/// <see cref="JobUpdated"/> and shown by the job page.
/// </summary>
/// <param name="UnreachableSince">Set while the provider cannot be reached (see <see cref="FineTuneJob.UnreachableSince"/>).</param>
public sealed record JobProgress(FineTuneStatus Status, int CompletedSteps, int TotalSteps, string? FineTunedModel,
    long? TrainedTokens, string? ErrorCode, string? ErrorMessage, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, bool CancelRequested,
    DateTimeOffset? LastContactAt = null, DateTimeOffset? UnreachableSince = null, string? UnreachableReason = null)
{
    public bool IsFinished => Status is FineTuneStatus.Succeeded or FineTuneStatus.Failed or FineTuneStatus.Cancelled;
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
