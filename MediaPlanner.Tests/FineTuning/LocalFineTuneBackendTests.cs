using MediaPlanner.Domain.Demo;
using MediaPlanner.Domain.FineTuning.Evaluation;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Training;

namespace MediaPlanner.Tests.FineTuning;

public class LocalFineTuneBackendTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);

    // A house style the engine does not share: training must move plans toward it, and the held-out briefs show it.
    private static readonly Lazy<FineTuneDataset> Data = new(() => new FineTuneDataset(
        [.. HouseStyleAgency.Distinct().Examples(0, 60).Select(e => e.Line)],
        [.. HouseStyleAgency.Distinct().Examples(10_000, 15).Select(e => e.Line)]));

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
    public async Task A_job_trains_a_checkpoint_per_epoch_evaluates_each_on_the_held_out_briefs_and_keeps_the_best()
    {
        var job = Job(epochs: 3);
        var sink = new RecordingSink();

        var next = await Backend().AdvanceAsync(job, From(Data.Value), sink, CancellationToken.None);

        Assert.Null(next);
        Assert.Equal(FineTuneStatus.Succeeded, job.Status);
        Assert.Equal("local-mix:ft-spring-7", job.FineTunedModel);
        Assert.Equal(Now, job.StartedAt);
        Assert.Equal(Now, job.FinishedAt);
        Assert.Null(job.ErrorCode);
        Assert.Equal(3, job.TotalSteps); // one step per epoch: each epoch is a point on the shrinkage path
        Assert.Equal(job.TotalSteps, job.CompletedSteps);
        Assert.True(job.TrainedTokens > 0);

        var trained = MediaMixParameters.FromJson(job.ResultParametersJson!);
        Assert.Equal($"{ShareLearner.DefaultName}-7", trained.Name);
        Assert.NotNull(trained.Mix);
        Assert.Equal(60, trained.Mix.TrainedOn);

        Assert.Equal(["epoch-1", "epoch-2", "epoch-3"], sink.Checkpoints.Select(c => c.ExternalId));
        Assert.Equal([1, 2, 3], sink.Checkpoints.Select(c => c.Step));
        Assert.Equal(["local-mix:ft-spring-7:ckpt-step-1", "local-mix:ft-spring-7:ckpt-step-2", "local-mix:ft-spring-7:ckpt-step-3"],
            sink.Checkpoints.Select(c => c.ModelName));
        var figures = sink.Checkpoints.Select(c => JobEvaluation.FiguresFromJson(c.EvaluationJson)!).ToList();
        Assert.All(figures, f => Assert.Equal(15, f.Briefs));

        // The evaluation: base and every checkpoint on the same 15 held-out briefs; the result is the best checkpoint.
        var evaluation = JobEvaluation.FromJson(job.EvaluationJson)!;
        Assert.Equal(15, evaluation.HeldOutBriefs);
        Assert.Equal(15, evaluation.Base.Planned);
        Assert.Equal(figures, evaluation.Checkpoints.Select(c => c.Figures));
        var best = evaluation.Checkpoints.MinBy(c => c.Figures.MeanDistance)!;
        Assert.Equal(best.Figures, evaluation.Best);
        Assert.Equal(sink.Checkpoints.Single(c => c.ModelName == best.Model).ParametersJson, job.ResultParametersJson);
        Assert.Equal("local-mix:ft-spring-7", evaluation.BestModel);

        // The house style is far from the engine's: the best checkpoint is much closer, so the job recommends itself.
        Assert.True(evaluation.Best!.MeanDistance < evaluation.Base.MeanDistance * 0.6,
            $"held-out distance: base {evaluation.Base.MeanDistance:0.000}, best {evaluation.Best.MeanDistance:0.000}");
        Assert.True(evaluation.Improved);
        Assert.True(job.Recommended);
        Assert.Equal(evaluation.Verdict, job.Verdict);
        Assert.Matches(@"closer to the validated plans than the base model: .* — recommended\.( Its quality is below the base model's but not below your validated plans' [0-9.]+: .*)?$", job.Verdict);
        Assert.Equal(1.0, evaluation.Best.WithinBudgetRate);

        Assert.Equal(["start", "training", "weighting", "base"], sink.Events.Take(4).Select(e => e.ExternalId));
        Assert.Equal("Validating 60 training examples and 15 validation examples…", sink.Events[0].Message);
        var epochs = sink.Events.Where(e => e.Step is not null).ToList();
        Assert.Equal([1, 2, 3], epochs.Select(e => e.Step!.Value));
        Assert.All(epochs, e => Assert.Matches(@"^Epoch \d/3 \(shrinkage [0-9.]+\): training loss \d\.\d{4}; held out: distance to the validated plans \d\.\d{3}", e.Message));
        Assert.Equal("done", sink.Events[^1].ExternalId);
        Assert.Contains("best checkpoint on held-out fit", sink.Events[^1].Message, StringComparison.Ordinal);
        Assert.Equal(FineTuneStatus.Succeeded, sink.JobSnapshots[^1]);
        Assert.Contains(FineTuneStatus.Running, sink.JobSnapshots);
    }

    [Fact]
    public async Task A_model_that_does_not_beat_the_base_model_on_held_out_briefs_is_not_recommended()
    {
        // Trained on one agency's style, held out on an agency that plans like the engine: the model moves away from it.
        var data = new FineTuneDataset(
            [.. HouseStyleAgency.Distinct().Examples(0, 60).Select(e => e.Line)],
            [.. HouseStyleAgency.Control(noise: 0.02).Examples(20_000, 15).Select(e => e.Line)]);
        var job = Job(epochs: 3);
        var sink = new RecordingSink();

        await Backend().AdvanceAsync(job, From(data), sink, CancellationToken.None);

        Assert.Equal(FineTuneStatus.Succeeded, job.Status);
        Assert.False(job.Recommended);
        var evaluation = JobEvaluation.FromJson(job.EvaluationJson)!;
        Assert.False(evaluation.Improved);
        Assert.True(evaluation.Best!.MeanDistance >= evaluation.Base.MeanDistance - JobEvaluation.MinDistanceGain);
        Assert.StartsWith("local-mix:ft-spring-7 did not improve on the base model: held-out distance to the validated plans ", job.Verdict, StringComparison.Ordinal);
        Assert.EndsWith("— not recommended for deployment.", job.Verdict, StringComparison.Ordinal);
        Assert.Equal("warn", sink.Events[^1].Level);
    }

    [Fact]
    public async Task Without_held_out_examples_the_job_says_it_could_not_be_compared_and_is_not_recommended()
    {
        var job = Job(epochs: 2, suffix: null);
        var sink = new RecordingSink();

        await Backend().AdvanceAsync(job, From(Data.Value with { ValidationLines = [] }), sink, CancellationToken.None);

        Assert.Equal(FineTuneStatus.Succeeded, job.Status);
        Assert.Equal("local-mix:ft-model-7", job.FineTunedModel);
        Assert.False(job.Recommended);
        Assert.Contains("could not be compared with the base model", job.Verdict, StringComparison.Ordinal);
        Assert.Equal("warn", sink.Events.Single(e => e.ExternalId == "no-held-out").Level);
        Assert.All(sink.Checkpoints, c => Assert.Null(c.EvaluationJson));
        // With nothing to choose on, the result is the last checkpoint.
        Assert.Equal(sink.Checkpoints[^1].ParametersJson, job.ResultParametersJson);
    }

    [Fact]
    public async Task Campaign_results_weigh_the_examples_and_the_job_says_how()
    {
        var outcomes = Enumerable.Range(0, 60).Select(i => i % 4 == 0 ? new ExampleOutcome(0.05, null, null) : null).ToList();
        var job = Job(epochs: 1);
        var sink = new RecordingSink();

        await Backend().AdvanceAsync(job, From(Data.Value with { TrainingOutcomes = outcomes }), sink, CancellationToken.None);

        var weighting = JobEvaluation.FromJson(job.EvaluationJson)!.Weighting!;
        Assert.Equal(60, weighting.Examples);
        Assert.Equal(15, weighting.WithResults);
        Assert.True(weighting.MaxWeight > 1, $"a CTR of 5 % beats every benchmark CTR, so those examples weigh more (max {weighting.MaxWeight})");
        Assert.Equal(1.0, weighting.MinWeight);
        Assert.StartsWith("15 of 60 training examples carried campaign results", sink.Events.Single(e => e.ExternalId == "weighting").Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Preference_pairs_are_tried_and_used_only_if_they_improve_the_held_out_fit()
    {
        var agency = HouseStyleAgency.Distinct();
        var engine = new LocalMediaMixEngine(MediaMixParameters.Default);
        // Pairs: the house-style plan chosen over the engine's own plan for the same brief.
        var pairs = agency.Examples(30_000, 20).Select(e =>
        {
            var chat = ChatExample.Parse(e.Line);
            var input = new ChatExample([.. chat.Messages.Take(2)]).ToJsonLine();
            var rejected = PlanJson.Serialize(engine.Generate(e.Request())[0]);
            return PreferencePairService.ToJsonLine(input, chat.Messages[2].Content!, rejected);
        }).ToList();
        var job = Job(epochs: 2);
        var sink = new RecordingSink();

        await Backend().AdvanceAsync(job, From(Data.Value with { PreferenceLines = pairs }), sink, CancellationToken.None);

        Assert.Equal(FineTuneStatus.Succeeded, job.Status);
        Assert.Equal(4, job.TotalSteps);
        Assert.Equal(["epoch-1", "epoch-2", "pairs-epoch-1", "pairs-epoch-2"], sink.Checkpoints.Select(c => c.ExternalId));
        var evaluation = JobEvaluation.FromJson(job.EvaluationJson)!;
        var use = evaluation.Preferences!;
        Assert.Equal(20, use.Pairs);
        Assert.Equal(use.DistanceWith < use.DistanceWithout, use.Used);
        var pool = evaluation.Checkpoints.Where(c => c.Model.Contains(":ckpt-pairs-", StringComparison.Ordinal) == use.Used);
        Assert.Equal(pool.Min(c => c.Figures.MeanDistance), evaluation.Best!.MeanDistance);
        Assert.StartsWith(use.Used ? "Preference pairs used" : "Preference pairs not used", sink.Events.Single(e => e.ExternalId == "pairs-result").Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cancel_request_stops_training_after_that_epoch_with_no_later_checkpoint()
    {
        var job = Job(epochs: 3);
        var sink = new RecordingSink { CancelAfterStep = 2 };

        var next = await Backend().AdvanceAsync(job, From(Data.Value), sink, CancellationToken.None);

        Assert.Null(next);
        Assert.Equal(FineTuneStatus.Cancelled, job.Status);
        Assert.Equal(Now, job.FinishedAt);
        Assert.Equal(2, job.CompletedSteps);
        Assert.Null(job.ResultParametersJson);
        Assert.Null(job.FineTunedModel);
        Assert.Null(job.Recommended);
        Assert.Equal(["epoch-1", "epoch-2"], sink.Checkpoints.Select(c => c.ExternalId));
        Assert.Equal("cancelled", sink.Events[^1].ExternalId);
        Assert.Equal("Cancelled at epoch 2 of 3.", sink.Events[^1].Message);
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
        job.Start(Now);
        job.Progress(4, 12);
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
        job.Succeed(Now);
        var sink = new RecordingSink();

        Assert.Null(await Backend().AdvanceAsync(job, From(Data.Value), sink, CancellationToken.None));
        await Backend().CancelAsync(job, sink, CancellationToken.None);

        Assert.Equal(FineTuneStatus.Succeeded, job.Status);
        Assert.Empty(sink.Attempted);
        Assert.Empty(sink.JobSnapshots);
    }

    [Fact]
    public async Task A_job_restarted_after_the_app_stopped_discards_the_first_runs_reports_and_says_so_in_its_first_event()
    {
        var clean = new RecordingSink();
        await Backend().AdvanceAsync(Job(epochs: 4), From(Data.Value), clean, CancellationToken.None);
        var stopped = false;
        // The first run dies between checkpoint 3 and its event, as a killed process would.
        var sink = new RecordingSink { OnStep = step => { if (step == 3 && !stopped) { stopped = true; throw new OperationCanceledException("killed"); } } };
        var first = Job(epochs: 4);
        await Assert.ThrowsAsync<OperationCanceledException>(() => Backend().AdvanceAsync(first, From(Data.Value), sink, CancellationToken.None));
        Assert.Equal(3, sink.Checkpoints.Count);

        // The stored copy of the job says Running, part-way through.
        var restarted = Job(epochs: 4);
        restarted.Start(Now.AddMinutes(-5));
        restarted.Progress(2, first.TotalSteps);
        await Backend().AdvanceAsync(restarted, From(Data.Value), sink, CancellationToken.None);

        Assert.Equal("restart", sink.Events[0].ExternalId);
        Assert.Equal($"Restarted after the app stopped at step 2 of {first.TotalSteps}; the first run's events were discarded.", sink.Events[0].Message);
        Assert.Equal(clean.Events.Select(e => (e.ExternalId, e.Message, e.Step)), sink.Events.Skip(1).Select(e => (e.ExternalId, e.Message, e.Step)));
        Assert.Equal(Enumerable.Range(1, restarted.TotalSteps), sink.Events.Where(e => e.Step is not null).Select(e => e.Step!.Value));
        Assert.Equal(clean.Checkpoints.Select(c => (c.ExternalId, c.Step, c.ParametersJson)), sink.Checkpoints.Select(c => (c.ExternalId, c.Step, c.ParametersJson)));
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
        var sink = new RecordingSink { OnStep = step => { if (step == 1) shutdown.Cancel(); } };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Backend().AdvanceAsync(job, From(Data.Value), sink, shutdown.Token));

        Assert.Equal(FineTuneStatus.Running, job.Status);
        Assert.Null(job.FinishedAt);
        Assert.True(sink.Events.Max(e => e.Step) <= 2);
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

        public Task DiscardReportsAsync(CancellationToken ct)
        {
            Attempted.Add("discard");
            Events.Clear();
            Checkpoints.Clear();
            return Task.CompletedTask;
        }
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
