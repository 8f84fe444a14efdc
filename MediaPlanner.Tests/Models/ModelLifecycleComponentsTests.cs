using Bunit;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Domain.Providers;
using MediaPlanner.Domain.Providers.OpenAI;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Fakes;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web.Components.Shared;
using MediaPlanner.Web.Components.Pages.Admin;
using MediaPlanner.Web.Components.Pages.FineTuning;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MudBlazor;

namespace MediaPlanner.Tests.Models;

public class ModelLifecycleChipTests : ComponentTestContext
{
    [Fact]
    public void The_chip_says_the_status_and_date_in_words_and_carries_what_it_means_for_hover_and_screen_readers()
    {
        const string Message = "OpenAI shuts gpt-4o-mini-2024-07-18 down on 14 Jan 2027, in 44 days: from then on it no longer answers.";
        var cut = Render<ModelLifecycleChip>(p => p
            .Add(c => c.Lifecycle, new ModelLifecycle(ModelStatus.Retiring, new DateOnly(2027, 1, 14), Message))
            .Add(c => c.TestId, "chip"));

        var chip = cut.Find("[data-testid=chip]");
        Assert.Equal("Retiring 14 Jan 2027", chip.FirstChild!.TextContent);
        Assert.Equal(Message, chip.GetAttribute("title"));
        Assert.Equal($": {Message}", chip.QuerySelector(".mud-sr-only")!.TextContent);
        Assert.Contains("retiring", chip.ClassList);
    }

    [Theory]
    [InlineData(ModelStatus.ShutDown, "Shut down", "shut-down")]
    [InlineData(ModelStatus.Active, "Active", "active")]
    [InlineData(ModelStatus.Unlisted, "No longer listed", "unknown")]
    [InlineData(ModelStatus.Unknown, "Status unknown", "unknown")]
    public void Each_status_has_its_own_words(ModelStatus status, string label, string css)
    {
        var cut = Render<ModelLifecycleChip>(p => p.Add(c => c.Lifecycle, new ModelLifecycle(status, new DateOnly(2027, 1, 14), "why")));

        var chip = cut.Find("[data-testid=lifecycle-chip]");
        Assert.Equal(label, chip.FirstChild!.TextContent);
        Assert.Contains(css, chip.ClassList);
    }

    [Fact]
    public void Without_a_lifecycle_nothing_shows()
    {
        var cut = Render<ModelLifecycleChip>(p => p.Add(c => c.Lifecycle, null));

        Assert.Empty(cut.Markup.Trim());
    }
}

public class ShutdownAlertTests : ComponentTestContext
{
    private const string Model = "ft:gpt-4o-mini-2024-07-18:acme:spring:abc123";
    private const string Reason = $"{Model} was shut down by OpenAI on 14 Jan 2027; plans come from the built-in planner.";

    public ShutdownAlertTests()
    {
        Services.AddOptions<OpenAIOptions>();
        Services.AddSingleton(MediaMixParameters.Default);
        Services.AddSingleton<ModelRegistry>();
        Render<MudPopoverProvider>();
    }

    private void EndedBySystem()
    {
        using var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext();
        db.Deployments.Add(new ModelDeployment
        {
            Provider = "openai", Model = Model, BaseModel = "gpt-4o-mini-2024-07-18", DeployedAt = DateTimeOffset.UtcNow.AddDays(-30), DeployedById = "admin-1",
            EndedAt = DateTimeOffset.UtcNow, EndedById = ModelRegistry.System.Id, EndReason = Reason,
        });
        db.SaveChanges();
    }

    [Fact]
    public void Admins_see_why_the_deployment_ended_until_they_dismiss_it()
    {
        SignInAs("admin-1", Roles.Admin);
        EndedBySystem();

        var cut = Render<ShutdownAlert>();
        cut.WaitForElement("[data-testid=shutdown-alert]");
        Assert.Contains(Reason, cut.Find("[data-testid=shutdown-alert]").TextContent);
        Assert.NotNull(cut.Find("[data-testid=shutdown-alert-settings]"));

        cut.Find("[data-testid=shutdown-alert-dismiss]").Click();

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=shutdown-alert]")));
        Assert.Null(Render<ShutdownAlert>().FindAll("[data-testid=shutdown-alert]").FirstOrDefault());
        using var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext();
        Assert.Contains(db.AuditEntries, a => a.Action == "model.alert.dismiss" && a.EntityId == Model);
    }

    [Fact]
    public void The_navigation_names_the_model_and_links_to_settings()
    {
        SignInAs("admin-1", Roles.Admin);
        EndedBySystem();

        var cut = Render<ShutdownAlert>(p => p.Add(c => c.Compact, true));

        cut.WaitForAssertion(() => Assert.Contains($"Model shut down: {Model}", cut.Find("[data-testid=shutdown-alert-nav]").TextContent));
        Assert.Equal("admin/settings", cut.Find("[data-testid=shutdown-alert-nav] a, a[data-testid=shutdown-alert-nav]").GetAttribute("href"));
    }

    [Fact]
    public void Planners_see_no_alert()
    {
        SignInAs("planner-1", Roles.Planner);
        EndedBySystem();

        var cut = Render<ShutdownAlert>();

        Assert.Empty(cut.FindAll("[data-testid=shutdown-alert]"));
    }
}

