using MediaPlanner.Domain.FineTuning;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace MediaPlanner.Tests.Infrastructure;

/// <summary>
/// The real app, its database and its fine-tuning runner, with one more backend: a test's stand-in for a provider, which
/// the runner works like any other. The runner looks for jobs every 100 ms.
/// </summary>
public sealed class BackendApp : IAsyncDisposable
{
    private readonly MediaPlannerFactory _factory;
    private readonly WebApplicationFactory<Program> _app;

    public BackendApp(IFineTuneBackend backend, TestEngine engine = TestEngine.Sqlite)
    {
        _factory = new MediaPlannerFactory { Engine = engine };
        _factory.Settings["FineTuning:Runner:IdlePoll"] = "00:00:00.100";
        _app = _factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton(backend)));
        _ = _app.Server;
    }

    public IServiceProvider Services => _app.Services;

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _factory.DisposeAsync();
    }
}
