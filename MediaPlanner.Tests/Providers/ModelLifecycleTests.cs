using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Domain.Providers;
using MediaPlanner.Tests.Fakes;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MediaPlanner.Tests.Providers;

/// <summary>
/// Model lists with shutdown dates read from the fake OpenAI server by the real app, on a fake clock: what each model's
/// status is, which jobs and deployments are refused or warned about, and what plans when a deployed model shuts down.
/// </summary>
public sealed partial class ModelLifecycleTests : IAsyncLifetime
{
    private const string Mini = "gpt-4o-mini-2024-07-18";
    private const string Nano = "gpt-4.1-nano-2025-04-14";
    private const string FineTuned = "ft:gpt-4o-mini-2024-07-18:mediaplanner:spring:abc123";
    private static readonly DateOnly Shutdown = new(2027, 1, 14);
    private static readonly DateTimeOffset Today = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    private readonly FakeOpenAIServer _openAI = new();
    private MediaPlannerFactory _factory = default!;
    private WebApplicationFactory<Program> _app = default!;
    private FakeTimeProvider _clock = default!;
    private CurrentUser _admin = default!;
    private CurrentUser _planner = default!;

    public Task InitializeAsync() => _openAI.InitializeAsync();

    public async Task DisposeAsync()
    {
        if (_app is not null)
            await _app.DisposeAsync();
        if (_factory is not null)
            await _factory.DisposeAsync();
        await _openAI.DisposeAsync();
    }

