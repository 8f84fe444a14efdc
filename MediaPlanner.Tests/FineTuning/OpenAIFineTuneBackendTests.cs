using System.ClientModel.Primitives;
using System.Net;
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
public sealed class OpenAIFineTuneBackendTests : IClassFixture<FakeOpenAIServer>
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
    public async Task A_rejected_key_fails_the_job_as_unauthorized_without_revealing_any_key()
    {
        const string wrongKey = "sk-wrong-key-should-never-show-0000";
        var job = NewJob();
        var sink = new RecordingSink();

        var next = await Backend(o => o.ApiKey = wrongKey).AdvanceAsync(job, Dataset(), sink, _ct);

        Assert.Null(next);
        Assert.Equal(FineTuneStatus.Failed, job.Status);
        Assert.Equal("unauthorized", job.ErrorCode);
        Assert.Contains("API key", job.ErrorMessage);
        Assert.Contains("settings", job.ErrorMessage);
        Assert.NotNull(job.FinishedAt);
        Assert.Contains(sink.Events, e => e.Level == "error" && e.ExternalId == "openai-failed-unauthorized");
        Assert.Equal(FineTuneStatus.Failed, sink.Saved!.Status);
        AssertNoSecret(job, sink, wrongKey, _server.ApiKey);
        Assert.Empty(_server.Files);
    }

    [Fact]
    public async Task A_key_rejected_while_polling_fails_the_job_and_says_it_may_still_run_at_openai()
    {
        var job = NewJob();
        var sink = new RecordingSink();
        var backend = Backend();
        await backend.AdvanceAsync(job, Dataset(), sink, _ct);
        // The fake's 401 text quotes the presented (correct) key, as OpenAI quotes part of it.
        _server.Inject(FakeRoute.GetJob, new FakeFault.Unauthorized());

        var next = await backend.AdvanceAsync(job, NoDataset, sink, _ct);

        Assert.Null(next);
        Assert.Equal(FineTuneStatus.Failed, job.Status);
        Assert.Equal("unauthorized", job.ErrorCode);
        Assert.Contains(job.ExternalId!, job.ErrorMessage);
        Assert.Contains("may still be running", job.ErrorMessage);
        AssertNoSecret(job, sink, _server.ApiKey);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Rate_limiting_is_transient_and_carries_the_servers_retry_after(bool inMilliseconds)
    {
        _server.Inject(FakeRoute.UploadFile, new FakeFault.RateLimited(TimeSpan.FromSeconds(7), inMilliseconds));
        var job = NewJob();

        var ex = await Assert.ThrowsAsync<TransientFineTuneException>(() => Backend().AdvanceAsync(job, Dataset(), new RecordingSink(), _ct));

        Assert.Equal(TimeSpan.FromSeconds(7), ex.RetryAfter);
        Assert.Contains("429", ex.Message);
        Assert.NotEqual(FineTuneStatus.Failed, job.Status);
        Assert.Single(_server.RequestsTo(FakeRoute.UploadFile)); // the SDK did not retry behind our back
    }

    [Fact]
    public async Task Running_out_of_quota_fails_the_job_instead_of_retrying()
    {
        _server.Inject(FakeRoute.UploadFile, new FakeFault.RateLimited(TimeSpan.FromSeconds(1), Code: "insufficient_quota"));
        var job = NewJob();

        var next = await Backend().AdvanceAsync(job, Dataset(), new RecordingSink(), _ct);

        Assert.Null(next);
        Assert.Equal(FineTuneStatus.Failed, job.Status);
        Assert.Equal("insufficient_quota", job.ErrorCode);
        Assert.Contains("quota", job.ErrorMessage);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    public async Task A_server_error_is_transient_and_not_retried_by_the_sdk(int status)
    {
        var job = NewJob();
        var sink = new RecordingSink();
        var backend = Backend();
        await backend.AdvanceAsync(job, Dataset(), sink, _ct);
        _server.Inject(FakeRoute.GetJob, new FakeFault.HttpStatus(status));

        var ex = await Assert.ThrowsAsync<TransientFineTuneException>(() => backend.AdvanceAsync(job, NoDataset, sink, _ct));

        Assert.Contains($"HTTP {status}", ex.Message);
        Assert.Single(_server.RequestsTo(FakeRoute.GetJob));
        Assert.Equal(FineTuneStatus.ValidatingFiles, job.Status);

        _server.ClearFaults();
        Assert.NotNull(await backend.AdvanceAsync(job, NoDataset, sink, _ct));
        Assert.Equal(FineTuneStatus.Queued, job.Status);
    }

    [Fact]
    public async Task A_server_slower_than_the_network_timeout_is_transient_and_does_not_hang()
    {
        var job = NewJob();
        var sink = new RecordingSink();
        // The job is created with the usual timeout: on a loaded machine an upload can take longer than the short one.
        await Backend().AdvanceAsync(job, Dataset(), sink, _ct);
        var backend = Backend(o => o.NetworkTimeout = TimeSpan.FromMilliseconds(300));
        _server.Inject(FakeRoute.GetJob, new FakeFault.Slow(TimeSpan.FromSeconds(20)));

        var ex = await Assert.ThrowsAsync<TransientFineTuneException>(
            () => backend.AdvanceAsync(job, NoDataset, sink, _ct).WaitAsync(TimeSpan.FromSeconds(15)));

        Assert.Contains("did not answer within 0.3 s", ex.Message);
        Assert.NotEqual(FineTuneStatus.Failed, job.Status);
    }

    [Theory]
    [InlineData(FakeRoute.GetJob)]
    [InlineData(FakeRoute.ListEvents)]
    public async Task A_malformed_answer_is_transient_with_a_clear_message(FakeRoute route)
    {
        var job = NewJob();
        var sink = new RecordingSink();
        var backend = Backend();
        await backend.AdvanceAsync(job, Dataset(), sink, _ct);
        _server.Inject(route, new FakeFault.MalformedJson(), times: 1);

        var ex = await Assert.ThrowsAsync<TransientFineTuneException>(() => backend.AdvanceAsync(job, NoDataset, sink, _ct));

        Assert.Contains("could not be read", ex.Message);
        Assert.Contains("JSON", ex.Message);
        Assert.NotEqual(FineTuneStatus.Failed, job.Status);

        await RunToEndAsync(backend, job, sink, NoDataset);
        Assert.Equal(FineTuneStatus.Succeeded, job.Status);
        Assert.Equal(0, sink.DuplicateEvents);
    }

    [Fact]
    public async Task A_job_that_fails_at_openai_fails_here_with_its_code_message_and_param()
    {
        var job = NewJob();
        var sink = new RecordingSink();
        var backend = Backend();
        await backend.AdvanceAsync(job, Dataset(), sink, _ct);
        _server.FailJobsWith = new FakeJobFailure("invalid_training_file",
            "The job failed due to an invalid training file. Expected file to have JSONL format.", "training_file");

        await RunToEndAsync(backend, job, sink, NoDataset);

        Assert.Equal(FineTuneStatus.Failed, job.Status);
        Assert.Equal("invalid_training_file", job.ErrorCode);
        Assert.Equal("The job failed due to an invalid training file. Expected file to have JSONL format.", job.ErrorMessage);
        Assert.Equal("training_file", job.ErrorParam);
        Assert.Null(job.FineTunedModel);
        Assert.NotNull(job.FinishedAt);
        Assert.Contains(sink.Events, e => e.ExternalId == "openai-failed-invalid_training_file" && e.Level == "error");
        Assert.Equal(FineTuneStatus.Failed, sink.Saved!.Status);
    }

    [Fact]
    public async Task A_create_refused_by_openai_fails_the_job_with_the_servers_code_message_and_param()
    {
        var job = NewJob(j => j.BaseModel = "gpt-2-not-fine-tunable");

        var next = await Backend().AdvanceAsync(job, Dataset(), new RecordingSink(), _ct);

        Assert.Null(next);
        Assert.Equal(FineTuneStatus.Failed, job.Status);
        Assert.Equal("model_not_available", job.ErrorCode);
        Assert.Contains("Model gpt-2-not-fine-tunable is not available for fine-tuning", job.ErrorMessage);
        Assert.Equal("model", job.ErrorParam);
        Assert.Null(job.ExternalId);
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

    [Fact]
    public async Task An_endpoint_without_v1_fails_the_job_with_a_clear_message_and_sends_nothing()
    {
        var job = NewJob();
        var options = TestOptions(o => o.Endpoint = _server.Root.ToString());

        var next = await Backend(options).AdvanceAsync(job, Dataset(), new RecordingSink(), _ct);

        Assert.Null(next);
        Assert.Equal(FineTuneStatus.Failed, job.Status);
        Assert.Equal("invalid_configuration", job.ErrorCode);
        Assert.Contains("must end with /v1", job.ErrorMessage);
        Assert.Contains("openai.azure.com/openai/v1/", job.ErrorMessage);
        Assert.Empty(_server.Requests);
    }

    [Theory]
    [InlineData("https://api.openai.com/v1", null)]
    [InlineData("https://api.openai.com/v1/", null)]
    [InlineData("https://my-resource.openai.azure.com/openai/v1/", null)]
    [InlineData("http://127.0.0.1:5000/v1", null)]
    [InlineData("https://api.openai.com", "must end with /v1")]
    [InlineData("https://my-resource.openai.azure.com/", "must end with /v1")]
    [InlineData("api.openai.com/v1", "absolute http(s) URL")]
    [InlineData("ftp://api.openai.com/v1", "absolute http(s) URL")]
    [InlineData("", "is empty")]
    [InlineData("https://user:secret@api.openai.com/v1", "must not carry credentials")]
    public void Endpoints_are_checked_with_a_message_that_says_what_to_use(string endpoint, string? problem)
    {
        var message = OpenAIOptions.ValidateEndpoint(endpoint);

        if (problem is null)
            Assert.Null(message);
        else
        {
            Assert.NotNull(message);
            Assert.Contains(problem, message);
            Assert.DoesNotContain("secret", message);
        }
    }

    [Fact]
    public async Task A_suffix_over_64_characters_is_refused_before_anything_is_sent()
    {
        var job = NewJob(j => j.Suffix = new string('s', 65));

        var next = await Backend().AdvanceAsync(job, Dataset(), new RecordingSink(), _ct);

        Assert.Null(next);
        Assert.Equal(FineTuneStatus.Failed, job.Status);
        Assert.Equal("invalid_suffix", job.ErrorCode);
        Assert.Equal("suffix", job.ErrorParam);
        Assert.Contains("64", job.ErrorMessage);
        Assert.Empty(_server.Requests);
        Assert.Null(OpenAIFineTuneBackend.ValidateSuffix(new string('s', 64)));
        Assert.Null(OpenAIFineTuneBackend.ValidateSuffix(null));
    }

    [Fact]
    public async Task An_azure_endpoint_authenticates_with_an_api_key_header()
    {
        // A made-up Azure host whose connections land on the loopback fake.
        using var http = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(IPAddress.Loopback, _server.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        });
        var options = TestOptions(o => o.Endpoint = $"http://mediaplanner.openai.azure.com:{_server.Port}/openai/v1/");
        var backend = Backend(options, new HttpClientPipelineTransport(http));
        var job = NewJob();

        await RunToEndAsync(backend, job, new RecordingSink());

        Assert.True(options.IsAzure);
        Assert.Equal((FineTuneStatus.Succeeded, null), (job.Status, job.ErrorMessage));
        AssertAzureShaped(_server.Requests);
    }

    /// <summary>Azure OpenAI's v1 API: every path under /openai/v1, the key in an api-key header, never as a bearer token.</summary>
    internal static void AssertAzureShaped(IEnumerable<RecordedRequest> requests) =>
        Assert.All(requests, r =>
        {
            Assert.StartsWith("/openai/v1/", r.Path);
            Assert.True(r.Authorized);
            Assert.Equal("(redacted)", r.Headers["api-key"]);
            Assert.False(r.Headers.ContainsKey("authorization"));
        });

    [Fact]
    public void Options_bind_from_the_openai_section_and_never_show_the_key()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OpenAI:ApiKey"] = "sk-from-config-123",
            ["OpenAI:Endpoint"] = "https://example.openai.azure.com/openai/v1/",
            ["OpenAI:BaseModel"] = "gpt-4o-2024-08-06",
            ["OpenAI:NetworkTimeout"] = "00:00:30",
        }).Build();

        var options = configuration.GetSection(OpenAIOptions.SectionName).Get<OpenAIOptions>()!;

        Assert.True(options.IsConfigured);
        Assert.True(options.IsAzure);
        Assert.Equal("gpt-4o-2024-08-06", options.BaseModel);
        Assert.Equal(TimeSpan.FromSeconds(30), options.NetworkTimeout);
        Assert.Empty(options.Validate());
        Assert.DoesNotContain("sk-from-config-123", options.ToString());
        Assert.False(new OpenAIOptions().IsConfigured);
        Assert.Equal("https://api.openai.com/v1", new OpenAIOptions().Endpoint);
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

