using Bunit;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Providers;
using MediaPlanner.Domain.Providers.OpenAI;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web.Components.Pages.Admin;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace MediaPlanner.Tests.Providers;

/// <summary>The settings page's provider list and its add/edit dialog, over the real profile and settings services.</summary>
public class ProviderProfilesPanelTests : ComponentTestContext
{
    private const string AzureKey = "azure-key-0123456789abcdefghijklmnAZ42";
    private const string AzureEndpoint = "https://contoso.openai.azure.com/openai/v1/";
    private readonly CurrentUser _admin = new("admin-1", IsAdmin: true);
    private readonly IRenderedComponent<MudDialogProvider> _dialogs;
    private readonly ProviderDialogDriver _dialog;

    public ProviderProfilesPanelTests()
    {
        AddSettings();
        Services.AddSingleton<ProviderProfileService>();
        SignInAs("admin-1", Roles.Admin);
        var popovers = Render<MudPopoverProvider>();
        _dialogs = Render<MudDialogProvider>();
        Render<MudSnackbarProvider>();
        _dialog = new ProviderDialogDriver(_dialogs, popovers);
    }

    private ProviderProfileService Profiles => Services.GetRequiredService<ProviderProfileService>();

    private static ProviderProfileInput Azure(string key = "azure-east", string name = "Azure OpenAI (East US)") => new(key, name,
        ProviderKind.AzureOpenAI, AzureEndpoint, AzureKey, false, [new("gpt-4o-mini-2024-07-18", "mp-4o-mini")], AzureTrainingType.GlobalStandard);

