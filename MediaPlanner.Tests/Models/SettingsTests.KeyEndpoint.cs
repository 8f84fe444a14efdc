using System.Net;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Providers.OpenAI;
using MediaPlanner.Tests.Fakes;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MediaPlanner.Tests.Models;

// A saved key goes only to the endpoint it was saved for, however the endpoint changes.
public sealed partial class SettingsTests
{
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
}
