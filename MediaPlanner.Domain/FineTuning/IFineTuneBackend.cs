using MediaPlanner.Domain.Markets;

namespace MediaPlanner.Domain.FineTuning;

/// <summary>What a backend reports back to the runner; the runner stores it (deduplicating by ExternalId) and notifies.</summary>
public interface IFineTuneSink
{
    Task EventAsync(FineTuneEvent e, CancellationToken ct);
    /// <summary>Stores a checkpoint once; a checkpoint already stored only takes evaluation figures it did not have yet.</summary>
    Task CheckpointAsync(FineTuneCheckpoint checkpoint, CancellationToken ct);
    /// <summary>Saves the job's changed fields (status, progress, provider ids…) and tells subscribers.</summary>
    Task JobChangedAsync(FineTuneJob job, CancellationToken ct);
    /// <summary>True once an admin asked to cancel; backends check it between steps.</summary>
    Task<bool> CancelRequestedAsync(CancellationToken ct);
    /// <summary>Deletes the job's stored events and checkpoints, for a backend that trains an interrupted job again from the start.</summary>
    Task DiscardReportsAsync(CancellationToken ct);
}

/// <summary>
/// The training data a job starts from: JSONL lines already split (stratified, deterministic for the job's seed), the
/// campaign results recorded on each example (aligned with the lines; empty or null entries where none were recorded),
/// planners' preference pairs as OpenAI preference JSONL, and the reference data (markets, currencies, benchmarks) read
/// from the database, as inference reads them.
/// </summary>
public sealed record FineTuneDataset(IReadOnlyList<string> TrainingLines, IReadOnlyList<string> ValidationLines)
{
    public IReadOnlyList<ExampleOutcome?> TrainingOutcomes { get; init; } = [];
    public IReadOnlyList<ExampleOutcome?> ValidationOutcomes { get; init; } = [];
    public IReadOnlyList<string> PreferenceLines { get; init; } = [];
    /// <summary>Null only where no database is at hand (unit tests): then the seeded copy is used.</summary>
    public ReferenceSnapshot? Reference { get; init; }
}

/// <summary>What a campaign delivered, as recorded on its training example.</summary>
public sealed record ExampleOutcome(double? Ctr, double? ConversionRate, decimal? DeliveredSpend)
{
    public bool HasAny => Ctr is not null || ConversionRate is not null || DeliveredSpend is not null;
}

/// <summary>The markets, currencies and channel benchmarks as stored in the database when the job's data was read.</summary>
public sealed record ReferenceSnapshot(
    IReadOnlyList<Market> Markets,
    IReadOnlyList<CurrencyRate> Currencies,
    IReadOnlyList<ChannelBenchmark> Benchmarks)
{
    public static ReferenceSnapshot Seeded { get; } =
        new(SeedReferenceData.Markets, SeedReferenceData.Currencies, SeedReferenceData.Benchmarks);
}

/// <summary>
/// One fine-tuning provider. The runner calls <see cref="AdvanceAsync"/> repeatedly for an unfinished job until it is
/// finished; the backend moves it on as far as it can (upload and create, poll, or train) and returns when to call again.
/// </summary>
public interface IFineTuneBackend
{
    string Provider { get; }

    /// <summary>False when the backend cannot run (e.g. no OpenAI key): the UI says so and offers the others.</summary>
    bool IsConfigured { get; }

    /// <summary>True when jobs of <paramref name="provider"/> (a profile key) run through this backend.</summary>
    bool Handles(string provider) => provider == Provider;

    /// <summary>Whether jobs can run on <paramref name="provider"/>'s profile now.</summary>
    bool IsConfiguredFor(string provider) => IsConfigured;

    Task<TimeSpan?> AdvanceAsync(FineTuneJob job, Func<CancellationToken, Task<FineTuneDataset>> dataset, IFineTuneSink sink, CancellationToken ct);

    Task CancelAsync(FineTuneJob job, IFineTuneSink sink, CancellationToken ct);
}

/// <summary>
/// A provider hiccup worth retrying (429, 5xx, timeout). The runner reschedules the job with backoff, honouring
/// <see cref="RetryAfter"/> when the provider gave one; it fails the job after repeated attempts only while the provider
/// does not know the job yet.
/// </summary>
public sealed class TransientFineTuneException(string message, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception(message, inner)
{
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
