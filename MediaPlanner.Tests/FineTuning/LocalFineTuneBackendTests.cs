using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.FineTuning.Local;
using MediaPlanner.Domain.Planning;

namespace MediaPlanner.Tests.FineTuning;

public class LocalFineTuneBackendTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);

    private static readonly Lazy<FineTuneDataset> Data = new(() => new FineTuneDataset(LocalTrainingData.Lines(0, 30), LocalTrainingData.Lines(10_000, 6)));

    private static LocalFineTuneBackend Backend() => new(MediaMixParameters.Default, new FixedClock(Now));

    private static FineTuneJob Job(int? epochs = 2, int? batchSize = 5, string? suffix = "spring") => new()
    {
        Id = 7,
        Provider = FineTuneProviders.Local,
        BaseModel = MediaMixParameters.Default.ModelName,
        Suffix = suffix,
        Seed = 11,
        Epochs = epochs,
        BatchSize = batchSize,
        ValidationPercent = 20,
        Status = FineTuneStatus.Queued,
        CreatedAt = Now.AddMinutes(-1),
        CreatedById = "admin",
    };

    private static Func<CancellationToken, Task<FineTuneDataset>> From(FineTuneDataset dataset) => _ => Task.FromResult(dataset);

    [Fact]
    public void The_backend_is_the_always_available_local_provider()
    {
        var backend = Backend();

        Assert.Equal(FineTuneProviders.Local, backend.Provider);
        Assert.True(backend.IsConfigured);
    }

    [Fact]
    public async Task A_job_trains_to_the_end_reporting_every_step_and_a_checkpoint_per_epoch()
    {
        var job = Job();
        var sink = new RecordingSink();

        var next = await Backend().AdvanceAsync(job, From(Data.Value), sink, CancellationToken.None);

        Assert.Null(next);
        Assert.Equal(FineTuneStatus.Succeeded, job.Status);
        Assert.Equal("local-mix:ft-spring-7", job.FineTunedModel);
        Assert.Equal(Now, job.StartedAt);
        Assert.Equal(Now, job.FinishedAt);
        Assert.Null(job.ErrorCode);
        Assert.Equal(2 * 6, job.TotalSteps); // 2 epochs × ⌈30 / 5⌉
        Assert.Equal(job.TotalSteps, job.CompletedSteps);
        Assert.True(job.TrainedTokens > 0);

        var trained = MediaMixParameters.FromJson(job.ResultParametersJson!);
        Assert.Equal($"{LocalTrainer.DefaultName}-7", trained.Name);
        Assert.True(trained.For(Channel.Social).PreferenceFor(Objective.Awareness)
            > MediaMixParameters.Default.For(Channel.Social).PreferenceFor(Objective.Awareness));

        var steps = sink.Events.Where(e => e.Step is not null).ToList();
        Assert.Equal(Enumerable.Range(1, 12), steps.Select(e => e.Step!.Value));
        Assert.Equal(Enumerable.Range(1, 12).Select(s => $"step-{s}"), steps.Select(e => e.ExternalId));
        Assert.All(steps, e =>
        {
            Assert.NotNull(e.TrainLoss);
            Assert.NotNull(e.ValidLoss);
            Assert.Matches(@"^Step \d+/12: training loss \d\.\d{3}, validation loss \d\.\d{3}$", e.Message);
        });
        Assert.True(steps[^1].ValidLoss < steps[0].ValidLoss);

        Assert.Equal(["epoch-1", "epoch-2"], sink.Checkpoints.Select(c => c.ExternalId));
        Assert.Equal([6, 12], sink.Checkpoints.Select(c => c.Step));
        Assert.Equal(["local-mix:ft-spring-7:ckpt-step-6", "local-mix:ft-spring-7:ckpt-step-12"], sink.Checkpoints.Select(c => c.ModelName));
        Assert.All(sink.Checkpoints, c =>
        {
            Assert.NotNull(c.TrainLoss);
            Assert.NotNull(c.ValidLoss);
            Assert.Equal(Now, c.CreatedAt);
            MediaMixParameters.FromJson(c.ParametersJson!);
        });
        Assert.Equal(job.ResultParametersJson, sink.Checkpoints[^1].ParametersJson);

        Assert.Equal(["start", "training"], sink.Events.Take(2).Select(e => e.ExternalId));
        Assert.Equal("Validating 30 training examples and 6 validation examples…", sink.Events[0].Message);
        Assert.Equal("done", sink.Events[^1].ExternalId);
        Assert.Contains("local-mix:ft-spring-7", sink.Events[^1].Message, StringComparison.Ordinal);
        Assert.Equal(FineTuneStatus.Succeeded, sink.JobSnapshots[^1]);
        Assert.Contains(FineTuneStatus.Running, sink.JobSnapshots);
    }

    [Fact]
    public async Task Without_held_out_examples_steps_have_no_validation_loss()
    {
        var job = Job(epochs: 1, batchSize: 10, suffix: null);
        var sink = new RecordingSink();

        await Backend().AdvanceAsync(job, From(Data.Value with { ValidationLines = [] }), sink, CancellationToken.None);

        Assert.Equal(FineTuneStatus.Succeeded, job.Status);
        Assert.Equal("local-mix:ft-model-7", job.FineTunedModel);
        var steps = sink.Events.Where(e => e.Step is not null).ToList();
        Assert.Equal(3, steps.Count);
        Assert.All(steps, e => Assert.Null(e.ValidLoss));
        Assert.All(steps, e => Assert.DoesNotContain("validation", e.Message, StringComparison.Ordinal));
        Assert.Null(Assert.Single(sink.Checkpoints).ValidLoss);
    }

    [Fact]
    public async Task A_cancel_request_stops_training_after_that_step_with_no_later_checkpoint()
    {
        var job = Job(epochs: 3, batchSize: 5);
        var sink = new RecordingSink { CancelAfterStep = 8 };

        var next = await Backend().AdvanceAsync(job, From(Data.Value), sink, CancellationToken.None);

        Assert.Null(next);
        Assert.Equal(FineTuneStatus.Cancelled, job.Status);
        Assert.Equal(Now, job.FinishedAt);
        Assert.Equal(8, job.CompletedSteps);
        Assert.Null(job.ResultParametersJson);
        Assert.Null(job.FineTunedModel);
        Assert.Equal(8, sink.Events.Max(e => e.Step));
        Assert.Equal(["epoch-1"], sink.Checkpoints.Select(c => c.ExternalId));
        Assert.All(sink.Checkpoints, c => Assert.True(c.Step <= 8));
        Assert.Equal("cancelled", sink.Events[^1].ExternalId);
        Assert.Equal("Cancelled at step 8 of 18.", sink.Events[^1].Message);
        Assert.Equal(FineTuneStatus.Cancelled, sink.JobSnapshots[^1]);
    }

    [Fact]
    public async Task A_job_cancelled_before_it_starts_never_trains()
    {
        var job = Job();
        var sink = new RecordingSink { CancelAfterStep = 0 };

        await Backend().AdvanceAsync(job, _ => throw new InvalidOperationException("The data must not be read."), sink, CancellationToken.None);

        Assert.Equal(FineTuneStatus.Cancelled, job.Status);
        Assert.Empty(sink.Checkpoints);
        Assert.Equal("cancelled", Assert.Single(sink.Events).ExternalId);
    }

    [Fact]
    public async Task CancelAsync_marks_the_job_cancelled_and_says_so()
    {
        var job = Job();
        job.Status = FineTuneStatus.Running;
        job.CompletedSteps = 4;
        job.TotalSteps = 12;
        var sink = new RecordingSink();

        await Backend().CancelAsync(job, sink, CancellationToken.None);

        Assert.Equal(FineTuneStatus.Cancelled, job.Status);
        Assert.Equal(Now, job.FinishedAt);
        var e = Assert.Single(sink.Events);
        Assert.Equal("cancelled", e.ExternalId);
        Assert.Equal("Cancelled at step 4 of 12.", e.Message);
        Assert.Equal([FineTuneStatus.Cancelled], sink.JobSnapshots);
    }

    [Fact]
    public async Task A_finished_job_is_left_alone()
    {
        var job = Job();
        job.Status = FineTuneStatus.Succeeded;
        var sink = new RecordingSink();

        Assert.Null(await Backend().AdvanceAsync(job, From(Data.Value), sink, CancellationToken.None));
        await Backend().CancelAsync(job, sink, CancellationToken.None);

        Assert.Equal(FineTuneStatus.Succeeded, job.Status);
        Assert.Empty(sink.Attempted);
        Assert.Empty(sink.JobSnapshots);
    }

    [Fact]
    public async Task Replaying_a_job_reports_the_same_ids_so_the_sink_stores_each_report_once()
    {
        var sink = new RecordingSink();

        await Backend().AdvanceAsync(Job(), From(Data.Value), sink, CancellationToken.None);
        var firstIds = sink.Attempted.ToList();
        var firstEvents = sink.Events.Select(e => (e.ExternalId, e.Message, e.TrainLoss, e.ValidLoss)).ToList();
        var firstCheckpoints = sink.Checkpoints.Select(c => (c.ExternalId, c.ParametersJson)).ToList();
        // A restart: the stored copy of the job says Running, part-way through.
        var restarted = Job();
        restarted.Status = FineTuneStatus.Running;
        restarted.StartedAt = Now.AddMinutes(-5);
        restarted.CompletedSteps = 5;
        await Backend().AdvanceAsync(restarted, From(Data.Value), sink, CancellationToken.None);

        Assert.Equal(firstIds, sink.Attempted.Skip(firstIds.Count));
        Assert.Equal(firstEvents, sink.Events.Select(e => (e.ExternalId, e.Message, e.TrainLoss, e.ValidLoss)));
        Assert.Equal(firstCheckpoints, sink.Checkpoints.Select(c => (c.ExternalId, c.ParametersJson)));
        Assert.Equal(FineTuneStatus.Succeeded, restarted.Status);
        Assert.Equal(Now.AddMinutes(-5), restarted.StartedAt);
        Assert.Equal(restarted.TotalSteps, restarted.CompletedSteps);
    }

    [Fact]
    public async Task A_job_without_usable_examples_fails_with_the_training_file_error()
    {
        var job = Job();
        var sink = new RecordingSink();
        var unusable = new FineTuneDataset(["not json", """{"messages":[{"role":"user","content":"Plan something."},{"role":"assistant","content":"{}"}]}"""], []);

        var next = await Backend().AdvanceAsync(job, From(unusable), sink, CancellationToken.None);

        Assert.Null(next);
        Assert.Equal(FineTuneStatus.Failed, job.Status);
        Assert.Equal(LocalFineTuneBackend.InvalidTrainingFile, job.ErrorCode);
        Assert.Equal("invalid_training_file", job.ErrorCode);
        Assert.Contains("None of the 2 training examples can be used", job.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("not a chat example", job.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(Now, job.FinishedAt);
        Assert.Null(job.ResultParametersJson);
        Assert.Empty(sink.Checkpoints);
        Assert.DoesNotContain(sink.Events, e => e.Step is not null);
        Assert.Equal("warn", sink.Events.Single(e => e.ExternalId == "skipped").Level);
        Assert.Equal("error", sink.Events[^1].Level);
        Assert.Equal(FineTuneStatus.Failed, sink.JobSnapshots[^1]);
    }

    [Fact]
    public async Task An_empty_training_file_fails_the_job()
    {
        var job = Job();
        var sink = new RecordingSink();

        await Backend().AdvanceAsync(job, From(new FineTuneDataset([], [])), sink, CancellationToken.None);

        Assert.Equal(FineTuneStatus.Failed, job.Status);
        Assert.Equal(LocalFineTuneBackend.InvalidTrainingFile, job.ErrorCode);
        Assert.Equal("The training file has no examples.", job.ErrorMessage);
    }

    [Fact]
    public async Task Shutting_down_stops_training_and_leaves_the_job_to_be_resumed()
    {
        var job = Job(epochs: 3);
        using var shutdown = new CancellationTokenSource();
        var sink = new RecordingSink { OnStep = step => { if (step == 3) shutdown.Cancel(); } };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Backend().AdvanceAsync(job, From(Data.Value), sink, shutdown.Token));

        Assert.Equal(FineTuneStatus.Running, job.Status);
        Assert.Null(job.FinishedAt);
        Assert.True(sink.Events.Max(e => e.Step) <= 4);
    }

    /// <summary>Stores reports like the real sink: one per ExternalId; can ask for a cancel once a step is reached.</summary>
    private sealed class RecordingSink : IFineTuneSink
    {
        private int _lastStep;

        public List<FineTuneEvent> Events { get; } = [];
        public List<FineTuneCheckpoint> Checkpoints { get; } = [];
        /// <summary>Every ExternalId reported, stored or not, in order.</summary>
        public List<string> Attempted { get; } = [];
        public List<FineTuneStatus> JobSnapshots { get; } = [];
        public int? CancelAfterStep { get; init; }
        public Action<int>? OnStep { get; init; }

        public Task EventAsync(FineTuneEvent e, CancellationToken ct)
        {
            ct.ThrowIfCancellationRequested();
            Attempted.Add(e.ExternalId);
            if (e.Step is { } step)
            {
                _lastStep = step;
                OnStep?.Invoke(step);
            }
            if (Events.All(x => x.ExternalId != e.ExternalId))
                Events.Add(e);
            return Task.CompletedTask;
        }

        public Task CheckpointAsync(FineTuneCheckpoint checkpoint, CancellationToken ct)
        {
            ct.ThrowIfCancellationRequested();
            Attempted.Add($"checkpoint:{checkpoint.ExternalId}");
            if (Checkpoints.All(x => x.ExternalId != checkpoint.ExternalId))
                Checkpoints.Add(checkpoint);
            return Task.CompletedTask;
        }

        public Task JobChangedAsync(FineTuneJob job, CancellationToken ct)
        {
            ct.ThrowIfCancellationRequested();
            JobSnapshots.Add(job.Status);
            return Task.CompletedTask;
        }

        public Task<bool> CancelRequestedAsync(CancellationToken ct) =>
            Task.FromResult(CancelAfterStep is { } after && _lastStep >= after);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
