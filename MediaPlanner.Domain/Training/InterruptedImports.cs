using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MediaPlanner.Domain.Training;

/// <summary>
/// At start-up, before requests are served: an import still marked running was cut off when its process stopped (crash,
/// kill, restart), since imports run inside a request. It is marked interrupted and audited with what it stored.
/// </summary>
internal sealed class InterruptedImports(IServiceScopeFactory scopes, TimeProvider clock, ILogger<InterruptedImports> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var interrupted = await scope.ServiceProvider.GetRequiredService<TrainingDataService>()
            .MarkInterruptedImportsAsync(clock.GetUtcNow(), cancellationToken);
        foreach (var run in interrupted)
            logger.LogWarning("Import {RunId} of {FileName} was cut off when the app stopped; it had stored {Stored} examples from its first {Lines} lines",
                run.Id, run.FileName, run.Stored, run.Lines);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
