using System.Text.Json.Nodes;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace MediaPlanner.Tests.Planning;

// Rate limits, quota, server errors, timeouts and cancellation: what is retried, what fails, and how fast.
public sealed partial class OpenAIPlanProviderTests
{
    [Fact]
    public async Task A_rate_limit_with_a_long_wait_fails_fast_as_rate_limited()
    {
        _server.Inject(FakeRoute.ChatCompletions, new FakeFault.RateLimited(TimeSpan.FromSeconds(30)));

        var ex = await Assert.ThrowsAsync<PlanProviderException>(() => Provider().GenerateAsync(_request, Target(BaseModel), 3, _ct));

        Assert.Equal("rate_limited", ex.Code);
        Assert.Contains("30 s", ex.Message);
        Assert.Equal(3, _server.ChatRequests.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_rate_limit_with_a_short_wait_is_retried_once_and_succeeds(bool inMilliseconds)
    {
        var wait = inMilliseconds ? TimeSpan.FromMilliseconds(300) : TimeSpan.FromSeconds(1);
        _server.Inject(FakeRoute.ChatCompletions, new FakeFault.RateLimited(wait, inMilliseconds), times: 2);

        var result = await Provider().GenerateAsync(_request, Target(BaseModel), 2, _ct);

        Assert.Equal(2, result.Plans.Count);
        Assert.Equal(4, _server.ChatRequests.Count);
    }

    [Fact]
    public async Task Running_out_of_quota_is_not_retried()
    {
        _server.Inject(FakeRoute.ChatCompletions, new FakeFault.RateLimited(TimeSpan.FromSeconds(1), Code: "insufficient_quota"));

        var ex = await Assert.ThrowsAsync<PlanProviderException>(() => Provider().GenerateAsync(_request, Target(BaseModel), 1, _ct));

        Assert.Equal("insufficient_quota", ex.Code);
        Assert.Contains("billing", ex.Message);
        Assert.Single(_server.ChatRequests);
    }

    [Fact]
    public async Task A_server_error_is_retried_once_then_fails_as_server_error()
    {
        _server.Inject(FakeRoute.ChatCompletions, new FakeFault.HttpStatus(500));

        var ex = await Assert.ThrowsAsync<PlanProviderException>(() => Provider().GenerateAsync(_request, Target(BaseModel), 2, _ct));

        Assert.Equal("server_error", ex.Code);
        Assert.Contains("500", ex.Message);
        Assert.Equal(4, _server.ChatRequests.Count);
    }

    [Fact]
    public async Task A_single_server_error_is_retried_transparently()
    {
        _server.Inject(FakeRoute.ChatCompletions, new FakeFault.HttpStatus(503), times: 1);

        var result = await Provider().GenerateAsync(_request, Target(BaseModel), 1, _ct);

        Assert.Single(result.Plans);
        Assert.Equal(2, _server.ChatRequests.Count);
    }

    [Fact]
    public async Task A_server_slower_than_the_network_timeout_fails_as_timeout_without_hanging()
    {
        _server.Inject(FakeRoute.ChatCompletions, new FakeFault.Slow(TimeSpan.FromSeconds(20)));
        var provider = Provider(o => o.NetworkTimeout = TimeSpan.FromMilliseconds(300));

        var ex = await Assert.ThrowsAsync<PlanProviderException>(
            () => provider.GenerateAsync(_request, Target(BaseModel), 3, _ct).WaitAsync(TimeSpan.FromSeconds(15)));

        Assert.Equal("timeout", ex.Code);
        Assert.Contains("did not answer within 0.3 s", ex.Message);
        Assert.Equal(3, _server.ChatRequests.Count);
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_reported_as_a_provider_failure()
    {
        _server.Chat.Delay = TimeSpan.FromSeconds(20);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_ct);
        cts.CancelAfter(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Provider().GenerateAsync(_request, Target(BaseModel), 2, cts.Token));
    }
}
