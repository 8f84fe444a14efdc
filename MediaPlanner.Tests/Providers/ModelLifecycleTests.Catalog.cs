using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Domain.Providers;
using MediaPlanner.Tests.Fakes;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaPlanner.Tests.Providers;

// The model lists the providers publish, their shutdown dates, and the base model offered when none is chosen.
public sealed partial class ModelLifecycleTests
{
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
}
