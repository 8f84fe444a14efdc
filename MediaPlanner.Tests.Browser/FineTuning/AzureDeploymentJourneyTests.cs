using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Providers;
using MediaPlanner.Tests.Fakes;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace MediaPlanner.Tests.Browser.FineTuning;

[Collection(BrowserCollection.Name)]
public sealed class AzureDeploymentJourneyTests(BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private const string BaseModel = "gpt-4o-mini-2024-07-18";
    private readonly FakeOpenAIServer _openAI = new();

    public Task InitializeAsync() => _openAI.InitializeAsync();

    public async Task DisposeAsync() => await _openAI.DisposeAsync();

    [BrowserFact]
    public async Task On_a_phone_an_admin_enters_the_azure_deployment_a_trained_job_waits_for_and_sees_the_job_evaluated()
    {
        // A job Azure has trained, waiting for its deployment as the runner leaves it.
        var externalId = await _openAI.StartJobElsewhereAsync(BaseModel, FineTuneLines.Lines("train", 12), suffix: "phone");
        using (var http = new HttpClient { BaseAddress = _openAI.Root })
        {
            http.DefaultRequestHeaders.Add("api-key", _openAI.ApiKey);
            while (_openAI.Jobs.Single().Status != "succeeded")
                (await http.GetAsync($"/openai/v1/fine_tuning/jobs/{externalId}")).EnsureSuccessStatusCode();
        }
        var model = _openAI.Jobs.Single().FineTunedModel!;
        int jobId;
        using (var scope = browser.App.Services.CreateScope())
        {
            var admin = await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync("admin@demo.local");
            var saved = await scope.ServiceProvider.GetRequiredService<ProviderProfileService>().SaveAsync(new ProviderProfileInput("azure-phone", "Azure Phone",
                ProviderKind.AzureOpenAI, new Uri(_openAI.Root, "/openai/v1").ToString(), _openAI.ApiKey, false, [new(BaseModel, "mini-base")]),
                new CurrentUser(admin!.Id, true));
            Assert.True(saved.Succeeded);
            await ValidatedExamples.SeedAsync(browser.App.Services, 20, "Azure");
            await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
            var job = new FineTuneJob
            {
                Provider = "azure-phone", BaseModel = BaseModel, Status = FineTuneStatus.Running, ExternalId = externalId, FineTunedModel = model,
                ValidationPercent = 20, Seed = 1, CreatedById = admin.Id, CreatedAt = DateTimeOffset.UtcNow, StartedAt = DateTimeOffset.UtcNow,
                ErrorCode = AzureDeployment.AwaitingCode, ErrorMessage = AzureDeployment.DeployFirst(model), NextAttemptAt = DateTimeOffset.UtcNow.AddHours(1),
            };
            db.FineTuneJobs.Add(job);
            await db.SaveChangesAsync();
            jobId = job.Id;
        }
        _openAI.DeployOnAzure("mini-base", BaseModel);
        _openAI.DeployOnAzure("mini-phone", model);

        var page = await browser.SignedInPageAsync("admin@demo.local");
        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync($"/fine-tuning/{jobId}");
        await BrowserFixture.WaitForInteractiveAsync(page);
        var waiting = page.Locator("[data-testid=job-awaiting-deployment]");
        await Assertions.Expect(waiting).ToContainTextAsync($"deploy {model} in your Azure resource");
        await BrowserFixture.ExpectNoSidewaysScrollAsync(page);
        if (Environment.GetEnvironmentVariable("SCREENSHOT_DIR") is { Length: > 0 } dir)
            await page.ScreenshotAsync(new() { Path = Path.Combine(dir, "fine-tuning-azure-deployment-390.png"), FullPage = true });

        await page.FillAsync("#fine-tuned-deployment", "mini phone");
        await page.ClickAsync("[data-testid=evaluate-with-deployment]");
        await Assertions.Expect(page.Locator(".mud-input-control:has(#fine-tuned-deployment)")).ToContainTextAsync("2–64 letters, digits");
        await page.FillAsync("#fine-tuned-deployment", "mini-phone");
        await page.ClickAsync("[data-testid=evaluate-with-deployment]");

        await Assertions.Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Evaluating");
        await Assertions.Expect(waiting).ToHaveCountAsync(0, new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("[data-testid=job-status]")).ToHaveTextAsync("Succeeded", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("[data-testid=job-verdict]")).ToContainTextAsync(model);
        Assert.Equal(["mini-base", "mini-phone"], _openAI.ChatRequests.Select(c => c.Model).Distinct().Order());
    }
}
