using MediaPlanner.Domain.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MediaPlanner.Domain.Providers;

/// <summary>
/// Reads every configured provider's model list at start-up and then every <see cref="ModelCatalogOptions.ModelRefreshInterval"/>
/// (a <see cref="TimeProvider"/> timer), and after each read ends the deployment of a model that has shut down, so the
/// admin alert appears even when nobody plans.
/// </summary>
public sealed class ModelCatalogRefresher(
    ModelCatalog catalog,
    ModelRegistry registry,
    IOptionsMonitor<ModelCatalogOptions> options,
    TimeProvider clock,
    ILogger<ModelCatalogRefresher> logger) : BackgroundService
{
    /// <summary>How many rounds have finished (for health checks and tests).</summary>
    public int Rounds => Volatile.Read(ref _rounds);

    private int _rounds;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Start-up goes on while the lists are read.
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await catalog.RefreshAllAsync(stoppingToken);
                await registry.EndShutDownDeploymentAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Reading the providers' model lists failed; trying again at the next refresh.");
            }
            var interval = options.CurrentValue.ModelRefreshInterval;
            var next = Task.Delay(TimeSpan.FromTicks(Math.Clamp(interval.Ticks, ModelCatalogOptions.MinRefreshInterval.Ticks, ModelCatalogOptions.MaxRefreshInterval.Ticks)),
                clock, stoppingToken);
            // Counted once the next round's timer runs, so whoever sees the count can move the clock past it.
            Interlocked.Increment(ref _rounds);
            try
            {
                await next;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
