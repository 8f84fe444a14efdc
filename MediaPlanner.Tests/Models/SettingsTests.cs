using System.Collections.Concurrent;
using System.Net;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Providers.OpenAI;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Fakes;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenAI.FineTuning;

#pragma warning disable OPENAI001 // fine-tuning is experimental in the SDK

namespace MediaPlanner.Tests.Models;

/// <summary>Records every log line the app writes, at every level, formatted and with its structured values and exception.</summary>
public sealed class LogRecorder : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Recorder(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Recorder(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            lines.Enqueue($"{category} scope: {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(", ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} [{values}] {exception}");
        }
    }
}

/// <summary>
/// The app over a private database, with a private Data Protection key ring (so a second app over the same database
/// and key ring can be started, and one with another key ring) and every log line recorded.
/// </summary>
public sealed class SettingsAppFixture : IDisposable
{
    public SettingsAppFixture()
    {
        Factory.Settings["DataProtection:KeysPath"] = KeysPath;
        App = Factory.WithWebHostBuilder(b => b.ConfigureLogging(logging =>
        {
            logging.AddProvider(Logs);
            logging.AddFilter<LogRecorder>(null, LogLevel.Trace);
        }));
    }

    public string KeysPath { get; } = Directory.CreateTempSubdirectory("mp-keys-").FullName;

    public LogRecorder Logs { get; } = new();

    public MediaPlannerFactory Factory { get; } = new();

    public WebApplicationFactory<Program> App { get; }

    public async Task<HttpClient> SignInAsync(string email)
    {
        var client = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var response = await MediaPlannerFactory.PostLoginAsync(client, email, DatabaseInitializer.DemoPassword);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    public void Dispose()
    {
        Factory.Dispose();
        try
        {
            Directory.Delete(KeysPath, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}

public sealed class SettingsTests(SettingsAppFixture fixture) : IClassFixture<SettingsAppFixture>
{
    private static string NewKey() => $"sk-test-{Guid.NewGuid():N}{Guid.NewGuid():N}"[..60];

    private ProviderSettingsService ProviderSettings => fixture.App.Services.GetRequiredService<ProviderSettingsService>();

    private SelectionSettingsService Selection => fixture.App.Services.GetRequiredService<SelectionSettingsService>();

    private PriceSettingsService Prices => fixture.App.Services.GetRequiredService<PriceSettingsService>();

    private OpenAIOptions Options => fixture.App.Services.GetRequiredService<IOptionsMonitor<OpenAIOptions>>().CurrentValue;

    private async Task<CurrentUser> AdminAsync()
    {
        using var scope = fixture.App.Services.CreateScope();
        var admin = await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync("admin@demo.local");
        return new CurrentUser(admin!.Id, IsAdmin: true);
    }

    private async Task<Dictionary<string, string>> RowsAsync()
    {
        await using var db = await fixture.App.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
        return await db.Settings.AsNoTracking().ToDictionaryAsync(s => s.Key, s => s.Value);
    }

    [Fact]
    public async Task A_saved_key_is_stored_encrypted_and_the_options_follow_at_once()
    {
        var admin = await AdminAsync();
        var before = Options;
        var key = NewKey();

        var result = await ProviderSettings.SaveProviderAsync("https://contoso.openai.azure.com/openai/v1/", "gpt-4o-2024-08-06", key, false, admin);

        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Values));
        var rows = await RowsAsync();
        var stored = rows[ProviderSettingsService.ApiKeyKey];
        Assert.NotEqual(key, stored);
        Assert.DoesNotContain(key, stored);
        Assert.DoesNotContain(key[8..], stored);
        Assert.All(rows.Values, v => Assert.DoesNotContain(key, v));

        var after = Options;
        Assert.NotSame(before, after);
        Assert.Equal(key, after.ApiKey);
        Assert.Equal("https://contoso.openai.azure.com/openai/v1/", after.Endpoint);
        Assert.Equal("gpt-4o-2024-08-06", after.BaseModel);
        Assert.True(after.IsAzure);
        Assert.DoesNotContain(key, after.ToString());

        var view = ProviderSettings.GetProvider();
        Assert.True(view.HasApiKey);
        Assert.Equal(ApiKeySource.Settings, view.KeySource);
        Assert.Equal($"sk-…{key[^4..]}", view.ApiKeyHint);
        Assert.DoesNotContain(key, view.ToString());
        Assert.Equal(key, fixture.App.Services.GetRequiredService<OpenAIClientFactory>().Options.ApiKey);

        var removed = await ProviderSettings.SaveProviderAsync(null, null, null, clearApiKey: true, admin);

        Assert.True(removed.Succeeded);
        Assert.False((await RowsAsync()).ContainsKey(ProviderSettingsService.ApiKeyKey));
        Assert.Null(Options.ApiKey);
        Assert.Equal("https://contoso.openai.azure.com/openai/v1/", Options.Endpoint);
        Assert.Equal(new ProviderSettingsView("https://contoso.openai.azure.com/openai/v1/", "gpt-4o-2024-08-06", false, null, ApiKeySource.None, false),
            ProviderSettings.GetProvider());
    }

    [Fact]
    public async Task The_running_client_calls_openai_with_the_saved_key_and_endpoint_without_a_restart()
    {
        var admin = await AdminAsync();
        var key = NewKey();
        await using var openAI = await FakeOpenAIServer.StartAsync(key);
        var clients = fixture.App.Services.GetRequiredService<OpenAIClientFactory>();

        var result = await ProviderSettings.SaveProviderAsync(openAI.BaseAddress.ToString(), "gpt-4o-mini-2024-07-18", key, false, admin);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Values));
        await foreach (var page in clients.CreateFineTuningClient().GetJobsAsync(new FineTuningJobCollectionOptions { PageSize = 1 }).GetRawPagesAsync())
            break;

        var request = Assert.Single(openAI.RequestsTo(FakeRoute.ListJobs));
        Assert.True(request.Authorized);

        await ProviderSettings.SaveProviderAsync(null, null, null, clearApiKey: true, admin);
        var error = Assert.Throws<InvalidOperationException>(() => clients.CreateClient());
        Assert.Contains("No OpenAI API key", error.Message);
    }

