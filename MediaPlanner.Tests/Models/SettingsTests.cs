using System.Net;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Providers.OpenAI;
using MediaPlanner.Tests.Fakes;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenAI.FineTuning;

#pragma warning disable OPENAI001 // fine-tuning is experimental in the SDK

namespace MediaPlanner.Tests.Models;

public sealed partial class SettingsTests(SettingsAppFixture fixture) : IClassFixture<SettingsAppFixture>
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
    public void Key_hints_show_at_most_the_last_four_characters()
    {
        Assert.Equal("sk-…wxyz", ProviderSettingsService.KeyHint("sk-proj-abcdefghijklmnopqrstuvwxyz"));
        Assert.Equal("…7890", ProviderSettingsService.KeyHint("0123456789abcdef7890"));
        Assert.Equal("sk-…", ProviderSettingsService.KeyHint("sk-short-key"));
    }
}
