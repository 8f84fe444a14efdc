using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Providers;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace MediaPlanner.Domain.Cluster;

/// <summary>
/// Several app nodes on one database: with <c>ConnectionStrings:Redis</c> set, SignalR spreads hub messages through
/// Redis (a client on one node hears what another node sends) and <see cref="RedisClusterBus"/> carries job notices,
/// cache invalidations and ended sessions between nodes. Without it the app is one node and nothing leaves the process.
/// </summary>
public static class ClusterSetup
{
    public const string RedisConnectionName = "Redis";

    /// <summary>Every Redis channel of this installation starts with this, so installations sharing a Redis never mix.</summary>
    public static string RedisPrefix(InstallationIdentity installation) => $"MediaPlanner:{installation.Id}:";

    public static IHostApplicationBuilder AddMediaPlannerCluster(this IHostApplicationBuilder builder)
    {
        var redis = builder.Configuration.GetConnectionString(RedisConnectionName);
        builder.Services.AddHostedService<ClusterCacheSync>();
        if (string.IsNullOrWhiteSpace(redis))
        {
            builder.Services.TryAddSingleton<IClusterBus>(sp => new InProcessClusterBus(logger: sp.GetService<ILogger<InProcessClusterBus>>()));
            return builder;
        }
        // Read now so a malformed string stops start-up with its reason instead of surfacing on the first message.
        ConfigurationOptions.Parse(redis);
        builder.Services.AddSingleton(sp => new RedisClusterBus(redis, sp.GetRequiredService<InstallationIdentity>(),
            sp.GetRequiredService<ILogger<RedisClusterBus>>()));
        builder.Services.AddSingleton<IClusterBus>(sp => sp.GetRequiredService<RedisClusterBus>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RedisClusterBus>());
        builder.Services.AddSignalR().AddStackExchangeRedis(redis, options => options.Configuration.AbortOnConnectFail = false);
        // The prefix needs the installation id, which may live in the database: resolved when SignalR first needs Redis.
        builder.Services.AddOptions<RedisOptions>().Configure<InstallationIdentity>((options, installation) =>
            options.Configuration.ChannelPrefix = RedisChannel.Literal(RedisPrefix(installation) + "signalr"));
        return builder;
    }
}

/// <summary>
/// Every in-memory copy of database state, and what forgets it when another node changes that state: the saved
/// settings (and the OpenAI options built on them), the provider profiles, the providers' model lists, and the model
/// registry's open pages. (The training settings read the model lists live; job notices and ended sessions have
/// channels of their own.) Each service tells the other nodes itself after it saves.
/// </summary>
internal sealed class ClusterCacheSync(IClusterBus bus, SettingsStore settings, ProviderProfileService profiles, ModelCatalog catalog,
    ModelRegistry registry) : IHostedService
{
    private readonly List<IDisposable> _subscriptions = [];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscriptions.Add(bus.OnCacheChanged(SettingsStore.CacheName, settings.ForgetCached));
        _subscriptions.Add(bus.OnCacheChanged(ProviderProfileService.CacheName, profiles.ForgetCached));
        _subscriptions.Add(bus.OnCacheChanged(ModelCatalog.CacheName, catalog.ForgetCached));
        _subscriptions.Add(bus.OnCacheChanged(ModelRegistry.CacheName, registry.ChangedElsewhere));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscriptions.ForEach(s => s.Dispose());
        return Task.CompletedTask;
    }
}
