using MediaPlanner.Tests.Fakes;
using Microsoft.Playwright;

namespace MediaPlanner.Tests.Browser.Providers;

/// <summary>What an admin types into the provider dialog for an Azure OpenAI resource.</summary>
public sealed record AzureProviderForm(string Key, string Name, string Endpoint, string ApiKey, string BaseModel, string Deployment,
    string TrainingType = "Standard");

[Collection(BrowserCollection.Name)]
public class ProviderProfileBrowserTests(BrowserFixture browser, FakeOpenAIServer openAI) : IClassFixture<BrowserFixture>, IClassFixture<FakeOpenAIServer>
{
    /// <summary>The fake server as an Azure OpenAI resource: its v1 API lives under /openai/v1.</summary>
    private AzureProviderForm FakeAzure(string key = "azure-east") => new(key, "Azure OpenAI (East US)", new Uri(openAI.Root, "/openai/v1/").ToString(),
        openAI.ApiKey, "gpt-4o-mini-2024-07-18", "mp-4o-mini-prod", "GlobalStandard");

    /// <summary>
    /// Adds a provider through the settings page's dialog, as an admin does, and returns its row in the provider list.
    /// The page must be on /admin/settings and interactive.
    /// </summary>
    public static async Task<ILocator> AddAzureProviderAsync(IPage page, AzureProviderForm form)
    {
        await page.ClickAsync("[data-testid=add-provider]");
        var dialog = page.Locator(".mud-dialog");
        await dialog.Locator("#profile-key").FillAsync(form.Key);
        await dialog.Locator("#profile-name").FillAsync(form.Name);
        await dialog.Locator("div.mud-input-control:has(#profile-kind)").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Azure OpenAI", Exact = true }).ClickAsync();
        await dialog.Locator("div.mud-input-control:has(#profile-training-type)").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = form.TrainingType, Exact = true }).ClickAsync();
        await dialog.Locator("#profile-endpoint").FillAsync(form.Endpoint);
        await dialog.Locator("#profile-api-key").FillAsync(form.ApiKey);
        await dialog.Locator("#base-model-0").FillAsync(form.BaseModel);
        await dialog.Locator("#deployment-0").FillAsync(form.Deployment);
        await dialog.Locator("[data-testid=save-profile]").ClickAsync();
        await Assertions.Expect(dialog).ToHaveCountAsync(0);
        return page.Locator($"[data-testid=provider-{form.Key}]");
    }

    private static async Task ShotAsync(IPage page, string name, bool fullPage = true)
    {
        if (Environment.GetEnvironmentVariable("SCREENSHOT_DIR") is not { Length: > 0 } dir)
            return;
        Directory.CreateDirectory(dir);
        await page.ScreenshotAsync(new() { Path = Path.Combine(dir, $"{name}.png"), FullPage = fullPage });
    }


    [BrowserFact]
    public async Task An_admin_adds_an_azure_shaped_provider_and_sees_it_listed_with_its_key_hint_and_deployment()
    {
        openAI.Reset();
        var form = FakeAzure();
        var admin = await browser.SignedInPageAsync("admin@demo.local");
        await admin.GotoAsync("/admin/settings");
        await BrowserFixture.WaitForInteractiveAsync(admin);

        var row = await AddAzureProviderAsync(admin, form);

        await Assertions.Expect(row).ToContainTextAsync("azure-east · Azure OpenAI");
        await Assertions.Expect(row.Locator("[data-testid=provider-endpoint-azure-east]")).ToHaveTextAsync(form.Endpoint);
        await Assertions.Expect(row.Locator("[data-testid=provider-key-azure-east]")).ToHaveTextAsync($"Key saved (sk-…{form.ApiKey[^4..]})");
        await Assertions.Expect(row.Locator("[data-testid=provider-models-azure-east]")).ToContainTextAsync("gpt-4o-mini-2024-07-18 (deployment mp-4o-mini-prod)");
        await Assertions.Expect(row.Locator("[data-testid=provider-training-azure-east]")).ToHaveTextAsync("Training type GlobalStandard");
        Assert.DoesNotContain(form.ApiKey, await admin.ContentAsync());
        // The new provider's base model is in the deployment panel at once, ready to fine-tune and plan with.
        await Assertions.Expect(admin.Locator("[data-testid=model-registry]")).ToContainTextAsync("azure-east");

        // Editing never brings the key back, and the page and the dialog fit a phone.
        await ShotAsync(admin, "providers-1440");
        await admin.SetViewportSizeAsync(390, 844);
        await BrowserFixture.ExpectNoSidewaysScrollAsync(admin);
        await ShotAsync(admin, "providers-390");
        await row.Locator("[data-testid=edit-provider-azure-east]").ClickAsync();
        var dialog = admin.Locator(".mud-dialog");
        await Assertions.Expect(dialog.Locator("#profile-api-key")).ToHaveValueAsync("");
        await Assertions.Expect(dialog.Locator("#deployment-0")).ToHaveValueAsync("mp-4o-mini-prod");
        await BrowserFixture.ExpectNoSidewaysScrollAsync(admin);
        await ShotAsync(admin, "provider-dialog-390", fullPage: false);
        await admin.Keyboard.PressAsync("Escape");
        await Assertions.Expect(dialog).ToHaveCountAsync(0);
        await admin.SetViewportSizeAsync(1440, 1000);
    }

    [BrowserFact]
    public async Task An_admin_adds_an_azure_provider_refreshes_its_model_list_and_sees_its_base_model_retiring_with_the_date()
    {
        openAI.Reset();
        // The app runs on the real clock: a shutdown 30 days from now is inside the 60-day warning.
        var shutdown = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(30);
        openAI.SetModels(new FakeModel("gpt-4o-mini-2024-07-18", shutdown), new FakeModel("gpt-4.1-mini-2025-04-14"));
        var form = FakeAzure("azure-west") with { Name = "Azure OpenAI (West Europe)" };
        var admin = await browser.SignedInPageAsync("admin@demo.local");
        await admin.GotoAsync("/admin/settings");
        await BrowserFixture.WaitForInteractiveAsync(admin);
        await AddAzureProviderAsync(admin, form);

        var card = admin.Locator("[data-testid=lifecycle-azure-west]");
        await card.Locator("[data-testid=lifecycle-refresh-azure-west]").ClickAsync();

        var chip = card.Locator("[data-testid=lifecycle-model-azure-west-gpt-4o-mini-2024-07-18] [data-status]");
        await Assertions.Expect(chip).ToHaveAttributeAsync("data-status", "Retiring");
        var date = shutdown.ToString("d MMM yyyy", System.Globalization.CultureInfo.InvariantCulture);
        await Assertions.Expect(chip).ToContainTextAsync($"Retiring {date}");
        // The deployment panel warns about the same model, so nobody deploys onto it unaware.
        await Assertions.Expect(admin.Locator("[data-testid=model-registry]")).ToContainTextAsync($"Retiring {date}");
        await ShotAsync(admin, "lifecycle-retiring-1440");
    }
}
