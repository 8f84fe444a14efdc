using System.Diagnostics;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace MediaPlanner.Tests.Browser.Hosting;

/// <summary>A browser theory: skipped, with the reason, when no Chromium is installed, unless E2E_REQUIRED=1.</summary>
public sealed class BrowserTheoryAttribute : TheoryAttribute
{
    public BrowserTheoryAttribute()
    {
        Skip = BrowserEnvironment.SkipReason;
    }
}

/// <summary>
/// The walker: every page each role may open, with real content, at 1440×900 and 390×844 (axe-core's WCAG 2.2 AA
/// rules, serious and critical impact), and at 360, 390 and 430 wide for sideways scrolling; one h1 and one main landmark.
/// With SCREENSHOT_DIR set it saves full-page screenshots there as &lt;role&gt;-&lt;page&gt;-&lt;width&gt;.png.
/// </summary>
[Collection(BrowserCollection.Name)]
public class EveryPageBrowserTests(EveryPageFixture site, ITestOutputHelper output) : IClassFixture<EveryPageFixture>
{
    private static readonly string[] AxeTags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
    private static readonly int[] PhoneWidths = [360, 390, 430];

    [BrowserTheory]
    [InlineData("anonymous", "sign-in")]
    [InlineData("anonymous", "register")]
    [InlineData("anonymous", "lockout")]
    [InlineData("planner", "home")]
    [InlineData("planner", "briefs")]
    [InlineData("planner", "new-brief")]
    [InlineData("planner", "brief")]
    [InlineData("planner", "insights")]
    [InlineData("planner", "no-access")]
    [InlineData("planner", "access-denied")]
    [InlineData("planner", "account")]
    [InlineData("planner", "password")]
    [InlineData("planner", "not-found")]
    [InlineData("reviewer", "home")]
    [InlineData("reviewer", "review")]
    [InlineData("reviewer", "example")]
    [InlineData("reviewer", "training")]
    [InlineData("reviewer", "fine-tuning")]
    [InlineData("reviewer", "job")]
    [InlineData("reviewer", "insights")]
    [InlineData("reviewer", "account")]
    [InlineData("admin", "home")]
    [InlineData("admin", "briefs")]
    [InlineData("admin", "new-brief")]
    [InlineData("admin", "brief")]
    [InlineData("admin", "review")]
    [InlineData("admin", "example")]
    [InlineData("admin", "training")]
    [InlineData("admin", "fine-tuning")]
    [InlineData("admin", "job")]
    [InlineData("admin", "insights")]
    [InlineData("admin", "settings")]
    [InlineData("admin", "users")]
    [InlineData("admin", "audit")]
    [InlineData("admin", "account")]
    public async Task Page_passes_axe_has_one_h1_and_a_main_and_does_not_scroll_sideways_on_phones(string role, string pageName)
    {
        var watch = Stopwatch.StartNew();
        var page = await site.PageForAsync(role);
        var path = site.PathOf(pageName);
        var problems = new List<string>();

        await page.SetViewportSizeAsync(1440, 900);
        await OpenAsync(page, path);
        await CheckAsync(page, role, pageName, 1440, problems);

        await page.SetViewportSizeAsync(390, 844);
        await OpenAsync(page, path);
        await CheckAsync(page, role, pageName, 390, problems);
        foreach (var width in PhoneWidths)
        {
            await page.SetViewportSizeAsync(width, 844);
            var (scrollWidth, innerWidth) = await SidewaysAsync(page);
            if (scrollWidth > innerWidth)
                problems.Add($"{width} px: the page scrolls sideways ({scrollWidth} px wide in a {innerWidth} px window); widest: {await WidestAsync(page)}");
        }

        output.WriteLine($"{role} {pageName} ({path}): {watch.ElapsedMilliseconds} ms");
        Assert.True(problems.Count == 0, $"{role} on {pageName} ({path}):\n" + string.Join("\n", problems));
    }

