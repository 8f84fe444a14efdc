using MediaPlanner.Domain.FineTuning.Evaluation;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Tests.Fakes;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaPlanner.Tests.FineTuning;

/// <summary>The real runner, backends and database: jobs from creation to their end, faults, restarts.</summary>
public partial class FineTuningRunnerTests : IAsyncLifetime
{
    private readonly FakeOpenAIServer _openAI = new();
    // The system clock unless a test moves it on, to jump over backoffs and poll intervals instead of waiting them out.
    private readonly ShiftedClock _clock = new();
    private MediaPlannerFactory _app = default!;
    private readonly TestEngine _engine;

    public FineTuningRunnerTests() : this(TestEngine.Sqlite) { }

    protected FineTuningRunnerTests(TestEngine engine) => _engine = engine;

    public async Task InitializeAsync()
    {
        await _openAI.InitializeAsync();
        _app = new ClockedFactory(_clock) { Engine = _engine };
        _app.Settings["OpenAI:ApiKey"] = FakeOpenAIServer.DefaultApiKey;
        _app.Settings["OpenAI:Endpoint"] = _openAI.BaseAddress.ToString();
        _app.Settings["OpenAI:PollWhileQueued"] = "00:00:00.050";
        _app.Settings["OpenAI:PollWhileRunning"] = "00:00:00.050";
        _app.Settings["FineTuning:Runner:IdlePoll"] = "00:00:00.100";
    }

