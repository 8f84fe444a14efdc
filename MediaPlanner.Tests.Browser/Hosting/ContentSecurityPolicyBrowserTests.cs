using MediaPlanner.Domain.Identity;
using Microsoft.Playwright;

namespace MediaPlanner.Tests.Browser.Hosting;

/// <summary>The app works in Chromium under its Content-Security-Policy, and the policy is enforced.</summary>
[Collection(BrowserCollection.Name)]
public class ContentSecurityPolicyBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    // Added by the test through DevTools, which the page's policy does not govern.
    private const string RecordViolations = """
        window.__cspViolations = [];
        document.addEventListener('securitypolicyviolation', e =>
            window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`));
        """;

    private static Task<string[]> ViolationsAsync(IPage page) => page.EvaluateAsync<string[]>("() => window.__cspViolations");

    [BrowserFact]
    public async Task A_planner_signs_in_and_generates_plans_with_no_policy_violation_over_a_websocket_circuit()
    {
        var page = await browser.NewPageAsync();
        await page.Context.AddInitScriptAsync(RecordViolations);
        var console = new List<string>();
        page.Console += (_, message) => { if (message.Type is "error" or "warning") lock (console) console.Add(message.Text); };
        var pageErrors = new List<string>();
        page.PageError += (_, error) => { lock (pageErrors) pageErrors.Add(error); };
        var sockets = new List<string>();
        page.WebSocket += (_, socket) => { lock (sockets) sockets.Add(socket.Url); };

        await page.GotoAsync("/Account/Login");
        Assert.Empty(await ViolationsAsync(page));
        await page.FillAsync("#Input\\.Email", "planner@demo.local");
        await page.FillAsync("#Input\\.Password", DatabaseInitializer.DemoPassword);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(browser.BaseUrl + "/");
        await BrowserFixture.WaitForInteractiveAsync(page);

        await BrowserFixture.SaveBriefAsync(page, "Policy Running", "Headers launch", "150000");
        await page.ClickAsync("#generate");
        await Assertions.Expect(page.Locator("[data-testid=plan-card]")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("[data-testid=allocation-chart]")).ToHaveCountAsync(3);

        Assert.Empty(await ViolationsAsync(page));
        lock (console)
            Assert.DoesNotContain(console, text => text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
        lock (pageErrors)
            Assert.Empty(pageErrors);
        // Were WebSockets refused, Blazor would fall back to long polling and still work: see that it did not.
        lock (sockets)
            Assert.Contains(sockets, url => url.StartsWith(browser.BaseUrl.Replace("http", "ws", StringComparison.Ordinal) + "/_blazor", StringComparison.Ordinal));

        // The policy is really enforced: an injected inline script does not run and is reported.
        await page.EvaluateAsync("() => { const s = document.createElement('script'); s.textContent = 'window.__injected = true'; document.body.appendChild(s); }");
        await page.WaitForFunctionAsync("() => window.__cspViolations.length > 0");
        Assert.False(await page.EvaluateAsync<bool>("() => window.__injected === true"));
        Assert.Contains("script-src", Assert.Single(await ViolationsAsync(page)));
    }

    [BrowserFact]
    public async Task Every_page_an_admin_can_open_loads_without_a_policy_violation()
    {
        var page = await browser.SignedInPageAsync("admin@demo.local");
        await page.Context.AddInitScriptAsync(RecordViolations);
        string[] paths =
        [
            "/", "/briefs", "/briefs/new", "/review", "/training", "/fine-tuning", "/insights", "/admin/users", "/admin/settings",
            "/admin/audit", "/Account/Manage", "/Account/Manage/ChangePassword", "/no-such-page",
        ];

        var violations = new List<string>();
        foreach (var path in paths)
        {
            await page.GotoAsync(path);
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            violations.AddRange((await ViolationsAsync(page)).Select(v => $"{path}: {v}"));
        }

        Assert.Empty(violations);
    }
}
