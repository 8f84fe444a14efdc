using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace MediaPlanner.Tests.Browser.Layout;

[Collection(BrowserCollection.Name)]
public class AdminPhoneBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string LongName = "local-mix:ft-spring-plans-for-the-acme-media-agency-7";

    [BrowserFact]
    public async Task On_a_phone_settings_does_not_scroll_sideways_and_a_long_named_models_deploy_button_is_on_screen_and_works()
    {
        using (var scope = browser.App.Services.CreateScope())
        {
            var admin = await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync("admin@demo.local");
            await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
            db.FineTuneJobs.Add(new FineTuneJob
            {
                Provider = FineTuneProviders.Local, BaseModel = "local-mix-v1", Status = FineTuneStatus.Succeeded, FineTunedModel = LongName,
                ResultParametersJson = MediaMixParameters.Default.ToJson(), CreatedById = admin!.Id, CreatedAt = DateTimeOffset.UtcNow,
                FinishedAt = DateTimeOffset.UtcNow, NextAttemptAt = DateTimeOffset.MaxValue,
            }.Recommended());
            await db.SaveChangesAsync();
        }
        var page = await browser.SignedInPageAsync("admin@demo.local");
        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync("/admin/settings");
        await BrowserFixture.WaitForInteractiveAsync(page);

        var deploy = page.Locator($"[data-testid='deploy-{LongName}']");
        await deploy.ScrollIntoViewIfNeededAsync();
        await AssertNoSidewaysScrollAsync(page);
        var box = (await deploy.BoundingBoxAsync())!;
        Assert.True(box.X >= 0 && box.X + box.Width <= 390, $"the Deploy button spans {box.X:0}–{box.X + box.Width:0} px of a 390 px screen");
        // The name wraps at its separators: no line of it is a few characters cut from the middle of a word.
        var name = page.Locator($"[data-testid='model-{LongName}'] .mp-model-name");
        await Assertions.Expect(name).ToHaveTextAsync(LongName);
        var lines = await name.EvaluateAsync<double>("e => Math.round(e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight))");
        Assert.InRange(lines, 1, 2);

        await deploy.ClickAsync();
        await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Deploy", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=active-model]")).ToContainTextAsync(LongName);
        await Assertions.Expect(page.Locator("[data-testid=deployment-history]")).ToContainTextAsync(LongName);
        await AssertNoSidewaysScrollAsync(page);
        if (Environment.GetEnvironmentVariable("SCREENSHOT_DIR") is { Length: > 0 } dir)
            await page.ScreenshotAsync(new() { Path = Path.Combine(dir, "settings-390.png"), FullPage = true });
    }

    [BrowserFact]
    public async Task On_a_phone_the_users_audit_and_insights_pages_do_not_scroll_sideways()
    {
        var page = await browser.SignedInPageAsync("admin@demo.local");
        await page.SetViewportSizeAsync(390, 844);
        foreach (var path in new[] { "/admin/users", "/admin/audit", "/insights" })
        {
            await page.GotoAsync(path);
            await BrowserFixture.WaitForInteractiveAsync(page);
            await Assertions.Expect(page.Locator("h1")).ToHaveCountAsync(1);
            await AssertNoSidewaysScrollAsync(page);
        }
    }

    private static Task AssertNoSidewaysScrollAsync(IPage page) =>
        BrowserFixture.ExpectNoSidewaysScrollAsync(page, $"{page.Url} scrolls sideways at 390 px");
}
