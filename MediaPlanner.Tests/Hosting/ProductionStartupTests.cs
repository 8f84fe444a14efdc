using System.Collections.Concurrent;
using System.Net;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MediaPlanner.Tests.Hosting;

/// <summary>
/// The app as a fresh production install: no demo users, the first admin from configuration. Production cookies
/// are Secure-only, so clients talk https; the host is not localhost because HSTS never answers localhost.
/// </summary>
public class ProductionFactory : MediaPlannerFactory
{
    public const string AdminEmail = "ops@mediaplanner.example";
    public const string AdminPassword = "Prod!Admin-2027";
    public static readonly Uri HttpsBase = new("https://mediaplanner.example");

    public ProductionFactory()
    {
        EnvironmentName = "Production";
        Configure();
    }

    private ProductionFactory(string connectionString)
        : base(connectionString)
    {
        EnvironmentName = "Production";
        Configure();
    }

    private void Configure()
    {
        Settings["Seed:AdminEmail"] = AdminEmail;
        Settings["Seed:AdminPassword"] = AdminPassword;
        ClientOptions.BaseAddress = HttpsBase;
    }

    /// <summary>A production install over a database file, so its keys and installation id are written beside it.</summary>
    public static ProductionFactory OnDatabaseFile(string path) => new($"Data Source={path}");

    /// <summary>Everything the app logged, formatted, for checking what start-up said (and did not say).</summary>
    public ConcurrentQueue<(LogLevel Level, string Category, string Message)> Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureLogging(logging => logging.AddProvider(new CapturingLoggerProvider(Logs)));
    }

    private sealed class CapturingLoggerProvider(ConcurrentQueue<(LogLevel, string, string)> logs) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, logs);

        public void Dispose()
        {
        }
    }

    private sealed class CapturingLogger(string category, ConcurrentQueue<(LogLevel, string, string)> logs) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logs.Enqueue((logLevel, category, formatter(state, exception) + (exception is null ? "" : " " + exception)));
    }
}

public class ProductionStartupTests(ProductionFactory factory) : IClassFixture<ProductionFactory>
{
    private const string AuthCookie = ".AspNetCore.Identity.Application";

    [Fact]
    public async Task No_demo_user_exists_and_the_configured_admin_signs_in_as_an_admin()
    {
        using (var scope = factory.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            foreach (var (email, _, _) in DatabaseInitializer.DemoUsers)
                Assert.Null(await users.FindByEmailAsync(email));
            var admins = await users.GetUsersInRoleAsync(Roles.Admin);
            Assert.Equal([ProductionFactory.AdminEmail], admins.Select(a => a.Email));
        }
        var demo = await MediaPlannerFactory.PostLoginAsync(factory.CreateBrowserlessClient(), "admin@demo.local", DatabaseInitializer.DemoPassword);
        Assert.Equal(HttpStatusCode.OK, demo.StatusCode);
        Assert.Contains("do not match an account", await demo.Content.ReadAsStringAsync());
        Assert.DoesNotContain("Demo accounts", await factory.CreateBrowserlessClient().GetStringAsync("/Account/Login"));

        var admin = await factory.SignInAsync(ProductionFactory.AdminEmail, ProductionFactory.AdminPassword);

        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/admin/settings")).StatusCode);
    }

    [Theory]
    [InlineData("Staging", null, false)]
    [InlineData("Production", "false", false)]
    [InlineData("Production", "true", true)]
    public async Task Outside_development_demo_accounts_are_seeded_only_when_Seed_DemoUsers_is_true(string environment, string? seed, bool seeded)
    {
        await using var app = new ProductionFactory { EnvironmentName = environment };
        if (seed is not null)
            app.Settings["Seed:DemoUsers"] = seed;

        using var scope = app.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();

        foreach (var (email, _, _) in DatabaseInitializer.DemoUsers)
            Assert.Equal(seeded, await users.FindByEmailAsync(email) is not null);
    }

