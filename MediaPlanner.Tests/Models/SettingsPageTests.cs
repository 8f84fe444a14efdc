using Bunit;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Domain.Providers;
using MediaPlanner.Domain.Providers.OpenAI;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Tests.Providers;
using MediaPlanner.Web.Components.Pages.Admin;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor;

namespace MediaPlanner.Tests.Models;

public class SettingsPageTests : ComponentTestContext
{
    private const string Key = "sk-proj-0123456789abcdefghijklmnopqrstuvwxyzQRST";
    private readonly CurrentUser _admin = new("admin-1", IsAdmin: true);
    private readonly IRenderedComponent<MudDialogProvider> _dialogs;
    private readonly ProviderDialogDriver _dialog;
    private readonly IRenderedComponent<MudPopoverProvider> _popovers;

    public SettingsPageTests()
    {
        AddSettings();
        Services.AddSingleton<ProviderProfileService>();
        // The deployment panel has its own tests; here it only has to be there.
        ComponentFactories.AddStub<ModelDeploymentPanel>();
        ComponentFactories.AddStub<ModelLifecyclePanel>();
        SignInAs("admin-1", Roles.Admin);
        _popovers = Render<MudPopoverProvider>();
        _dialogs = Render<MudDialogProvider>();
        Render<MudSnackbarProvider>();
        _dialog = new ProviderDialogDriver(_dialogs, _popovers);
    }

    private ProviderSettingsService ProviderSettings => Services.GetRequiredService<ProviderSettingsService>();

    private SelectionSettingsService Selection => Services.GetRequiredService<SelectionSettingsService>();

    private IRenderedComponent<Settings> RenderPage()
    {
        var cut = Render<Settings>();
        cut.WaitForElement("[data-testid=price-table]");
        return cut;
    }

    private static string KeyStatus(IRenderedComponent<Settings> cut) => cut.Find("[data-testid=provider-key-openai]").TextContent.Trim();

    /// <summary>The OpenAI provider (the primary profile) is edited in the providers section's dialog.</summary>
    private void EditOpenAI(IRenderedComponent<Settings> cut)
    {
        cut.Find("[data-testid=edit-provider-openai]").Click();
        _dialogs.WaitForElement("#profile-api-key");
    }

    [Fact]
    public async Task The_key_field_is_empty_on_load_and_only_the_hint_shows()
    {
        Assert.True((await ProviderSettings.SaveProviderAsync(null, null, Key, false, _admin)).Succeeded);

        var cut = RenderPage();
        Assert.Equal("Key saved (sk-…QRST)", KeyStatus(cut));
        EditOpenAI(cut);

        var keyInput = _dialogs.Find("#profile-api-key");
        Assert.Equal("password", keyInput.GetAttribute("type"));
        Assert.True(string.IsNullOrEmpty(keyInput.GetAttribute("value")));
        Assert.Contains("A key is saved (sk-…QRST)", _dialog.FieldText("#profile-api-key"));
        Assert.DoesNotContain(Key, cut.Markup + _dialogs.Markup);
        Assert.DoesNotContain(Key[8..^4], cut.Markup + _dialogs.Markup);
        Assert.NotNull(_dialogs.Find("input[data-testid=profile-clear-key]"));
    }

    [Fact]
    public void Without_a_saved_key_the_page_says_so_and_offers_no_removal()
    {
        var cut = RenderPage();

        Assert.Equal("No key", KeyStatus(cut));
        EditOpenAI(cut);
        Assert.Empty(_dialogs.FindAll("[data-testid=profile-clear-key]"));
    }

    [Fact]
    public void An_invalid_endpoint_shows_the_reason_at_the_endpoint_field_and_is_not_saved()
    {
        var cut = RenderPage();
        EditOpenAI(cut);

        _dialog.Type("#profile-endpoint", "https://api.openai.com");
        _dialog.Save();

        var expected = OpenAIOptions.ValidateEndpoint("https://api.openai.com")!.Replace("OpenAI:Endpoint", "The endpoint", StringComparison.Ordinal);
        _dialogs.WaitForAssertion(() => Assert.Contains(expected, _dialog.FieldText("#profile-endpoint")));
        Assert.Equal(OpenAIOptions.DefaultEndpoint, ProviderSettings.GetProvider().Endpoint);
    }

