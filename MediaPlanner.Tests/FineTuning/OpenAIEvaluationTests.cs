using MediaPlanner.Domain.Demo;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.FineTuning.Evaluation;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Domain.Providers.OpenAI;
using MediaPlanner.Tests.Fakes;

namespace MediaPlanner.Tests.FineTuning;

/// <summary>
/// A job OpenAI finished is evaluated on held-out briefs against its base model, through the fake server: the base model
/// plans with the engine's defaults, and a "fine-tuned" model can be made to plan in the agency's house style.
/// </summary>
public sealed class OpenAIEvaluationTests : IClassFixture<FakeOpenAIServer>
{
    private const string BaseModel = "gpt-4o-mini-2024-07-18";
    private const string FineTuned = "ft:gpt-4o-mini-2024-07-18:mediaplanner:media-plans:abc123";
    internal const int HeldOut = 6;

    // Validated plans in a house style the engine does not share; a model trained on them plans in that style.
    internal static readonly Lazy<FineTuneDataset> Data = new(() => new FineTuneDataset(
        [.. HouseStyleAgency.Distinct().Examples(0, 60).Select(e => e.Line)],
        [.. HouseStyleAgency.Distinct().Examples(10_000, HeldOut).Select(e => e.Line)]));

    internal static readonly Lazy<MediaMixParameters> HouseStyle = new(() =>
        new ShareLearner(MediaMixParameters.Default, "house-style")
            .Fit(LocalTrainingSet.Prepare(Data.Value), ShareLearner.Schedule(new FineTuneHyperparameters(3)), usePairs: false)
            .Last().Parameters);

    private readonly FakeOpenAIServer _server;
    private readonly CancellationToken _ct = new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    public OpenAIEvaluationTests(FakeOpenAIServer server)
    {
        _server = server;
        _server.Reset();
    }

    [Fact]
    public async Task A_fine_tuned_model_closer_to_the_validated_plans_than_its_base_is_recommended_with_every_checkpoint_evaluated()
    {
        _server.Chat.ParametersFor = model => model.StartsWith("ft:", StringComparison.Ordinal) ? HouseStyle.Value : null;
        var job = NewJob();
        var sink = new RecordingSink();

        await RunToEndAsync(job, sink);

        Assert.Equal(FineTuneStatus.Succeeded, job.Status);
        Assert.Equal(FineTuned, job.FineTunedModel);
        Assert.True(job.Recommended, job.Verdict);
        Assert.Matches($"^{FineTuned} is \\d+ ?% closer to the validated plans than the base model: .* — recommended\\.$", job.Verdict);

        // Base, fine-tuned model and both checkpoints planned the same held-out briefs, once each.
        var evaluation = JobEvaluation.FromJson(job.EvaluationJson)!;
        Assert.Equal(HeldOut, evaluation.HeldOutBriefs);
        Assert.Equal(HeldOut, evaluation.Base.Planned);
        Assert.Equal([FineTuned, $"{FineTuned}:ckpt-step-3", $"{FineTuned}:ckpt-step-6"], evaluation.Checkpoints.Select(c => c.Model));
        Assert.Equal([2, 1, 2], evaluation.Checkpoints.Select(c => c.Epoch));
        Assert.Equal(FineTuned, evaluation.BestModel);
        Assert.True(evaluation.Improved);
        Assert.True(evaluation.Best!.MeanDistance < evaluation.Base.MeanDistance - 0.1,
            $"held-out distance: base {evaluation.Base.MeanDistance:0.000}, fine-tuned {evaluation.Best.MeanDistance:0.000}");
        var chats = _server.ChatRequests;
        Assert.Equal(HeldOut * 4, chats.Count);
        Assert.All(chats.GroupBy(c => c.Model), g => Assert.Equal(HeldOut, g.Count()));

        // Each checkpoint keeps its own figures, so the registry can show them next to Deploy.
        Assert.Equal(2, sink.Checkpoints.Count);
        foreach (var checkpoint in sink.Checkpoints)
            Assert.Equal(evaluation.Checkpoints.Single(c => c.Model == checkpoint.ModelName).Figures, JobEvaluation.FiguresFromJson(checkpoint.EvaluationJson));
        Assert.True(evaluation.For(FineTuned)!.Recommended);

        // The log: one start, one line per model with its figures, the verdict; nothing twice.
        Assert.Equal(["openai-succeeded", "openai-eval-start", "openai-eval-base", "openai-eval-model",
                $"openai-eval-{sink.Checkpoints[0].ExternalId}", $"openai-eval-{sink.Checkpoints[1].ExternalId}", "openai-evaluated"],
            sink.Events.Where(e => e.ExternalId.StartsWith("openai-eval", StringComparison.Ordinal) || e.ExternalId == "openai-succeeded")
                .Select(e => e.ExternalId));
        Assert.StartsWith($"Evaluating on {HeldOut} held-out briefs", sink.Events.Single(e => e.ExternalId == "openai-eval-start").Message, StringComparison.Ordinal);
        Assert.Contains("24 plan requests", sink.Events.Single(e => e.ExternalId == "openai-eval-start").Message, StringComparison.Ordinal);
        Assert.StartsWith($"Base model {BaseModel} on the held-out briefs: distance to the validated plans ",
            sink.Events.Single(e => e.ExternalId == "openai-eval-base").Message, StringComparison.Ordinal);
        Assert.Contains("6 plan requests", sink.Events.Single(e => e.ExternalId == "openai-eval-model").Message, StringComparison.Ordinal);
        Assert.Equal(0, sink.DuplicateEvents);
        // Not deployable (not succeeded) until the verdict is in; succeeded once, at the end.
        Assert.Equal(FineTuneStatus.Succeeded, sink.Statuses[^1]);
        Assert.Single(sink.Statuses, s => s == FineTuneStatus.Succeeded);
    }

