using System.Text.RegularExpressions;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace MediaPlanner.Tests.Browser;

[Collection(BrowserCollection.Name)]
public class FineTuningJourneyTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private async Task SeedValidatedAsync(int count)
    {
        var factory = browser.App.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        for (var i = 0; i < count; i++)
        {
            var brief = TestData.Brief(budget: 60_000m + 9_000m * i, objective: (Objective)(i % 3));
            brief.Brand = $"Journey {i}";
            var plan = new LocalMediaMixEngine(MediaMixParameters.Default).Generate(TestData.Request(brief))[0];
            var example = PromptRenderer.Example(brief, SeedReferenceData.Markets[0], plan);
            db.TrainingExamples.Add(new TrainingExample
            {
                Source = ExampleSource.Imported, Status = ExampleStatus.Validated, Brand = brief.Brand, Objective = brief.Objective,
                MarketCode = "US", MessagesJson = example.ToJsonLine(), ContentHash = ContentHash.Of(example), TokenCount = 1_100,
                CreatedAt = DateTimeOffset.UtcNow,
            });
        }
        await db.SaveChangesAsync();
    }

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
        await Assertions.Expect(page.Locator("[data-testid=loss-chart]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=checkpoints] tbody tr")).Not.ToHaveCountAsync(0);
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"));
        if (Environment.GetEnvironmentVariable("SCREENSHOT_DIR") is { Length: > 0 } dir)
            await page.ScreenshotAsync(new() { Path = Path.Combine(dir, "fine-tuning-job.png"), FullPage = true });
    }
}
