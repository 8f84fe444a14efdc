using System.Net;
using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers;
using MediaPlanner.Domain.Providers.OpenAI;
using MediaPlanner.Tests.Fakes;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Tests.Models;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenAI.FineTuning;

#pragma warning disable OPENAI001 // fine-tuning is experimental in the SDK

namespace MediaPlanner.Tests.Providers;

/// <summary>
/// Hosted provider profiles in the running app against fake OpenAI servers on loopback: a profile's key goes only to
/// the endpoint it was entered for, in the header its kind expects, and never shows in the page, the audit trail or a log.
/// </summary>
public sealed class ProviderProfileTests(SettingsAppFixture fixture) : IClassFixture<SettingsAppFixture>
{
    private const string BaseModel = "gpt-4o-mini-2024-07-18";

    private static string NewKey() => $"pk-test-{Guid.NewGuid():N}{Guid.NewGuid():N}"[..60];

    private static string NewProfileKey() => $"p-{Guid.NewGuid():N}"[..12];

    private ProviderProfileService Profiles => fixture.App.Services.GetRequiredService<ProviderProfileService>();

    private OpenAIClientFactory Clients => fixture.App.Services.GetRequiredService<OpenAIClientFactory>();

    private async Task<CurrentUser> AdminAsync()
    {
        using var scope = fixture.App.Services.CreateScope();
        var admin = await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync("admin@demo.local");
        return new CurrentUser(admin!.Id, IsAdmin: true);
    }

    private static string Endpoint(FakeOpenAIServer server, ProviderKind kind) =>
        kind == ProviderKind.AzureOpenAI ? new Uri(server.Root, "/openai/v1/").ToString() : server.BaseAddress.ToString();

    private static ProviderProfileInput Input(string key, ProviderKind kind, string endpoint, string? apiKey) => new(key, $"Test {kind} {key}", kind, endpoint,
        apiKey, false, [new(BaseModel, kind == ProviderKind.AzureOpenAI ? "mp-4o-mini" : null)]);

