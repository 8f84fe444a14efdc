using System.Text.RegularExpressions;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Models;
using MediaPlanner.Tests.Fakes;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace MediaPlanner.Tests.Browser.FineTuning;

[Collection(BrowserCollection.Name)]
public sealed class ProviderOutageJourneyTests(BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private readonly FakeOpenAIServer _openAI = new();

    public Task InitializeAsync() => _openAI.InitializeAsync();

    public async Task DisposeAsync() => await _openAI.DisposeAsync();

    [BrowserFact]
    public async Task An_admin_reattaches_a_job_by_its_id_sees_openai_unreachable_and_then_the_job_succeed_without_reloading()
    {
        using (var scope = browser.App.Services.CreateScope())
        {
            var admin = await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync("admin@demo.local");
            var saved = await scope.ServiceProvider.GetRequiredService<ProviderSettingsService>()
                .SaveProviderAsync(_openAI.BaseAddress.ToString(), null, _openAI.ApiKey, false, new CurrentUser(admin!.Id, true));
            Assert.True(saved.Succeeded);
        }
        var externalId = await _openAI.StartJobElsewhereAsync("gpt-4o-mini-2024-07-18", FineTuneLines.Lines("train", 12), suffix: "outage");
        // OpenAI answers the re-attach's look at the job, then fails every poll (at its events) until the test says.
        _openAI.Inject(FakeRoute.ListEvents, new FakeFault.HttpStatus(503));

        var page = await browser.SignedInPageAsync("admin@demo.local");
        await page.GotoAsync("/fine-tuning");
        await BrowserFixture.WaitForInteractiveAsync(page);
        await page.ClickAsync("[data-testid=reattach-job]");
        await page.FillAsync("#reattach-external-id", externalId);
        await page.ClickAsync("[data-testid=reattach-submit]");
        await page.WaitForURLAsync(new Regex(@"/fine-tuning/\d+$"));
        await page.EvaluateAsync("() => window.__sameDocument = true");

        var unreachable = page.Locator("[data-testid=job-unreachable]");
        await Assertions.Expect(unreachable).ToContainTextAsync("OpenAI has not answered since");
        await Assertions.Expect(unreachable).ToContainTextAsync("HTTP 503");
        await Assertions.Expect(unreachable).ToContainTextAsync("The job is still followed");
        // The re-attach's own look at the job was the last contact.
        await Assertions.Expect(unreachable).Not.ToContainTextAsync("none recorded");
        await Assertions.Expect(page.Locator("[data-testid=job-external-id]")).ToContainTextAsync(externalId);
        if (Environment.GetEnvironmentVariable("SCREENSHOT_DIR") is { Length: > 0 } dir)
            await page.ScreenshotAsync(new() { Path = Path.Combine(dir, "fine-tuning-unreachable.png"), FullPage = true });

        _openAI.ClearFaults();

        await Assertions.Expect(unreachable).ToHaveCountAsync(0, new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("[data-testid=job-status]")).ToHaveTextAsync("Succeeded", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("[data-testid=job-model]")).ToContainTextAsync("ft:gpt-4o-mini-2024-07-18:mediaplanner:outage");
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"));
    }
}