/// <summary>An in-memory stand-in for the runner's sink: stores once per ExternalId, as the database does.</summary>
internal sealed class RecordingSink : IFineTuneSink
{
    public List<FineTuneEvent> Events { get; } = [];
    public List<FineTuneCheckpoint> Checkpoints { get; } = [];
    /// <summary>The status at each save, in order.</summary>
    public List<FineTuneStatus> Statuses { get; } = [];
    /// <summary>The job as last saved: what a restarted process would load.</summary>
    public FineTuneJob? Saved { get; private set; }
    public int DuplicateEvents { get; private set; }
    public bool CancelRequested { get; set; }

    public IReadOnlyList<FineTuneEvent> OpenAIEvents => [.. Events.Where(e => e.ExternalId.StartsWith("ftevent-", StringComparison.Ordinal))];

    public Task EventAsync(FineTuneEvent e, CancellationToken ct)
    {
        if (Events.Any(x => x.ExternalId == e.ExternalId))
            DuplicateEvents++;
        else
            Events.Add(e);
        return Task.CompletedTask;
    }

    public Task CheckpointAsync(FineTuneCheckpoint checkpoint, CancellationToken ct)
    {
        var stored = Checkpoints.FirstOrDefault(x => x.ExternalId == checkpoint.ExternalId);
        if (stored is null)
            Checkpoints.Add(checkpoint);
        else
            stored.EvaluationJson ??= checkpoint.EvaluationJson;
        return Task.CompletedTask;
    }