    /// <summary>
    /// Starts the app against the fake, on a clock at <paramref name="now"/>, with <paramref name="baseModel"/> configured (or
    /// none). The refresh interval is the longest unless a test is about it, so the clock can jump without many background reads.
    /// </summary>
    private async Task StartAsync(DateTimeOffset now, string? baseModel = Mini, string refreshInterval = "30.00:00:00")
    {
        _clock = new FakeTimeProvider(now);
        _factory = new MediaPlannerFactory();
        _factory.Settings["OpenAI:ApiKey"] = FakeOpenAIServer.DefaultApiKey;
        _factory.Settings["OpenAI:Endpoint"] = _openAI.BaseAddress.ToString();
        _factory.Settings["Providers:ModelRefreshInterval"] = refreshInterval;
        if (baseModel is not null)
            _factory.Settings["OpenAI:BaseModel"] = baseModel;
        _app = _factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(_clock)));
        using var scope = _app.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        _admin = new CurrentUser((await users.FindByEmailAsync("admin@demo.local"))!.Id, true);
        _planner = new CurrentUser((await users.FindByEmailAsync("planner@demo.local"))!.Id, false);
        // The start-up read runs in the background: wait for it, so each test's own reads come after it.
        await WaitUntilAsync(() => Refresher.Rounds >= 1);
    }

    private ModelCatalog Catalog => _app.Services.GetRequiredService<ModelCatalog>();
    private ModelRegistry Registry => _app.Services.GetRequiredService<ModelRegistry>();
    private ModelCatalogRefresher Refresher => _app.Services.GetRequiredService<ModelCatalogRefresher>();
    private ProviderProfileService Profiles => _app.Services.GetRequiredService<ProviderProfileService>();

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
            await Task.Delay(20, timeout.Token);
    }

    private async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        using var scope = _app.Services.CreateScope();
        return await action(scope.ServiceProvider);
    }

    private async Task<List<ProviderModelEntity>> StoredAsync()
    {
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
        return await db.ProviderModels.AsNoTracking().Where(m => m.ProviderKey == "openai").OrderBy(m => m.Id).ToListAsync();
    }

    private async Task SucceededJobAsync(string provider = FineTuneProviders.OpenAI, string model = FineTuned, string baseModel = Mini)
    {
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
        db.FineTuneJobs.Add(new FineTuneJob
        {
            Provider = provider, BaseModel = baseModel, Status = FineTuneStatus.Succeeded, FineTunedModel = model, CreatedById = _admin.Id,
            CreatedAt = Today.AddDays(-3), FinishedAt = Today.AddDays(-2), NextAttemptAt = DateTimeOffset.MaxValue,
        }.Recommended());
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task A_job_on_a_shut_down_base_model_is_refused_and_the_preview_says_so_with_the_replacement()
    {
        _openAI.SetModels(new FakeModel(Mini, Shutdown), new FakeModel(Nano));
        await StartAsync(new DateTimeOffset(2027, 1, 15, 9, 0, 0, TimeSpan.Zero));
        await ValidatedExamples.SeedAsync(_app.Services, 12);

        var preview = await InScopeAsync(sp => sp.GetRequiredService<FineTuneService>().PreviewAsync("openai", 0, null, null));
        var result = await InScopeAsync(sp => sp.GetRequiredService<FineTuneService>().CreateAsync(new NewJobRequest("openai", ValidationPercent: 0), _admin));

        Assert.Equal($"OpenAI shut {Mini} down on 14 Jan 2027: it can no longer be fine-tuned. OpenAI still lists {Nano}: choose it (or another) as the base model in settings.",
            preview.Refusal);
        Assert.Equal(ModelStatus.ShutDown, preview.BaseLifecycle?.Status);
        Assert.False(result.Succeeded);
        Assert.Equal(preview.Refusal, result.Errors["Provider"]);
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
        Assert.Empty(db.FineTuneJobs);
        Assert.Empty(_openAI.RequestsTo(FakeRoute.CreateJob));
    }

    [Fact]
    public async Task A_retiring_base_model_is_warned_about_and_refused_once_openai_stops_taking_jobs()
    {
        _openAI.SetModels(new FakeModel(Mini, Shutdown));
        await StartAsync(Today);
        await ValidatedExamples.SeedAsync(_app.Services, 12);

        var warned = await InScopeAsync(sp => sp.GetRequiredService<FineTuneService>().PreviewAsync("openai", 0, null, null));
        _clock.SetUtcNow(new DateTimeOffset(2027, 1, 6, 0, 0, 0, TimeSpan.Zero));
        var refused = await InScopeAsync(sp => sp.GetRequiredService<FineTuneService>().PreviewAsync("openai", 0, null, null));

        Assert.Null(warned.Refusal);
        Assert.Equal($"{Mini} retires on 14 Jan 2027: the model this job makes stops answering then too, and plans fall back to the base model or the built-in planner. " +
                     "OpenAI accepts new jobs until 5 Jan 2027.", warned.Warning);
        Assert.Equal($"OpenAI stopped accepting new fine-tuning jobs on 6 Jan 2027, and shuts {Mini} down on 14 Jan 2027. Choose another base model in settings.",
            refused.Refusal);
    }

    [Fact]
    public async Task A_provider_that_no_longer_trains_for_the_organisation_refuses_new_jobs()
    {
        await StartAsync(Today);
        await ValidatedExamples.SeedAsync(_app.Services, 12);
        await Profiles.SetTrainingUnavailableAsync("openai", "training_not_available");

        var result = await InScopeAsync(sp => sp.GetRequiredService<FineTuneService>().CreateAsync(new NewJobRequest("openai", ValidationPercent: 0), _admin));
        var local = await InScopeAsync(sp => sp.GetRequiredService<FineTuneService>().PreviewAsync("local", 0, null, null));

        Assert.Equal("OpenAI no longer accepts fine-tuning jobs for this organisation (since 1 Dec 2026).", result.Errors["Provider"]);
        Assert.Null(local.Refusal);
    }

    [Fact]
    public async Task Deploying_a_retiring_model_carries_a_warning_and_a_shut_down_one_is_refused()
    {
        _openAI.SetModels(new FakeModel(Mini, Shutdown));
        await StartAsync(Today);
        await SucceededJobAsync();

        var candidate = (await Registry.ListAsync()).Single(m => m.Model == FineTuned);
        var (refusal, warning) = ModelRegistry.DeployCheck(candidate);
        var deployed = await Registry.DeployAsync(FineTuned, _admin);
        await Registry.RollbackAsync(_admin);
        _clock.SetUtcNow(new DateTimeOffset(2027, 1, 14, 8, 0, 0, TimeSpan.Zero));
        var refused = await Registry.DeployAsync(FineTuned, _admin);

        Assert.Null(refusal);
        Assert.StartsWith($"{FineTuned} retires soon. OpenAI shuts {FineTuned} down with its base model {Mini} on 14 Jan 2027, in 44 days", warning);
        Assert.True(deployed.Succeeded, deployed.Message);
        Assert.Contains($"Note: {warning}", deployed.Message);
        Assert.False(refused.Succeeded);
        Assert.StartsWith($"{FineTuned} cannot be deployed: OpenAI shut {FineTuned} down with its base model {Mini} on 14 Jan 2027", refused.Message);
        Assert.Null(await Registry.ActiveAsync());
    }

    [Fact]
    public async Task An_azure_fine_tune_deploys_only_under_a_deployment_name_which_its_calls_then_use()
    {
        const string AzureModel = "gpt-4o-mini-2024-07-18.ft-0123456789abcdef";
        await StartAsync(Today);
        var saved = await Profiles.SaveAsync(new ProviderProfileInput("azure-test", "Azure OpenAI (test)", ProviderKind.AzureOpenAI,
            new Uri(_openAI.Root, "/openai/v1/").ToString(), FakeOpenAIServer.DefaultApiKey, false, [new ProviderBaseModel(Mini, "mini-base")]), _admin);
        Assert.True(saved.Succeeded, string.Join("; ", saved.Errors.Values));
        await SucceededJobAsync("azure-test", AzureModel);

        var unnamed = await Registry.DeployAsync(AzureModel, _admin);
        var badName = await Registry.DeployAsync(AzureModel, _admin, deploymentName: "has spaces");
        var named = await Registry.DeployAsync(AzureModel, _admin, deploymentName: " mp-spring ");
        var selection = await InScopeAsync(sp => sp.GetRequiredService<ModelSelector>().SelectAsync());

        Assert.Equal((false, ModelRegistry.DeploymentNameNeeded), unnamed.Outcome());
        Assert.False(badName.Succeeded);
        Assert.True(named.Succeeded, named.Message);
        Assert.Equal("mp-spring", (await Registry.ActiveAsync())!.DeploymentName);
        Assert.Equal("mp-spring", selection.FineTuned!.Deployment);
        Assert.Equal("mini-base", selection.Base.Deployment);
    }

}