    [Fact]
    public void Saving_a_new_key_shows_the_hint_and_reaches_the_options()
    {
        var cut = RenderPage();
        EditOpenAI(cut);

        _dialog.Type("#profile-api-key", Key);
        _dialog.Save();

        cut.WaitForAssertion(() => Assert.Equal("Key saved (sk-…QRST)", KeyStatus(cut)));
        Assert.Empty(_dialogs.FindAll("#profile-api-key"));
        Assert.Equal(Key, Services.GetRequiredService<IOptionsMonitor<OpenAIOptions>>().CurrentValue.ApiKey);
        Assert.DoesNotContain(Key, cut.Markup);
    }

    [Fact]
    public async Task Changing_only_the_endpoint_of_a_saved_key_is_refused_with_the_reason_at_the_key_field()
    {
        Assert.True((await ProviderSettings.SaveProviderAsync(null, null, Key, false, _admin)).Succeeded);
        var cut = RenderPage();
        EditOpenAI(cut);

        _dialog.Type("#profile-endpoint", "https://contoso.openai.azure.com/openai/v1/");
        _dialog.Save();

        _dialogs.WaitForAssertion(() => Assert.Contains(ProviderSettingsService.ReenterKeyForNewEndpoint, _dialog.FieldText("#profile-api-key")));
        Assert.Equal(OpenAIOptions.DefaultEndpoint, ProviderSettings.GetProvider().Endpoint);
        Assert.Equal(OpenAIOptions.DefaultEndpoint, Services.GetRequiredService<IOptionsMonitor<OpenAIOptions>>().CurrentValue.Endpoint);
    }

    [Fact]
    public void A_new_endpoint_with_a_new_key_is_saved()
    {
        var cut = RenderPage();
        EditOpenAI(cut);

        _dialog.Type("#profile-endpoint", "https://contoso.openai.azure.com/openai/v1/");
        _dialog.Type("#profile-api-key", Key);
        _dialog.Save();

        cut.WaitForAssertion(() => Assert.Equal("Key saved (sk-…QRST)", KeyStatus(cut)));
        Assert.Equal("https://contoso.openai.azure.com/openai/v1/", cut.Find("[data-testid=provider-endpoint-openai]").TextContent.Trim());
        var options = Services.GetRequiredService<IOptionsMonitor<OpenAIOptions>>().CurrentValue;
        Assert.Equal(("https://contoso.openai.azure.com/openai/v1/", Key), (options.Endpoint, options.ApiKey));
    }

    [Fact]
    public async Task Removing_the_key_asks_first()
    {
        Assert.True((await ProviderSettings.SaveProviderAsync(null, null, Key, false, _admin)).Succeeded);
        var cut = RenderPage();
        EditOpenAI(cut);

        _dialogs.Find("input[data-testid=profile-clear-key]").Change(true);
        _dialog.Save();
        _dialogs.WaitForAssertion(() => Assert.Contains("Remove the saved API key?", _dialogs.Markup));
        Assert.True(ProviderSettings.GetProvider().HasApiKey);
        _dialog.Press("Remove key");

        cut.WaitForAssertion(() => Assert.Equal("No key", KeyStatus(cut)));
        Assert.False(ProviderSettings.GetProvider().HasApiKey);
    }

    [Fact]
    public void Saving_the_strategy_persists_it()
    {
        var cut = RenderPage();

        cut.Find("input[data-testid=strategy-baseonly]").Click();
        cut.Find("[data-testid=save-selection]").Click();

        cut.WaitForAssertion(() => Assert.Equal(SelectionStrategy.BaseOnly, Selection.GetSelection().Strategy));
        using var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext();
        Assert.Contains("BaseOnly", db.Settings.Single(s => s.Key == SelectionSettingsService.SelectionKey).Value);
    }

    [Fact]
    public void An_out_of_range_threshold_shows_the_reason_at_its_field()
    {
        var cut = RenderPage();

        Type(cut, "#threshold-window", "2");
        cut.Find("[data-testid=save-selection]").Click();

        cut.WaitForAssertion(() => Assert.Contains("between 5 and 1000", FieldText(cut, "#threshold-window")));
        Assert.Equal(SelectionSettings.Default, Selection.GetSelection());
    }

