using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.FineTuning.Evaluation;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace MediaPlanner.Tests.Browser.Models;

[Collection(BrowserCollection.Name)]
public class ModelsJourneyTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [BrowserFact]
    public async Task An_admin_deploys_a_local_fine_tuned_model_and_a_planner_then_sees_two_columns()
    {
        int briefId;
        using (var scope = browser.App.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var adminUser = await users.FindByEmailAsync("admin@demo.local");
            var plannerUser = await users.FindByEmailAsync("planner@demo.local");
            var trained = MediaMixParameters.Default with
            {
                Name = "local-mix-ft-browser",
                Channels = MediaMixParameters.Default.Channels.ToDictionary(c => c.Key, c => c.Key == Channel.OnlineVideo
                    ? c.Value with { Preference = Enum.GetValues<Objective>().ToDictionary(o => o, _ => 5.0) }
                    : c.Value),
            };
            await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
            db.FineTuneJobs.Add(new FineTuneJob
            {
                Provider = FineTuneProviders.Local, BaseModel = "local-mix-v1", Status = FineTuneStatus.Succeeded, FineTunedModel = "local-mix:ft-browser-1",
                ResultParametersJson = trained.ToJson(), CreatedById = adminUser!.Id, CreatedAt = DateTimeOffset.UtcNow, FinishedAt = DateTimeOffset.UtcNow,
                NextAttemptAt = DateTimeOffset.MaxValue,
            }.Recommended());
            await db.SaveChangesAsync();
            briefId = (await scope.ServiceProvider.GetRequiredService<BriefService>().CreateAsync(TestBriefs.Input("Two Columns Ltd", campaign: "Autumn", budget: 200_000m,
                start: new DateTime(2027, 9, 1), end: new DateTime(2027, 10, 15), channels: [Channel.Search, Channel.Social, Channel.OnlineVideo, Channel.Display],
                text: "Reintroduce the brand to adults 25-54 in the autumn with a strong video presence and steady search support."), new CurrentUser(plannerUser!.Id, false))).Value;
        }

        var admin = await browser.SignedInPageAsync("admin@demo.local");
        await admin.GotoAsync("/admin/settings");
        await BrowserFixture.WaitForInteractiveAsync(admin);
        await admin.ClickAsync("[data-testid='deploy-local-mix:ft-browser-1']");
        await admin.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Deploy", Exact = true }).ClickAsync();
        await Assertions.Expect(admin.Locator("[data-testid=active-model]")).ToContainTextAsync("local-mix:ft-browser-1");

        var planner = await browser.SignedInPageAsync("planner@demo.local");
        await planner.GotoAsync($"/briefs/{briefId}");
        await BrowserFixture.WaitForInteractiveAsync(planner);
        await planner.ClickAsync("#generate");

        await Assertions.Expect(planner.Locator("[data-testid=column-base] [data-testid=plan-card]").First).ToBeVisibleAsync();
        await Assertions.Expect(planner.Locator("[data-testid=column-finetuned] [data-testid=plan-card]").First).ToBeVisibleAsync();
        // Model names and selection reasons are plumbing: a planner opens them with Details.
        await Assertions.Expect(planner.Locator("[data-testid=column-reason]")).ToHaveCountAsync(0);
        await planner.Locator("[data-testid=details-toggle]").First.ClickAsync();
        await Assertions.Expect(planner.Locator("[data-testid=column-finetuned] [data-testid=column-header]")).ToContainTextAsync("local-mix:ft-browser-1");
        await Assertions.Expect(planner.Locator("[data-testid=column-base] [data-testid=column-header]")).ToContainTextAsync("local-mix-v1");
        await Assertions.Expect(planner.Locator("[data-testid=column-reason]")).ToContainTextAsync("Auto");
        await Assertions.Expect(planner.Locator("[data-testid=no-fine-tuned]")).ToHaveCountAsync(0);
        if (Environment.GetEnvironmentVariable("SCREENSHOT_DIR") is { Length: > 0 } dir)
        {
            await planner.ScreenshotAsync(new() { Path = Path.Combine(dir, "side-by-side.png") });
            await planner.ScreenshotAsync(new() { Path = Path.Combine(dir, "side-by-side-full.png"), FullPage = true });
            await planner.SetViewportSizeAsync(390, 844);
            await planner.ScreenshotAsync(new() { Path = Path.Combine(dir, "side-by-side-390.png"), FullPage = true });
            await planner.SetViewportSizeAsync(1440, 1000);
            await admin.ScreenshotAsync(new() { Path = Path.Combine(dir, "settings.png"), FullPage = true });
            await planner.GotoAsync("/insights");
            await BrowserFixture.WaitForInteractiveAsync(planner);
            await planner.ScreenshotAsync(new() { Path = Path.Combine(dir, "insights-planner.png") });
        }
    }

    [BrowserFact]
    public async Task An_admin_sees_a_job_that_did_not_beat_the_base_model_as_not_recommended_and_deploying_it_asks_for_a_reason()
    {
        const string Model = "local-mix:ft-heldout-browser";
        int jobId;
        using (var scope = browser.App.Services.CreateScope())
        {
            var adminUser = await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync("admin@demo.local");
            await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
            var job = new FineTuneJob
            {
                Provider = FineTuneProviders.Local, BaseModel = "local-mix-v1", Status = FineTuneStatus.Succeeded, FineTunedModel = Model,
                ResultParametersJson = (MediaMixParameters.Default with { Name = "local-mix-ft-heldout-browser" }).ToJson(), CreatedById = adminUser!.Id,
                CreatedAt = DateTimeOffset.UtcNow.AddMinutes(-3), StartedAt = DateTimeOffset.UtcNow.AddMinutes(-3), FinishedAt = DateTimeOffset.UtcNow,
                NextAttemptAt = DateTimeOffset.MaxValue, TrainingExamples = 216, ValidationExamples = 24, CompletedSteps = 12, TotalSteps = 12,
            }.Evaluated(HeldOutTestData.Evaluation(Model, 0.78, 76.0,
                new ResultWeighting(216, 12, 0.6, 1.02, 1.8), new PreferenceUse(24, false, 0.79, 0.78)));
            db.FineTuneJobs.Add(job);
            await db.SaveChangesAsync();
            jobId = job.Id;
        }

        var admin = await browser.SignedInPageAsync("admin@demo.local");
        await admin.GotoAsync($"/fine-tuning/{jobId}");
        await BrowserFixture.WaitForInteractiveAsync(admin);
        await Assertions.Expect(admin.Locator("[data-testid=job-verdict]")).ToContainTextAsync("did not improve on the base model");
        await Assertions.Expect(admin.Locator("[data-testid=heldout-result]")).ToContainTextAsync(Model);
        await ShotsAsync(admin, "job");

        await admin.GotoAsync("/admin/settings");
        await BrowserFixture.WaitForInteractiveAsync(admin);
        var row = admin.Locator($"[data-testid='model-{Model}']");
        await Assertions.Expect(row.Locator($"[data-testid='eval-chip-{Model}']")).ToHaveTextAsync("Not recommended");
        await Assertions.Expect(row).ToContainTextAsync("0.78 vs base 0.76");
        await ShotsAsync(admin, "settings");
        await admin.SetViewportSizeAsync(390, 844);
        // The model list wraps rather than widening the page on a phone.
        await BrowserFixture.ExpectNoSidewaysScrollAsync(admin);
        await admin.SetViewportSizeAsync(1440, 1000);

        await row.Locator($"[data-testid='deploy-{Model}']").ClickAsync();
        var dialog = admin.Locator(".mud-dialog");
        await Assertions.Expect(dialog).ToContainTextAsync("did not measure better than the base model");
        var deployAnyway = dialog.Locator("[data-testid=deploy-anyway]");
        await Assertions.Expect(deployAnyway).ToBeDisabledAsync();
        await dialog.Locator("#override-reason").FillAsync("Kept for the pilot client until more briefs are validated.");
        await Assertions.Expect(deployAnyway).ToBeEnabledAsync();
        if (Environment.GetEnvironmentVariable("SCREENSHOT_DIR") is { Length: > 0 } dir)
        {
            await admin.WaitForTimeoutAsync(400);
            await admin.ScreenshotAsync(new() { Path = Path.Combine(dir, "settings-override-dialog-1440.png") });
            await admin.SetViewportSizeAsync(390, 844);
            await admin.WaitForTimeoutAsync(300);
            await admin.ScreenshotAsync(new() { Path = Path.Combine(dir, "settings-override-dialog-390.png") });
            await admin.SetViewportSizeAsync(1440, 1000);
        }
        await deployAnyway.ClickAsync();

        await Assertions.Expect(admin.Locator("[data-testid=active-model]")).ToContainTextAsync(Model);
        await Assertions.Expect(admin.Locator("[data-testid=active-override]")).ToContainTextAsync("Kept for the pilot client");
    }

    private static async Task ShotsAsync(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("SCREENSHOT_DIR") is not { Length: > 0 } dir)
            return;
        Directory.CreateDirectory(dir);
        await page.ScreenshotAsync(new() { Path = Path.Combine(dir, $"{name}-1440.png"), FullPage = true });
        await page.SetViewportSizeAsync(390, 844);
        await page.WaitForTimeoutAsync(300);
        await page.ScreenshotAsync(new() { Path = Path.Combine(dir, $"{name}-390.png"), FullPage = true });
        await page.ScreenshotAsync(new() { Path = Path.Combine(dir, $"{name}-390-top.png") });
        await page.SetViewportSizeAsync(1440, 1000);
    }
}
