using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MediaPlanner.Tests.Telemetry;

/// <summary>The fine-tuning gauges after a real local job: jobs by status, and how long ago the runner last looked for work.</summary>
public sealed class FineTuneGaugeTests : MeteredAppTests
{
    [Fact]
    public async Task After_a_local_job_succeeds_the_gauges_count_it_as_succeeded_and_the_runner_looped_moments_ago()
    {
        var admin = await App.DemoUserAsync("admin@demo.local");
        await ValidatedExamples.SeedAsync(App.Services, 40, "Gauge");
        using var scope = App.Services.CreateScope();
        var job = await scope.ServiceProvider.GetRequiredService<FineTuneService>()
            .CreateAsync(new NewJobRequest(FineTuneProviders.Local, Suffix: "gauge", Seed: 7), admin);
        var jobId = job.Succeeded ? job.Value : throw new InvalidOperationException(string.Join("; ", job.Errors.Select(e => $"{e.Key}: {e.Value}")));

        await App.Services.WaitForJobAsync(jobId, j => j.Status == FineTuneStatus.Succeeded);

        var jobs = Metrics.Observe("mediaplanner.finetune.jobs").ToDictionary(r => r["status"]!, r => r.Value);
        Assert.Equal(["cancelled", "failed", "queued", "running", "succeeded", "validating_files"], jobs.Keys.Order());
        Assert.Equal(1, jobs["succeeded"]);
        Assert.Equal(0, jobs.Where(j => j.Key != "succeeded").Sum(j => j.Value));
        var age = Assert.Single(Metrics.Observe("mediaplanner.finetune.runner.loop_age"));
        // The runner looks every second (FineTuning:Runner:IdlePoll); /healthz calls it stuck at 30 s.
        Assert.InRange(age.Value, 0, 30);
    }
}
