using System.Text.RegularExpressions;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace MediaPlanner.Tests.Browser;

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
            briefId = (await scope.ServiceProvider.GetRequiredService<BriefService>().CreateAsync(new BriefInput
            {
                Brand = "Two Columns Ltd", CampaignName = "Autumn", Budget = 200_000m, Currency = "USD", MarketCode = "US", Objective = Objective.Awareness,
                FlightStart = new DateTime(2027, 9, 1), FlightEnd = new DateTime(2027, 10, 15),
                Channels = [Channel.Search, Channel.Social, Channel.OnlineVideo, Channel.Display],
                BriefText = "Reintroduce the brand to adults 25-54 in the autumn with a strong video presence and steady search support.",
            }, new CurrentUser(plannerUser!.Id, false))).Id!.Value;
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
        await Assertions.Expect(planner.Locator("[data-testid=column-finetuned] [data-testid=column-header]")).ToContainTextAsync("local-mix:ft-browser-1");
        await Assertions.Expect(planner.Locator("[data-testid=column-base] [data-testid=column-header]")).ToContainTextAsync("local-mix-v1");
        await Assertions.Expect(planner.Locator("[data-testid=column-reason]")).ToContainTextAsync("Auto");
        await Assertions.Expect(planner.Locator("[data-testid=no-fine-tuned]")).ToHaveCountAsync(0);
        if (Environment.GetEnvironmentVariable("SCREENSHOT_DIR") is { Length: > 0 } dir)
        {
            await planner.ScreenshotAsync(new() { Path = Path.Combine(dir, "side-by-side.png") });
            await admin.ScreenshotAsync(new() { Path = Path.Combine(dir, "settings.png"), FullPage = true });
            await planner.GotoAsync("/insights");
            await BrowserFixture.WaitForInteractiveAsync(planner);
            await planner.ScreenshotAsync(new() { Path = Path.Combine(dir, "insights-planner.png") });
        }
    }
}
