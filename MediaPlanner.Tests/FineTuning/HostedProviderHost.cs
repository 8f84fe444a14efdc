using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Domain.Providers;
using MediaPlanner.Domain.Providers.OpenAI;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Fakes;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MediaPlanner.Tests.FineTuning;

/// <summary>
/// The hosted-provider services as the app wires them (settings, provider profiles with encrypted keys, per-profile SDK
/// clients, the fine-tuning backend) over a migrated in-memory SQLite database, with the primary profile pointed at the
/// fake server. Profiles of other kinds are added as an admin would.
/// </summary>
internal sealed class HostedProviderHost : IAsyncDisposable
{
    private static readonly CurrentUser Admin = new("admin-1", IsAdmin: true);
    private readonly SqliteConnection _connection = new("Data Source=:memory:");
    private readonly ServiceProvider _services;
    private readonly FakeOpenAIServer _server;

    public HostedProviderHost(FakeOpenAIServer server)
    {
        _server = server;
        _connection.Open();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddDbContextFactory<PlannerDbContext>(o => o.UseSqlite(_connection));
        services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
        services.AddMediaPlannerSettings();
        services.Configure<OpenAIOptions>(o =>
        {
            var test = OpenAIFineTuneBackendTests.TestOptions(server);
            (o.ApiKey, o.Endpoint, o.NetworkTimeout, o.PollWhileQueued, o.PollWhileRunning) =
                (test.ApiKey, test.Endpoint, test.NetworkTimeout, test.PollWhileQueued, test.PollWhileRunning);
        });
        services.AddSingleton<ProviderProfileService>();
        services.AddSingleton<OpenAIClientFactory>();
        services.AddSingleton<IPlanProvider, OpenAIPlanProvider>();
        _services = services.BuildServiceProvider();
        using var db = _services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext();
        db.Database.Migrate();
    }

    public ProviderProfileService Profiles => _services.GetRequiredService<ProviderProfileService>();

    public PrivacySettingsService Settings => _services.GetRequiredService<PrivacySettingsService>();

    /// <summary>A backend over these services; <paramref name="rules"/> replaces the file rules (e.g. a small size limit).</summary>
    public OpenAIFineTuneBackend Backend(Func<ProviderKind, TrainingFileRules>? rules = null) => new(
        _services.GetRequiredService<OpenAIClientFactory>(), _services.GetServices<IPlanProvider>(), TimeProvider.System,
        _services.GetRequiredService<ILogger<OpenAIFineTuneBackend>>(), profiles: Profiles, settings: Settings)
    {
        FileRules = rules ?? TrainingFileRules.For,
    };

    /// <summary>The fine-tuning service over these services and <paramref name="backend"/>.</summary>
    public FineTuneService Service(OpenAIFineTuneBackend backend) => new(
        _services.GetRequiredService<IDbContextFactory<PlannerDbContext>>(), [backend], new TrainingSettings(MediaPlanner.Tests.Infrastructure.TestData.OpenAIBaseModel),
        MediaMixParameters.Default, new FineTuneWakeup(), TimeProvider.System, _services.GetRequiredService<MediaPlanner.Domain.Audit.AuditLog>(), Profiles);

    /// <summary>Adds a profile of <paramref name="kind"/> that reaches the fake server (Azure under /openai/v1, others under /v1).</summary>
    public async Task<ProviderProfile> AddAsync(string key, string name, ProviderKind kind, IReadOnlyList<ProviderBaseModel> baseModels,
        AzureTrainingType? trainingType = null, HyperparameterMapping? mapping = null)
    {
        var endpoint = new Uri(_server.Root, kind == ProviderKind.AzureOpenAI ? "/openai/v1" : "/v1").ToString();
        var saved = await Profiles.SaveAsync(new ProviderProfileInput(key, name, kind, endpoint, _server.ApiKey, false, baseModels, trainingType, mapping), Admin);
        Assert.True(saved.Succeeded, string.Join("; ", saved.Errors.Select(e => $"{e.Key}: {e.Value}")));
        return Profiles.Get(key)!;
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _connection.DisposeAsync();
    }
}

/// <summary>
/// Tests of the hosted backend against the shared fake server: a fresh server state and a fresh host per test, and a
/// token that ends a test that hangs.
/// </summary>
public abstract class HostedProviderTests : IClassFixture<FakeOpenAIServer>, IAsyncLifetime
{
    private protected HostedProviderTests(FakeOpenAIServer server, TimeSpan timeout)
    {
        Server = server;
        Server.Reset();
        Host = new HostedProviderHost(server);
        Ct = new CancellationTokenSource(timeout).Token;
    }

    private protected FakeOpenAIServer Server { get; }

    private protected HostedProviderHost Host { get; }

    private protected CancellationToken Ct { get; }

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync() => await Host.DisposeAsync();
}
