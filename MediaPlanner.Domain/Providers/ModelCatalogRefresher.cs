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
            Interlocked.Increment(ref _rounds);
            var interval = options.CurrentValue.ModelRefreshInterval;
            try
            {
                await Task.Delay(interval > TimeSpan.FromMinutes(1) ? interval : TimeSpan.FromMinutes(1), clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
