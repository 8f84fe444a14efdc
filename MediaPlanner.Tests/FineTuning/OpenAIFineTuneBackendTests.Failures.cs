using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Tests.Fakes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MediaPlanner.Tests.FineTuning;

// How the backend treats a provider's failures: what is retried later, what fails the job, and in whose words.
public sealed partial class OpenAIFineTuneBackendTests
{
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
}