    [Fact]
    public async Task A_second_app_over_the_same_database_and_key_ring_decrypts_the_key_and_one_with_another_key_ring_says_it_cannot()
    {
        var admin = await AdminAsync();
        var key = NewKey();
        Assert.True((await ProviderSettings.SaveProviderAsync(null, null, key, false, admin)).Succeeded);

        // Same configuration (database, DataProtection:KeysPath), new host: new singletons, nothing cached.
        using (var second = fixture.Factory.WithWebHostBuilder(b => b.UseSetting("Instance", "second")))
        {
            Assert.Equal(key, second.Services.GetRequiredService<IOptionsMonitor<OpenAIOptions>>().CurrentValue.ApiKey);
            var view = second.Services.GetRequiredService<ProviderSettingsService>().GetProvider();
            Assert.Equal(ApiKeySource.Settings, view.KeySource);
            Assert.False(view.SavedKeyUnreadable);
        }

        var otherKeys = Directory.CreateTempSubdirectory("mp-keys-other-").FullName;
        try
        {
            using var stranger = fixture.Factory.WithWebHostBuilder(b => b.UseSetting("DataProtection:KeysPath", otherKeys));
            Assert.Null(stranger.Services.GetRequiredService<IOptionsMonitor<OpenAIOptions>>().CurrentValue.ApiKey);
            var view = stranger.Services.GetRequiredService<ProviderSettingsService>().GetProvider();
            Assert.True(view.SavedKeyUnreadable);
            Assert.False(view.HasApiKey);
            Assert.Equal(ApiKeySource.None, view.KeySource);
        }
        finally
        {
            Directory.Delete(otherKeys, recursive: true);
        }
        await ProviderSettings.SaveProviderAsync(null, null, null, clearApiKey: true, admin);
    }

