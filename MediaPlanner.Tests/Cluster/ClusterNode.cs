using MediaPlanner.Domain.Cluster;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace MediaPlanner.Tests.Cluster;

/// <summary>One app node of a cluster test: the real app on a real Kestrel port, over the shared database and Redis.</summary>
public sealed class ClusterNode : MediaPlannerFactory
{
    private ClusterNode(ClusterDatabase database) : base(database.ConnectionString) => Engine = TestEngine.Postgres;

    public string BaseUrl { get; private set; } = "";

    /// <summary>Starts a node; <paramref name="settings"/> come on top of the database's and Redis's.</summary>
    public static ClusterNode Start(ClusterDatabase database, params (string Key, string? Value)[] settings)
    {
        if ((TestServers.PostgresUnavailable ?? TestServers.RedisUnavailable) is { } reason)
            throw new InvalidOperationException($"E2E_REQUIRED=1 but the cluster tests cannot run: {reason}");
        var node = new ClusterNode(database);
        foreach (var (key, value) in database.Settings)
            node.Settings[key] = value;
        node.Settings[$"ConnectionStrings:{ClusterSetup.RedisConnectionName}"] = TestServers.Redis;
        node.Settings["FineTuning:Runner:IdlePoll"] = "00:00:00.100";
        foreach (var (key, value) in settings)
            node.Settings[key] = value;
        node.UseKestrel(0);
        node.StartServer();
        node.BaseUrl = node.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First().Replace("[::1]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
        return node;
    }

    /// <summary>A SignalR client of the fine-tuning hub on this node, over WebSockets as a browser connects.</summary>
    public HubConnection FineTuningHub(string cookie) =>
        new HubConnectionBuilder()
            .WithUrl($"{BaseUrl}{Web.Hubs.FineTuningHub.Path}", options => options.Headers["Cookie"] = cookie)
            .Build();

    /// <summary>Over the real port: the test server's client keeps cookies of its own there and drops a Cookie header set by hand.</summary>
    public override HttpClient CreateCookielessClient() =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(BaseUrl) };
}