public class ModelLifecyclePanelTests : ComponentTestContext, IClassFixture<FakeOpenAIServer>
{
    private const string Mini = "gpt-4o-mini-2024-07-18";
    private const string Nano = "gpt-4.1-nano-2025-04-14";
    private readonly FakeOpenAIServer _openAI;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));

    public ModelLifecyclePanelTests(FakeOpenAIServer openAI)
    {
        _openAI = openAI;
        _openAI.Reset();
        Services.AddModelCatalog(_clock, FakeOpenAIServer.DefaultApiKey, openAI.BaseAddress.ToString(), Mini);
        SignInAs("admin-1", Roles.Admin);
        Render<MudPopoverProvider>();
        Render<MudSnackbarProvider>();
    }

    private IRenderedComponent<ModelLifecyclePanel> RenderPanel()
    {
        var cut = Render<ModelLifecyclePanel>();
        cut.WaitForElement("[data-testid=lifecycle-openai]");
        return cut;
    }

    [Fact]
    public void Refresh_reads_the_list_and_shows_each_base_models_status_and_when_it_was_read()
    {
        _openAI.SetModels(new FakeModel(Mini, new DateOnly(2027, 1, 14)));
        var cut = RenderPanel();
        Assert.Equal("Model list not read yet.", cut.Find("[data-testid=lifecycle-read-openai]").TextContent);
        Assert.Equal("Status unknown", cut.Find($"[data-testid='lifecycle-chip-openai-{Mini}']").FirstChild!.TextContent);

        cut.Find("[data-testid=lifecycle-refresh-openai]").Click();

        cut.WaitForAssertion(() => Assert.Equal("Retiring 14 Jan 2027", cut.Find($"[data-testid='lifecycle-chip-openai-{Mini}']").FirstChild!.TextContent));
        Assert.StartsWith("Model list read 2026-12-01", cut.Find("[data-testid=lifecycle-read-openai]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=lifecycle-error-openai]"));
        cut.WaitForAssertion(() => Assert.Contains(Snackbars,
            s => s.Message?.Contains("Read OpenAI's model list: 1 model.") == true));
    }

    [Fact]
    public void A_failed_read_is_explained_on_the_card()
    {
        _openAI.Inject(FakeRoute.ListModels, new FakeFault.Unauthorized());
        var cut = RenderPanel();

        cut.Find("[data-testid=lifecycle-refresh-openai]").Click();

        cut.WaitForAssertion(() => Assert.Equal("The last read failed: OpenAI rejected the API key (401). Check the key in settings.",
            cut.Find("[data-testid=lifecycle-error-openai]").TextContent));
        Assert.DoesNotContain(FakeOpenAIServer.DefaultApiKey, cut.Markup);
    }

    [Fact]
    public async Task A_shut_down_base_model_says_so_and_names_the_replacement_the_list_offers()
    {
        _openAI.SetModels(new FakeModel(Mini, new DateOnly(2027, 1, 14)), new FakeModel(Nano));
        _clock.SetUtcNow(new DateTimeOffset(2027, 1, 15, 9, 0, 0, TimeSpan.Zero));
        await Services.GetRequiredService<ModelCatalog>().RefreshAsync("openai");

        var cut = RenderPanel();

        Assert.Equal("Shut down", cut.Find($"[data-testid='lifecycle-chip-openai-{Mini}']").FirstChild!.TextContent);
        Assert.Contains($"OpenAI still lists {Nano}.", cut.Find("[data-testid=lifecycle-replace-openai]").TextContent);
    }
}

/// <summary>The deployment panel and the new-job dialog over a model list read earlier: warnings before confirming, refusals, Azure deployment names.</summary>
public class LifecycleDeployAndJobDialogTests : ComponentTestContext
{
    private const string Mini = "gpt-4o-mini-2024-07-18";
    private const string Retiring = "ft:gpt-4o-mini-2024-07-18:acme:spring:abc123";
    private const string Gone = "ft:gpt-4o-mini-2024-07-18:acme:old:def456";
    private const string AzureModel = "gpt-4o-mini-2024-07-18.ft-0123456789abcdef";
    private readonly IRenderedComponent<MudDialogProvider> _dialogs;

