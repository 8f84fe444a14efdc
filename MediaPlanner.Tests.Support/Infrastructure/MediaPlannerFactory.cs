using System.Net;
using System.Text.RegularExpressions;
using MediaPlanner.Domain.Identity;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace MediaPlanner.Tests.Infrastructure;

/// <summary>
/// The real app over a private in-memory SQLite database (kept alive by one open connection), in Development,
/// so migrations run and the demo users are seeded exactly as on a fresh machine. Reliability tests pass a
/// file database instead, so its state outlives one factory; production tests change the environment.
/// </summary>
public class MediaPlannerFactory : WebApplicationFactory<Program>
{
    private readonly Lazy<string> _connectionString;
    private SqliteConnection? _keepAlive;

    public MediaPlannerFactory() => _connectionString = new(CreateDatabase);

    /// <summary>Not public: xUnit class fixtures must have a single public constructor.</summary>
    protected MediaPlannerFactory(string connectionString) => _connectionString = new(connectionString);

    /// <summary>
    /// The app over the given database, e.g. one that a second factory opens after this one stops. It does not own the
    /// database: disposing it leaves the data in place.
    /// </summary>
    public static MediaPlannerFactory ForDatabase(string connectionString, TestEngine engine = TestEngine.Sqlite) =>
        new(connectionString) { Engine = engine };

    /// <summary>The engine under the app: a private in-memory SQLite database, or a PostgreSQL database of its own.</summary>
    public TestEngine Engine { get; init; } = TestEngine.Sqlite;

    /// <summary>Created on first use, so a fixture for an absent server can exist while its tests skip.</summary>
    public string ConnectionString => _connectionString.Value;

    private bool _ownsDatabase;

    private string CreateDatabase()
    {
        _ownsDatabase = true;
        if (Engine == TestEngine.Postgres)
            return TestServers.CreatePostgresDatabase();
        var connectionString = $"Data Source=file:mp-{Guid.NewGuid():N}?mode=memory&cache=shared";
        _keepAlive = new SqliteConnection(connectionString);
        _keepAlive.Open();
        return connectionString;
    }

    public string EnvironmentName { get; init; } = "Development";

    /// <summary>Extra configuration for a test class, e.g. turning self-registration on.</summary>
    public Dictionary<string, string?> Settings { get; } = [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(EnvironmentName);
        builder.UseSetting("ConnectionStrings:MediaPlanner", ConnectionString);
        if (Engine == TestEngine.Postgres)
            builder.UseSetting("Database:Provider", "Postgres");
        foreach (var (key, value) in Settings)
            builder.UseSetting(key, value);
    }

    /// <summary>A seeded demo user as services see them; only admin@demo.local is an admin.</summary>
    public async Task<CurrentUser> DemoUserAsync(string email)
    {
        using var scope = Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = await users.FindByEmailAsync(email) ?? throw new InvalidOperationException($"No demo user {email}.");
        return new CurrentUser(user.Id, await users.IsInRoleAsync(user, Roles.Admin));
    }

    public HttpClient CreateBrowserlessClient() =>
        CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = ClientOptions.BaseAddress, AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>Signs in through the real sign-in form (antiforgery token and all) and returns the signed-in client.</summary>
    public async Task<HttpClient> SignInAsync(string email, string password = DatabaseInitializer.DemoPassword)
    {
        var client = CreateBrowserlessClient();
        var response = await PostLoginAsync(client, email, password);
        if (response.StatusCode != HttpStatusCode.Redirect)
            throw new InvalidOperationException($"Sign-in as {email} failed: {(int)response.StatusCode}");
        return client;
    }

    public static async Task<HttpResponseMessage> PostLoginAsync(HttpClient client, string email, string password)
    {
        var page = await client.GetStringAsync("/Account/Login");
        var token = AntiforgeryToken(page);
        return await client.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["__RequestVerificationToken"] = token,
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        }));
    }

    /// <summary>
    /// Signs in with a client that does not keep cookies and returns the Cookie header value, for clients that
    /// bring their own HTTP stack (SignalR).
    /// </summary>
    public async Task<string> SignInCookieAsync(string email, string password = DatabaseInitializer.DemoPassword)
    {
        var client = CreateCookielessClient();
        var page = await client.GetAsync("/Account/Login");
        var antiforgery = Cookies(page);
        var request = new HttpRequestMessage(HttpMethod.Post, "/Account/Login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["_handler"] = "login",
                ["__RequestVerificationToken"] = AntiforgeryToken(await page.Content.ReadAsStringAsync()),
                ["Input.Email"] = email,
                ["Input.Password"] = password,
            }),
        };
        request.Headers.Add("Cookie", antiforgery);
        var response = await client.SendAsync(request);
        if (response.StatusCode != HttpStatusCode.Redirect)
            throw new InvalidOperationException($"Sign-in as {email} failed: {(int)response.StatusCode}");
        return Cookies(response);
    }

    /// <summary>A client that neither follows redirects nor keeps cookies, so a Cookie header set by hand is sent as set.</summary>
    public virtual HttpClient CreateCookielessClient() =>
        CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = ClientOptions.BaseAddress, AllowAutoRedirect = false, HandleCookies = false });

    private static string Cookies(HttpResponseMessage response) =>
        string.Join("; ", response.Headers.TryGetValues("Set-Cookie", out var values)
            ? values.Select(v => v.Split(';')[0])
            : []);

    public static string AntiforgeryToken(string html) =>
        Regex.Match(html, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value is { Length: > 0 } token
            ? token
            : throw new InvalidOperationException("No antiforgery token on the page.");

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
            ReleaseDatabase();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        ReleaseDatabase();
        GC.SuppressFinalize(this);
    }

    private bool _released;

    private void ReleaseDatabase()
    {
        if (_released)
            return;
        _released = true;
        _keepAlive?.Dispose();
        if (Engine == TestEngine.Postgres && _ownsDatabase)
            TestServers.DropPostgresDatabase(_connectionString.Value);
    }
}