    [Fact]
    public void A_price_row_can_be_added_and_a_bad_one_is_explained_at_its_field()
    {
        var cut = RenderPage();

        cut.Find("[data-testid=add-price]").Click();
        Type(cut, "#price-model", "ft:gpt-4o-mini-2024-07-18:acme::xyz");
        Type(cut, "#price-input", "-1");
        cut.Find("[data-testid=save-price]").Click();
        cut.WaitForAssertion(() => Assert.Contains("between 0 and 1,000,000", FieldText(cut, "#price-input")));

        Type(cut, "#price-input", "0.3");
        Type(cut, "#price-output", "1.2");
        cut.Find("[data-testid=save-price]").Click();

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=price-edit-row]")));
        Assert.Contains("ft:gpt-4o-mini-2024-07-18:acme::xyz", cut.Find("[data-testid=price-table]").TextContent);
        using var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext();
        var row = db.ModelPrices.Single(p => p.Model == "ft:gpt-4o-mini-2024-07-18:acme::xyz");
        Assert.Equal((0.3m, 1.2m), (row.InputPerMillion, row.OutputPerMillion));
    }

    [Fact]
    public void A_price_row_for_one_provider_is_added_beside_the_any_provider_row()
    {
        var cut = RenderPage();

        cut.Find("[data-testid=add-price]").Click();
        Type(cut, "#price-model", "gpt-4o-mini-2024-07-18");
        cut.Find("#price-provider").ParentElement!.ParentElement!.MouseDown();
        _popovers.WaitForElements(".mud-list-item");
        _popovers.FindAll(".mud-list-item").First(i => i.TextContent.Contains("(openai)", StringComparison.Ordinal)).Click();
        Type(cut, "#price-input", "0.1");
        Type(cut, "#price-output", "0.4");
        cut.Find("[data-testid=save-price]").Click();

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=price-edit-row]")));
        using var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext();
        var rows = db.ModelPrices.Where(p => p.Model == "gpt-4o-mini-2024-07-18").OrderBy(p => p.Provider).ToList();
        Assert.Equal([("", 0.15m), ("openai", 0.1m)], rows.Select(p => (p.Provider, p.InputPerMillion)));
        var shown = cut.FindAll("[data-testid=price-row]").Where(r => r.TextContent.Contains("gpt-4o-mini-2024-07-18", StringComparison.Ordinal)).ToList();
        Assert.Contains(shown, r => r.TextContent.Contains("Any provider", StringComparison.Ordinal));
        Assert.Contains(shown, r => r.TextContent.Contains("(openai)", StringComparison.Ordinal));
        Assert.Single(cut.FindAll("button[aria-label='Delete the price of gpt-4o-mini-2024-07-18 at openai']"));
    }

    [Fact]
    public void Deleting_a_price_asks_first()
    {
        var cut = RenderPage();

        cut.Find("button[aria-label='Delete the price of gpt-3.5-turbo-0125']").Click();
        _dialogs.WaitForAssertion(() => Assert.Contains("Delete this price?", _dialogs.Markup));
        _dialogs.FindAll("button").First(b => b.TextContent.Trim() == "Delete").Click();

        cut.WaitForAssertion(() => Assert.DoesNotContain("gpt-3.5-turbo-0125", cut.Find("[data-testid=price-table]").TextContent));
        using var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext();
        Assert.False(db.ModelPrices.Any(p => p.Model == "gpt-3.5-turbo-0125"));
    }
}

/// <summary>The settings page with the real deployment panel, which shows whether the OpenAI provider is configured.</summary>
public class SettingsPageProviderStateTests : ComponentTestContext
{
    private const string Key = "sk-proj-0123456789abcdefghijklmnopqrstuvwxyzQRST";
    private const string ConfiguredKey = "sk-proj-configured-0123456789abcdefghijWXYZ";
    private const string AzureModel = "gpt-4.1-mini-2025-04-14.ft-0123456789abcdef";
    private readonly CurrentUser _admin = new("admin-1", IsAdmin: true);
    private readonly IRenderedComponent<MudDialogProvider> _dialogs;
    private readonly ProviderDialogDriver _dialog;
    private string? _configuredKey;

    public SettingsPageProviderStateTests()
    {
        Services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
        // Read whenever options are computed, so a test can set it before the first read.
        Services.Configure<OpenAIOptions>(o =>
        {
            o.ApiKey = _configuredKey;
            o.BaseModel = "gpt-4o-mini-2024-07-18";
        });
        Services.AddMediaPlannerSettings();
        Services.AddSingleton<ProviderProfileService>();
        Services.AddSingleton(MediaMixParameters.Default);
        Services.AddSingleton<ModelRegistry>();
        // The lifecycle panel has its own tests; this page's provider state shows in the deployment panel.
        ComponentFactories.AddStub<ModelLifecyclePanel>();
        SignInAs("admin-1", Roles.Admin);
        var popovers = Render<MudPopoverProvider>();
        _dialogs = Render<MudDialogProvider>();
        Render<MudSnackbarProvider>();
        _dialog = new ProviderDialogDriver(_dialogs, popovers);
    }

