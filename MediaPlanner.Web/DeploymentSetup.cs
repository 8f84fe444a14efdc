using System.Net;
using MediaPlanner.Domain.Identity;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.HttpsPolicy;

namespace MediaPlanner.Web;

/// <summary>
/// How the app meets the network: behind a TLS-terminating reverse proxy (forwarded headers from the proxies named in
/// ForwardedHeaders:KnownProxies / KnownNetworks, or loopback with ForwardedHeaders:Enabled), and never with a demo
/// account open to other machines.
/// </summary>
public static class DeploymentSetup
{
    public const string Section = "ForwardedHeaders";

    public static WebApplicationBuilder AddMediaPlannerDeployment(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DemoAccountGuard>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DemoAccountGuard>());
        if (!BehindProxy(builder.Configuration))
            return builder;

        var proxies = Addresses(builder.Configuration, "KnownProxies", IPAddress.Parse);
        var networks = Addresses(builder.Configuration, "KnownNetworks", System.Net.IPNetwork.Parse);
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            // X-Forwarded-Host is left out: trusting it would let a client choose the host in redirects.
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            if (proxies.Count + networks.Count == 0)
                return;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in proxies)
                options.KnownProxies.Add(proxy);
            foreach (var network in networks)
                options.KnownIPNetworks.Add(network);
        });
        // The proxy serves https on the standard port; without this, HTTPS redirection finds no https port on a
        // plain-http Kestrel and lets http requests through.
        if (string.IsNullOrEmpty(builder.Configuration["https_port"]))
            builder.Services.Configure<HttpsRedirectionOptions>(options => options.HttpsPort = 443);
        return builder;
    }

    /// <summary>First in the pipeline, so HTTPS redirection, HSTS, Secure cookies and the logs see the client's scheme and address.</summary>
    public static WebApplication UseMediaPlannerForwardedHeaders(this WebApplication app)
    {
        if (BehindProxy(app.Configuration))
            app.UseForwardedHeaders();
        return app;
    }

    public static bool BehindProxy(IConfiguration configuration) =>
        configuration.GetValue<bool>($"{Section}:Enabled")
        || HasValue(configuration.GetSection($"{Section}:KnownProxies"))
        || HasValue(configuration.GetSection($"{Section}:KnownNetworks"));

    private static bool HasValue(IConfigurationSection section) =>
        !string.IsNullOrWhiteSpace(section.Value) || section.GetChildren().Any();

    /// <summary>A list (KnownProxies:0, KnownProxies:1 …) or one value separated by commas or spaces, as an environment variable is easiest to write.</summary>
    private static List<T> Addresses<T>(IConfiguration configuration, string key, Func<string, T> parse)
    {
        var section = configuration.GetSection($"{Section}:{key}");
        var values = section.GetChildren().Select(c => c.Value ?? "")
            .Append(section.Value ?? "")
            .SelectMany(v => v.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return values.Select(value =>
        {
            try
            {
                return parse(value);
            }
            catch (FormatException)
            {
                throw new InvalidOperationException($"{Section}:{key}: '{value}' is not an IP address{(key == "KnownNetworks" ? " range such as 10.0.0.0/8" : "")}.");
            }
        }).ToList();
    }
}

/// <summary>
/// Demo accounts have a published password, so once the server has started and its addresses are known, any that
/// exist are locked if the app can be reached from other machines: bound to a non-loopback address, or served through a
/// proxy. Belt and braces next to seeding them only in Development.
/// </summary>
internal sealed class DemoAccountGuard(IServer server, IHostApplicationLifetime lifetime, IServiceProvider services,
    IConfiguration configuration) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        await using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
            await started.Task;
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        if (ExposureReason(addresses, DeploymentSetup.BehindProxy(configuration)) is { } reason)
            await DatabaseInitializer.DisableDemoUsersAsync(services, reason, stoppingToken);
    }

    internal static string? ExposureReason(IEnumerable<string> addresses, bool behindProxy)
    {
        var open = addresses.Where(a => !IsLocal(a)).ToList();
        if (open.Count > 0)
            return $"the app listens on {string.Join(", ", open)}, which other machines can reach";
        return behindProxy ? $"the app is served through a reverse proxy ({DeploymentSetup.Section} is configured)" : null;
    }

    internal static bool IsLocal(string address)
    {
        var binding = BindingAddress.Parse(address);
        if (binding.IsUnixPipe || binding.IsNamedPipe || string.Equals(binding.Host, "localhost", StringComparison.OrdinalIgnoreCase))
            return true;
        return IPAddress.TryParse(binding.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);
    }
}
