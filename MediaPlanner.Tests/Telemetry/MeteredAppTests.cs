using MediaPlanner.Tests.Infrastructure;

namespace MediaPlanner.Tests.Telemetry;

/// <summary>A test class with an app of its own and a recorder of that app's metrics.</summary>
public abstract class MeteredAppTests : IAsyncLifetime
{
    protected MediaPlannerFactory App { get; } = new();

    protected MetricRecorder Metrics { get; private set; } = default!;

    public Task InitializeAsync()
    {
        Metrics = new MetricRecorder(App.Services);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        Metrics.Dispose();
        await App.DisposeAsync();
    }
}