    private async Task SaveAsync(ProviderProfileInput input)
    {
        var result = await Profiles.SaveAsync(input, _admin);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => $"{e.Key}: {e.Value}")));
    }

    private IRenderedComponent<ProviderProfilesPanel> RenderPanel()
    {
        var cut = Render<ProviderProfilesPanel>();
        cut.WaitForElement("[data-testid=provider-list]");
        return cut;
    }

    private void OpenAdd(IRenderedComponent<ProviderProfilesPanel> cut)
    {
        cut.Find("[data-testid=add-provider]").Click();
        _dialogs.WaitForElement("#profile-key");
    }

    private void OpenEdit(IRenderedComponent<ProviderProfilesPanel> cut, string key)
    {
        cut.Find($"[data-testid=edit-provider-{key}]").Click();
        _dialogs.WaitForElement("#profile-name");
    }

    private void Type(string selector, string value) => _dialog.Type(selector, value);

    private void Choose(string selector, string item) => _dialog.Choose(selector, item);

    private string FieldText(string selector) => _dialog.FieldText(selector);

    private void Save() => _dialog.Save();

    [Fact]
    public async Task Every_provider_is_listed_with_kind_endpoint_key_hint_models_and_settings_and_the_local_planner_first()
    {
        await SaveAsync(Azure());
        await SaveAsync(new ProviderProfileInput("nebius", "Nebius AI Studio", ProviderKind.OpenAICompatible, "https://api.studio.nebius.com/v1/",
            "nebius-key-0123456789abcdef9876", false, [new("meta-llama/Llama-3.1-8B-Instruct")], null,
            new HyperparameterMapping("n_epochs", "batch_size", "learning_rate", 0.0001, "{\"lora\": true, \"lora_r\": 8}")));

        var cut = RenderPanel();

        var rows = cut.FindAll("[data-testid=provider-list] > .mp-model-row").Select(r => r.GetAttribute("data-testid")).ToList();
        Assert.Equal(["provider-local", "provider-openai", "provider-azure-east", "provider-nebius"], rows);
        Assert.Contains("Always available, no key", cut.Find("[data-testid=provider-local]").TextContent);
        var azure = cut.Find("[data-testid=provider-azure-east]").TextContent;
        Assert.Contains("Azure OpenAI (East US)", azure);
        Assert.Contains("azure-east · Azure OpenAI", azure);
        Assert.Equal(AzureEndpoint, cut.Find("[data-testid=provider-endpoint-azure-east]").TextContent.Trim());
        Assert.Equal("Key saved (…AZ42)", cut.Find("[data-testid=provider-key-azure-east]").TextContent.Trim());
        Assert.Contains("gpt-4o-mini-2024-07-18 (deployment mp-4o-mini)", cut.Find("[data-testid=provider-models-azure-east]").TextContent);
        Assert.Equal("Training type GlobalStandard", cut.Find("[data-testid=provider-training-azure-east]").TextContent.Trim());
        var mapping = cut.Find("[data-testid=provider-mapping-nebius]").TextContent;
        Assert.Contains("learning rate → learning_rate × 0.0001", mapping);
        Assert.Contains("fixed {\"lora\": true, \"lora_r\": 8}", mapping);
        Assert.Equal("No key", cut.Find("[data-testid=provider-key-openai]").TextContent.Trim());
        Assert.Empty(cut.FindAll("[data-testid=delete-provider-openai]"));
        Assert.DoesNotContain(AzureKey[..^4], cut.Markup);
    }

    [Fact]
    public void An_admin_adds_an_azure_provider_with_a_deployment_per_base_model()
    {
        var cut = RenderPanel();

        OpenAdd(cut);
        Assert.Equal("password", _dialogs.Find("#profile-api-key").GetAttribute("type"));
        Assert.Empty(_dialogs.FindAll("#deployment-0"));
        Type("#profile-key", "azure-east");
        Type("#profile-name", "Azure OpenAI (East US)");
        Choose("#profile-kind", "Azure OpenAI");
        _dialogs.WaitForElement("#deployment-0");
        Assert.Equal(OpenAIOptions.AzureEndpointExample, _dialogs.Find("#profile-endpoint").GetAttribute("placeholder"));
        Choose("#profile-training-type", "Developer");
        Type("#profile-endpoint", AzureEndpoint);
        Type("#profile-api-key", AzureKey);
        Type("#base-model-0", "gpt-4o-mini-2024-07-18");
        Type("#deployment-0", "mp-4o-mini");
        Save();

        _dialogs.WaitForAssertion(() => Assert.Empty(_dialogs.FindAll("#profile-key")));
        cut.WaitForAssertion(() => Assert.Contains("deployment mp-4o-mini", cut.Find("[data-testid=provider-models-azure-east]").TextContent));
        var saved = Profiles.Get("azure-east")!;
        Assert.Equal((ProviderKind.AzureOpenAI, AzureTrainingType.Developer, AzureEndpoint, true), (saved.Kind, saved.TrainingType, saved.Endpoint, saved.HasKey));
        Assert.Equal("mp-4o-mini", saved.DeploymentFor("gpt-4o-mini-2024-07-18"));
        Assert.Contains("Key saved", cut.Find("[data-testid=provider-key-azure-east]").TextContent);
    }

    [Fact]
    public void Problems_show_at_the_field_they_belong_to_and_nothing_is_saved()
    {
        var cut = RenderPanel();

        OpenAdd(cut);
        Type("#profile-key", "Azure East");
        Type("#profile-name", "Azure");
        Choose("#profile-kind", "Azure OpenAI");
        _dialogs.WaitForElement("#deployment-0");
        Type("#profile-endpoint", "https://contoso.openai.azure.com/v1");
        Type("#base-model-0", "gpt-4o-mini-2024-07-18");
        Save();

        _dialogs.WaitForAssertion(() => Assert.Contains("/openai/v1", FieldText("#profile-endpoint")));
        Assert.Contains("lower-case letters", FieldText("#profile-key"));
        Assert.Contains("deployment name", FieldText("#deployment-0"));
        Assert.Contains("Enter the provider's API key", FieldText("#profile-api-key"));
        Assert.Single(Profiles.List());
    }

    [Fact]
    public void A_compatible_provider_takes_its_hyperparameter_names_and_bad_fixed_values_are_explained_at_their_field()
    {
        var cut = RenderPanel();

        OpenAdd(cut);
        Assert.Empty(_dialogs.FindAll("#hp-extra"));
        Type("#profile-key", "nebius");
        Type("#profile-name", "Nebius");
        Choose("#profile-kind", "OpenAI-compatible");
        _dialogs.WaitForElement("#hp-extra");
        Type("#profile-endpoint", "https://api.studio.nebius.com/v1/");
        Type("#profile-api-key", "nebius-key-0123456789abcdef9876");
        Type("#base-model-0", "meta-llama/Llama-3.1-8B-Instruct");
        Type("#hp-learning-rate", "learning_rate");
        Type("#hp-learning-rate-scale", "0.0001");
        Type("#hp-extra", "{\"lora\": true,");
        Save();

        _dialogs.WaitForAssertion(() => Assert.Contains("Not valid JSON", FieldText("#hp-extra")));
        Assert.Null(Profiles.Get("nebius"));

        Type("#hp-extra", "{\"lora\": true, \"lora_r\": 8}");
        Save();

        cut.WaitForAssertion(() => Assert.Contains("learning_rate × 0.0001", cut.Find("[data-testid=provider-mapping-nebius]").TextContent));
        Assert.Equal(new HyperparameterMapping("n_epochs", "batch_size", "learning_rate", 0.0001, "{\"lora\": true, \"lora_r\": 8}"),
            Profiles.Get("nebius")!.Hyperparameters);
    }

    [Fact]
    public async Task Editing_never_shows_the_key_and_a_new_endpoint_without_the_key_is_refused_at_the_key_field()
    {
        await SaveAsync(Azure());
        var cut = RenderPanel();

        OpenEdit(cut, "azure-east");
        Assert.True(_dialogs.Find("#profile-key").HasAttribute("readonly"));
        Assert.True(string.IsNullOrEmpty(_dialogs.Find("#profile-api-key").GetAttribute("value")));
        Assert.Contains("A key is saved (…AZ42)", FieldText("#profile-api-key"));
        Assert.DoesNotContain(AzureKey[..^4], _dialogs.Markup);
        Type("#profile-endpoint", "https://attacker.openai.azure.com/openai/v1/");
        Save();

        _dialogs.WaitForAssertion(() => Assert.Contains(ProviderSettingsService.ReenterKeyForNewEndpoint, FieldText("#profile-api-key")));
        Assert.Equal(AzureEndpoint, Profiles.Get("azure-east")!.Endpoint);
        Assert.True(Profiles.Get("azure-east")!.HasKey);
    }

    [Fact]
    public async Task Removing_the_saved_key_asks_first()
    {
        await SaveAsync(Azure());
        var cut = RenderPanel();

        OpenEdit(cut, "azure-east");
        _dialogs.Find("input[data-testid=profile-clear-key]").Change(true);
        Save();
        _dialogs.WaitForAssertion(() => Assert.Contains("Remove the saved API key?", _dialogs.Markup));
        Assert.True(Profiles.Get("azure-east")!.HasKey);
        _dialog.Press("Remove key");

        cut.WaitForAssertion(() => Assert.Equal("No key", cut.Find("[data-testid=provider-key-azure-east]").TextContent.Trim()));
        Assert.False(Profiles.Get("azure-east")!.HasKey);
    }

    [Fact]
    public async Task Removing_a_provider_asks_first_and_a_refusal_is_shown()
    {
        await SaveAsync(Azure());
        await SaveAsync(Azure("azure-west", "Azure OpenAI (West Europe)"));
        await using (var db = await Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync())
        {
            db.FineTuneJobs.Add(new FineTuneJob
            {
                Provider = "azure-west", BaseModel = "gpt-4o-mini-2024-07-18", Status = FineTuneStatus.Running, CreatedById = "admin-1",
                CreatedAt = DateTimeOffset.UtcNow, NextAttemptAt = DateTimeOffset.MaxValue,
            });
            await db.SaveChangesAsync();
        }
        var cut = RenderPanel();
        var snackbar = Services.GetRequiredService<ISnackbar>();

        cut.Find("[data-testid=delete-provider-azure-west]").Click();
        _dialogs.WaitForAssertion(() => Assert.Contains("Remove Azure OpenAI (West Europe)?", _dialogs.Markup));
        _dialog.Press("Remove");
        cut.WaitForAssertion(() => Assert.Contains(snackbar.ShownSnackbars, s => s.Message?.Contains("1 unfinished fine-tuning job", StringComparison.Ordinal) == true));
        Assert.NotNull(Profiles.Get("azure-west"));

        cut.Find("[data-testid=delete-provider-azure-east]").Click();
        _dialogs.WaitForAssertion(() => Assert.Contains("Remove Azure OpenAI (East US)?", _dialogs.Markup));
        _dialog.Press("Remove");

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=provider-azure-east]")));
        Assert.Null(Profiles.Get("azure-east"));
    }

    [Fact]
    public async Task A_provider_another_admin_saves_shows_at_once()
    {
        var cut = RenderPanel();

        await SaveAsync(Azure());

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=provider-azure-east]")));
    }
}

