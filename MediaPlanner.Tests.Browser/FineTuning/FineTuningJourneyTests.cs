using System.Text.RegularExpressions;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Training;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.Playwright;

namespace MediaPlanner.Tests.Browser.FineTuning;

[Collection(BrowserCollection.Name)]
public class FineTuningJourneyTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private Task SeedValidatedAsync(int count) => ValidatedExamples.SeedAsync(browser.App.Services, count, "Journey");

    [BrowserFact]
    public async Task An_admin_starts_a_local_job_and_watches_it_reach_done_without_reloading()
    {
        await SeedValidatedAsync(40);
        var page = await browser.SignedInPageAsync("admin@demo.local");
        await page.GotoAsync("/fine-tuning");
        await BrowserFixture.WaitForInteractiveAsync(page);

        await page.ClickAsync("[data-testid=new-job]");
        await Assertions.Expect(page.Locator("[data-testid=job-preview]")).ToContainTextAsync("Ready");
        await page.FillAsync("#job-suffix", "journey");
        await page.ClickAsync("[data-testid=start-job]");
        await Assertions.Expect(page.Locator("[data-testid=confirm-text]")).ToBeVisibleAsync();
        await page.ClickAsync("[data-testid=start-job]");

        await page.WaitForURLAsync(new Regex(@"/fine-tuning/\d+$"));
        // A reload would wipe this marker; live updates keep the same document.
        await page.EvaluateAsync("() => window.__sameDocument = true");
        await Assertions.Expect(page.Locator("[data-testid=job-status]")).ToHaveTextAsync("Succeeded");
        await Assertions.Expect(page.Locator("[data-testid=job-progress-text]")).ToContainTextAsync("Done: local-mix:ft-journey");
        // The verdict and the held-out figures per epoch arrive with the finished job, without a reload.
        await Assertions.Expect(page.Locator("[data-testid=job-verdict]")).ToContainTextAsync("held-out");
        await Assertions.Expect(page.Locator("[data-testid=heldout-distance]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=heldout-result]")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("[data-testid=heldout-base]")).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"));
        if (Environment.GetEnvironmentVariable("SCREENSHOT_DIR") is { Length: > 0 } dir)
            await page.ScreenshotAsync(new() { Path = Path.Combine(dir, "fine-tuning-job.png"), FullPage = true });
    }
}