    public Task JobChangedAsync(FineTuneJob job, CancellationToken ct)
    {
        Statuses.Add(job.Status);
        Saved = Copy(job);
        job.CancelRequested = CancelRequested;
        return Task.CompletedTask;
    }

    public Task<bool> CancelRequestedAsync(CancellationToken ct) => Task.FromResult(CancelRequested);

    public Task DiscardReportsAsync(CancellationToken ct)
    {
        Events.Clear();
        Checkpoints.Clear();
        return Task.CompletedTask;
    }

    private static FineTuneJob Copy(FineTuneJob job) => new()
    {
        Id = job.Id,
        Provider = job.Provider,
        BaseModel = job.BaseModel,
        Suffix = job.Suffix,
        Seed = job.Seed,
        Epochs = job.Epochs,
        BatchSize = job.BatchSize,
        LearningRateMultiplier = job.LearningRateMultiplier,
        ValidationPercent = job.ValidationPercent,
        Status = job.Status,
        TrainingExamples = job.TrainingExamples,
        ValidationExamples = job.ValidationExamples,
        ExternalId = job.ExternalId,
        TrainingFileId = job.TrainingFileId,
        ValidationFileId = job.ValidationFileId,
        FineTunedModel = job.FineTunedModel,
        TrainedTokens = job.TrainedTokens,
        EstimatedFinish = job.EstimatedFinish,
        ErrorCode = job.ErrorCode,
        ErrorMessage = job.ErrorMessage,
        ErrorParam = job.ErrorParam,
        TotalSteps = job.TotalSteps,
        CompletedSteps = job.CompletedSteps,
        CreatedAt = job.CreatedAt,
        StartedAt = job.StartedAt,
        FinishedAt = job.FinishedAt,
        CreatedById = job.CreatedById,
        LastEventCursor = job.LastEventCursor,
        EvaluationJson = job.EvaluationJson,
        Recommended = job.Recommended,
        Verdict = job.Verdict,
        FailedAttempts = job.FailedAttempts,
        FineTunedDeployment = job.FineTunedDeployment,
    };
}
