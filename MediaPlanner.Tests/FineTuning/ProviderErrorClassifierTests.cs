using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MediaPlanner.Domain.Providers.OpenAI;
using MediaPlanner.Tests.Fakes;
using static MediaPlanner.Tests.FineTuning.OpenAIFineTuneBackendTests;

namespace MediaPlanner.Tests.FineTuning;

/// <summary>Real SDK failures from the fake server, sorted by the one classifier the backend and the plan provider share.</summary>
public sealed class ProviderErrorClassifierTests(FakeOpenAIServer server) : IClassFixture<FakeOpenAIServer>
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    [Theory]
    [InlineData(403, null, ProviderErrorKind.Rejected, "forbidden")]
    [InlineData(403, "training_not_available", ProviderErrorKind.TrainingUnavailable, "training_not_available")]
    // Without a code, OpenAI's error type stands in for it.
    [InlineData(404, null, ProviderErrorKind.Rejected, "invalid_request_error")]
    [InlineData(400, "invalid_n_epochs", ProviderErrorKind.Rejected, "invalid_n_epochs")]
    [InlineData(422, "unprocessable", ProviderErrorKind.Rejected, "unprocessable")]
    [InlineData(408, null, ProviderErrorKind.Transient, "http_408")]
    [InlineData(409, null, ProviderErrorKind.Transient, "http_409")]
    [InlineData(500, null, ProviderErrorKind.Transient, "server_error")]
    [InlineData(503, null, ProviderErrorKind.Transient, "server_error")]
    public async Task Statuses_are_sorted_into_transient_rejected_and_training_unavailable(int status, string? code, ProviderErrorKind kind, string expected)
    {
        var error = await FailingGetAsync(new FakeFault.HttpStatus(status, code, "What the server said."));

        Assert.Equal((kind, status, expected), (error.Kind, error.Status, error.Code));
        Assert.Equal("What the server said.", error.Detail);
    }

    [Fact]
    public async Task A_rejected_key_never_carries_the_servers_text_which_quotes_the_key()
    {
        var error = await FailingGetAsync(new FakeFault.Unauthorized());

        Assert.Equal((ProviderErrorKind.Rejected, 401, "unauthorized", null), (error.Kind, error.Status, error.Code, error.Detail));
    }

    [Fact]
    public async Task Rate_limiting_is_transient_with_the_servers_wait_and_an_empty_quota_is_not()
    {
        var limited = await FailingGetAsync(new FakeFault.RateLimited(TimeSpan.FromSeconds(7)));
        var quota = await FailingGetAsync(new FakeFault.RateLimited(TimeSpan.FromSeconds(7), Code: "insufficient_quota"));

        Assert.Equal((ProviderErrorKind.Transient, "rate_limited", TimeSpan.FromSeconds(7)), (limited.Kind, limited.Code, limited.RetryAfter));
        Assert.Equal((ProviderErrorKind.Rejected, "insufficient_quota"), (quota.Kind, quota.Code));
    }

    [Fact]
    public async Task A_server_slower_than_the_network_timeout_is_a_transient_timeout()
    {
        var error = await FailingGetAsync(new FakeFault.Slow(TimeSpan.FromSeconds(20)), o => o.NetworkTimeout = TimeSpan.FromMilliseconds(200));

        Assert.Equal((ProviderErrorKind.Transient, "timeout"), (error.Kind, error.Code));
    }

    [Fact]
    public async Task A_closed_port_is_transient_and_unreachable()
    {
        // A port that was free a moment ago: nothing listens there.
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        var error = await FailingGetAsync(null, o => o.Endpoint = $"http://127.0.0.1:{port}/v1");

        Assert.Equal((ProviderErrorKind.Transient, 0, "unreachable"), (error.Kind, error.Status, error.Code));
        Assert.False(string.IsNullOrEmpty(error.Detail));
    }

    [Fact]
    public void Unreadable_answers_are_transient_and_the_callers_own_cancel_or_an_app_bug_is_not_a_provider_failure()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.Equal("unreadable", ProviderErrorClassifier.Classify(new JsonException("'<' is an invalid start of a value."), Now)!.Code);
        Assert.Equal("timeout", ProviderErrorClassifier.Classify(new TaskCanceledException(), Now)!.Code);
        Assert.Null(ProviderErrorClassifier.Classify(new TaskCanceledException(), Now, cancelled.Token));
        Assert.Null(ProviderErrorClassifier.Classify(new NullReferenceException(), Now));
    }

    private async Task<ProviderError> FailingGetAsync(FakeFault? fault, Action<OpenAIOptions>? change = null)
    {
        server.Reset();
        if (fault is not null)
            server.Inject(FakeRoute.GetJob, fault);
        var client = new OpenAIClientFactory(new FixedOptionsMonitor(TestOptions(server, change))).CreateFineTuningClient();
        var ex = await Record.ExceptionAsync(() => client.GetJobAsync("ftjob-anything"));
        Assert.NotNull(ex);
        return ProviderErrorClassifier.Classify(ex, Now) ?? throw new Xunit.Sdk.XunitException($"Not classified: {ex}");
    }
}