    [Fact]
    public async Task The_key_never_reaches_the_settings_page_nor_any_log_line()
    {
        var admin = await AdminAsync();
        var key = NewKey();
        Assert.True((await ProviderSettings.SaveProviderAsync(null, null, key, false, admin)).Succeeded);
        // Things that end up in logs in practice: the options object and the page's view of the settings.
        var logger = fixture.App.Services.GetRequiredService<ILogger<SettingsTests>>();
        logger.LogInformation("Options now {Options}; view {View}", Options, ProviderSettings.GetProvider());
        var client = await fixture.SignInAsync("admin@demo.local");

        var response = await client.GetAsync("/admin/settings");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains($"Key saved (sk-…{key[^4..]})", html);
        Assert.DoesNotContain(key, html);
        Assert.DoesNotContain(key[8..^4], html);
        // The key is only ever entered in the provider dialog, whose field starts empty; the page has no key field at all.
        Assert.DoesNotMatch("<input[^>]*type=\"password\"", html);

        var lines = fixture.Logs.Lines;
        Assert.Contains(lines, l => l.Contains("OpenAI provider settings saved by user", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Options now OpenAIOptions", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.DoesNotContain(key[8..^4], l));
        await ProviderSettings.SaveProviderAsync(null, null, null, clearApiKey: true, admin);
    }

    [Fact]
    public async Task Admins_open_the_settings_page_with_every_section_and_see_it_in_the_navigation()
    {
        var client = await fixture.SignInAsync("admin@demo.local");

        var html = WebUtility.HtmlDecode(await client.GetStringAsync("/admin/settings"));

        Assert.Contains("Active model", html);
        Assert.Contains("Model selection", html);
        Assert.Contains("Providers", html);
        Assert.Contains("data-testid=\"provider-local\"", html);
        Assert.Contains("data-testid=\"provider-openai\"", html);
        Assert.Contains("Prices per 1M tokens", html);
        Assert.Contains("gpt-4o-mini-2024-07-18", html);
        Assert.Contains("href=\"admin/settings\"", html);
    }

    [Theory]
    [InlineData("planner@demo.local")]
    [InlineData("reviewer@demo.local")]
    public async Task Planners_and_reviewers_are_refused_the_settings_page_and_do_not_see_the_link(string email)
    {
        var client = await fixture.SignInAsync(email);

        var response = await client.GetAsync("/admin/settings");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Account/AccessDenied", response.Headers.Location!.AbsolutePath);
        Assert.DoesNotContain("href=\"admin/settings\"", await client.GetStringAsync("/"));
    }

    [Fact]
    public async Task Anonymous_users_are_sent_to_sign_in()
    {
        var client = fixture.App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await client.GetAsync("/admin/settings");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/Account/Login", response.Headers.Location!.AbsolutePath);
    }

    [Fact]
    public async Task Only_admins_may_change_settings()
    {
        var planner = new CurrentUser("planner-x", IsAdmin: false);

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Selection.SaveSelectionAsync(SelectionSettings.Default, planner));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => ProviderSettings.SaveProviderAsync(null, null, NewKey(), false, planner));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Prices.DeletePriceAsync("gpt-4o-2024-08-06", planner));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a url")]
    [InlineData("ftp://api.openai.com/v1")]
    [InlineData("https://api.openai.com")]
    [InlineData("https://contoso.openai.azure.com/openai/deployments/x")]
    [InlineData("https://user:secret@api.openai.com/v1")]
    [InlineData("https://api.openai.com/v1?key=abc")]
    public async Task An_invalid_endpoint_is_refused_with_the_reason_and_changes_nothing(string endpoint)
    {
        var admin = await AdminAsync();
        var before = ProviderSettings.GetProvider();
        var options = Options;

        var result = await ProviderSettings.SaveProviderAsync(endpoint, "gpt-4o-mini-2024-07-18", NewKey(), false, admin);

        Assert.False(result.Succeeded);
        Assert.Equal(OpenAIOptions.ValidateEndpoint(endpoint), result.Errors["Endpoint"]);
        Assert.Equal(before, ProviderSettings.GetProvider());
        Assert.Same(options, Options);
    }

