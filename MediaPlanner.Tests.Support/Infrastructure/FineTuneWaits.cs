using MediaPlanner.Domain.FineTuning;
using Microsoft.Extensions.DependencyInjection;

namespace MediaPlanner.Tests.Infrastructure;

/// <summary>Waiting on the real runner: a job is read back until it reaches the state a test expects.</summary>
public static class FineTuneWaits
{
    /// <summary>The job once <paramref name="condition"/> holds, read every 50 ms for up to a minute.</summary>
    public static async Task<JobDetail> WaitForJobAsync(this IServiceProvider services, int jobId, Func<FineTuneJob, bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            using var scope = services.CreateScope();
            var detail = await scope.ServiceProvider.GetRequiredService<FineTuneService>().GetAsync(jobId);
            if (detail is not null && condition(detail.Job))
                return detail;
            await Task.Delay(50, timeout.Token);
        }
    }
}
