using AngleSharp.Dom;
using Bunit;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers.OpenAI;
using MediaPlanner.Web.Components.Pages.Admin;
using MediaPlanner.Web.Components.Shared;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor;

namespace MediaPlanner.Tests.Components;

public class SettingsPageTests : ComponentTestContext
{
    private const string Key = "sk-proj-0123456789abcdefghijklmnopqrstuvwxyzQRST";
    private readonly CurrentUser _admin = new("admin-1", IsAdmin: true);
    private readonly IRenderedComponent<MudDialogProvider> _dialogs;

    public SettingsPageTests()
    {
        Services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
        Services.AddMediaPlannerSettings();
        // The deployment panel has its own tests; here it only has to be there.
        ComponentFactories.AddStub<ModelDeploymentPanel>();
        ComponentFactories.AddStub<ModelLifecyclePanel>();
        SignInAs("admin-1", Roles.Admin);
        Render<MudPopoverProvider>();
        _dialogs = Render<MudDialogProvider>();
        Render<MudSnackbarProvider>();
    }

    private SettingsService Service => Services.GetRequiredService<SettingsService>();

    private IRenderedComponent<Settings> RenderPage()
    {
        var cut = Render<Settings>();
        cut.WaitForElement("[data-testid=price-table]");
        return cut;
    }

    private static void Type(IRenderedComponent<Settings> cut, string selector, string value)
    {
        // Mud inputs listen to change, or to input when Immediate.
        var input = cut.Find(selector);
        if (input.HasAttribute("blazor:oninput"))
            input.Input(value);
        else
            input.Change(value);
        cut.Find(selector).Blur();
    }

    private static string FieldText(IRenderedComponent<Settings> cut, string selector) =>
        cut.Find(selector).Closest(".mud-input-control")!.TextContent;

    [Fact]
    public async Task The_key_field_is_empty_on_load_and_only_the_hint_shows()
    {
        Assert.True((await Service.SaveProviderAsync(null, null, Key, false, _admin)).Succeeded);

        var cut = RenderPage();

        var keyInput = cut.Find("#provider-api-key");
        Assert.Equal("password", keyInput.GetAttribute("type"));
        Assert.True(string.IsNullOrEmpty(keyInput.GetAttribute("value")));
        Assert.Equal("A key is saved (sk-…QRST).", cut.Find("[data-testid=key-status]").TextContent.Trim());
        Assert.DoesNotContain(Key, cut.Markup);
        Assert.DoesNotContain(Key[8..^4], cut.Markup);
        Assert.NotNull(cut.Find("[data-testid=remove-key]"));
    }

    [Fact]
    public void Without_a_saved_key_the_page_says_so_and_offers_no_removal()
    {
        var cut = RenderPage();

        Assert.Equal("No key saved.", cut.Find("[data-testid=key-status]").TextContent.Trim());
        Assert.Empty(cut.FindAll("[data-testid=remove-key]"));
    }

    [Fact]
    public void An_invalid_endpoint_shows_the_reason_at_the_endpoint_field_and_is_not_saved()
    {
        var cut = RenderPage();

        Type(cut, "#provider-endpoint", "https://api.openai.com");
        cut.Find("[data-testid=save-provider]").Click();

        var expected = OpenAIOptions.ValidateEndpoint("https://api.openai.com")!;
        cut.WaitForAssertion(() => Assert.Contains(expected, FieldText(cut, "#provider-endpoint")));
        Assert.Equal(OpenAIOptions.DefaultEndpoint, Service.GetProvider().Endpoint);
    }

    [Fact]
    public void Saving_a_new_key_clears_the_field_shows_the_hint_and_reaches_the_options()
    {
        var cut = RenderPage();

        Type(cut, "#provider-api-key", Key);
        cut.Find("[data-testid=save-provider]").Click();

        cut.WaitForAssertion(() => Assert.Equal("A key is saved (sk-…QRST).", cut.Find("[data-testid=key-status]").TextContent.Trim()));
        Assert.True(string.IsNullOrEmpty(cut.Find("#provider-api-key").GetAttribute("value")));
        Assert.Equal(Key, Services.GetRequiredService<IOptionsMonitor<OpenAIOptions>>().CurrentValue.ApiKey);
    }

    [Fact]
    public async Task Changing_only_the_endpoint_of_a_saved_key_is_refused_with_the_reason_at_the_key_field()
    {
        Assert.True((await Service.SaveProviderAsync(null, null, Key, false, _admin)).Succeeded);
        var cut = RenderPage();

        Type(cut, "#provider-endpoint", "https://contoso.openai.azure.com/openai/v1/");
        cut.Find("[data-testid=save-provider]").Click();

        cut.WaitForAssertion(() => Assert.Contains(SettingsService.ReenterKeyForNewEndpoint, FieldText(cut, "#provider-api-key")));
        Assert.Equal(OpenAIOptions.DefaultEndpoint, Service.GetProvider().Endpoint);
        Assert.Equal(OpenAIOptions.DefaultEndpoint, Services.GetRequiredService<IOptionsMonitor<OpenAIOptions>>().CurrentValue.Endpoint);
    }

