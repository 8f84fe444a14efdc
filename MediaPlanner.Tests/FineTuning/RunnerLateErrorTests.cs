using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaPlanner.Tests.FineTuning;

/// <summary>
/// The real runner with a backend that throws an unexpected error: before it has finished the job, the job fails with the
/// error; after it has reported the job finished, the job keeps the outcome it reported.
/// </summary>
public sealed class RunnerLateErrorTests : IAsyncLifetime
{
    private const string Provider = "throwing";
    private readonly ThrowingBackend _backend = new();
    private BackendApp _app = default!;

    public Task InitializeAsync()
    {
        _app = new BackendApp(_backend);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_error_after_the_backend_finished_the_job_leaves_its_outcome_and_one_before_fails_it(bool finishFirst)
    {
        _backend.FinishFirst = finishFirst;
        await ValidatedExamples.SeedAsync(_app.Services, 12, "Late");
        int id;
        using (var scope = _app.Services.CreateScope())
        {
            var admin = await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync("admin@demo.local");
            var created = await scope.ServiceProvider.GetRequiredService<FineTuneService>()
                .CreateAsync(new NewJobRequest(Provider, Seed: 3), new CurrentUser(admin!.Id, true));
            Assert.True(created.Succeeded, string.Join("; ", created.Errors.Values));
            id = created.Value;
        }

        // Finished and given back by the runner: nothing more happens to the job after this.
        var detail = await _app.Services.WaitForJobAsync(id, j => j.IsFinished && j.LeaseOwner is null);

        if (finishFirst)
        {
            Assert.Equal(FineTuneStatus.Succeeded, detail.Job.Status);
            Assert.Equal(ThrowingBackend.Model, detail.Job.FineTunedModel);
            Assert.Null(detail.Job.ErrorCode);
            Assert.DoesNotContain(detail.Events, e => e.Level == "error");
        }
        else
        {
            Assert.Equal(FineTuneStatus.Failed, detail.Job.Status);
            Assert.Equal("internal_error", detail.Job.ErrorCode);
            Assert.Contains(ThrowingBackend.Error, detail.Job.ErrorMessage, StringComparison.Ordinal);
            Assert.Single(detail.Events, e => e.Level == "error");
        }
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
        Assert.Equal(1, _backend.Calls);
        Assert.Equal(detail.Job.Status, (await db.FineTuneJobs.AsNoTracking().SingleAsync(j => j.Id == id)).Status);
    }

    /// <summary>Starts the job, optionally trains and succeeds it (reported through the sink), then throws.</summary>
    private sealed class ThrowingBackend : IFineTuneBackend
    {
        public const string Model = "ft:throwing:late";
        public const string Error = "the backend's bookkeeping broke after its last report";
        private int _calls;

        public bool FinishFirst { get; set; }

        public int Calls => Volatile.Read(ref _calls);

        public string Provider => RunnerLateErrorTests.Provider;

        public bool IsConfigured => true;

        public async Task<TimeSpan?> AdvanceAsync(FineTuneJob job, Func<CancellationToken, Task<FineTuneDataset>> dataset, IFineTuneSink sink, CancellationToken ct)
        {
            Interlocked.Increment(ref _calls);
            job.Start(DateTimeOffset.UtcNow);
            if (FinishFirst)
            {
                job.FineTunedModel = Model;
                job.Trained(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);
                job.Succeed(DateTimeOffset.UtcNow);
            }
            await sink.JobChangedAsync(job, ct);
            throw new InvalidOperationException(Error);
        }

        public Task CancelAsync(FineTuneJob job, IFineTuneSink sink, CancellationToken ct) => Task.CompletedTask;
    }
}
