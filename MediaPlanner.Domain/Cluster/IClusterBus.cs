using Microsoft.Extensions.Logging;

namespace MediaPlanner.Domain.Cluster;

/// <summary>
/// Messages between the app's nodes: what one node changed or did that the others must hear (a job notice, a saved
/// setting, an ended session). A node never hears its own messages back: it has already acted on them locally.
/// With one node (no Redis configured) nothing needs to travel and <see cref="InProcessClusterBus"/> carries nothing.
/// </summary>
public interface IClusterBus
{
    /// <summary>This node, as other nodes see it in the messages it sends.</summary>
    string NodeId { get; }

    /// <summary>Sends <paramref name="payload"/> to every other node's subscribers of <paramref name="channel"/>, in order.</summary>
    Task PublishAsync(string channel, string payload, CancellationToken ct = default);

    /// <summary>Calls <paramref name="handler"/> with every payload another node publishes on <paramref name="channel"/>, one at a time, in order.</summary>
    IDisposable Subscribe(string channel, Func<string, Task> handler);
}

public static class ClusterBusExtensions
{
    /// <summary>
    /// Publishes without making the caller wait or fail: for notices whose loss only delays the other nodes (they
    /// also re-check the database on their own), e.g. an ended session.
    /// </summary>
    public static void Announce(this IClusterBus bus, string channel, string payload, ILogger? logger) =>
        _ = bus.PublishLoggedAsync(channel, payload, logger);

    /// <summary>Publishes, logging instead of throwing when the other nodes cannot be reached.</summary>
    public static async Task PublishLoggedAsync(this IClusterBus bus, string channel, string payload, ILogger? logger)
    {
        try
        {
            await bus.PublishAsync(channel, payload);
        }
        catch (Exception ex)
        {
            logger?.LogWarning(ex, "Could not tell the other app nodes about a change on {Channel}; they pick it up on their next check.", channel);
        }
    }

    /// <summary>The channel on which nodes tell each other to forget a cached copy of database state.</summary>
    private static string CacheChannel(string cache) => $"cache:{cache}";

    /// <summary>Tells the other nodes that the state behind <paramref name="cache"/> changed in the database (without waiting).</summary>
    public static void CacheChanged(this IClusterBus bus, string cache, ILogger? logger) => bus.Announce(CacheChannel(cache), "", logger);

    /// <summary>Runs <paramref name="forget"/> when another node changed the state behind <paramref name="cache"/>.</summary>
    public static IDisposable OnCacheChanged(this IClusterBus bus, string cache, Action forget) =>
        bus.Subscribe(CacheChannel(cache), _ =>
        {
            forget();
            return Task.CompletedTask;
        });
}

/// <summary>The local subscribers of a bus, by channel: each message goes to each of them in turn, a failing one does not stop the rest.</summary>
internal sealed class ClusterSubscribers(ILogger? logger)
{
    private readonly Lock _gate = new();
    private Dictionary<string, Func<string, Task>[]> _handlers = new(StringComparer.Ordinal);

    public IDisposable Add(string channel, Func<string, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(handler);
        Update(channel, list => [.. list, handler]);
        return new Subscription(() => Update(channel, list => [.. list.Where(h => h != handler)]));
    }

    public async Task DispatchAsync(string channel, string payload)
    {
        if (!Volatile.Read(ref _handlers).TryGetValue(channel, out var handlers))
            return;
        foreach (var handler in handlers)
        {
            try
            {
                await handler(payload);
            }
            catch (Exception ex)
            {
                logger?.LogWarning(ex, "A subscriber of {Channel} failed on a message from another node.", channel);
            }
        }
    }

    private void Update(string channel, Func<Func<string, Task>[], Func<string, Task>[]> change)
    {
        lock (_gate)
        {
            var copy = new Dictionary<string, Func<string, Task>[]>(_handlers, StringComparer.Ordinal);
            copy[channel] = change(copy.GetValueOrDefault(channel) ?? []);
            Volatile.Write(ref _handlers, copy);
        }
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;

        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
    }
}

/// <summary>
/// The bus of a single node: there is nobody to tell. Buses given one <see cref="InProcessClusterNetwork"/> reach each
/// other, which lets tests run several nodes in one process without Redis.
/// </summary>
public sealed class InProcessClusterBus : IClusterBus
{
    private readonly InProcessClusterNetwork? _network;
    private readonly ClusterSubscribers _subscribers;

    public InProcessClusterBus(InProcessClusterNetwork? network = null, ILogger<InProcessClusterBus>? logger = null)
    {
        _network = network;
        _subscribers = new(logger);
        network?.Join(this);
    }

    public string NodeId { get; } = Guid.NewGuid().ToString("N");

    public async Task PublishAsync(string channel, string payload, CancellationToken ct = default)
    {
        foreach (var node in _network?.Nodes ?? [])
            if (node != this)
                await node._subscribers.DispatchAsync(channel, payload);
    }

    public IDisposable Subscribe(string channel, Func<string, Task> handler) => _subscribers.Add(channel, handler);
}

/// <summary>Connects in-process buses to each other, as Redis connects the nodes of a real cluster.</summary>
public sealed class InProcessClusterNetwork
{
    private readonly Lock _gate = new();
    private InProcessClusterBus[] _nodes = [];

    internal IReadOnlyList<InProcessClusterBus> Nodes => Volatile.Read(ref _nodes);

    internal void Join(InProcessClusterBus node)
    {
        lock (_gate)
            _nodes = [.. _nodes, node];
    }
}