    [Fact]
    public async Task A_fine_tuned_model_that_plans_worse_than_its_base_is_not_recommended()
    {
        // The other way round: the base model already plans in the house style, the fine-tuned one does not.
        _server.Chat.ParametersFor = model => model == BaseModel ? HouseStyle.Value : null;
        var job = NewJob();

        await RunToEndAsync(job, new RecordingSink());

        Assert.Equal(FineTuneStatus.Succeeded, job.Status);
        Assert.False(job.Recommended);
        Assert.StartsWith($"{FineTuned} did not improve on the base model: held-out distance to the validated plans ", job.Verdict, StringComparison.Ordinal);
        Assert.EndsWith("— not recommended for deployment.", job.Verdict, StringComparison.Ordinal);
        var evaluation = JobEvaluation.FromJson(job.EvaluationJson)!;
        Assert.False(evaluation.Improved);
        Assert.False(evaluation.For(FineTuned)!.Recommended);
    }

    [Fact]
    public async Task A_checkpoint_that_beats_the_final_model_is_named_in_the_verdict_while_the_final_model_stays_the_jobs_model()
    {
        _server.Chat.ParametersFor = model => model.EndsWith(":ckpt-step-3", StringComparison.Ordinal) ? HouseStyle.Value : null;
        var job = NewJob();

        await RunToEndAsync(job, new RecordingSink());

        var checkpoint = $"{FineTuned}:ckpt-step-3";
        Assert.Equal(FineTuned, job.FineTunedModel);
        Assert.True(job.Recommended);
        Assert.StartsWith($"{checkpoint} is ", job.Verdict, StringComparison.Ordinal);
        Assert.Contains("It is a checkpoint of this job and can be deployed from the model registry", job.Verdict, StringComparison.Ordinal);
        var evaluation = JobEvaluation.FromJson(job.EvaluationJson)!;
        Assert.Equal(checkpoint, evaluation.BestModel);
        Assert.True(evaluation.For(checkpoint)!.Recommended);
        Assert.False(evaluation.For(FineTuned)!.Recommended);
    }

    [Fact]
    public async Task Without_held_out_briefs_the_job_succeeds_but_could_not_be_compared_and_nothing_is_planned()
    {
        var job = NewJob(j => j.ValidationPercent = 0);
        var sink = new RecordingSink();

        await RunToEndAsync(job, sink, Data.Value with { ValidationLines = [] });

        Assert.Equal(FineTuneStatus.Succeeded, job.Status);
        Assert.Equal(FineTuned, job.FineTunedModel);
        Assert.False(job.Recommended);
        Assert.Null(job.EvaluationJson);
        Assert.Equal($"{FineTuned} could not be compared with the base model: no validated examples were held out (the job's validation share is 0 %) — not recommended for deployment.",
            job.Verdict);
        Assert.Equal("warn", sink.Events.Single(e => e.ExternalId == "openai-not-compared").Level);
        Assert.Empty(_server.ChatRequests);
    }

