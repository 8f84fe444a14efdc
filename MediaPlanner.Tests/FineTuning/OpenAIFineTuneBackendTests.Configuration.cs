using System.ClientModel.Primitives;
using System.Net;
using System.Net.Sockets;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Providers.OpenAI;
using MediaPlanner.Tests.Fakes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace MediaPlanner.Tests.FineTuning;

// Endpoints, suffixes, Azure's key header and the options' binding: what is refused before anything is sent.
public sealed partial class OpenAIFineTuneBackendTests
{
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
}
