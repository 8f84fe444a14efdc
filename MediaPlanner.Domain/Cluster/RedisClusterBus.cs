using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace MediaPlanner.Domain.Cluster;

/// <summary>
/// The bus between nodes over Redis pub/sub: one Redis channel per installation (named after its
/// <see cref="InstallationIdentity"/>, so two installations on one Redis never hear each other), carrying every bus
/// channel in one ordered stream. Messages are fire-and-forget, as Redis pub/sub is: a node that is down misses them,
/// which is why every receiver also re-checks the database on its own schedule.
/// </summary>
public sealed class RedisClusterBus : IClusterBus, IHostedService, IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly string _configuration;
    private readonly InstallationIdentity _installation;
    private readonly ILogger<RedisClusterBus> _logger;
    private readonly ClusterSubscribers _subscribers;
    private readonly Lazy<Task<ConnectionMultiplexer>> _connection;
    private ChannelMessageQueue? _queue;

    public RedisClusterBus(string configuration, InstallationIdentity installation, ILogger<RedisClusterBus> logger)
    {
        _configuration = configuration;
        _installation = installation;
        _logger = logger;
        _subscribers = new(logger);
        _connection = new(ConnectAsync);
    }

    public string NodeId { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    private RedisChannel Channel => RedisChannel.Literal($"{ClusterSetup.RedisPrefix(_installation)}bus");

    private sealed record Envelope(string Node, string Channel, string Payload);

    private async Task<ConnectionMultiplexer> ConnectAsync()
    {
        var options = ConfigurationOptions.Parse(_configuration);
        // A node starts while Redis is away and catches up when it is back, rather than refusing to start.
        options.AbortOnConnectFail = false;
        return await ConnectionMultiplexer.ConnectAsync(options);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var redis = await _connection.Value;
        try
        {
            await SubscribeAsync(redis);
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
        {
            // Starting anyway keeps the node serving (its /healthz says Redis is down, so a load balancer can take it out);
            // sessions and the runner re-check the database themselves. The bus joins when Redis is back.
            _logger.LogWarning("Redis does not answer ({Reason}): node {NodeId} starts without the cluster bus and joins it when Redis is back.",
                ex.GetType().Name, NodeId);
            redis.ConnectionRestored += (_, _) => _ = JoinLateAsync(redis);
        }
    }

    private async Task SubscribeAsync(ConnectionMultiplexer redis)
    {
        var queue = await redis.GetSubscriber().SubscribeAsync(Channel);
        if (Interlocked.CompareExchange(ref _queue, queue, null) is not null)
        {
            await queue.UnsubscribeAsync();
            return;
        }
        // OnMessage with an async handler takes one message at a time: notices reach subscribers in the order sent.
        queue.OnMessage(ReceiveAsync);
        _logger.LogInformation("Cluster bus on Redis as node {NodeId}.", NodeId);
    }

    private async Task JoinLateAsync(ConnectionMultiplexer redis)
    {
        if (Volatile.Read(ref _queue) is not null)
            return;
        try
        {
            await SubscribeAsync(redis);
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
        {
            _logger.LogWarning("Redis came back but the cluster bus could not subscribe yet ({Reason}); trying at the next reconnect.", ex.GetType().Name);
        }
    }

    private Task ReceiveAsync(ChannelMessage message)
    {
        Envelope? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize<Envelope>((string)message.Message!, Json);
        }
        catch (JsonException ex)
        {
            _logger.LogWarning(ex, "Ignored a cluster message that could not be read.");
            return Task.CompletedTask;
        }
        return envelope is null || envelope.Node == NodeId ? Task.CompletedTask : _subscribers.DispatchAsync(envelope.Channel, envelope.Payload);
    }

    public async Task PublishAsync(string channel, string payload, CancellationToken ct = default)
    {
        var redis = await _connection.Value.WaitAsync(ct);
        await redis.GetSubscriber().PublishAsync(Channel, JsonSerializer.Serialize(new Envelope(NodeId, channel, payload), Json));
    }

    public IDisposable Subscribe(string channel, Func<string, Task> handler) => _subscribers.Add(channel, handler);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_queue is { } queue)
            await queue.UnsubscribeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection.IsValueCreated)
            await (await _connection.Value).DisposeAsync();
    }
}