    private static async Task OpenAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        // Interactive pages: wait for the circuit, then for the data they load on start (the last request to settle).
        if (await page.Locator("[data-interactive]").CountAsync() > 0)
            await BrowserFixture.WaitForInteractiveAsync(page);
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await Assertions.Expect(page.Locator(".mud-progress-circular.mud-progress-indeterminate")).ToHaveCountAsync(0);
    }

    private static async Task CheckAsync(IPage page, string role, string pageName, int width, List<string> problems)
    {
        var result = await page.RunAxe(new AxeRunOptions { RunOnly = new RunOnlyOptions { Type = "tag", Values = [.. AxeTags] } });
        foreach (var violation in result.Violations.Where(v => v.Impact is "serious" or "critical"))
            problems.Add($"{width} px: axe {violation.Id} ({violation.Impact}): {violation.Help} at "
                + string.Join(", ", violation.Nodes.Take(5).Select(n => n.Target.ToString())));
        var h1 = await page.Locator("h1").CountAsync();
        if (h1 != 1)
            problems.Add($"{width} px: {h1} h1 elements, expected exactly one");
        var main = await page.Locator("main, [role=main]").CountAsync();
        if (main != 1)
            problems.Add($"{width} px: {main} main landmarks, expected exactly one");
        if (Environment.GetEnvironmentVariable("SCREENSHOT_DIR") is { Length: > 0 } dir)
        {
            Directory.CreateDirectory(dir);
            await page.ScreenshotAsync(new() { Path = Path.Combine(dir, $"{role}-{pageName}-{width}.png"), FullPage = true });
        }
    }

    private static async Task<(int ScrollWidth, int InnerWidth)> SidewaysAsync(IPage page)
    {
        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
        return (widths[0], widths[1]);
    }

    /// <summary>The element reaching furthest right, so a failure says what to fix.</summary>
    private static Task<string> WidestAsync(IPage page) => page.EvaluateAsync<string>(
        """
        () => {
          let widest = null, right = 0;
          for (const e of document.body.querySelectorAll('*')) {
            const r = e.getBoundingClientRect().right;
            if (r > right) { right = r; widest = e; }
          }
          if (!widest) return 'nothing';
          const id = widest.id ? '#' + widest.id : '';
          const cls = typeof widest.className === 'string' && widest.className ? '.' + widest.className.trim().split(/\s+/).slice(0, 3).join('.') : '';
          return `${widest.tagName.toLowerCase()}${id}${cls} (right edge ${Math.round(right)} px)`;
        }
        """);
}

/// <summary>
/// The app with real content for every page (a planner's brief with generated plans, a chosen plan awaiting review, 40
/// validated examples, a finished local fine-tuning job) and one signed-in browser context per role, reused by every page.
/// </summary>
public sealed class EveryPageFixture : IAsyncLifetime
{
    private readonly BrowserFixture _browser = new();
    private readonly Dictionary<string, IPage> _pages = [];
    private readonly Dictionary<string, string> _paths = new()
    {
        ["sign-in"] = "/Account/Login", ["register"] = "/Account/Register", ["lockout"] = "/Account/Lockout",
        ["home"] = "/", ["briefs"] = "/briefs", ["new-brief"] = "/briefs/new", ["insights"] = "/insights",
        ["no-access"] = "/review", ["access-denied"] = "/Account/AccessDenied", ["account"] = "/Account/Manage",
        ["password"] = "/Account/Manage/ChangePassword", ["not-found"] = "/not-found", ["review"] = "/review",
        ["training"] = "/training", ["fine-tuning"] = "/fine-tuning", ["settings"] = "/admin/settings",
        ["users"] = "/admin/users", ["audit"] = "/admin/audit",
    };

    public string PathOf(string page) => _paths[page];

    public async Task InitializeAsync()
    {
        await _browser.InitializeAsync();
        if (BrowserEnvironment.ChromiumPath is null)
            return;
        var services = _browser.App.Services;
        var briefId = await _browser.PlannedBriefAsync(TestBriefs.Input("Northwind Outdoor", campaign: "Trail season", budget: 250_000m,
            start: new DateTime(2027, 3, 1), end: new DateTime(2027, 4, 30), channels: [Channel.Search, Channel.Social, Channel.OnlineVideo, Channel.ConnectedTv, Channel.Display],
            text: "Launch the new trail shoe to runners aged 25-54 ahead of the spring racing season; build awareness and drive product page visits."));
        _paths["brief"] = $"/briefs/{briefId}";

        using var scope = services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var planner = new CurrentUser((await users.FindByEmailAsync("planner@demo.local"))!.Id, false);
        var admin = new CurrentUser((await users.FindByEmailAsync("admin@demo.local"))!.Id, true);
        await using (var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync())
        {
            var planId = await db.Plans.Where(p => p.BriefId == briefId).OrderBy(p => p.Ordinal).Select(p => p.Id).FirstAsync();
            var choice = await scope.ServiceProvider.GetRequiredService<TrainingCollector>().ChoosePlanAsync(planId, planner);
            _paths["example"] = $"/review/{choice.Value ?? throw new InvalidOperationException(choice.Message)}";
        }

        await ValidatedExamples.SeedAsync(services, 40, "Walker");
        var job = await scope.ServiceProvider.GetRequiredService<FineTuneService>()
            .CreateAsync(new NewJobRequest(FineTuneProviders.Local, Suffix: "walker", Seed: 7), admin);
        var jobId = job.Succeeded ? job.Value : throw new InvalidOperationException(string.Join("; ", job.Errors.Select(e => $"{e.Key}: {e.Value}")));
        await services.WaitForJobAsync(jobId, j => j.Status == FineTuneStatus.Succeeded);
        _paths["job"] = $"/fine-tuning/{jobId}";
    }

    /// <summary>One browser context per role, signed in once (anonymous: never signed in).</summary>
    public async Task<IPage> PageForAsync(string role)
    {
        if (!_pages.TryGetValue(role, out var page))
        {
            page = role == "anonymous" ? await _browser.NewPageAsync() : await _browser.SignedInPageAsync($"{role}@demo.local");
            _pages[role] = page;
        }
        return page;
    }

    public Task DisposeAsync() => _browser.DisposeAsync();
}
