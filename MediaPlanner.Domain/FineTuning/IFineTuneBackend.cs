namespace MediaPlanner.Domain.FineTuning;

/// <summary>What a backend reports back to the runner; the runner stores it (deduplicating by ExternalId) and notifies.</summary>
public interface IFineTuneSink
{
    Task EventAsync(FineTuneEvent e, CancellationToken ct);
    Task CheckpointAsync(FineTuneCheckpoint checkpoint, CancellationToken ct);
    /// <summary>Saves the job's changed fields (status, progress, provider ids…) and tells subscribers.</summary>
    Task JobChangedAsync(FineTuneJob job, CancellationToken ct);
    /// <summary>True once an admin asked to cancel; backends check it between steps.</summary>
    Task<bool> CancelRequestedAsync(CancellationToken ct);
}

/// <summary>The training data a job starts from: JSONL lines already split.</summary>
public sealed record FineTuneDataset(IReadOnlyList<string> TrainingLines, IReadOnlyList<string> ValidationLines);

/// <summary>
/// One fine-tuning provider. The runner calls <see cref="AdvanceAsync"/> repeatedly for an unfinished job until it is
/// finished; the backend moves it on as far as it can (upload and create, poll, or train) and returns when to call again.
/// </summary>
public interface IFineTuneBackend
{
    string Provider { get; }

    /// <summary>False when the backend cannot run (e.g. no OpenAI key): the UI says so and offers the others.</summary>
    bool IsConfigured { get; }

    Task<TimeSpan?> AdvanceAsync(FineTuneJob job, Func<CancellationToken, Task<FineTuneDataset>> dataset, IFineTuneSink sink, CancellationToken ct);

    Task CancelAsync(FineTuneJob job, IFineTuneSink sink, CancellationToken ct);
}

/// <summary>
/// A provider hiccup worth retrying (429, 5xx, timeout). The runner reschedules the job with backoff, honouring
/// <see cref="RetryAfter"/> when the provider gave one, and fails it after repeated attempts.
/// </summary>
public sealed class TransientFineTuneException(string message, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception(message, inner)
{
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
