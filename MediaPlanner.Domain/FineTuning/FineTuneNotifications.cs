using Microsoft.Extensions.Logging;

namespace MediaPlanner.Domain.FineTuning;

/// <summary>Something happened to a job: its status or progress changed, an event or a checkpoint arrived.</summary>
public abstract record FineTuneNotice(int JobId);

/// <param name="UnreachableSince">Set while the provider cannot be reached (see <see cref="FineTuneJob.UnreachableSince"/>).</param>
public sealed record JobUpdated(int JobId, FineTuneStatus Status, int CompletedSteps, int TotalSteps, string? FineTunedModel,
    long? TrainedTokens, string? ErrorCode, string? ErrorMessage, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, bool CancelRequested,
    DateTimeOffset? LastContactAt = null, DateTimeOffset? UnreachableSince = null, string? UnreachableReason = null)
    : FineTuneNotice(JobId)
{
    public static JobUpdated From(FineTuneJob job) => new(job.Id, job.Status, job.CompletedSteps, job.TotalSteps, job.FineTunedModel,
        job.TrainedTokens, job.ErrorCode, job.ErrorMessage, job.StartedAt, job.FinishedAt, job.CancelRequested,
        job.LastContactAt, job.UnreachableSince, job.UnreachableReason);
}

/// <param name="ExternalId">The event's stable id; the job page reads provider outages from it (see <see cref="ProviderOutage"/>).</param>
public sealed record JobEventAdded(int JobId, long Id, DateTimeOffset CreatedAt, string Level, string Message, int? Step,
    double? TrainLoss, double? ValidLoss, string? ExternalId = null) : FineTuneNotice(JobId)
{
    public static JobEventAdded From(FineTuneEvent e) => new(e.JobId, e.Id, e.CreatedAt, e.Level, e.Message, e.Step, e.TrainLoss, e.ValidLoss, e.ExternalId);
}

public sealed record JobCheckpointAdded(int JobId, long Id, string ModelName, int Step, double? TrainLoss, double? ValidLoss,
    double? TrainAccuracy = null) : FineTuneNotice(JobId)
{
    public static JobCheckpointAdded From(FineTuneCheckpoint c) => new(c.JobId, c.Id, c.ModelName, c.Step, c.TrainLoss, c.ValidLoss, c.TrainAccuracy);
}

/// <summary>
/// In-process fan-out of job notices. The job page subscribes directly (it runs on the server); the SignalR relay
/// subscribes once and forwards every notice to the hub group of its job, so browsers and plain SignalR clients get the same stream.
/// </summary>
public sealed class FineTuneNotifications(ILogger<FineTuneNotifications>? logger = null)
{
    private readonly Lock _gate = new();
    private ImmutableHandlers _handlers = new([]);

    public IDisposable Subscribe(Func<FineTuneNotice, Task> handler)
    {
        lock (_gate)
            _handlers = new([.. _handlers.Items, handler]);
        return new Subscription(this, handler);
    }

    public async Task PublishAsync(FineTuneNotice notice)
    {
        foreach (var handler in _handlers.Items)
        {
            try
            {
                await handler(notice);
            }
            catch (Exception ex)
            {
                // A subscriber that went away (closed page, dropped connection) must not stop the job or the others.
                logger?.LogDebug(ex, "A fine-tuning subscriber failed on job {JobId}", notice.JobId);
            }
        }
    }

    private void Unsubscribe(Func<FineTuneNotice, Task> handler)
    {
        lock (_gate)
            _handlers = new([.. _handlers.Items.Where(h => h != handler)]);
    }

    private sealed record ImmutableHandlers(Func<FineTuneNotice, Task>[] Items);

    private sealed class Subscription(FineTuneNotifications owner, Func<FineTuneNotice, Task> handler) : IDisposable
    {
        public void Dispose() => owner.Unsubscribe(handler);
    }
}

/// <summary>Wakes the runner when a job is created or a cancel is requested, so nobody waits for the next poll.</summary>
public sealed class FineTuneWakeup
{
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);

    public void Wake() => _signal.Release();

    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        await _signal.WaitAsync(timeout, ct);
    }
}
