using System.ClientModel.Primitives;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Providers.OpenAI;
using MediaPlanner.Tests.Fakes;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MediaPlanner.Tests.FineTuning;

/// <summary>The OpenAI backend against the fake OpenAI server on loopback: the real API is never called.</summary>
public sealed partial class OpenAIFineTuneBackendTests : IClassFixture<FakeOpenAIServer>
{
    private const string BaseModel = "gpt-4o-mini-2024-07-18";
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);

    private readonly FakeOpenAIServer _server;
    private readonly CancellationToken _ct = new CancellationTokenSource(TestTimeout).Token;

    public OpenAIFineTuneBackendTests(FakeOpenAIServer server)
    {
        _server = server;
        _server.Reset();
    }

    [Fact]
    public async Task A_job_runs_from_upload_to_succeeded_with_events_checkpoints_and_the_model_name()
    {
        var backend = Backend();
        var job = NewJob();
        var sink = new RecordingSink();

        await RunToEndAsync(backend, job, sink);

        // Files: both uploaded for fine-tuning, under names that tie them to the job.
        var files = _server.Files.OrderBy(f => f.Filename).ToList();
        Assert.Equal(["mediaplanner-job-7-train.jsonl", "mediaplanner-job-7-valid.jsonl"], files.Select(f => f.Filename));
        Assert.All(files, f => Assert.Equal("fine-tune", f.Purpose));
        Assert.Equal(12, files[0].Lines);
        Assert.Equal(3, files[1].Lines);
        Assert.Equal(files[0].Id, job.TrainingFileId);
        Assert.Equal(files[1].Id, job.ValidationFileId);
        // OpenAI takes the export's JSONL byte for byte: no byte-order mark.
        Assert.Equal(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', Lines("train", 12)) + "\n"), files[0].Bytes);

        // The create request: supervised method, hyperparameters as set ("auto" where left open), suffix and seed.
        var remote = Assert.Single(_server.Jobs);
        var request = remote.Request;
        Assert.Equal(BaseModel, request["model"]!.GetValue<string>());
        Assert.Equal(job.TrainingFileId, request["training_file"]!.GetValue<string>());
        Assert.Equal(job.ValidationFileId, request["validation_file"]!.GetValue<string>());
        Assert.Equal("media-plans", request["suffix"]!.GetValue<string>());
        Assert.Equal(42, request["seed"]!.GetValue<int>());
        Assert.Equal("supervised", request["method"]!["type"]!.GetValue<string>());
        var hyper = request["method"]!["supervised"]!["hyperparameters"]!;
        Assert.Equal(2, hyper["n_epochs"]!.GetValue<int>());
        Assert.Equal(4, hyper["batch_size"]!.GetValue<int>());
        Assert.Equal("auto", hyper["learning_rate_multiplier"]!.GetValue<string>());
        Assert.Null(request["trainingType"]);
        Assert.Null(request["hyperparameters"]);

        // The outcome, including what only the raw JSON carries.
        Assert.Equal(FineTuneStatus.Succeeded, job.Status);
        Assert.Equal(remote.Id, job.ExternalId);
        Assert.Equal("ft:gpt-4o-mini-2024-07-18:mediaplanner:media-plans:abc123", job.FineTunedModel);
        Assert.NotNull(remote.TrainedTokens);
        Assert.Equal(remote.TrainedTokens, job.TrainedTokens);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(remote.FinishedAt!.Value), job.FinishedAt);
        Assert.NotNull(job.StartedAt);
        Assert.Null(job.ErrorCode);
        Assert.Equal(6, remote.TotalSteps); // 2 epochs × ⌈12 / 4⌉
        Assert.Equal(6, job.TotalSteps);
        Assert.Equal(6, job.CompletedSteps);
        Assert.Contains(FineTuneStatus.Queued, sink.Statuses);
        Assert.Contains(FineTuneStatus.Running, sink.Statuses);

        // Every OpenAI event once, oldest first, metrics parsed; the cursor on the newest.
        var remoteIds = remote.Events.Select(e => e["id"]!.GetValue<string>()).ToList();
        Assert.Equal(remoteIds, sink.OpenAIEvents.Select(e => e.ExternalId));
        Assert.Equal(remoteIds[^1], job.LastEventCursor);
        Assert.Equal(0, sink.DuplicateEvents);
        var metrics = sink.OpenAIEvents.Where(e => e.Step is not null).ToList();
        Assert.Equal([1, 2, 3, 4, 5, 6], metrics.Select(e => e.Step!.Value));
        var first = remote.Events.First(e => e["type"]!.GetValue<string>() == "metrics")["data"]!;
        Assert.Equal(first["train_loss"]!.GetValue<double>(), metrics[0].TrainLoss);
        Assert.Equal(first["valid_loss"]!.GetValue<double>(), metrics[0].ValidLoss);
        Assert.Equal(first["train_mean_token_accuracy"]!.GetValue<double>(), metrics[0].TrainAccuracy);
        Assert.Equal(first["valid_mean_token_accuracy"]!.GetValue<double>(), metrics[0].ValidAccuracy);
        Assert.StartsWith("Step 1/6", metrics[0].Message);

        // A checkpoint per epoch, with its metrics.
        Assert.Equal(remote.Checkpoints.Select(c => c["id"]!.GetValue<string>()), sink.Checkpoints.Select(c => c.ExternalId));
        Assert.Equal([3, 6], sink.Checkpoints.Select(c => c.Step));
        var last = sink.Checkpoints[^1];
        Assert.Equal("ft:gpt-4o-mini-2024-07-18:mediaplanner:media-plans:abc123:ckpt-step-6", last.ModelName);
        Assert.NotNull(last.TrainLoss);
        Assert.NotNull(last.ValidAccuracy);
        Assert.NotNull(last.FullValidLoss);
        Assert.NotNull(last.FullValidAccuracy);

        // Our own log lines and the key's handling.
        Assert.Contains(sink.Events, e => e.ExternalId == $"openai-created-{remote.Id}");
        Assert.All(_server.Requests, r => Assert.True(r.Authorized));
        Assert.All(_server.Requests, r => Assert.Equal("(redacted)", r.Headers["authorization"]));
    }

    [Fact]
    public async Task Auto_hyperparameters_are_sent_as_auto_and_no_validation_file_when_there_is_none()
    {
        var job = NewJob(j => { j.Epochs = null; j.BatchSize = null; j.LearningRateMultiplier = 0.5; j.ValidationPercent = 0; j.Suffix = null; j.Seed = null; });

        await RunToEndAsync(Backend(), job, new RecordingSink(), Dataset(validation: 0));

        var request = Assert.Single(_server.Jobs).Request;
        var hyper = request["method"]!["supervised"]!["hyperparameters"]!;
        Assert.Equal("auto", hyper["n_epochs"]!.GetValue<string>());
        Assert.Equal("auto", hyper["batch_size"]!.GetValue<string>());
        Assert.Equal(0.5, hyper["learning_rate_multiplier"]!.GetValue<double>());
        Assert.Null(request["validation_file"]);
        Assert.Null(request["suffix"]);
        Assert.Null(request["seed"]);
        Assert.Single(_server.Files);
        Assert.Null(job.ValidationFileId);
        Assert.Equal(FineTuneStatus.Succeeded, job.Status);
        Assert.Equal("ft:gpt-4o-mini-2024-07-18:mediaplanner:model:abc123", job.FineTunedModel);
    }

    [Fact]
    public async Task After_a_restart_mid_training_the_job_is_neither_uploaded_nor_created_again_and_no_event_is_stored_twice()
    {
        var sink = new RecordingSink();
        var job = NewJob();
        var first = Backend();
        while (!(job.Status == FineTuneStatus.Running && job.CompletedSteps > 0))
            Assert.NotNull(await first.AdvanceAsync(job, Dataset(), sink, _ct));
        var eventsBefore = sink.OpenAIEvents.Count;
        var requestsBefore = _server.Requests.Count;

        // A new process: a new backend and the job as the database holds it.
        var reloaded = sink.Saved!;
        await RunToEndAsync(Backend(), reloaded, sink, NoDataset);

        Assert.Single(_server.Jobs);
        Assert.Equal(2, _server.RequestsTo(FakeRoute.UploadFile).Count());
        Assert.Single(_server.RequestsTo(FakeRoute.CreateJob));
        Assert.Equal(FineTuneStatus.Succeeded, reloaded.Status);
        Assert.Equal(0, sink.DuplicateEvents);
        Assert.True(sink.OpenAIEvents.Count > eventsBefore);
        Assert.Equal(_server.Jobs[0].Events.Select(e => e["id"]!.GetValue<string>()), sink.OpenAIEvents.Select(e => e.ExternalId));
        // Each poll after the restart read only the newest page of events, starting from the newest.
        Assert.All(_server.Requests.Skip(requestsBefore).Where(r => r.Route == FakeRoute.ListEvents),
            r => Assert.DoesNotContain("after=", r.Query));
    }

    [Fact]
    public async Task Events_logged_while_the_app_was_down_are_paged_in_with_after_cursors_and_stored_oldest_first()
    {
        var job = NewJob(j => { j.Epochs = 2; j.BatchSize = 1; j.TrainingExamples = 150; j.ValidationPercent = 0; });
        var sink = new RecordingSink();
        var backend = Backend();
        await backend.AdvanceAsync(job, Dataset(training: 150, validation: 0), sink, _ct);
        Assert.NotNull(await backend.AdvanceAsync(job, NoDataset, sink, _ct));
        var cursor = job.LastEventCursor;
        Assert.NotNull(cursor);

        // Meanwhile the job trains on at OpenAI: 300 steps, so far more events than one page holds.
        using var http = new HttpClient { BaseAddress = _server.Root };
        http.DefaultRequestHeaders.Authorization = new("Bearer", _server.ApiKey);
        for (var i = 0; i < 4; i++)
            (await http.GetAsync($"/v1/fine_tuning/jobs/{job.ExternalId}", _ct)).EnsureSuccessStatusCode();
        var pollsBefore = _server.RequestsTo(FakeRoute.ListEvents).Count();

        await backend.AdvanceAsync(job, NoDataset, sink, _ct);

        var remote = _server.Jobs[0];
        Assert.True(remote.Events.Count > 300);
        var pages = _server.RequestsTo(FakeRoute.ListEvents).Skip(pollsBefore).ToList();
        Assert.True(pages.Count >= 4, $"read {pages.Count} pages");
        Assert.DoesNotContain("after=", pages[0].Query);
        Assert.All(pages.Skip(1), p => Assert.Contains("after=ftevent-", p.Query));
        Assert.Equal(remote.Events.Select(e => e["id"]!.GetValue<string>()), sink.OpenAIEvents.Select(e => e.ExternalId));
        Assert.Equal(0, sink.DuplicateEvents);
        Assert.Equal(remote.Events[^1]["id"]!.GetValue<string>(), job.LastEventCursor);
        Assert.Equal(300, job.TotalSteps);
        Assert.Equal(remote.StepsDone, job.CompletedSteps);
    }

    [Fact]
    public async Task After_a_restart_between_upload_and_create_the_saved_files_are_used_and_the_job_created_once()
    {
        _server.Inject(FakeRoute.CreateJob, new FakeFault.HttpStatus(500), times: 1);
        var sink = new RecordingSink();
        var job = NewJob();

        await Assert.ThrowsAsync<TransientFineTuneException>(() => Backend().AdvanceAsync(job, Dataset(), sink, _ct));
        var saved = sink.Saved!;
        Assert.NotNull(saved.TrainingFileId);
        Assert.NotNull(saved.ValidationFileId);
        Assert.Null(saved.ExternalId);

        var next = await Backend().AdvanceAsync(saved, NoDataset, sink, _ct);

        Assert.NotNull(next);
        Assert.Equal(2, _server.RequestsTo(FakeRoute.UploadFile).Count());
        Assert.Equal(2, _server.RequestsTo(FakeRoute.CreateJob).Count());
        Assert.Equal(Assert.Single(_server.Jobs).Id, saved.ExternalId);
        Assert.Equal(FineTuneStatus.ValidatingFiles, saved.Status);
    }

    [Fact]
    public async Task A_create_whose_answer_was_lost_is_found_and_followed_instead_of_created_twice()
    {
        _server.Inject(FakeRoute.CreateJob, new FakeFault.ProcessThenFail(502), times: 1);
        var sink = new RecordingSink();
        var job = NewJob();
        var backend = Backend();

        await Assert.ThrowsAsync<TransientFineTuneException>(() => backend.AdvanceAsync(job, Dataset(), sink, _ct));
        Assert.Null(job.ExternalId);
        await RunToEndAsync(backend, job, sink, NoDataset);

        var remote = Assert.Single(_server.Jobs);
        Assert.Single(_server.RequestsTo(FakeRoute.CreateJob));
        Assert.Equal(remote.Id, job.ExternalId);
        Assert.Contains(sink.Events, e => e.ExternalId == $"openai-adopted-{remote.Id}");
        Assert.Equal(FineTuneStatus.Succeeded, job.Status);
    }

    [Fact]
    public async Task A_server_that_cannot_list_jobs_still_gets_the_job_created()
    {
        _server.Inject(FakeRoute.ListJobs, new FakeFault.HttpStatus(404));
        var job = NewJob();

        var next = await Backend().AdvanceAsync(job, Dataset(), new RecordingSink(), _ct);

        Assert.NotNull(next);
        Assert.Equal(Assert.Single(_server.Jobs).Id, job.ExternalId);
    }

    [Fact]
    public async Task Cancelling_a_running_job_posts_cancel_and_marks_it_cancelled()
    {
        var job = NewJob();
        var sink = new RecordingSink();
        var backend = Backend();
        while (job.Status != FineTuneStatus.Running)
            await backend.AdvanceAsync(job, Dataset(), sink, _ct);

        await backend.CancelAsync(job, sink, _ct);

        var cancel = Assert.Single(_server.RequestsTo(FakeRoute.CancelJob));
        Assert.Equal($"/v1/fine_tuning/jobs/{job.ExternalId}/cancel", cancel.Path);
        Assert.Equal("cancelled", _server.Jobs[0].Status);
        Assert.Equal(FineTuneStatus.Cancelled, job.Status);
        Assert.Equal(FineTuneStatus.Cancelled, sink.Saved!.Status);
        Assert.NotNull(job.FinishedAt);
        Assert.Contains(sink.Events, e => e.ExternalId == "openai-cancelled");
    }

    [Fact]
    public async Task Cancelling_before_the_job_exists_at_openai_sends_nothing()
    {
        var job = NewJob();
        var sink = new RecordingSink();

        await Backend().CancelAsync(job, sink, _ct);

        Assert.Equal(FineTuneStatus.Cancelled, job.Status);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task A_cancel_requested_during_the_uploads_stops_before_the_job_is_created()
    {
        var job = NewJob();
        var sink = new RecordingSink { CancelRequested = true };

        var next = await Backend().AdvanceAsync(job, Dataset(), sink, _ct);

        Assert.Null(next);
        Assert.Equal(FineTuneStatus.Cancelled, job.Status);
        Assert.Empty(_server.RequestsTo(FakeRoute.CreateJob));
    }

    // Uploads must not read it again; the held-out evaluation does, and ends "could not be compared" on this.
    internal static readonly Func<CancellationToken, Task<FineTuneDataset>> NoDataset =
        _ => throw new InvalidOperationException("The dataset must not be read again once the files are uploaded.");

    internal static Func<CancellationToken, Task<FineTuneDataset>> Dataset(int training = 12, int validation = 3) =>
        _ => Task.FromResult(new FineTuneDataset(Lines("train", training), Lines("valid", validation)));

    internal static List<string> Lines(string part, int count) => FineTuneLines.Lines(part, count);

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
            BatchSize = 4,
            ValidationPercent = 20,
            TrainingExamples = 12,
            ValidationExamples = 3,
            CreatedById = "admin",
            CreatedAt = DateTimeOffset.UtcNow,
        };
        change?.Invoke(job);
        return job;
    }

    private OpenAIOptions TestOptions(Action<OpenAIOptions>? change = null) => TestOptions(_server, change);

    /// <summary>Options pointing at the fake server, polling fast.</summary>
    internal static OpenAIOptions TestOptions(FakeOpenAIServer server, Action<OpenAIOptions>? change = null)
    {
        var options = new OpenAIOptions
        {
            ApiKey = server.ApiKey,
            Endpoint = server.BaseAddress.ToString(),
            NetworkTimeout = TimeSpan.FromSeconds(10),
            PollWhileQueued = TimeSpan.FromMilliseconds(10),
            PollWhileRunning = TimeSpan.FromMilliseconds(10),
        };
        change?.Invoke(options);
        return options;
    }

    private OpenAIFineTuneBackend Backend(Action<OpenAIOptions>? change = null) => Backend(TestOptions(change));

    internal static OpenAIFineTuneBackend Backend(OpenAIOptions options, PipelineTransport? transport = null)
    {
        var monitor = new FixedOptionsMonitor(options);
        var clients = new OpenAIClientFactory(monitor, transport);
        return new(clients, [new OpenAIPlanProvider(clients, monitor, NullLogger<OpenAIPlanProvider>.Instance)], TimeProvider.System,
            NullLogger<OpenAIFineTuneBackend>.Instance);
    }

    private async Task RunToEndAsync(
        IFineTuneBackend backend, FineTuneJob job, RecordingSink sink, Func<CancellationToken, Task<FineTuneDataset>>? dataset = null)
    {
        for (var round = 0; round < 40; round++)
            if (await backend.AdvanceAsync(job, dataset ?? Dataset(), sink, _ct) is null)
                return;
        Assert.Fail($"The job did not finish in 40 rounds; it is {job.Status}.");
    }

    private static void AssertNoSecret(FineTuneJob job, RecordingSink sink, params string[] secrets)
    {
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, job.ErrorMessage ?? "");
            Assert.All(sink.Events, e => Assert.DoesNotContain(secret, e.Message));
        }
    }

    internal sealed class FixedOptionsMonitor(OpenAIOptions value) : IOptionsMonitor<OpenAIOptions>
    {
        public OpenAIOptions CurrentValue => value;
        public OpenAIOptions Get(string? name) => value;
        public IDisposable? OnChange(Action<OpenAIOptions, string?> listener) => null;
    }
}