    private string OpenAIBaseRow(IRenderedComponent<Settings> cut) =>
        cut.Find("[data-testid='model-gpt-4o-mini-2024-07-18']").TextContent;

    private IRenderedComponent<Settings> RenderPage()
    {
        var cut = Render<Settings>();
        cut.WaitForElement("[data-testid=model-registry]");
        return cut;
    }

    [Fact]
    public void Saving_a_key_shows_the_openai_models_as_available_at_once_without_a_reload()
    {
        var cut = RenderPage();
        Assert.Contains("Provider not configured", OpenAIBaseRow(cut));

        cut.Find("[data-testid=edit-provider-openai]").Click();
        _dialogs.WaitForElement("#profile-api-key");
        _dialog.Type("#profile-api-key", Key);
        _dialog.Save();

        cut.WaitForAssertion(() => Assert.Equal("Key saved (sk-…QRST)", cut.Find("[data-testid=provider-key-openai]").TextContent.Trim()));
        cut.WaitForAssertion(() => Assert.Contains("Available", OpenAIBaseRow(cut)));
        Assert.DoesNotContain("Provider not configured", OpenAIBaseRow(cut));
    }

    [Fact]
    public async Task Entering_the_key_of_another_provider_makes_its_fine_tuned_model_deployable_at_once_without_a_reload()
    {
        var profiles = Services.GetRequiredService<ProviderProfileService>();
        var input = new ProviderProfileInput("azure-east", "Azure OpenAI (East US)", ProviderKind.AzureOpenAI, "https://contoso.openai.azure.com/openai/v1/",
            "azure-key-0123456789abcdefghijklmnAZ42", false, [new("gpt-4.1-mini-2025-04-14", "mp-41-mini")]);
        Assert.True((await profiles.SaveAsync(input, _admin)).Succeeded);
        Assert.True((await profiles.SaveAsync(input with { NewApiKey = null, ClearApiKey = true }, _admin)).Succeeded);
        await using (var db = await Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync())
        {
            db.FineTuneJobs.Add(new FineTuneJob
            {
                Provider = "azure-east", BaseModel = "gpt-4.1-mini-2025-04-14", Status = FineTuneStatus.Succeeded, FineTunedModel = AzureModel,
                CreatedById = "admin-1", CreatedAt = DateTimeOffset.UtcNow, FinishedAt = DateTimeOffset.UtcNow, NextAttemptAt = DateTimeOffset.MaxValue,
            });
            await db.SaveChangesAsync();
        }
        var cut = RenderPage();
        Assert.Contains("Provider not configured", cut.Find($"[data-testid='model-{AzureModel}']").TextContent);
        Assert.True(cut.Find($"[data-testid='deploy-{AzureModel}']").HasAttribute("disabled"));

        cut.Find("[data-testid=edit-provider-azure-east]").Click();
        _dialogs.WaitForElement("#profile-api-key");
        _dialog.Type("#profile-api-key", "azure-key-0123456789abcdefghijklmnAZ42");
        _dialog.Save();

        cut.WaitForAssertion(() => Assert.False(cut.Find($"[data-testid='deploy-{AzureModel}']").HasAttribute("disabled")));
        Assert.DoesNotContain("Provider not configured", cut.Find($"[data-testid='model-{AzureModel}']").TextContent);
        Assert.Contains("Available", cut.Find("[data-testid='model-gpt-4.1-mini-2025-04-14']").TextContent);
    }

    [Fact]
    public async Task A_configured_key_withheld_from_a_changed_endpoint_is_explained_on_the_page()
    {
        _configuredKey = ConfiguredKey;
        var settings = Services.GetRequiredService<ProviderSettingsService>();
        Assert.True((await settings.SaveProviderAsync("https://contoso.openai.azure.com/openai/v1/", null, null, false, _admin)).Succeeded);

        var cut = RenderPage();

        Assert.Equal("No key used for this endpoint", cut.Find("[data-testid=provider-key-openai]").TextContent.Trim());
        var withheld = cut.Find("[data-testid=provider-key-withheld-openai]").TextContent;
        Assert.Contains("OpenAI:ApiKey", withheld);
        Assert.Contains(OpenAIOptions.DefaultEndpoint, withheld);
        Assert.Contains("Provider not configured", OpenAIBaseRow(cut));
        Assert.DoesNotContain(ConfiguredKey, cut.Markup);
    }
}