    [Fact]
    public async Task Https_responses_carry_hsts_and_the_auth_cookie_is_httponly_and_secure()
    {
        var client = factory.CreateBrowserlessClient();

        var page = await client.GetAsync("/Account/Login");
        var signIn = await MediaPlannerFactory.PostLoginAsync(client, ProductionFactory.AdminEmail, ProductionFactory.AdminPassword);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.True(page.Headers.TryGetValues("Strict-Transport-Security", out var hsts), "No Strict-Transport-Security header on an https response.");
        Assert.Matches(@"max-age=\d+", hsts!.Single());
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(AuthCookie + "=", StringComparison.Ordinal));
        var attributes = cookie.Split(';').Select(a => a.Trim().ToLowerInvariant()).ToList();
        Assert.Contains("httponly", attributes);
        Assert.Contains("secure", attributes);
        Assert.Contains("samesite=lax", attributes);
    }

    [Fact]
    public async Task Five_failed_sign_ins_lock_the_account_so_the_right_password_is_refused_next()
    {
        const string email = "lockout@mediaplanner.example";
        const string password = "Right!Pass-2027";
        using (var scope = factory.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true };
            Assert.True((await users.CreateAsync(user, password)).Succeeded);
            Assert.True((await users.AddToRoleAsync(user, Roles.Planner)).Succeeded);
        }
        var client = factory.CreateBrowserlessClient();

        var failures = new List<HttpResponseMessage>();
        for (var attempt = 1; attempt <= 5; attempt++)
            failures.Add(await MediaPlannerFactory.PostLoginAsync(client, email, $"Wrong!Pass-{attempt}"));
        var sixth = await MediaPlannerFactory.PostLoginAsync(client, email, password);

        // The lock is not announced: the fifth and sixth answers look like any failed sign-in.
        foreach (var failure in failures.Append(sixth))
        {
            Assert.Equal(HttpStatusCode.OK, failure.StatusCode);
            Assert.Contains("do not match an account", await failure.Content.ReadAsStringAsync());
        }
        Assert.False(sixth.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith(AuthCookie + "=", StringComparison.Ordinal)));
        var briefs = await client.GetAsync("/briefs");
        Assert.Equal(HttpStatusCode.Redirect, briefs.StatusCode);
        Assert.Equal("/Account/Login", briefs.Headers.Location!.AbsolutePath);
        using (var scope = factory.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            Assert.True(await users.IsLockedOutAsync((await users.FindByEmailAsync(email))!));
        }
    }

    [Fact]
    public async Task A_configured_admin_password_that_breaks_the_rules_is_logged_by_rule_not_by_value_and_the_app_still_starts()
    {
        const string weak = "weakpass";
        await using var weakFactory = new ProductionFactory();
        weakFactory.Settings["Seed:AdminPassword"] = weak;

        var signInPage = await weakFactory.CreateBrowserlessClient().GetAsync("/Account/Login");
        var signIn = await MediaPlannerFactory.PostLoginAsync(weakFactory.CreateBrowserlessClient(), ProductionFactory.AdminEmail, weak);

        Assert.Equal(HttpStatusCode.OK, signInPage.StatusCode);
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        using (var scope = weakFactory.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            Assert.Null(await users.FindByEmailAsync(ProductionFactory.AdminEmail));
            Assert.Empty(await users.GetUsersInRoleAsync(Roles.Admin));
        }
        var error = Assert.Single(weakFactory.Logs, l => l.Level == LogLevel.Error && l.Message.Contains("Seed:AdminPassword", StringComparison.Ordinal));
        Assert.Contains(ProductionFactory.AdminEmail, error.Message);
        Assert.Contains("at least one digit", error.Message);
        Assert.Contains("at least one uppercase", error.Message);
        Assert.Contains("at least one non alphanumeric", error.Message);
        Assert.DoesNotContain(weakFactory.Logs, l => l.Message.Contains(weak, StringComparison.Ordinal));
    }
}
