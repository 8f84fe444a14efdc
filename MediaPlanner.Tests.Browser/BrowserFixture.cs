using System.Text.RegularExpressions;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace MediaPlanner.Tests.Browser;

/// <summary>Where Chromium is, and whether browser tests may skip without it.</summary>
public static class BrowserEnvironment
{
    public static string? ChromiumPath { get; } =
        new[] { Environment.GetEnvironmentVariable("CHROMIUM_PATH"), "/usr/bin/chromium", "/usr/bin/chromium-browser" }
            .FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p));

    public static bool Required => Environment.GetEnvironmentVariable("E2E_REQUIRED") == "1";

    /// <summary>Why a browser test skips here, or null when it runs.</summary>
    public static string? SkipReason => ChromiumPath is null && !Required
        ? "No Chromium found (install Debian's chromium or set CHROMIUM_PATH); set E2E_REQUIRED=1 to make this a failure."
        : null;
}

/// <summary>
/// A browser test: skipped, with the reason, when no Chromium is installed — unless E2E_REQUIRED=1, when it runs
/// and fails, so CI can never pass without having driven a real browser.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        Skip = BrowserEnvironment.SkipReason;
    }
}

/// <summary>
/// Browser tests run on their own, after the rest: on two cores, a browser next to a parallel test run is
/// slow enough to make waits flaky.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection
{
    public const string Name = "Browser";
}

/// <summary>The app on a real loopback port and one headless Chromium, shared by a test class.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public MediaPlannerFactory App { get; } = new();
    public string BaseUrl { get; private set; } = "";
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task InitializeAsync()
    {
        if (BrowserEnvironment.ChromiumPath is null)
        {
            if (BrowserEnvironment.Required)
                throw new InvalidOperationException("E2E_REQUIRED=1 but no Chromium was found at CHROMIUM_PATH or /usr/bin/chromium.");
            return;
        }
        App.UseKestrel(0);
        App.StartServer();
        BaseUrl = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First().Replace("[::1]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');

        _playwright = await Playwright.CreateAsync();
        Assertions.SetDefaultExpectTimeout(15_000);
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserEnvironment.ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
        });
    }

    public async Task<IPage> NewPageAsync()
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseUrl, ViewportSize = new() { Width = 1440, Height = 1000 } });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    /// <summary>Signs in through the sign-in page and waits for the interactive home page.</summary>
    public async Task<IPage> SignedInPageAsync(string email)
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/Account/Login");
        await page.FillAsync("#Input\\.Email", email);
        await page.FillAsync("#Input\\.Password", MediaPlanner.Domain.Identity.DatabaseInitializer.DemoPassword);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(BaseUrl + "/");
        await WaitForInteractiveAsync(page);
        return page;
    }

    /// <summary>From the home page: opens the brief form, fills in a valid US brief and saves it; ends on the brief's page.</summary>
    public static async Task SaveBriefAsync(IPage page, string brand, string campaign, string budget)
    {
        await page.ClickAsync("a[href='briefs/new']");
        await page.WaitForURLAsync(new Regex("/briefs/new$"));
        await WaitForInteractiveAsync(page);
        await page.FillAsync("#brand", brand);
        await page.FillAsync("#campaign", campaign);
        await page.FillAsync("#budget", budget);
        await page.SelectOptionAsync("#market", new SelectOptionValue { Label = "United States" });
        await page.FillAsync("#brief-text", "Launch the new trail shoe to runners aged 25-54 ahead of the spring racing season; build awareness and drive product page visits.");
        await page.ClickAsync("#save-brief");
        await page.WaitForURLAsync(new Regex(@"/briefs/\d+$"));
    }

    /// <summary>Saves <paramref name="input"/> as the demo planner's brief and generates its plans; returns the brief's id.</summary>
    public async Task<int> PlannedBriefAsync(MediaPlanner.Domain.Briefs.BriefInput input)
    {
        using var scope = App.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<MediaPlanner.Domain.Identity.ApplicationUser>>();
        var planner = await users.FindByEmailAsync("planner@demo.local");
        var user = new MediaPlanner.Domain.Identity.CurrentUser(planner!.Id, false);
        var id = (await scope.ServiceProvider.GetRequiredService<MediaPlanner.Domain.Briefs.BriefService>().CreateAsync(input, user)).Value;
        await scope.ServiceProvider.GetRequiredService<MediaPlanner.Domain.Planning.PlanGenerator>().GenerateAsync(id, user);
        return id;
    }

    /// <summary>The planner uses the brief's first plan; a reviewer then opens its example from the review queue. Returns the reviewer's page.</summary>
    public async Task<IPage> ReviewerOnChosenPlanAsync(int briefId, string brand)
    {
        var planner = await SignedInPageAsync("planner@demo.local");
        await planner.GotoAsync($"/briefs/{briefId}");
        await WaitForInteractiveAsync(planner);
        await planner.Locator("[data-testid=use-plan]").First.ClickAsync();
        await planner.ClickAsync("[data-testid=confirm-use]");
        await Assertions.Expect(planner.Locator("[data-testid=plan-chosen]")).ToHaveCountAsync(1);

        var reviewer = await SignedInPageAsync("reviewer@demo.local");
        await reviewer.GotoAsync("/review");
        await WaitForInteractiveAsync(reviewer);
        await reviewer.Locator("[data-testid=review-grid] tbody tr", new() { HasText = brand }).ClickAsync();
        await reviewer.WaitForURLAsync(new Regex(@"/review/\d+$"));
        await WaitForInteractiveAsync(reviewer);
        return reviewer;
    }

    /// <summary>
    /// Waits until the page fits its window — after a resize the layout settles first (on a phone the drawer closes) —
    /// and fails with <paramref name="because"/> if it never does.
    /// </summary>
    public static async Task ExpectNoSidewaysScrollAsync(IPage page, string because = "the page must not scroll sideways")
    {
        const string fits = "() => document.documentElement.scrollWidth <= window.innerWidth";
        try
        {
            await page.WaitForFunctionAsync(fits, null, new() { Timeout = 10_000 });
        }
        catch (TimeoutException)
        {
            var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
            Assert.Fail($"{because}: {widths[0]} px wide in a {widths[1]} px window");
        }
    }

    public static Task WaitForInteractiveAsync(IPage page) =>
        page.Locator("[data-interactive=true]").WaitForAsync();

    public async Task DisposeAsync()
    {
        if (_browser is not null)
            await _browser.DisposeAsync();
        _playwright?.Dispose();
        await App.DisposeAsync();
    }
}