    [Fact]
    public async Task An_empty_base_model_removes_the_saved_choice_so_the_providers_list_decides()
    {
        var admin = await AdminAsync();
        Assert.True((await ProviderSettings.SaveProviderAsync(null, "gpt-4o-2024-08-06", null, false, admin)).Succeeded);

        var result = await ProviderSettings.SaveProviderAsync(null, "  ", null, false, admin);

        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Values));
        Assert.False((await RowsAsync()).ContainsKey("OpenAI.BaseModel"));
        Assert.Equal("", ProviderSettings.GetProvider().BaseModel);
        Assert.Equal("", Options.BaseModel);
    }

    [Theory]
    [InlineData("gpt 4o", null, false, "BaseModel")]
    [InlineData("gpt-4o-mini-2024-07-18", "sk-has a space-1234567890", false, "ApiKey")]
    [InlineData("gpt-4o-mini-2024-07-18", "sk-new-key-1234567890abcdef", true, "ApiKey")]
    public async Task A_bad_base_model_or_key_is_refused_at_its_field(string baseModel, string? key, bool clear, string field)
    {
        var result = await ProviderSettings.SaveProviderAsync(OpenAIOptions.DefaultEndpoint, baseModel, key, clear, await AdminAsync());

        Assert.False(result.Succeeded);
        Assert.True(result.Errors.ContainsKey(field), string.Join("; ", result.Errors.Keys));
        if (key is not null)
            Assert.DoesNotContain(key, result.Errors[field]);
    }

    public static TheoryData<AutoThresholds, string> BadThresholds => new()
    {
        { new AutoThresholds(Window: 4), nameof(AutoThresholds.Window) },
        { new AutoThresholds(Window: 1001), nameof(AutoThresholds.Window) },
        { new AutoThresholds(MinSamples: 0), nameof(AutoThresholds.MinSamples) },
        { new AutoThresholds(Window: 20, MinSamples: 21), nameof(AutoThresholds.MinSamples) },
        { new AutoThresholds(MinSuccessRate: 1.5), nameof(AutoThresholds.MinSuccessRate) },
        { new AutoThresholds(MinSuccessRate: -0.1), nameof(AutoThresholds.MinSuccessRate) },
        { new AutoThresholds(MinSuccessRate: double.NaN), nameof(AutoThresholds.MinSuccessRate) },
        { new AutoThresholds(QualityTolerance: 101), nameof(AutoThresholds.QualityTolerance) },
        { new AutoThresholds(QualityTolerance: -1), nameof(AutoThresholds.QualityTolerance) },
        { new AutoThresholds(MaxLatencyRatio: 0.5), nameof(AutoThresholds.MaxLatencyRatio) },
        { new AutoThresholds(MaxCostRatio: 0.99), nameof(AutoThresholds.MaxCostRatio) },
        { new AutoThresholds(DailyBudgetUsd: -1m), nameof(AutoThresholds.DailyBudgetUsd) },
    };

    [Theory]
    [MemberData(nameof(BadThresholds))]
    public async Task Out_of_range_thresholds_are_refused_at_their_field(AutoThresholds thresholds, string field)
    {
        var before = Selection.GetSelection();

        var result = await Selection.SaveSelectionAsync(new SelectionSettings(SelectionStrategy.Auto, thresholds), await AdminAsync());

        Assert.False(result.Succeeded);
        Assert.Equal(field, Assert.Single(result.Errors).Key);
        Assert.Equal(before, Selection.GetSelection());
    }

    [Fact]
    public async Task Valid_selection_settings_are_saved_and_read_back_by_a_fresh_service()
    {
        var saved = new SelectionSettings(SelectionStrategy.FineTunedOnly,
            new AutoThresholds(Window: 5, MinSamples: 5, MinSuccessRate: 0, QualityTolerance: 100, MaxLatencyRatio: 1, MaxCostRatio: 1, DailyBudgetUsd: 0m));

        var result = await Selection.SaveSelectionAsync(saved, await AdminAsync());

        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Values));
        Assert.Equal(saved, Selection.GetSelection());
        var fresh = ActivatorUtilities.CreateInstance<SelectionSettingsService>(fixture.App.Services,
            ActivatorUtilities.CreateInstance<SettingsStore>(fixture.App.Services));
        Assert.Equal(saved, fresh.GetSelection());
        Assert.Contains("FineTunedOnly", (await RowsAsync())[SelectionSettingsService.SelectionKey]);
        await Selection.SaveSelectionAsync(SelectionSettings.Default, await AdminAsync());
    }

    [Fact]
    public async Task A_price_row_is_added_updated_and_deleted_and_a_fine_tuned_model_gets_its_own()
    {
        var admin = await AdminAsync();
        const string Model = "ft:gpt-4o-mini-2024-07-18:acme:spring:abc123";
        var price = new ModelPrice { Model = Model, InputPerMillion = 0.30m, OutputPerMillion = 1.20m, Source = "OpenAI pricing page (fine-tuned)", AsOf = new(2026, 11, 1) };

        Assert.True((await Prices.SavePriceAsync(price, admin)).Succeeded);
        var added = Assert.Single(await Prices.PricesAsync(), p => p.Model == Model);
        Assert.Equal(0.30m, added.InputPerMillion);
        Assert.Null(added.TrainingPerMillion);

        var update = new ModelPrice { Model = $" {Model} ", InputPerMillion = 0.25m, OutputPerMillion = 1.00m, TrainingPerMillion = 0m, Source = " Invoice ", AsOf = new(2026, 11, 20) };
        Assert.True((await Prices.SavePriceAsync(update, admin)).Succeeded);
        var updated = Assert.Single(await Prices.PricesAsync(), p => p.Model == Model);
        Assert.Equal((0.25m, 1.00m, (decimal?)0m, "Invoice", new DateOnly(2026, 11, 20)),
            (updated.InputPerMillion, updated.OutputPerMillion, updated.TrainingPerMillion, updated.Source, updated.AsOf));
        Assert.Contains(await Prices.PricesAsync(), p => p.Model == "gpt-4o-mini-2024-07-18");

        Assert.True(await Prices.DeletePriceAsync(Model, admin));
        Assert.DoesNotContain(await Prices.PricesAsync(), p => p.Model == Model);
        Assert.False(await Prices.DeletePriceAsync(Model, admin));
    }

    [Fact]
    public async Task A_price_row_for_one_provider_sits_beside_the_any_provider_row_and_an_unknown_provider_is_refused_at_its_field()
    {
        var admin = await AdminAsync();
        const string Model = "gpt-4o-2024-08-06";
        var any = Assert.Single(await Prices.PricesAsync(), p => p.Model == Model);
        var own = new ModelPrice { Provider = "openai", Model = Model, InputPerMillion = 2.00m, OutputPerMillion = 8.00m, Source = "Negotiated rate", AsOf = new(2026, 11, 1) };

        Assert.True((await Prices.SavePriceAsync(own, admin)).Succeeded);

        var rows = (await Prices.PricesAsync()).Where(p => p.Model == Model).ToList();
        Assert.Equal(["", "openai"], rows.Select(p => p.Provider));
        Assert.Equal(any.InputPerMillion, rows[0].InputPerMillion);
        await using (var db = await fixture.App.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync())
            Assert.Equal(PriceBasis.Provider, (await PriceBook.LoadAsync(db)).Find("openai", Model).Basis);

        var unknown = await Prices.SavePriceAsync(new ModelPrice
        {
            Provider = "nowhere", Model = Model, InputPerMillion = 1m, OutputPerMillion = 1m, Source = "test", AsOf = new(2026, 11, 1),
        }, admin);
        Assert.Contains("no provider nowhere", Assert.Single(unknown.Errors, e => e.Key == nameof(ModelPrice.Provider)).Value);

        Assert.True(await Prices.DeletePriceAsync("openai", Model, admin));
        Assert.Equal([""], (await Prices.PricesAsync()).Where(p => p.Model == Model).Select(p => p.Provider));
    }

    public static TheoryData<ModelPrice, string> BadPrices => new()
    {
        { Price(p => p.Model = " "), nameof(ModelPrice.Model) },
        { Price(p => p.InputPerMillion = -0.01m), nameof(ModelPrice.InputPerMillion) },
        { Price(p => p.OutputPerMillion = -1m), nameof(ModelPrice.OutputPerMillion) },
        { Price(p => p.TrainingPerMillion = -3m), nameof(ModelPrice.TrainingPerMillion) },
        { Price(p => p.Source = ""), nameof(ModelPrice.Source) },
        { Price(p => p.AsOf = default), nameof(ModelPrice.AsOf) },
        { Price(p => p.AsOf = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(30)), nameof(ModelPrice.AsOf) },
    };

    private static ModelPrice Price(Action<ModelPrice> change)
    {
        var price = new ModelPrice { Model = "bad-price-model", InputPerMillion = 1m, OutputPerMillion = 2m, Source = "test", AsOf = new(2026, 1, 1) };
        change(price);
        return price;
    }

    [Theory]
    [MemberData(nameof(BadPrices))]
    public async Task A_bad_price_is_refused_at_its_field_and_not_stored(ModelPrice price, string field)
    {
        var result = await Prices.SavePriceAsync(price, await AdminAsync());

        Assert.False(result.Succeeded);
        Assert.Equal(field, Assert.Single(result.Errors).Key);
        Assert.DoesNotContain(await Prices.PricesAsync(), p => p.Model == "bad-price-model");
    }

    private async Task<int> AuditCountAsync()
    {
        await using var db = await fixture.App.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
        return await db.AuditEntries.CountAsync();
    }

    private static bool CarriesKey(RecordedRequest request, string key) => request.Headers.Values.Any(v => v.Contains(key, StringComparison.Ordinal));

    /// <summary>Tries one real call through the app's client factory; no key means it never leaves the app.</summary>
    private static async Task TryListJobsAsync(OpenAIClientFactory clients)
    {
        try
        {
            await foreach (var page in clients.CreateFineTuningClient().GetJobsAsync(new FineTuningJobCollectionOptions { PageSize = 1 }).GetRawPagesAsync())
                break;
        }
        catch (InvalidOperationException)
        {
            // No key for this endpoint: the client refuses to be built.
        }
    }

    [Fact]
    public async Task Changing_only_the_endpoint_of_a_saved_key_is_refused_at_the_key_field_and_saves_and_audits_nothing()
    {
        var admin = await AdminAsync();
        var key = NewKey();
        await using var openAI = await FakeOpenAIServer.StartAsync(key);
        Assert.True((await ProviderSettings.SaveProviderAsync(openAI.BaseAddress.ToString(), null, key, false, admin)).Succeeded);
        var rows = await RowsAsync();
        var audits = await AuditCountAsync();
        var options = Options;

        var result = await ProviderSettings.SaveProviderAsync("https://attacker.example/v1", "gpt-4o-mini-2024-07-18", null, false, admin);

        Assert.False(result.Succeeded);
        Assert.Equal(ProviderSettingsService.ReenterKeyForNewEndpoint, Assert.Single(result.Errors, e => e.Key == "ApiKey").Value);
        Assert.Equal(rows, await RowsAsync());
        Assert.Equal(audits, await AuditCountAsync());
        Assert.Same(options, Options);
        Assert.Equal((openAI.BaseAddress.ToString(), key), (Options.Endpoint, Options.ApiKey));

        // The same endpoint written differently is no move: the base model still saves.
        Assert.True((await ProviderSettings.SaveProviderAsync(openAI.BaseAddress + "/", "gpt-4o-2024-08-06", null, false, admin)).Succeeded);
        Assert.Equal(key, Options.ApiKey);
        await ProviderSettings.SaveProviderAsync(OpenAIOptions.DefaultEndpoint, "gpt-4o-mini-2024-07-18", null, clearApiKey: true, admin);
    }

    [Fact]
    public async Task A_new_endpoint_with_a_new_key_is_saved_and_only_the_new_key_goes_there()
    {
        var admin = await AdminAsync();
        var (oldKey, newKey) = (NewKey(), NewKey());
        await using var oldServer = await FakeOpenAIServer.StartAsync(oldKey);
        await using var newServer = await FakeOpenAIServer.StartAsync(newKey);
        var clients = fixture.App.Services.GetRequiredService<OpenAIClientFactory>();
        Assert.True((await ProviderSettings.SaveProviderAsync(oldServer.BaseAddress.ToString(), null, oldKey, false, admin)).Succeeded);

        var result = await ProviderSettings.SaveProviderAsync(newServer.BaseAddress.ToString(), null, newKey, false, admin);
        await TryListJobsAsync(clients);

        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Values));
        Assert.Equal(ApiKeySource.Settings, ProviderSettings.GetProvider().KeySource);
        var request = Assert.Single(newServer.Requests);
        Assert.True(request.Authorized);
        Assert.False(CarriesKey(request, oldKey));
        Assert.Empty(oldServer.Requests);
        // The new key is bound to the new endpoint: taking it back to the old one needs the old key again.
        Assert.Equal(ProviderSettingsService.ReenterKeyForNewEndpoint,
            (await ProviderSettings.SaveProviderAsync(oldServer.BaseAddress.ToString(), null, null, false, admin)).Errors["ApiKey"]);
        await ProviderSettings.SaveProviderAsync(OpenAIOptions.DefaultEndpoint, null, null, clearApiKey: true, admin);
    }

    [Fact]
    public async Task A_hand_edited_endpoint_row_does_not_carry_the_saved_key_to_the_new_endpoint()
    {
        var admin = await AdminAsync();
        var key = NewKey();
        await using var trusted = await FakeOpenAIServer.StartAsync(key);
        // The attacker's server would accept the key, so only the app's refusal to send it keeps it out.
        await using var attacker = await FakeOpenAIServer.StartAsync(key);
        Assert.True((await ProviderSettings.SaveProviderAsync(trusted.BaseAddress.ToString(), null, key, false, admin)).Succeeded);
        await using (var db = await fixture.App.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync())
        {
            var row = await db.Settings.SingleAsync(s => s.Key == ProviderSettingsService.EndpointKey);
            row.Value = attacker.BaseAddress.ToString();
            await db.SaveChangesAsync();
        }

        // A new host reads the edited rows with nothing cached, as after a restart.
        using (var restarted = fixture.Factory.WithWebHostBuilder(b => b.UseSetting("Instance", "hand-edited")))
        {
            var options = restarted.Services.GetRequiredService<IOptionsMonitor<OpenAIOptions>>().CurrentValue;
            Assert.Equal(attacker.BaseAddress.ToString(), options.Endpoint);
            Assert.Null(options.ApiKey);
            Assert.False(options.IsConfigured);
            var view = restarted.Services.GetRequiredService<ProviderSettingsService>().GetProvider();
            Assert.False(view.HasApiKey);
            Assert.Contains($"entered for {trusted.BaseAddress}", view.KeyWithheld);
            await TryListJobsAsync(restarted.Services.GetRequiredService<OpenAIClientFactory>());
        }

        Assert.DoesNotContain(attacker.Requests, r => r.Authorized || CarriesKey(r, key));
        Assert.Empty(attacker.Requests);
        await ProviderSettings.SaveProviderAsync(OpenAIOptions.DefaultEndpoint, null, null, clearApiKey: true, admin);
    }

    [Fact]
    public async Task A_key_saved_before_keys_were_bound_to_an_endpoint_is_not_sent_anywhere()
    {
        var admin = await AdminAsync();
        var key = NewKey();
        Assert.True((await ProviderSettings.SaveProviderAsync(OpenAIOptions.DefaultEndpoint, null, key, false, admin)).Succeeded);
        var protector = fixture.App.Services.GetRequiredService<IDataProtectionProvider>()
            .CreateProtector(ProviderSettingsService.ProtectorPurpose);
        await using (var db = await fixture.App.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync())
        {
            (await db.Settings.SingleAsync(s => s.Key == ProviderSettingsService.ApiKeyKey)).Value = protector.Protect(key);
            await db.SaveChangesAsync();
        }

        using var restarted = fixture.Factory.WithWebHostBuilder(b => b.UseSetting("Instance", "unbound-key"));

        Assert.Null(restarted.Services.GetRequiredService<IOptionsMonitor<OpenAIOptions>>().CurrentValue.ApiKey);
        Assert.Contains("before keys were bound", restarted.Services.GetRequiredService<ProviderSettingsService>().GetProvider().KeyWithheld);
        await ProviderSettings.SaveProviderAsync(null, null, null, clearApiKey: true, admin);
    }

    [Fact]
    public async Task A_configured_key_is_not_sent_to_an_endpoint_other_than_the_configured_one_and_the_page_says_why()
    {
        var key = NewKey();
        await using var configured = await FakeOpenAIServer.StartAsync(key);
        await using var other = await FakeOpenAIServer.StartAsync(key);
        using var factory = new MediaPlannerFactory();
        factory.Settings["OpenAI:ApiKey"] = key;
        factory.Settings["OpenAI:Endpoint"] = configured.BaseAddress.ToString();
        factory.Settings["DataProtection:KeysPath"] = fixture.KeysPath;
        var settings = factory.Services.GetRequiredService<ProviderSettingsService>();
        var monitor = factory.Services.GetRequiredService<IOptionsMonitor<OpenAIOptions>>();
        Assert.Equal(key, monitor.CurrentValue.ApiKey);
        using (var scope = factory.Services.CreateScope())
        {
            var adminUser = await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync("admin@demo.local");
            var admin = new CurrentUser(adminUser!.Id, IsAdmin: true);

            var result = await settings.SaveProviderAsync(other.BaseAddress.ToString(), null, null, false, admin);
            Assert.True(result.Succeeded, string.Join("; ", result.Errors.Values));
        }

        Assert.Equal(other.BaseAddress.ToString(), monitor.CurrentValue.Endpoint);
        Assert.Null(monitor.CurrentValue.ApiKey);
        var view = settings.GetProvider();
        Assert.Equal((false, ApiKeySource.None), (view.HasApiKey, view.KeySource));
        Assert.Contains("OpenAI:ApiKey", view.KeyWithheld);
        await TryListJobsAsync(factory.Services.GetRequiredService<OpenAIClientFactory>());
        Assert.Empty(other.Requests);

        var html = WebUtility.HtmlDecode(await (await factory.SignInAsync("admin@demo.local")).GetStringAsync("/admin/settings"));
        Assert.Contains(view.KeyWithheld!, html);
        Assert.Contains("No key used for this endpoint", html);
        Assert.DoesNotContain(key, html);
    }

    [Fact]
    public void Key_hints_show_at_most_the_last_four_characters()
    {
        Assert.Equal("sk-…wxyz", ProviderSettingsService.KeyHint("sk-proj-abcdefghijklmnopqrstuvwxyz"));
        Assert.Equal("…7890", ProviderSettingsService.KeyHint("0123456789abcdef7890"));
        Assert.Equal("sk-…", ProviderSettingsService.KeyHint("sk-short-key"));
    }
}