    [Fact]
    public async Task Held_out_lines_that_are_not_briefs_with_plans_leave_the_job_succeeded_but_not_compared()
    {
        var job = NewJob();
        var data = Data.Value with { ValidationLines = ["{\"messages\":[{\"role\":\"user\",\"content\":\"Plan something.\"},{\"role\":\"assistant\",\"content\":\"OK\"}]}"] };

        await RunToEndAsync(job, new RecordingSink(), data);

        Assert.Equal(FineTuneStatus.Succeeded, job.Status);
        Assert.False(job.Recommended);
        Assert.StartsWith($"{FineTuned} could not be compared with the base model: none of the 1 held-out example is a MediaPlanner brief with a plan",
            job.Verdict, StringComparison.Ordinal);
        Assert.Empty(_server.ChatRequests);
    }

    [Fact]
    public async Task A_rate_limit_during_the_evaluation_is_retried_from_where_it_stopped_without_duplicate_events_or_calls()
    {
        _server.Chat.ParametersFor = model => model.StartsWith("ft:", StringComparison.Ordinal) ? HouseStyle.Value : null;
        _server.Chat.RateLimit(FineTuned);
        var job = NewJob();
        var sink = new RecordingSink();
        var backend = Backend();

        // Train at OpenAI, then the evaluation: the base model plans, the fine-tuned model is rate limited.
        var ex = await Assert.ThrowsAsync<TransientFineTuneException>(async () =>
        {
            for (var round = 0; round < 40; round++)
                if (await backend.AdvanceAsync(job, From(Data.Value), sink, _ct) is null)
                    return;
        });
        Assert.Contains("429", ex.Message, StringComparison.Ordinal);
        Assert.Contains("fine-tuned model", ex.Message, StringComparison.Ordinal);
        var saved = sink.Saved!;
        Assert.Equal(FineTuneStatus.Running, saved.Status);
        Assert.Equal(FineTuned, saved.FineTunedModel);
        Assert.Null(saved.Recommended);
        var requestsBefore = _server.Requests.Count(r => r.Route is FakeRoute.CreateJob or FakeRoute.UploadFile);

        // A restart: a new backend and the job as saved. The runner retries it.
        saved.FailedAttempts = 1;
        await RunToEndAsync(saved, sink, backend: Backend());

        Assert.Equal(FineTuneStatus.Succeeded, saved.Status);
        Assert.True(saved.Recommended);
        Assert.Single(_server.Jobs);
        Assert.Equal(requestsBefore, _server.Requests.Count(r => r.Route is FakeRoute.CreateJob or FakeRoute.UploadFile));
        // The base model's figures were kept: it planned each brief once; the fine-tuned model once more for the 429.
        var chats = _server.ChatRequests;
        Assert.Equal(HeldOut, chats.Count(c => c.Model == BaseModel));
        Assert.Equal(HeldOut + 1, chats.Count(c => c.Model == FineTuned));
        // The retry sends its "succeeded" and "evaluating" lines again; the sink keeps each once, as the database does.
        Assert.Equal(sink.Events.Count, sink.Events.Select(e => e.ExternalId).Distinct().Count());
        Assert.Single(sink.Events, e => e.ExternalId == "openai-eval-base");
        Assert.Single(sink.Events, e => e.ExternalId == "openai-evaluated");
        Assert.Equal(4, JobEvaluation.FromJson(saved.EvaluationJson)!.Checkpoints.Count + 1);
    }

