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

/// <summary>
/// The job's progress changed. On the wire (SignalR, other nodes) its fields sit next to <c>jobId</c>, as they always have,
/// so clients written against the flat message keep working.
/// </summary>
[JsonConverter(typeof(JobUpdatedJson))]
public sealed record JobUpdated(int JobId, JobProgress Progress) : FineTuneNotice(JobId)
{
    public static JobUpdated From(FineTuneJob job) => new(job.Id, job.Snapshot());
}

internal sealed class JobUpdatedJson : JsonConverter<JobUpdated>
{
    public override JobUpdated Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var doc = JsonDocument.ParseValue(ref reader);
        var jobId = doc.RootElement.EnumerateObject()
            .FirstOrDefault(p => string.Equals(p.Name, nameof(JobUpdated.JobId), StringComparison.OrdinalIgnoreCase));
        if (jobId.Value.ValueKind != JsonValueKind.Number)
            throw new JsonException("A JobUpdated message has no jobId.");
        return new JobUpdated(jobId.Value.GetInt32(),
            doc.RootElement.Deserialize<JobProgress>(options) ?? throw new JsonException("A JobUpdated message has no progress."));
    }

    public override void Write(Utf8JsonWriter writer, JobUpdated value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteNumber(options.PropertyNamingPolicy?.ConvertName(nameof(JobUpdated.JobId)) ?? nameof(JobUpdated.JobId), value.JobId);
        foreach (var property in JsonSerializer.SerializeToElement(value.Progress, options).EnumerateObject())
            property.WriteTo(writer);
        writer.WriteEndObject();
    }
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
/// Fan-out of job notices, keyed by job (model: eShop's OrderStatusNotificationService). A job page subscribes to its job;
/// the SignalR relay and the jobs list subscribe to every job, and the relay forwards every notice made on this node to
/// the hub group of its job, so browsers and plain SignalR clients get the same stream. Each subscriber has its own
/// queue, drained in order by its own loop: publishing never waits for a subscriber, so a slow page or connection holds
/// up neither the runner nor the other subscribers. With several nodes, a notice made here also goes to the other nodes
/// through the <see cref="IClusterBus"/>, where it reaches their subscribers marked <see cref="FineTuneNotice.Remote"/>;
/// it is never sent back on.
/// </summary>
public sealed class FineTuneNotifications : IDisposable
{
    public const string Channel = "fine-tuning";

    private readonly ILogger<FineTuneNotifications>? _logger;
    private readonly IClusterBus? _bus;
    private readonly IDisposable? _remote;
    private readonly Lock _gate = new();
    private Subscription[] _everyJob = [];
    private readonly Dictionary<int, Subscription[]> _byJob = [];

    public FineTuneNotifications(ILogger<FineTuneNotifications>? logger = null, IClusterBus? bus = null)
    {
        _logger = logger;
        _bus = bus;
        _remote = bus?.Subscribe(Channel, ReceiveAsync);
    }

    /// <summary>Every job's notices.</summary>
    public IDisposable Subscribe(Func<FineTuneNotice, Task> handler) => Add(null, handler);

    /// <summary>The notices of one job.</summary>
    public IDisposable Subscribe(int jobId, Func<FineTuneNotice, Task> handler) => Add(jobId, handler);

    /// <summary>Queues the notice for this node's subscribers, then tells the other nodes.</summary>
    public async Task PublishAsync(FineTuneNotice notice)
    {
        Deliver(notice);
        if (_bus is not null && !notice.Remote)
            await _bus.PublishLoggedAsync(Channel, FineTuneNoticeJson.Write(notice), _logger);
    }

    private Task ReceiveAsync(string payload)
    {
        if (FineTuneNoticeJson.Read(payload) is { } notice)
            Deliver(notice with { Remote = true });
        else
            _logger?.LogWarning("Ignored a fine-tuning notice from another node that this version cannot read.");
        return Task.CompletedTask;
    }

    private void Deliver(FineTuneNotice notice)
    {
        Subscription[] everyJob, thisJob;
        lock (_gate)
            (everyJob, thisJob) = (_everyJob, _byJob.GetValueOrDefault(notice.JobId, []));
        foreach (var subscription in everyJob)
            subscription.Post(notice);
        foreach (var subscription in thisJob)
            subscription.Post(notice);
    }

    private Subscription Add(int? jobId, Func<FineTuneNotice, Task> handler)
    {
        var subscription = new Subscription(this, jobId, handler);
        lock (_gate)
        {
            if (jobId is { } id)
                _byJob[id] = [.. _byJob.GetValueOrDefault(id, []), subscription];
            else
                _everyJob = [.. _everyJob, subscription];
        }
        return subscription;
    }

    private void Remove(Subscription subscription)
    {
        lock (_gate)
        {
            if (subscription.JobId is not { } id)
                _everyJob = [.. _everyJob.Where(s => s != subscription)];
            else if (_byJob.GetValueOrDefault(id, []).Where(s => s != subscription).ToArray() is { Length: > 0 } rest)
                _byJob[id] = rest;
            else
                _byJob.Remove(id);
        }
    }

    public void Dispose() => _remote?.Dispose();

    private sealed class Subscription : IDisposable
    {
        private readonly FineTuneNotifications _owner;
        private readonly Func<FineTuneNotice, Task> _handler;
        private readonly System.Threading.Channels.Channel<FineTuneNotice> _queue = System.Threading.Channels.Channel.CreateUnbounded<FineTuneNotice>(new() { SingleReader = true });

        public Subscription(FineTuneNotifications owner, int? jobId, Func<FineTuneNotice, Task> handler)
        {
            (_owner, JobId, _handler) = (owner, jobId, handler);
            _ = Task.Run(DrainAsync);
        }

        public int? JobId { get; }

        public void Post(FineTuneNotice notice) => _queue.Writer.TryWrite(notice);

        private async Task DrainAsync()
        {
            await foreach (var notice in _queue.Reader.ReadAllAsync())
            {
                try
                {
                    await _handler(notice);
                }
                catch (Exception ex)
                {
                    // A subscriber that went away (closed page, dropped connection) must not stop the job or the others.
                    _owner._logger?.LogDebug(ex, "A fine-tuning subscriber failed on job {JobId}", notice.JobId);
                }
            }
        }

        public void Dispose()
        {
            _owner.Remove(this);
            _queue.Writer.TryComplete();
        }
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