    /// <summary>Starts the app; a test may change settings before.</summary>
    private void Start() => _ = _app.Server;

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _openAI.DisposeAsync();
    }

    private async Task<CurrentUser> AdminAsync()
    {
        Start();
        using var scope = _app.Services.CreateScope();
        var admin = await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync("admin@demo.local");
        return new CurrentUser(admin!.Id, true);
    }

    /// <summary>Validated examples from real engine plans over varied briefs.</summary>
    private async Task SeedValidatedAsync(int count)
    {
        Start();
        await ValidatedExamples.SeedAsync(_app.Services, count);
    }

    private Task<JobDetail> WaitForAsync(int jobId, Func<FineTuneJob, bool> condition) => _app.Services.WaitForJobAsync(jobId, condition);

    private async Task<int> CreateAsync(NewJobRequest request)
    {
        using var scope = _app.Services.CreateScope();
        var result = await scope.ServiceProvider.GetRequiredService<FineTuneService>().CreateAsync(request, await AdminAsync());
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => $"{e.Key}: {e.Value}")));
        return result.Value;
    }

    [SkippableFact]
    public async Task A_job_needs_ten_validated_examples_and_sane_settings_before_it_starts()
    {
        await SeedValidatedAsync(6);
        using var scope = _app.Services.CreateScope();
        var service = scope.ServiceProvider.GetRequiredService<FineTuneService>();

        var tooFew = await service.CreateAsync(new NewJobRequest(FineTuneProviders.Local), await AdminAsync());
        var badSettings = await service.CreateAsync(new NewJobRequest(FineTuneProviders.Local, Suffix: "has spaces", Epochs: 0, BatchSize: 999), await AdminAsync());

        Assert.False(tooFew.Succeeded);
        Assert.Contains("10", tooFew.Errors[""]);
        Assert.Equal(["BatchSize", "Epochs", "Suffix"], badSettings.Errors.Keys.Order());
    }

    [SkippableFact]
    public async Task A_local_job_trains_to_success_with_an_evaluated_checkpoint_per_epoch_and_a_verdict()
    {
        await SeedValidatedAsync(24);
        var id = await CreateAsync(new NewJobRequest(FineTuneProviders.Local, Suffix: "spring", Seed: 7, Epochs: 3, BatchSize: 4, ValidationPercent: 20));

        // The runner gives the lease back just after the job's final save.
        var detail = await WaitForAsync(id, j => j.IsFinished && j.LeaseOwner is null);

        var job = detail.Job;
        Assert.Equal(FineTuneStatus.Succeeded, job.Status);
        Assert.Equal(job.TotalSteps, job.CompletedSteps);
        Assert.Equal(3, job.TotalSteps); // one step per epoch
        Assert.NotNull(job.Recommended);
        Assert.False(string.IsNullOrWhiteSpace(job.Verdict));
        var evaluation = JobEvaluation.FromJson(job.EvaluationJson)!;
        Assert.Equal(job.ValidationExamples, evaluation.HeldOutBriefs);
        Assert.Equal(3, evaluation.Checkpoints.Count);
        Assert.All(detail.Checkpoints, c => Assert.NotNull(JobEvaluation.FiguresFromJson(c.EvaluationJson)));
        Assert.StartsWith("local-mix:ft-spring", job.FineTunedModel);
        var parameters = MediaMixParameters.FromJson(job.ResultParametersJson!);
        Assert.NotEqual(MediaMixParameters.Default.ToJson(), parameters.ToJson());
        var steps = detail.Events.Where(e => e.Step is not null).Select(e => e.Step!.Value).ToList();
        Assert.Equal(Enumerable.Range(1, job.TotalSteps), steps);
        Assert.All(detail.Checkpoints, c => Assert.NotNull(c.TrainLoss));
        Assert.Equal(3, detail.Checkpoints.Count);
        Assert.All(detail.Checkpoints, c => Assert.NotNull(c.ParametersJson));
        Assert.Null(job.LeaseOwner);
    }

    [SkippableFact]
    public async Task A_job_interrupted_mid_training_is_trained_again_after_a_restart_without_the_first_runs_events()
    {
        await SeedValidatedAsync(20);
        var factory = _app.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>();
        int id;
        await using (var db = await factory.CreateDbContextAsync())
        {
            // What a crashed process leaves behind: a running job, a lease that has run out, the first steps' events.
            var job = new FineTuneJob
            {
                Provider = FineTuneProviders.Local, BaseModel = "local-mix-v1", Status = FineTuneStatus.Running, Seed = 3, Epochs = 2,
                BatchSize = 5, TrainingExamples = 20, CreatedAt = DateTimeOffset.UtcNow, StartedAt = DateTimeOffset.UtcNow.AddMinutes(-1),
                CreatedById = (await AdminAsync()).Id, CompletedSteps = 1, TotalSteps = 2,
                LeaseOwner = "crashed-runner", LeaseUntil = DateTimeOffset.UtcNow.AddSeconds(-5), NextAttemptAt = DateTimeOffset.UtcNow,
            };
            // One transaction: the runner polls every 100 ms and must not claim the job before its first run's event exists.
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.FineTuneJobs.Add(job);
            await db.SaveChangesAsync();
            id = job.Id;
            db.FineTuneEvents.Add(new FineTuneEvent { JobId = id, ExternalId = "epoch-1", CreatedAt = DateTimeOffset.UtcNow, Message = "Epoch 1 (before the crash)", Step = 1, TrainLoss = 0.5 });
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }
        _app.Services.GetRequiredService<FineTuneWakeup>().Wake();

        var detail = await WaitForAsync(id, j => j.IsFinished);

        Assert.Equal(FineTuneStatus.Succeeded, detail.Job.Status);
        var stepEvents = detail.Events.Where(e => e.ExternalId.StartsWith("epoch-", StringComparison.Ordinal)).ToList();
        Assert.Equal(detail.Events.Count, detail.Events.Select(e => e.ExternalId).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, detail.Job.TotalSteps), stepEvents.Select(e => e.Step!.Value).Order());
        // Trained again from step 0, so the first run's report is discarded rather than kept beside the new one.
        Assert.DoesNotContain(detail.Events, e => e.Message == "Epoch 1 (before the crash)");
        Assert.Equal("restart", detail.Events[0].ExternalId);
    }

    [SkippableFact]
    public async Task Two_runners_never_claim_the_same_job()
    {
        await SeedValidatedAsync(12);
        var factory = _app.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>();
        int id;
        await using (var db = await factory.CreateDbContextAsync())
        {
            var job = new FineTuneJob
            {
                Provider = FineTuneProviders.Local, BaseModel = "local-mix-v1", Status = FineTuneStatus.Queued, CreatedAt = DateTimeOffset.UtcNow,
                CreatedById = (await AdminAsync()).Id, NextAttemptAt = DateTimeOffset.UtcNow.AddHours(1),
            };
            db.FineTuneJobs.Add(job);
            await db.SaveChangesAsync();
            id = job.Id;
        }
        var runners = Enumerable.Range(0, 4).Select(_ => ActivatorUtilities.CreateInstance<FineTuneRunner>(_app.Services)).ToList();

        var claims = await Task.WhenAll(runners.Select(r => r.TryLeaseAsync(id, CancellationToken.None)));

        Assert.Equal(1, claims.Count(c => c));
        await using var check = await factory.CreateDbContextAsync();
        var owner = await check.FineTuneJobs.Where(j => j.Id == id).Select(j => j.LeaseOwner).SingleAsync();
        Assert.Equal(runners[Array.IndexOf(claims, true)].Id, owner);
    }

    [SkippableFact]
    public async Task An_openai_job_runs_through_the_fake_server_to_success()
    {
        await SeedValidatedAsync(12);
        var id = await CreateAsync(new NewJobRequest(FineTuneProviders.OpenAI, Suffix: "mp", Seed: 1, ValidationPercent: 0));

        var detail = await WaitForAsync(id, j => j.IsFinished);

        Assert.Equal(FineTuneStatus.Succeeded, detail.Job.Status);
        Assert.StartsWith("ft:gpt-4o-mini-2024-07-18", detail.Job.FineTunedModel);
        Assert.NotNull(detail.Job.TrainedTokens);
        var upload = Assert.Single(_openAI.Files);
        Assert.Equal(detail.Job.TrainingExamples, upload.Lines);
        Assert.NotEmpty(detail.Checkpoints);
        Assert.Single(_openAI.Jobs);
    }

    [SkippableFact]
    public async Task An_openai_job_is_evaluated_on_its_held_out_briefs_before_it_succeeds()
    {
        await SeedValidatedAsync(20);
        var id = await CreateAsync(new NewJobRequest(FineTuneProviders.OpenAI, Suffix: "mp", Seed: 1, ValidationPercent: 20));

        var detail = await WaitForAsync(id, j => j.IsFinished && j.LeaseOwner is null);

        // The fake answers every model with the engine's own plans: the fine-tuned model is no closer than its base.
        var job = detail.Job;
        Assert.Equal(FineTuneStatus.Succeeded, job.Status);
        Assert.False(job.Recommended);
        Assert.StartsWith($"{job.FineTunedModel} did not improve on the base model", job.Verdict, StringComparison.Ordinal);
        var evaluation = JobEvaluation.FromJson(job.EvaluationJson)!;
        Assert.Equal(job.ValidationExamples, evaluation.HeldOutBriefs);
        Assert.Equal(detail.Checkpoints.Count + 1, evaluation.Checkpoints.Count);
        Assert.All(detail.Checkpoints, c => Assert.NotNull(JobEvaluation.FiguresFromJson(c.EvaluationJson)));
        Assert.Equal(evaluation.HeldOutBriefs * (2 + detail.Checkpoints.Count), _openAI.RequestsTo(FakeRoute.ChatCompletions).Count());
        Assert.Equal(detail.Events.Count, detail.Events.Select(e => e.ExternalId).Distinct().Count());
        Assert.Contains(detail.Events, e => e.ExternalId == "openai-evaluated");

        // The registry shows the comparison next to Deploy, for the model and each checkpoint.
        using var scope = _app.Services.CreateScope();
        var listed = (await scope.ServiceProvider.GetRequiredService<ModelRegistry>().ListAsync()).Where(m => m.JobId == id).ToList();
        Assert.Equal(detail.Checkpoints.Count + 1, listed.Count);
        Assert.All(listed, m => Assert.NotNull(m.Evaluation));
    }

    /// <summary>The job once the runner has let it go and it waits for a moment still to come (or has finished).</summary>
    private async Task<FineTuneJob> IdleAsync(int id) =>
        (await WaitForAsync(id, j => j.LeaseOwner is null && (j.IsFinished || j.NextAttemptAt > _clock.GetUtcNow()))).Job;

    /// <summary>Moves the clock on to the job's next attempt and returns the job once the runner has made it.</summary>
    private async Task<FineTuneJob> NextAttemptAsync(int id)
    {
        var due = (await IdleAsync(id)).NextAttemptAt;
        _clock.AdvanceTo(due);
        _app.Services.GetRequiredService<FineTuneWakeup>().Wake();
        return (await WaitForAsync(id, j => j.LeaseOwner is null && (j.IsFinished || (j.NextAttemptAt != due && j.NextAttemptAt > _clock.GetUtcNow())))).Job;
    }

    private sealed class ClockedFactory(TimeProvider clock) : MediaPlannerFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(s => s.AddSingleton(clock));
        }
    }
}

/// <summary>The same tests on PostgreSQL.</summary>
public sealed class FineTuningRunnerOnPostgresTests : FineTuningRunnerTests
{
    public FineTuningRunnerOnPostgresTests() : base(TestEngine.Postgres) => TestServers.SkipUnlessPostgres();
}