    public LifecycleDeployAndJobDialogTests()
    {
        // Nothing here calls the provider: the model list is stored below as if read earlier.
        Services.AddModelCatalog(new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero)),
            "sk-test-0123456789abcdefghijklmnop", "http://127.0.0.1:9/v1", Mini);
        Services.AddSingleton(MediaMixParameters.Default);
        Services.AddSingleton<ModelRegistry>();
        Services.AddSingleton(new FineTuneNotifications());
        Services.AddSingleton(new FineTuneWakeup());
        Services.AddSingleton(new TrainingSettings(Mini));
        Services.AddSingleton<IFineTuneBackend, HostedStub>();
        Services.AddScoped<FineTuneService>();
        SignInAs("admin-1", Roles.Admin);
        _dialogs = RenderOverlays();
        Render<MudSnackbarProvider>();

        using var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext();
        var read = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
        db.ProviderModels.AddRange(
            new ProviderModelEntity { ProviderKey = "openai", ModelId = Mini, ShutdownDate = new DateOnly(2027, 1, 14), FirstSeenAt = read, LastSeenAt = read },
            new ProviderModelEntity { ProviderKey = "openai", ModelId = Gone, ShutdownDate = new DateOnly(2026, 11, 30), FirstSeenAt = read, LastSeenAt = read });
        db.FineTuneJobs.AddRange(Job("openai", Retiring), Job("openai", Gone));
        db.SaveChanges();
    }

    private static FineTuneJob Job(string provider, string model) => new FineTuneJob
    {
        Provider = provider, BaseModel = Mini, Status = FineTuneStatus.Succeeded, FineTunedModel = model, CreatedById = "admin-1",
        CreatedAt = DateTimeOffset.UtcNow, FinishedAt = DateTimeOffset.UtcNow, NextAttemptAt = DateTimeOffset.MaxValue,
    }.Recommended();

    private IRenderedComponent<ModelDeploymentPanel> RenderPanel()
    {
        var cut = Render<ModelDeploymentPanel>();
        cut.WaitForElement("[data-testid=model-registry]");
        return cut;
    }

    [Fact]
    public void A_retiring_model_shows_its_date_before_the_deploy_is_confirmed_and_a_shut_down_one_cannot_be_deployed()
    {
        var cut = RenderPanel();
        Assert.Equal("Retiring 14 Jan 2027", cut.Find($"[data-testid='lifecycle-{Retiring}']").FirstChild!.TextContent);
        Assert.Equal("Shut down", cut.Find($"[data-testid='lifecycle-{Gone}']").FirstChild!.TextContent);
        var goneButton = cut.Find($"[data-testid='deploy-{Gone}']");
        Assert.True(goneButton.HasAttribute("disabled"));
        Assert.StartsWith($"{Gone} cannot be deployed", goneButton.GetAttribute("title"));

        cut.Find($"[data-testid='deploy-{Retiring}']").Click();
        _dialogs.WaitForElement("[data-testid=deploy-lifecycle-warning]");
        Assert.Contains("retires soon", _dialogs.Find("[data-testid=deploy-lifecycle-warning]").TextContent);
        Assert.Contains("14 Jan 2027, in 44 days", _dialogs.Find("[data-testid=deploy-lifecycle-warning]").TextContent);
        Assert.Null(ActiveDeployment());
        _dialogs.Find("[data-testid=deploy-anyway]").Click();

        cut.WaitForAssertion(() => Assert.Equal(Retiring, ActiveDeployment()?.Model));
    }

    /// <summary>An Azure profile and a succeeded job of it, with the deployment entered on the job if any.</summary>
    private async Task AddAzureJobAsync(string? deployment = null)
    {
        var saved = await Services.GetRequiredService<ProviderProfileService>().SaveAsync(new ProviderProfileInput("azure-east", "Azure East",
            ProviderKind.AzureOpenAI, "https://contoso.openai.azure.com/openai/v1/", "azure-key-0123456789abcdef", false, [new ProviderBaseModel(Mini, "mini")]),
            new CurrentUser("admin-1", true));
        Assert.True(saved.Succeeded, string.Join("; ", saved.Errors.Values));
        using var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext();
        var job = Job("azure-east", AzureModel);
        job.FineTunedDeployment = deployment;
        db.FineTuneJobs.Add(job);
        db.SaveChanges();
    }

    [Fact]
    public async Task An_azure_fine_tune_asks_for_its_deployment_name_before_it_deploys()
    {
        await AddAzureJobAsync();
        var cut = RenderPanel();

        cut.Find($"[data-testid='deploy-{AzureModel}']").Click();
        _dialogs.WaitForElement("#deployment-name");
        Assert.Contains(ModelRegistry.DeploymentNameNeeded, _dialogs.Markup);
        Assert.True(_dialogs.Find("[data-testid=deploy-anyway]").HasAttribute("disabled"));
        _dialogs.Find("#deployment-name").Input("mp-spring");
        _dialogs.WaitForAssertion(() => Assert.False(_dialogs.Find("[data-testid=deploy-anyway]").HasAttribute("disabled")));
        _dialogs.Find("[data-testid=deploy-anyway]").Click();

        cut.WaitForAssertion(() => Assert.Equal((AzureModel, "mp-spring"), (ActiveDeployment()?.Model, ActiveDeployment()?.DeploymentName)));
    }

    [Fact]
    public async Task An_azure_fine_tune_evaluated_through_a_deployment_offers_that_name_and_deploys_under_it()
    {
        await AddAzureJobAsync("mp-spring-eval");
        var cut = RenderPanel();
        Assert.Contains("Azure deployment mp-spring-eval", cut.Find($"[data-testid='model-{AzureModel}'] .mp-meta").TextContent);

        cut.Find($"[data-testid='deploy-{AzureModel}']").Click();
        _dialogs.WaitForElement("#deployment-name");
        Assert.Equal("mp-spring-eval", _dialogs.Find("#deployment-name").GetAttribute("value"));
        Assert.False(_dialogs.Find("[data-testid=deploy-anyway]").HasAttribute("disabled"));
        _dialogs.Find("[data-testid=deploy-anyway]").Click();

        cut.WaitForAssertion(() => Assert.Equal((AzureModel, "mp-spring-eval"), (ActiveDeployment()?.Model, ActiveDeployment()?.DeploymentName)));
    }

    [Fact]
    public async Task The_new_job_dialog_says_why_a_provider_no_longer_trains_and_keeps_start_disabled()
    {
        await ValidatedExamples.SeedAsync(Services, 12);
        await Services.GetRequiredService<ProviderProfileService>().SetTrainingUnavailableAsync("openai", "training_not_available");
        var dialogs = Services.GetRequiredService<IDialogService>();
        await _dialogs.InvokeAsync(() => dialogs.ShowAsync<NewJobDialog>("New fine-tuning job"));
        _dialogs.WaitForElement("[data-testid=job-preview]");

        var select = _dialogs.FindComponent<MudSelect<string>>();
        await _dialogs.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync("openai"));

        _dialogs.WaitForAssertion(() => Assert.Equal("OpenAI no longer accepts fine-tuning jobs for this organisation (since 1 Dec 2026).",
            _dialogs.Find("[data-testid=job-refusal]").TextContent.Trim()));
        Assert.Equal("Retiring 14 Jan 2027", _dialogs.Find("[data-testid=job-base-lifecycle]").FirstChild!.TextContent);
        Assert.True(_dialogs.Find("[data-testid=start-job]").HasAttribute("disabled"));
    }

    /// <summary>Stands for the hosted backend: the dialog only needs it to list the OpenAI profile.</summary>
    private sealed class HostedStub : IFineTuneBackend
    {
        public string Provider => FineTuneProviders.OpenAI;
        public bool IsConfigured => true;
        public Task<TimeSpan?> AdvanceAsync(FineTuneJob job, Func<CancellationToken, Task<FineTuneDataset>> dataset, IFineTuneSink sink, CancellationToken ct) =>
            throw new NotSupportedException();
        public Task CancelAsync(FineTuneJob job, IFineTuneSink sink, CancellationToken ct) => throw new NotSupportedException();
    }
}

internal static class ModelCatalogServices
{
    /// <summary>The model catalogue and what it stands on (settings, provider profiles, SDK clients) on the given clock.</summary>
    public static void AddModelCatalog(this IServiceCollection services, TimeProvider clock, string apiKey, string endpoint, string baseModel)
    {
        services.AddSingleton(clock);
        services.AddLogging();
        services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
        services.Configure<OpenAIOptions>(o => (o.ApiKey, o.Endpoint, o.BaseModel) = (apiKey, endpoint, baseModel));
        services.AddMediaPlannerSettings();
        services.AddOptions<ModelCatalogOptions>();
        services.AddSingleton<ProviderProfileService>();
        services.AddSingleton<OpenAIClientFactory>();
        services.AddSingleton<ModelCatalog>();
    }
}