/// <summary>Drives the provider dialog as an admin would: Mud text fields, selects and buttons.</summary>
public sealed class ProviderDialogDriver(IRenderedComponent<MudDialogProvider> dialogs, IRenderedComponent<MudPopoverProvider> popovers)
{
    public void Type(string selector, string value)
    {
        // Mud inputs listen to change, or to input when Immediate.
        var input = dialogs.Find(selector);
        if (input.HasAttribute("blazor:oninput"))
            input.Input(value);
        else
            input.Change(value);
        dialogs.Find(selector).Blur();
    }

    public void Choose(string selector, string item)
    {
        dialogs.Find(selector).ParentElement!.ParentElement!.MouseDown();
        popovers.WaitForElements(".mud-list-item");
        popovers.FindAll(".mud-list-item").First(i => i.TextContent.Trim() == item).Click();
    }

    /// <summary>The field with its label, helper and error text.</summary>
    public string FieldText(string selector) => dialogs.Find(selector).Closest(".mud-input-control")!.TextContent;

    public void Save() => dialogs.Find("[data-testid=save-profile]").Click();

    /// <summary>Clicks a button by its text, e.g. in a confirmation.</summary>
    public void Press(string text) => dialogs.FindAll("button").First(b => b.TextContent.Trim() == text).Click();
}