    private async Task SaveAsync(ProviderProfileInput input)
    {
        var result = await Profiles.SaveAsync(input, await AdminAsync());
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => $"{e.Key}: {e.Value}")));
    }

    /// <summary>One real call through the app's client factory; a profile without a usable key never gets a client.</summary>
    private static async Task<Exception?> TryListJobsAsync(OpenAIClientFactory clients, string provider) => await Record.ExceptionAsync(async () =>
    {
        await foreach (var page in clients.CreateFineTuningClient(provider).GetJobsAsync(new FineTuningJobCollectionOptions { PageSize = 1 }).GetRawPagesAsync())
            break;
    });

    private async Task<List<AuditEntry>> AuditAsync(string entityId)
    {
        await using var db = await fixture.App.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
        return await db.AuditEntries.AsNoTracking().Where(a => a.EntityId == entityId).ToListAsync();
    }

    [Fact]
    public async Task A_saved_key_goes_to_its_own_endpoint_and_moving_only_the_endpoint_is_refused_at_the_key_field()
    {
        var key = NewKey();
        await using var own = await FakeOpenAIServer.StartAsync(key);
        // The other server would accept the key, so only the app's refusal to send it keeps it out.
        await using var other = await FakeOpenAIServer.StartAsync(key);
        var profile = NewProfileKey();
        await SaveAsync(Input(profile, ProviderKind.OpenAICompatible, own.BaseAddress.ToString(), key));

        Assert.Null(await TryListJobsAsync(Clients, profile));
        Assert.True(Assert.Single(own.Requests).Authorized);
        var audits = (await AuditAsync(profile)).Count;

        var moved = await Profiles.SaveAsync(Input(profile, ProviderKind.OpenAICompatible, other.BaseAddress.ToString(), null), await AdminAsync());

        Assert.Equal(ProviderSettingsService.ReenterKeyForNewEndpoint, Assert.Single(moved.Errors).Value);
        Assert.Equal("ApiKey", Assert.Single(moved.Errors).Key);
        Assert.Equal(own.BaseAddress.ToString(), Profiles.Get(profile)!.Endpoint);
        Assert.Equal(audits, (await AuditAsync(profile)).Count);
        Assert.Null(await TryListJobsAsync(Clients, profile));
        Assert.Equal(2, own.Requests.Count);
        Assert.Empty(other.Requests);

        // With the key entered again for the new endpoint, the move saves and calls go there.
        await SaveAsync(Input(profile, ProviderKind.OpenAICompatible, other.BaseAddress.ToString(), key));
        Assert.Null(await TryListJobsAsync(Clients, profile));
        Assert.True(Assert.Single(other.Requests).Authorized);
    }

    [Fact]
    public async Task A_hand_edited_endpoint_row_never_carries_the_key_to_the_new_endpoint()
    {
        var key = NewKey();
        await using var own = await FakeOpenAIServer.StartAsync(key);
        await using var attacker = await FakeOpenAIServer.StartAsync(key);
        var profile = NewProfileKey();
        await SaveAsync(Input(profile, ProviderKind.AzureOpenAI, Endpoint(own, ProviderKind.AzureOpenAI), key));
        await using (var db = await fixture.App.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync())
        {
            var row = await db.ProviderProfiles.SingleAsync(p => p.Key == profile);
            row.Endpoint = Endpoint(attacker, ProviderKind.AzureOpenAI);
            await db.SaveChangesAsync();
        }
        // A change written behind the service's back, as another instance or a restart would read it.
        Profiles.Invalidate();

        var view = Profiles.Get(profile)!;
        Assert.False(view.HasKey);
        Assert.Null(view.KeyHint);
        Assert.Contains($"entered for {Endpoint(own, ProviderKind.AzureOpenAI)}", view.KeyWithheld);
        var refused = Assert.IsType<InvalidOperationException>(await TryListJobsAsync(Clients, profile));
        Assert.Contains("has no API key", refused.Message);
        var planner = fixture.App.Services.GetServices<IPlanProvider>().Single(p => p.Handles(profile));
        Assert.False(planner.IsConfiguredFor(profile));
        Assert.NotNull(await Record.ExceptionAsync(() =>
            planner.GenerateAsync(TestData.Request(), new ModelTarget(profile, BaseModel, null, "mp-4o-mini"), 1, CancellationToken.None)));

        // A new host reads the edited row with nothing cached, as after a restart.
        using (var restarted = fixture.Factory.WithWebHostBuilder(b => b.UseSetting("Instance", "profile-hand-edited")))
        {
            Assert.False(restarted.Services.GetRequiredService<ProviderProfileService>().Get(profile)!.HasKey);
            Assert.IsType<InvalidOperationException>(await TryListJobsAsync(restarted.Services.GetRequiredService<OpenAIClientFactory>(), profile));
        }

        Assert.Empty(attacker.Requests);
        Assert.Empty(own.Requests);

        // Putting the endpoint back to the one the key was entered for needs no key, and the key works there again.
        await SaveAsync(Input(profile, ProviderKind.AzureOpenAI, Endpoint(own, ProviderKind.AzureOpenAI), null));
        Assert.True(Profiles.Get(profile)!.HasKey);
        Assert.Null(await TryListJobsAsync(Clients, profile));
        Assert.True(Assert.Single(own.Requests).Authorized);
        Assert.Empty(attacker.Requests);
    }

    [Fact]
    public async Task Moving_the_openai_profile_to_another_endpoint_forgets_the_model_list_read_from_the_old_one()
    {
        var key = NewKey();
        await using var server = await FakeOpenAIServer.StartAsync(key);
        var dbFactory = fixture.App.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>();
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            db.ProviderModels.Add(new ProviderModelEntity
            {
                ProviderKey = ProviderProfile.PrimaryKey, ModelId = BaseModel, ShutdownDate = new DateOnly(2027, 1, 14),
                FirstSeenAt = DateTimeOffset.UtcNow, LastSeenAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync();
        }
        async Task<int> ListedAsync()
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            return await db.ProviderModels.CountAsync(m => m.ProviderKey == ProviderProfile.PrimaryKey);
        }

        await SaveAsync(Input(ProviderProfile.PrimaryKey, ProviderKind.OpenAI, OpenAIOptions.DefaultEndpoint, null) with { Name = "OpenAI" });
        Assert.Equal(1, await ListedAsync());

        await SaveAsync(Input(ProviderProfile.PrimaryKey, ProviderKind.OpenAI, server.BaseAddress.ToString(), key) with { Name = "OpenAI" });
        Assert.Equal(0, await ListedAsync());
        Assert.Null(await TryListJobsAsync(Clients, ProviderProfile.PrimaryKey));
        Assert.True(Assert.Single(server.Requests).Authorized);

        await SaveAsync(Input(ProviderProfile.PrimaryKey, ProviderKind.OpenAI, OpenAIOptions.DefaultEndpoint, null) with { Name = "OpenAI", ClearApiKey = true });
    }

    [Theory]
    [InlineData(ProviderKind.AzureOpenAI, "api-key", "authorization", "/openai/v1/fine_tuning/jobs")]
    [InlineData(ProviderKind.OpenAI, "authorization", "api-key", "/v1/fine_tuning/jobs")]
    [InlineData(ProviderKind.OpenAICompatible, "authorization", "api-key", "/v1/fine_tuning/jobs")]
    public async Task Each_kind_authenticates_the_way_its_service_expects(ProviderKind kind, string header, string absent, string path)
    {
        var key = NewKey();
        await using var server = await FakeOpenAIServer.StartAsync(key);
        var profile = NewProfileKey();
        await SaveAsync(Input(profile, kind, Endpoint(server, kind), key));

        Assert.Null(await TryListJobsAsync(Clients, profile));

        var request = Assert.Single(server.Requests);
        Assert.True(request.Authorized);
        Assert.Equal(path, request.Path);
        Assert.True(request.Headers.ContainsKey(header), string.Join(", ", request.Headers.Keys));
        Assert.False(request.Headers.ContainsKey(absent), string.Join(", ", request.Headers.Keys));
    }

    [Fact]
    public async Task The_key_never_shows_in_the_settings_page_the_audit_trail_or_any_log_line()
    {
        var key = NewKey();
        var profile = NewProfileKey();
        const string Endpoint = "https://contoso.openai.azure.com/openai/v1/";
        await SaveAsync(Input(profile, ProviderKind.AzureOpenAI, Endpoint, key));
        await SaveAsync(Input(profile, ProviderKind.AzureOpenAI, Endpoint, null) with { Name = "Renamed" });
        await SaveAsync(Input(profile, ProviderKind.AzureOpenAI, Endpoint, key));
        var admin = await fixture.SignInAsync("admin@demo.local");

        var html = WebUtility.HtmlDecode(await admin.GetStringAsync("/admin/settings"));

        Assert.Contains($"Key saved (…{key[^4..]})", html);
        Assert.Contains("mp-4o-mini", html);
        var secret = key[..^4];
        Assert.DoesNotContain(secret, html);
        var audits = await AuditAsync(profile);
        Assert.Equal(3, audits.Count);
        Assert.Contains(audits, a => a.Summary.Contains("key changed", StringComparison.Ordinal));
        Assert.All(audits, a => Assert.DoesNotContain(secret, $"{a.Summary} {a.Before} {a.After}"));
        var lines = fixture.Logs.Lines;
        Assert.Contains(lines, l => l.Contains($"Provider profile {profile} saved", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.DoesNotContain(secret, l));

        Assert.True((await Profiles.DeleteAsync(profile, await AdminAsync())).Succeeded);
        Assert.All(await AuditAsync(profile), a => Assert.DoesNotContain(secret, $"{a.Summary} {a.Before} {a.After}"));
        Assert.All(fixture.Logs.Lines, l => Assert.DoesNotContain(secret, l));
    }
}
