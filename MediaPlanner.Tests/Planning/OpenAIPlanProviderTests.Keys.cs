using System.Text.Json.Nodes;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace MediaPlanner.Tests.Planning;

// Keys and models the server refuses, and a provider without a key.
public sealed partial class OpenAIPlanProviderTests
{
    [Fact]
    public async Task A_wrong_key_fails_as_unauthorized_and_the_key_appears_nowhere()
    {
        const string wrongKey = "sk-wrong-secret-key-0987654321";
        var provider = Provider(o => o.ApiKey = wrongKey);

        var ex = await Assert.ThrowsAsync<PlanProviderException>(() => provider.GenerateAsync(_request, Target(BaseModel), 3, _ct));

        Assert.Equal("unauthorized", ex.Code);
        Assert.Contains("Check the OpenAI API key in settings", ex.Message);
        Assert.Equal(3, _server.ChatRequests.Count); // 401 is not retried
        Assert.All(_server.Requests, r => Assert.False(r.Authorized));
        foreach (var secret in new[] { wrongKey, _server.ApiKey })
            Assert.DoesNotContain(secret, ex.ToString());
    }

    [Fact]
    public async Task A_revoked_key_fails_as_unauthorized_without_quoting_the_server()
    {
        _server.Inject(FakeRoute.ChatCompletions, new FakeFault.Unauthorized());

        var ex = await Assert.ThrowsAsync<PlanProviderException>(() => Provider().GenerateAsync(_request, Target(BaseModel), 1, _ct));

        Assert.Equal("unauthorized", ex.Code);
        Assert.DoesNotContain(_server.ApiKey, ex.ToString());
        Assert.DoesNotContain("Incorrect API key", ex.Message);
    }

    [Fact]
    public async Task An_unknown_model_fails_as_model_not_found_with_the_servers_reason()
    {
        _server.Inject(FakeRoute.ChatCompletions, new FakeFault.HttpStatus(404));

        var ex = await Assert.ThrowsAsync<PlanProviderException>(() => Provider().GenerateAsync(_request, Target(FineTunedModel), 1, _ct));

        Assert.Equal("model_not_found", ex.Code);
        Assert.Contains(FineTunedModel, ex.Message);
        Assert.Single(_server.ChatRequests);
    }

    [Fact]
    public async Task Without_a_key_the_provider_is_not_configured_and_calls_nothing()
    {
        var provider = Provider(o => o.ApiKey = null);

        Assert.False(provider.IsConfigured);
        Assert.Equal("openai", provider.Name);
        var ex = await Assert.ThrowsAsync<PlanProviderException>(() => provider.GenerateAsync(_request, Target(BaseModel), 1, _ct));
        Assert.Equal("not_configured", ex.Code);
        Assert.Empty(_server.Requests);
        Assert.True(Provider().IsConfigured);
    }
}
