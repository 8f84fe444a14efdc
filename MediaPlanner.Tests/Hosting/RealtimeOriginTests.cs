using System.Net;
using System.Net.WebSockets;
using System.Text;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web;
using MediaPlanner.Web.Hubs;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace MediaPlanner.Tests.Hosting;

/// <summary>The app on a real loopback port, so WebSockets go through Kestrel as a browser's would.</summary>
public sealed class KestrelAppFixture : IAsyncLifetime
{
    public MediaPlannerFactory App { get; } = new();
    public Uri BaseUrl { get; private set; } = null!;
    public string Cookie { get; private set; } = "";

    public async Task InitializeAsync()
    {
        App.UseKestrel(0);
        App.StartServer();
        BaseUrl = new Uri(App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First().Replace("[::1]", "127.0.0.1", StringComparison.Ordinal));
        var cookies = new CookieContainer();
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = BaseUrl };
        var signIn = await MediaPlannerFactory.PostLoginAsync(client, "reviewer@demo.local", MediaPlanner.Domain.Identity.DatabaseInitializer.DemoPassword);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Cookie = cookies.GetCookieHeader(BaseUrl);
    }

    public string Origin => BaseUrl.GetLeftPart(UriPartial.Authority);

    public Task DisposeAsync() => App.DisposeAsync().AsTask();
}

/// <summary>Pages of other origins cannot open the fine-tuning hub or a Blazor circuit with the user's cookie.</summary>
public class RealtimeOriginTests(KestrelAppFixture fixture) : IClassFixture<KestrelAppFixture>
{
    private const string Foreign = "http://evil.example";

    private async Task<ClientWebSocket> OpenHubSocketAsync(string? origin)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Cookie", fixture.Cookie);
        if (origin is not null)
            socket.Options.SetRequestHeader("Origin", origin);
        var url = new UriBuilder(fixture.BaseUrl) { Scheme = "ws", Path = FineTuningHub.Path }.Uri;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await socket.ConnectAsync(url, timeout.Token);
        return socket;
    }

    /// <summary>SignalR's JSON handshake over the raw socket: the hub answers "{}" when it accepts the connection.</summary>
    private static async Task<string> HandshakeAsync(ClientWebSocket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await socket.SendAsync(Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e"), WebSocketMessageType.Text, true, timeout.Token);
        var buffer = new byte[1024];
        var received = await socket.ReceiveAsync(buffer, timeout.Token);
        return Encoding.UTF8.GetString(buffer, 0, received.Count);
    }

    [Theory]
    [InlineData(Foreign)]
    [InlineData("null")]
    public async Task A_websocket_to_the_hub_from_another_origin_is_refused(string origin)
    {
        var refused = await Assert.ThrowsAsync<WebSocketException>(() => OpenHubSocketAsync(origin));

        Assert.Contains("403", refused.Message + refused.InnerException?.Message);
    }

    [Fact]
    public async Task A_websocket_to_the_hub_from_another_port_of_the_same_host_is_refused()
    {
        var sibling = new UriBuilder(fixture.BaseUrl) { Port = fixture.BaseUrl.Port == 1 ? 2 : fixture.BaseUrl.Port - 1 }.Uri;

        await Assert.ThrowsAsync<WebSocketException>(() => OpenHubSocketAsync(sibling.GetLeftPart(UriPartial.Authority)));
    }

    [Fact]
    public async Task A_websocket_to_the_hub_from_the_apps_own_origin_or_without_one_completes_the_handshake()
    {
        using var sameOrigin = await OpenHubSocketAsync(fixture.Origin);
        using var serverClient = await OpenHubSocketAsync(origin: null);

        Assert.StartsWith("{}", await HandshakeAsync(sameOrigin));
        Assert.StartsWith("{}", await HandshakeAsync(serverClient));
    }

    [Fact]
    public async Task A_signalr_client_negotiating_from_another_origin_is_refused_and_from_the_same_origin_connects()
    {
        HubConnection Connection(string origin) => new HubConnectionBuilder()
            .WithUrl(new Uri(fixture.BaseUrl, FineTuningHub.Path), options =>
            {
                options.Transports = HttpTransportType.WebSockets;
                options.Headers["Cookie"] = fixture.Cookie;
                options.Headers["Origin"] = origin;
                options.WebSocketConfiguration = socket =>
                {
                    socket.SetRequestHeader("Cookie", fixture.Cookie);
                    socket.SetRequestHeader("Origin", origin);
                };
            })
            .Build();
        await using var foreign = Connection(Foreign);
        await using var own = Connection(fixture.Origin);

        var refused = await Assert.ThrowsAnyAsync<HttpRequestException>(() => foreign.StartAsync());
        await own.StartAsync();

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HubConnectionState.Connected, own.State);
    }

    [Fact]
    public async Task The_blazor_circuit_refuses_to_negotiate_with_another_origin()
    {
        using var client = new HttpClient { BaseAddress = fixture.BaseUrl };
        HttpRequestMessage Negotiate(string origin) => new(HttpMethod.Post, "/_blazor/negotiate?negotiateVersion=1")
        {
            Headers = { { "Origin", origin }, { "Cookie", fixture.Cookie } },
        };

        var foreign = await client.SendAsync(Negotiate(Foreign));
        var own = await client.SendAsync(Negotiate(fixture.Origin));

        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }

    [Theory]
    [InlineData("https://app.example", "https", "app.example", true)]
    [InlineData("https://app.example:443", "https", "app.example", true)]
    [InlineData("http://app.example", "https", "app.example", false)]
    [InlineData("https://app.example:8443", "https", "app.example", false)]
    [InlineData("https://APP.example", "https", "app.example:443", true)]
    [InlineData("https://evil.app.example", "https", "app.example", false)]
    [InlineData("https://planner.agency.example", "http", "internal:5000", true)]
    [InlineData("not a url", "https", "app.example", false)]
    public void Origins_are_compared_by_scheme_host_and_port_and_the_configured_list(string origin, string scheme, string host, bool allowed)
    {
        var request = new DefaultHttpContext().Request;
        request.Scheme = scheme;
        request.Host = new HostString(host);
        request.Headers.Origin = origin;

        Assert.Equal(allowed, RealtimeOriginCheck.IsAllowed(request, ["https://planner.agency.example"]));
    }
}