    [Fact]
    public void A_new_endpoint_with_a_new_key_is_saved()
    {
        var cut = RenderPage();

        Type(cut, "#provider-endpoint", "https://contoso.openai.azure.com/openai/v1/");
        Type(cut, "#provider-api-key", Key);
        cut.Find("[data-testid=save-provider]").Click();

        cut.WaitForAssertion(() => Assert.Equal("A key is saved (sk-…QRST).", cut.Find("[data-testid=key-status]").TextContent.Trim()));
        var options = Services.GetRequiredService<IOptionsMonitor<OpenAIOptions>>().CurrentValue;
        Assert.Equal(("https://contoso.openai.azure.com/openai/v1/", Key), (options.Endpoint, options.ApiKey));
    }

    [Fact]
    public async Task Removing_the_key_asks_first()
    {
        Assert.True((await Service.SaveProviderAsync(null, null, Key, false, _admin)).Succeeded);
        var cut = RenderPage();

        cut.Find("[data-testid=remove-key]").Click();
        _dialogs.WaitForAssertion(() => Assert.Contains("Remove the saved API key?", _dialogs.Markup));
        Assert.True(Service.GetProvider().HasApiKey);
        _dialogs.FindAll("button").First(b => b.TextContent.Trim() == "Remove key").Click();

        cut.WaitForAssertion(() => Assert.Equal("No key saved.", cut.Find("[data-testid=key-status]").TextContent.Trim()));
        Assert.False(Service.GetProvider().HasApiKey);
    }

    [Fact]
    public void Saving_the_strategy_persists_it()
    {
        var cut = RenderPage();

        cut.Find("input[data-testid=strategy-baseonly]").Click();
        cut.Find("[data-testid=save-selection]").Click();

        cut.WaitForAssertion(() => Assert.Equal(SelectionStrategy.BaseOnly, Service.GetSelection().Strategy));
        using var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext();
        Assert.Contains("BaseOnly", db.Settings.Single(s => s.Key == SettingsService.SelectionKey).Value);
    }

    [Fact]
    public void An_out_of_range_threshold_shows_the_reason_at_its_field()
    {
        var cut = RenderPage();

        Type(cut, "#threshold-window", "2");
        cut.Find("[data-testid=save-selection]").Click();

        cut.WaitForAssertion(() => Assert.Contains("between 5 and 1000", FieldText(cut, "#threshold-window")));
        Assert.Equal(SelectionSettings.Default, Service.GetSelection());
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
        Services.AddSingleton(MediaMixParameters.Default);
        Services.AddSingleton<ModelRegistry>();
        // The lifecycle panel has its own tests; this page's provider state shows in the deployment panel.
        ComponentFactories.AddStub<ModelLifecyclePanel>();
        SignInAs("admin-1", Roles.Admin);
        Render<MudPopoverProvider>();
        Render<MudDialogProvider>();
        Render<MudSnackbarProvider>();
    }

    private string OpenAIBaseRow(IRenderedComponent<Settings> cut) =>
        cut.Find("[data-testid='model-gpt-4o-mini-2024-07-18']").TextContent;

    [Fact]
    public void Saving_a_key_shows_the_openai_models_as_available_at_once_without_a_reload()
    {
        var cut = Render<Settings>();
        cut.WaitForElement("[data-testid=model-registry]");
        Assert.Contains("Provider not configured", OpenAIBaseRow(cut));

        var input = cut.Find("#provider-api-key");
        if (input.HasAttribute("blazor:oninput"))
            input.Input(Key);
        else
            input.Change(Key);
        cut.Find("[data-testid=save-provider]").Click();

        cut.WaitForAssertion(() => Assert.Equal("A key is saved (sk-…QRST).", cut.Find("[data-testid=key-status]").TextContent.Trim()));
        cut.WaitForAssertion(() => Assert.Contains("Available", OpenAIBaseRow(cut)));
        Assert.DoesNotContain("Provider not configured", OpenAIBaseRow(cut));
    }

    [Fact]
    public async Task A_configured_key_withheld_from_a_changed_endpoint_is_explained_on_the_page()
    {
        _configuredKey = ConfiguredKey;
        var settings = Services.GetRequiredService<SettingsService>();
        Assert.True((await settings.SaveProviderAsync("https://contoso.openai.azure.com/openai/v1/", null, null, false, new CurrentUser("admin-1", IsAdmin: true))).Succeeded);

        var cut = Render<Settings>();
        cut.WaitForElement("[data-testid=model-registry]");

        Assert.Equal("No key is used for this endpoint.", cut.Find("[data-testid=key-status]").TextContent.Trim());
        var withheld = cut.Find("[data-testid=key-withheld]").TextContent;
        Assert.Contains("OpenAI:ApiKey", withheld);
        Assert.Contains(OpenAIOptions.DefaultEndpoint, withheld);
        Assert.Contains("Provider not configured", OpenAIBaseRow(cut));
        Assert.DoesNotContain(ConfiguredKey, cut.Markup);
    }
}
