using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Planning;
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
public sealed class ModelLifecycleTests : IAsyncLifetime
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
    public async Task Refresh_stores_each_model_with_its_shutdown_date_and_marks_models_no_longer_listed()
    {
        _openAI.SetModels(new FakeModel(Mini, Shutdown), new FakeModel("gpt-4.1-mini-2025-04-14"), new FakeModel("gpt-5-mini"));
        await StartAsync(Today);

        var first = await Catalog.RefreshAsync("openai");
        _openAI.SetModels(new FakeModel(Mini, Shutdown), new FakeModel("gpt-5-mini"));
        _clock.Advance(TimeSpan.FromHours(1));
        var second = await Catalog.RefreshAsync("openai");

        Assert.True(first.Succeeded, first.Error);
        Assert.Equal(3, first.Listed);
        Assert.Equal((2, 1), (second.Listed, second.Unlisted));
        var rows = await StoredAsync();
        var mini = rows.Single(r => r.ModelId == Mini);
        Assert.Equal(Shutdown, mini.ShutdownDate);
        Assert.Equal("system", mini.OwnedBy);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1721172741), mini.CreatedAt);
        Assert.True(mini.Listed);
        Assert.Null(rows.Single(r => r.ModelId == "gpt-5-mini").ShutdownDate);
        var gone = rows.Single(r => r.ModelId == "gpt-4.1-mini-2025-04-14");
        Assert.False(gone.Listed);
        Assert.Equal(Today, gone.LastSeenAt);
        Assert.Equal(Today.AddHours(1), mini.LastSeenAt);
        Assert.Equal(ModelStatus.Unlisted, Catalog.Lifecycle("openai", gone.ModelId).Status);
        Assert.Equal(Today.AddHours(1), Profiles.Get("openai")!.State.ModelsRefreshedAt);
        Assert.Null(Profiles.Get("openai")!.State.ModelsRefreshError);
    }

    [Fact]
    public async Task A_refused_key_or_a_server_error_is_recorded_in_plain_words_and_the_last_list_is_kept()
    {
        _openAI.SetModels(new FakeModel(Mini, Shutdown));
        await StartAsync(Today);

        _openAI.Inject(FakeRoute.ListModels, new FakeFault.Unauthorized(), times: 1);
        var refused = await Catalog.RefreshAsync("openai");
        var refusedState = Profiles.Get("openai")!.State;
        _openAI.Inject(FakeRoute.ListModels, new FakeFault.HttpStatus(503), times: 1);
        var failed = await Catalog.RefreshAsync("openai");
        var failedState = Profiles.Get("openai")!.State;
        var recovered = await Catalog.RefreshAsync("openai");

        Assert.False(refused.Succeeded);
        Assert.Equal("OpenAI rejected the API key (401). Check the key in settings.", refused.Error);
        Assert.Equal(refused.Error, refusedState.ModelsRefreshError);
        Assert.DoesNotContain(FakeOpenAIServer.DefaultApiKey, refused.Error);
        Assert.False(failed.Succeeded);
        Assert.Contains("server error (HTTP 503)", failedState.ModelsRefreshError);
        // The list read at start-up still decides meanwhile.
        Assert.Equal(ModelStatus.Retiring, Catalog.Lifecycle("openai", Mini).Status);
        Assert.True(recovered.Succeeded);
        Assert.Null(Profiles.Get("openai")!.State.ModelsRefreshError);
    }

    [Fact]
    public async Task An_unreachable_provider_is_recorded_without_throwing()
    {
        await StartAsync(Today);
        await _openAI.DisposeAsync();

        var result = await Catalog.RefreshAsync("openai");

        Assert.False(result.Succeeded);
        Assert.Equal("OpenAI could not be reached; the list is read again at the next refresh.", Profiles.Get("openai")!.State.ModelsRefreshError);
    }

    [Fact]
    public async Task The_refresher_reads_the_lists_at_start_up_and_again_after_the_interval()
    {
        await StartAsync(Today, refreshInterval: "12:00:00");
        Assert.Single(_openAI.RequestsTo(FakeRoute.ListModels));
        Assert.Contains(await StoredAsync(), r => r.ModelId == Mini && r.ShutdownDate is null);

        _openAI.SetModels(new FakeModel(Mini, Shutdown));
        _clock.Advance(TimeSpan.FromHours(11));
        Assert.Equal(1, Refresher.Rounds);
        _clock.Advance(TimeSpan.FromHours(1));
        await WaitUntilAsync(() => Refresher.Rounds >= 2);

        Assert.Equal(2, _openAI.RequestsTo(FakeRoute.ListModels).Count());
        Assert.Equal(Shutdown, (await StoredAsync()).Single(r => r.ModelId == Mini).ShutdownDate);
    }

    [Fact]
    public async Task A_model_is_retiring_from_60_days_before_its_shutdown_date_and_shut_down_on_the_day_and_fine_tunes_follow_their_base()
    {
        const string OwnDate = "ft:gpt-4o-mini-2024-07-18:mediaplanner:own:xyz789";
        _openAI.SetModels(new FakeModel(Mini, Shutdown), new FakeModel(OwnDate, new DateOnly(2027, 3, 1), "user-mediaplanner"), new FakeModel(Nano));
        await StartAsync(new DateTimeOffset(2026, 11, 14, 23, 59, 0, TimeSpan.Zero));

        var dayBefore = Catalog.Lifecycle("openai", Mini);
        _clock.SetUtcNow(new DateTimeOffset(2026, 11, 15, 0, 0, 0, TimeSpan.Zero));
        var firstDay = Catalog.Lifecycle("openai", Mini);
        var fineTune = Catalog.Lifecycle("openai", FineTuned);
        var checkpoint = Catalog.Lifecycle("openai", FineTuned + ":ckpt-step-10");
        var ownRow = Catalog.Lifecycle("openai", OwnDate);
        _clock.SetUtcNow(new DateTimeOffset(2027, 1, 13, 23, 0, 0, TimeSpan.Zero));
        var lastDay = Catalog.Lifecycle("openai", Mini);
        _clock.SetUtcNow(new DateTimeOffset(2027, 1, 14, 0, 0, 0, TimeSpan.Zero));
        var shutDown = Catalog.Lifecycle("openai", Mini);
        var fineTuneShutDown = Catalog.Lifecycle("openai", FineTuned);

        Assert.Equal(ModelStatus.Active, dayBefore.Status);
        Assert.Equal(ModelStatus.Retiring, firstDay.Status);
        Assert.Equal("Retiring 14 Jan 2027", firstDay.Label);
        Assert.Contains("in 60 days", firstDay.Message);
        Assert.Equal((ModelStatus.Retiring, Shutdown), (fineTune.Status, fineTune.ShutdownDate));
        Assert.Contains($"with its base model {Mini}", fineTune.Message);
        Assert.Equal(ModelStatus.Retiring, checkpoint.Status);
        Assert.Equal((ModelStatus.Active, new DateOnly(2027, 3, 1)), (ownRow.Status, ownRow.ShutdownDate));
        Assert.Contains("in 1 day:", lastDay.Message);
        Assert.Equal(ModelStatus.ShutDown, shutDown.Status);
        Assert.Equal("Shut down", shutDown.Label);
        Assert.Equal(ModelStatus.ShutDown, fineTuneShutDown.Status);
        Assert.Equal(ModelStatus.Active, Catalog.Lifecycle("openai", Nano).Status);
        Assert.Equal(ModelStatus.Unknown, Catalog.Lifecycle("openai", "gpt-9-preview").Status);
        Assert.Equal(ModelStatus.Active, Catalog.Lifecycle("local", "local-mix:ft-house-3").Status);
        // The default offered in place of the shut-down model is the first active fine-tunable one.
        Assert.Equal(Nano, Catalog.SuggestBaseModel("openai"));
    }

    [Fact]
    public async Task With_no_base_model_chosen_the_first_active_fine_tunable_model_of_the_list_is_offered_and_used()
    {
        _openAI.SetModels(new FakeModel("gpt-5-mini"), new FakeModel(Mini, Shutdown), new FakeModel("gpt-4o"), new FakeModel(Nano));
        await StartAsync(Today, baseModel: null);
        await ValidatedExamples.SeedAsync(_app.Services, 12);

        var preview = await InScopeAsync(sp => sp.GetRequiredService<FineTuneService>().PreviewAsync("openai", 0, null, null));

        // gpt-5-mini is no fine-tunable snapshot, gpt-4o-mini retires, gpt-4o is an alias: the nano snapshot is the first that fits.
        Assert.Equal(Nano, preview.BaseModel);
        Assert.Null(preview.Refusal);
        Assert.Equal(Nano, Registry.OpenAIBase?.Model);
        Assert.Contains(await Registry.ListAsync(), m => m is { Provider: "openai", Kind: ModelKind.Base, Model: Nano });
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

    private async Task<int> BriefAsync() => await InScopeAsync(async sp => (await sp.GetRequiredService<BriefService>().CreateAsync(TestBriefs.Input("Sunset Co"), _planner)).Value);

    [Fact]
    public async Task When_the_deployed_model_shuts_down_its_deployment_ends_as_the_system_and_the_base_model_plans()
    {
        // The fine-tune has a date of its own, before its base model's.
        _openAI.SetModels(new FakeModel(Mini), new FakeModel(FineTuned, new DateOnly(2026, 12, 20), "user-mediaplanner"));
        await StartAsync(Today);
        await SucceededJobAsync();
        Assert.True((await Registry.DeployAsync(FineTuned, _admin)).Succeeded);
        var briefId = await BriefAsync();

        _clock.SetUtcNow(new DateTimeOffset(2026, 12, 20, 0, 0, 0, TimeSpan.Zero));
        var run = await InScopeAsync(sp => sp.GetRequiredService<PlanGenerator>().GenerateSideBySideAsync(briefId, _planner));
        var primary = await run.Primary;

        const string Reason = $"{FineTuned} was shut down by OpenAI on 20 Dec 2026; plans come from the base model {Mini}.";
        Assert.Equal((ModelRole.Base, Mini), (primary.Role, primary.Model));
        Assert.True(primary.Succeeded, primary.Error);
        Assert.Equal(Reason, primary.Reason);
        Assert.Null(run.Comparison);
        Assert.DoesNotContain(_openAI.ChatRequests, r => r.Model == FineTuned);
        Assert.Null(await Registry.ActiveAsync());
        await using (var db = await _app.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync())
        {
            var ended = await db.Deployments.SingleAsync();
            Assert.Equal((new DateTimeOffset(2026, 12, 20, 0, 0, 0, TimeSpan.Zero), "system", Reason), (ended.EndedAt!.Value, ended.EndedById!, ended.EndReason!));
            var entry = await db.AuditEntries.SingleAsync(a => a.Action == AuditActions.ModelShutdown);
            Assert.Equal(("system", FineTuned), (entry.UserId, entry.EntityId!));
            Assert.Contains(Reason, entry.Summary);
        }
        var alert = await Registry.ShutdownAlertAsync();
        Assert.Equal((FineTuned, Reason), (alert?.Model, alert?.Reason));

        await Registry.DismissShutdownAlertAsync(alert!.DeploymentId, _admin);
        Assert.Null(await Registry.ShutdownAlertAsync());
    }

    [Fact]
    public async Task When_the_base_model_shuts_down_on_the_same_day_the_built_in_planner_plans_and_the_alert_stays_until_another_deploy()
    {
        _openAI.SetModels(new FakeModel(Mini, Shutdown));
        await StartAsync(Today);
        await SucceededJobAsync();
        Assert.True((await Registry.DeployAsync(FineTuned, _admin)).Succeeded);
        var briefId = await BriefAsync();
        await using (var db = await _app.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync())
        {
            db.FineTuneJobs.Add(new FineTuneJob
            {
                Provider = FineTuneProviders.Local, BaseModel = "local-mix-v1", Status = FineTuneStatus.Succeeded, FineTunedModel = "local-mix:ft-after-1",
                CreatedById = _admin.Id, CreatedAt = Today, FinishedAt = Today, NextAttemptAt = DateTimeOffset.MaxValue,
                ResultParametersJson = MediaMixParameters.Default.ToJson(),
            }.Recommended());
            await db.SaveChangesAsync();
        }

        _clock.SetUtcNow(new DateTimeOffset(2027, 1, 14, 6, 0, 0, TimeSpan.Zero));
        var chats = _openAI.ChatRequests.Count;
        var plans = await InScopeAsync(sp => sp.GetRequiredService<PlanGenerator>().GenerateAsync(briefId, _planner));
        var alert = await Registry.ShutdownAlertAsync();

        Assert.NotEmpty(plans);
        Assert.All(plans, p => Assert.Equal(("local", "local-mix-v1"), (p.Entity.Provider, p.Entity.Model)));
        Assert.Equal(chats, _openAI.ChatRequests.Count);
        Assert.Equal($"{FineTuned} was shut down by OpenAI on 14 Jan 2027; plans come from the built-in planner, since its base model {Mini} was shut down too.",
            alert?.Reason);
        // With nothing deployed, the configured base model is shut down too: the built-in planner goes on planning.
        var selection = await InScopeAsync(sp => sp.GetRequiredService<ModelSelector>().SelectAsync());
        Assert.Equal(Registry.LocalBase, selection.Primary);
        Assert.Contains("The built-in planner plans instead.", selection.Reason);

        Assert.True((await Registry.DeployAsync("local-mix:ft-after-1", _admin)).Succeeded);
        Assert.Null(await Registry.ShutdownAlertAsync());
    }

    [Fact]
    public async Task A_404_for_the_deployed_model_reads_the_list_again_so_a_new_shutdown_takes_effect_before_the_next_plan()
    {
        await StartAsync(Today);
        await SucceededJobAsync();
        Assert.True((await Registry.DeployAsync(FineTuned, _admin)).Succeeded);
        var briefId = await BriefAsync();
        // OpenAI shut the model down earlier than the list read at start-up said.
        _openAI.Chat.UnknownModels.Add(FineTuned);
        _openAI.SetModels(new FakeModel(Mini), new FakeModel(FineTuned, DateOnly.FromDateTime(Today.UtcDateTime), "user-mediaplanner"));

        var first = await InScopeAsync(sp => sp.GetRequiredService<PlanGenerator>().GenerateSideBySideAsync(briefId, _planner));
        await Task.WhenAll(first.Primary, first.Comparison!);
        var notFound = _openAI.ChatRequests.Count(r => r.Model == FineTuned);
        var reads = _openAI.RequestsTo(FakeRoute.ListModels).Count();
        var second = await InScopeAsync(sp => sp.GetRequiredService<PlanGenerator>().GenerateSideBySideAsync(briefId, _planner));
        var plans = await second.Primary;

        Assert.True(notFound > 0);
        Assert.Equal(reads + 1, _openAI.RequestsTo(FakeRoute.ListModels).Count());
        Assert.Equal(notFound, _openAI.ChatRequests.Count(r => r.Model == FineTuned));
        Assert.Equal((ModelRole.Base, Mini), (plans.Role, plans.Model));
        Assert.Null(second.Comparison);
        Assert.Null(await Registry.ActiveAsync());
    }

    [Fact]
    public async Task The_refresher_ends_a_shut_down_deployment_even_when_nobody_plans()
    {
        _openAI.SetModels(new FakeModel(Mini, Shutdown));
        await StartAsync(Today, refreshInterval: "1.00:00:00");
        await SucceededJobAsync();
        Assert.True((await Registry.DeployAsync(FineTuned, _admin)).Succeeded);

        _clock.SetUtcNow(new DateTimeOffset(2027, 1, 14, 8, 0, 0, TimeSpan.Zero));
        await WaitUntilAsync(() => Refresher.Rounds >= 2);

        Assert.Null(await Registry.ActiveAsync());
        Assert.NotNull(await Registry.ShutdownAlertAsync());
    }
}
