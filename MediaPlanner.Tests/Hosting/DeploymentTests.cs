using System.Net;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MediaPlanner.Tests.Hosting;

/// <summary>
/// The app on a real Kestrel: demo accounts locked when other machines can reach it, and forwarded headers trusted
/// only from the configured proxy.
/// </summary>
public sealed class DeploymentTests
{
    private const string Site = "mediaplanner.example";

    private static async Task<string> StartAsync(MediaPlannerFactory app)
    {
        app.StartServer();
        await app.Services.GetRequiredService<DemoAccountGuard>().ExecuteTask!;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return $"http://127.0.0.1:{new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal)).Port}";
    }

    private static HttpClient Client(string baseUrl) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true }) { BaseAddress = new Uri(baseUrl) };

    private static async Task<List<ApplicationUser>> DemoUsersAsync(MediaPlannerFactory app)
    {
        using var scope = app.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var found = new List<ApplicationUser>();
        foreach (var (email, _, _) in DatabaseInitializer.DemoUsers)
            found.Add(await users.FindByEmailAsync(email) ?? throw new InvalidOperationException($"No demo user {email}."));
        return found;
    }

    [Fact]
    public async Task Demo_accounts_seeded_on_a_server_listening_on_all_addresses_are_locked_and_cannot_sign_in()
    {
        await using var app = new ProductionFactory();
        app.Settings["Seed:DemoUsers"] = "true";
        app.UseKestrel(kestrel => kestrel.Listen(IPAddress.Any, 0));

        var baseUrl = await StartAsync(app);
        using var client = Client(baseUrl);
        var signIn = await MediaPlannerFactory.PostLoginAsync(client, "admin@demo.local", DatabaseInitializer.DemoPassword);

        Assert.All(await DemoUsersAsync(app), u => Assert.Equal(DateTimeOffset.MaxValue.Year, u.LockoutEnd?.Year));
        // A locked account gets the same answer as a wrong password: no cookie, no redirect, the one message.
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        Assert.False(signIn.Headers.Contains("Set-Cookie") && signIn.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith(".AspNetCore.Identity.Application=", StringComparison.Ordinal)));
        Assert.Contains("do not match an account", await signIn.Content.ReadAsStringAsync());
        foreach (var (email, _, _) in DatabaseInitializer.DemoUsers)
        {
            var line = Assert.Single(app.Logs, l => l.Level == LogLevel.Warning && l.Message.StartsWith($"Disabled demo account {email}", StringComparison.Ordinal));
            Assert.Contains("0.0.0.0", line.Message);
        }
        // The configured admin is no demo account and is left alone.
        using var scope = app.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        Assert.False(await users.IsLockedOutAsync((await users.FindByEmailAsync(ProductionFactory.AdminEmail))!));
    }

    [Fact]
    public async Task On_loopback_in_development_the_demo_accounts_stay_open()
    {
        await using var app = new MediaPlannerFactory();
        app.UseKestrel(0);

        var baseUrl = await StartAsync(app);
        using var client = Client(baseUrl);
        var signIn = await MediaPlannerFactory.PostLoginAsync(client, "admin@demo.local", DatabaseInitializer.DemoPassword);

        Assert.All(await DemoUsersAsync(app), u => Assert.Null(u.LockoutEnd));
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Contains(signIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".AspNetCore.Identity.Application=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Forwarded_https_from_the_known_proxy_is_believed_and_plain_http_through_it_is_redirected_to_https()
    {
        await using var app = new ProductionFactory();
        app.Settings["ForwardedHeaders:KnownProxies"] = "10.9.9.9, 127.0.0.1";
        app.Settings["Seed:DemoUsers"] = "true";
        app.UseKestrel(0);
        var baseUrl = await StartAsync(app);
        using var client = Client(baseUrl);

        var plain = await client.SendAsync(Request("/Account/Login", forwardedProto: null));
        var forwarded = await client.SendAsync(Request("/Account/Login", forwardedProto: "https"));
        var health = await client.SendAsync(Request("/healthz", forwardedProto: null));

        Assert.Equal(HttpStatusCode.TemporaryRedirect, plain.StatusCode);
        Assert.Equal($"https://{Site}/Account/Login", plain.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, forwarded.StatusCode);
        Assert.True(forwarded.Headers.Contains("Strict-Transport-Security"), "No HSTS on a request the proxy says came over https.");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        // Served through a proxy, the app is reachable from other machines even though Kestrel is on loopback.
        Assert.All(await DemoUsersAsync(app), u => Assert.Equal(DateTimeOffset.MaxValue.Year, u.LockoutEnd?.Year));
        Assert.Contains(app.Logs, l => l.Level == LogLevel.Warning && l.Message.Contains("served through a reverse proxy", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Forwarded_headers_from_an_address_that_is_not_the_proxy_are_ignored()
    {
        await using var app = new ProductionFactory();
        app.Settings["ForwardedHeaders:KnownNetworks"] = "10.0.0.0/8";
        app.UseKestrel(0);
        var baseUrl = await StartAsync(app);
        using var client = Client(baseUrl);

        var spoofed = await client.SendAsync(Request("/Account/Login", forwardedProto: "https"));

        Assert.Equal(HttpStatusCode.TemporaryRedirect, spoofed.StatusCode);
        Assert.StartsWith("https://", spoofed.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.False(spoofed.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public void A_proxy_address_that_is_not_an_ip_address_stops_start_up_with_the_setting_named()
    {
        using var app = new ProductionFactory();
        app.Settings["ForwardedHeaders:KnownProxies"] = "proxy.internal";

        var error = Assert.ThrowsAny<Exception>(() => app.Services);

        Assert.Contains("ForwardedHeaders:KnownProxies: 'proxy.internal' is not an IP address", error.ToString());
    }

    private static HttpRequestMessage Request(string path, string? forwardedProto)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = Site;
        if (forwardedProto is not null)
            request.Headers.Add("X-Forwarded-Proto", forwardedProto);
        return request;
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080", true)]
    [InlineData("http://localhost:5080", true)]
    [InlineData("http://[::1]:5080", true)]
    [InlineData("https://127.0.0.2:8443", true)]
    [InlineData("http://unix:/run/mediaplanner.sock", true)]
    [InlineData("http://0.0.0.0:5080", false)]
    [InlineData("http://[::]:5080", false)]
    [InlineData("http://*:80", false)]
    [InlineData("http://+:80", false)]
    [InlineData("http://192.168.1.20:5080", false)]
    [InlineData("http://mediaplanner.example:80", false)]
    public void Only_loopback_sockets_and_pipes_count_as_local(string address, bool local)
    {
        Assert.Equal(local, DemoAccountGuard.IsLocal(address));
        Assert.Equal(local, DemoAccountGuard.ExposureReason([address], behindProxy: false) is null);
    }
}