    [Fact]
    public async Task When_the_last_attempt_is_rate_limited_too_the_job_still_succeeds_but_is_not_recommended()
    {
        _server.Chat.RateLimit(BaseModel, int.MaxValue);
        var job = NewJob();
        var sink = new RecordingSink();
        var backend = Backend();
        await Assert.ThrowsAsync<TransientFineTuneException>(async () =>
        {
            for (var round = 0; round < 40; round++)
                await backend.AdvanceAsync(job, From(Data.Value), sink, _ct);
        });

        // What the runner loads for its last attempt: five failures already.
        var last = sink.Saved!;
        last.FailedAttempts = new FineTuneRunnerOptions().MaxAttempts - 1;
        var next = await backend.AdvanceAsync(last, From(Data.Value), sink, _ct);

        Assert.Null(next);
        Assert.Equal(FineTuneStatus.Succeeded, last.Status);
        Assert.Equal(FineTuned, last.FineTunedModel);
        Assert.False(last.Recommended);
        Assert.Null(last.ErrorCode);
        Assert.StartsWith($"{FineTuned} could not be compared with the base model: OpenAI kept failing after the model was trained (OpenAI is limiting the request rate (429)",
            last.Verdict, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_provider_that_fails_on_every_brief_leaves_the_job_succeeded_but_not_recommended()
    {
        _server.Chat.AnswerBadly();
        var job = NewJob();
        var sink = new RecordingSink();

        await RunToEndAsync(job, sink);

        Assert.Equal(FineTuneStatus.Succeeded, job.Status);
        Assert.Equal(FineTuned, job.FineTunedModel);
        Assert.False(job.Recommended);
        Assert.StartsWith($"{FineTuned} could not be compared with the base model: the base model {BaseModel} planned none of the held-out briefs (The model {BaseModel} did not return a usable plan, twice",
            job.Verdict, StringComparison.Ordinal);
        // It stopped after the base model: no point paying for the others.
        Assert.All(_server.ChatRequests, c => Assert.Equal(BaseModel, c.Model));
        Assert.Contains("planned 0 of 6", sink.Events.Single(e => e.ExternalId == "openai-eval-base").Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cancel_during_the_evaluation_stops_it_and_keeps_the_model_succeeded_but_not_recommended()
    {
        var sink = new RecordingSink();
        // An admin presses Cancel while the fine-tuned model plans its first held-out brief.
        _server.Chat.ParametersFor = model =>
        {
            if (model == FineTuned)
                sink.CancelRequested = true;
            return null;
        };
        var job = NewJob();

        await RunToEndAsync(job, sink);

        Assert.Equal(FineTuneStatus.Succeeded, job.Status);
        Assert.Equal(FineTuned, job.FineTunedModel);
        Assert.False(job.Recommended);
        Assert.Equal($"{FineTuned} could not be compared with the base model: the evaluation was stopped by a cancel request — not recommended for deployment.", job.Verdict);
        Assert.Single(_server.ChatRequests, c => c.Model == FineTuned);
    }

    [Fact]
    public async Task The_number_of_held_out_briefs_is_a_setting_and_zero_turns_the_evaluation_off()
    {
        var few = NewJob();
        await RunToEndAsync(few, new RecordingSink(), backend: Backend(o => o.EvaluationBriefs = 2));
        Assert.Equal(2, JobEvaluation.FromJson(few.EvaluationJson)!.HeldOutBriefs);
        Assert.Equal(2 * 4, _server.ChatRequests.Count);

        _server.Reset();
        var off = NewJob();
        await RunToEndAsync(off, new RecordingSink(), backend: Backend(o => o.EvaluationBriefs = 0));
        Assert.Equal(FineTuneStatus.Succeeded, off.Status);
        Assert.False(off.Recommended);
        Assert.Contains("the held-out evaluation is turned off (OpenAI:EvaluationBriefs is 0)", off.Verdict, StringComparison.Ordinal);
        Assert.Empty(_server.ChatRequests);
    }

    internal static Func<CancellationToken, Task<FineTuneDataset>> From(FineTuneDataset data) => _ => Task.FromResult(data);

    private async Task RunToEndAsync(FineTuneJob job, RecordingSink sink, FineTuneDataset? data = null, OpenAIFineTuneBackend? backend = null)
    {
        backend ??= Backend();
        for (var round = 0; round < 40; round++)
            if (await backend.AdvanceAsync(job, From(data ?? Data.Value), sink, _ct) is null)
                return;
        Assert.Fail($"The job did not finish in 40 rounds; it is {job.Status}.");
    }

    internal static FineTuneJob NewJob(Action<FineTuneJob>? change = null)
    {
        var job = new FineTuneJob
        {
            Id = 7,
            Provider = FineTuneProviders.OpenAI,
            BaseModel = BaseModel,
            Suffix = "media-plans",
            Seed = 42,
            Epochs = 2,
            BatchSize = 20,
            ValidationPercent = 10,
            TrainingExamples = 60,
            ValidationExamples = HeldOut,
            CreatedById = "admin",
            CreatedAt = DateTimeOffset.UtcNow,
        };
        change?.Invoke(job);
        return job;
    }

    private OpenAIFineTuneBackend Backend(Action<OpenAIOptions>? change = null) =>
        OpenAIFineTuneBackendTests.Backend(OpenAIFineTuneBackendTests.TestOptions(_server, change));
}
