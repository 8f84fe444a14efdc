using System.Text.Json;
using System.Text.Json.Serialization;
using MediaPlanner.Domain.Cluster;
using Microsoft.Extensions.Logging;

namespace MediaPlanner.Domain.FineTuning;

/// <summary>Something happened to a job: its status or progress changed, an event or a checkpoint arrived.</summary>
public abstract record FineTuneNotice(int JobId)
{
    /// <summary>
    /// The notice came from another app node (its runner works the job): this node's pages show it, but this node's
    /// hub relay does not forward it, because the node that made it already sent it to every node's SignalR clients.
    /// </summary>
    [JsonIgnore]
    public bool Remote { get; init; }
}

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
/// Fan-out of job notices. The job page subscribes directly (it runs on the server); the SignalR relay subscribes once
/// and forwards every notice made on this node to the hub group of its job, so browsers and plain SignalR clients get the
/// same stream. With several nodes, a notice made here also goes to the other nodes through the <see cref="IClusterBus"/>,
/// where it reaches their subscribers marked <see cref="FineTuneNotice.Remote"/>; it is never sent back on.
/// </summary>
public sealed class FineTuneNotifications : IDisposable
{
    public const string Channel = "fine-tuning";

    private readonly ILogger<FineTuneNotifications>? _logger;
    private readonly IClusterBus? _bus;
    private readonly IDisposable? _remote;
    private readonly Lock _gate = new();
    private ImmutableHandlers _handlers = new([]);

    public FineTuneNotifications(ILogger<FineTuneNotifications>? logger = null, IClusterBus? bus = null)
    {
        _logger = logger;
        _bus = bus;
        _remote = bus?.Subscribe(Channel, ReceiveAsync);
    }

    public IDisposable Subscribe(Func<FineTuneNotice, Task> handler)
    {
        lock (_gate)
            _handlers = new([.. _handlers.Items, handler]);
        return new Subscription(this, handler);
    }

    /// <summary>Tells this node's subscribers, then the other nodes.</summary>
    public async Task PublishAsync(FineTuneNotice notice)
    {
        await DeliverAsync(notice);
        if (_bus is not null && !notice.Remote)
            await _bus.PublishLoggedAsync(Channel, FineTuneNoticeJson.Write(notice), _logger);
    }

    private Task ReceiveAsync(string payload)
    {
        if (FineTuneNoticeJson.Read(payload) is { } notice)
            return DeliverAsync(notice with { Remote = true });
        _logger?.LogWarning("Ignored a fine-tuning notice from another node that this version cannot read.");
        return Task.CompletedTask;
    }

    private async Task DeliverAsync(FineTuneNotice notice)
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
                _logger?.LogDebug(ex, "A fine-tuning subscriber failed on job {JobId}", notice.JobId);
            }
        }
    }

    private void Unsubscribe(Func<FineTuneNotice, Task> handler)
    {
        lock (_gate)
            _handlers = new([.. _handlers.Items.Where(h => h != handler)]);
    }

    public void Dispose() => _remote?.Dispose();

    private sealed record ImmutableHandlers(Func<FineTuneNotice, Task>[] Items);

    private sealed class Subscription(FineTuneNotifications owner, Func<FineTuneNotice, Task> handler) : IDisposable
    {
        public void Dispose() => owner.Unsubscribe(handler);
    }
}

/// <summary>A notice as JSON between nodes: its kind in <c>type</c>, its fields in <c>notice</c>.</summary>
internal static class FineTuneNoticeJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static string Write(FineTuneNotice notice) => JsonSerializer.Serialize(new
    {
        type = notice switch
        {
            JobUpdated => "job-updated",
            JobEventAdded => "event-added",
            JobCheckpointAdded => "checkpoint-added",
            _ => throw new ArgumentException($"No wire name for {notice.GetType().Name}.", nameof(notice)),
        },
        notice = (object)notice,
    }, Options);

    /// <summary>The notice, or null for a kind this version does not know (a newer node during a rolling upgrade).</summary>
    public static FineTuneNotice? Read(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (!root.TryGetProperty("notice", out var notice) || !root.TryGetProperty("type", out var type))
                return null;
            return type.GetString() switch
            {
                "job-updated" => notice.Deserialize<JobUpdated>(Options),
                "event-added" => notice.Deserialize<JobEventAdded>(Options),
                "checkpoint-added" => notice.Deserialize<JobCheckpointAdded>(Options),
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>
/// Wakes the runner when a job is created or a cancel is requested, so nobody waits for the next poll; with several
/// nodes, the runners of the other nodes too (any of them may take the job).
/// </summary>
public sealed class FineTuneWakeup
{
    private const string Channel = "fine-tuning-wake";

    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);
    private readonly IClusterBus? _bus;

    public FineTuneWakeup(IClusterBus? bus = null)
    {
        _bus = bus;
        bus?.Subscribe(Channel, _ =>
        {
            _signal.Release();
            return Task.CompletedTask;
        });
    }

    public void Wake()
    {
        _signal.Release();
        _bus?.Announce(Channel, "", null);
    }

    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        await _signal.WaitAsync(timeout, ct);
    }
}
