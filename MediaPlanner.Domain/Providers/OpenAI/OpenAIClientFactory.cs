using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.Options;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Files;
using OpenAI.FineTuning;

#pragma warning disable OPENAI001 // fine-tuning is experimental in the SDK

namespace MediaPlanner.Domain.Providers.OpenAI;

/// <summary>
/// Builds SDK clients from the current <see cref="OpenAIOptions"/>: the endpoint, the network timeout, and no SDK
/// retries, so a 429 or 5xx reaches the caller, which decides (the fine-tuning runner backs off and honours
/// retry-after). Clients are rebuilt when the options change. <paramref name="transport"/> replaces the HTTP transport
/// (tests route a made-up host to a loopback fake); override <see cref="CreateClient"/> to substitute the client.
/// </summary>
public class OpenAIClientFactory(IOptionsMonitor<OpenAIOptions> options, PipelineTransport? transport = null)
{
    private readonly Lock _gate = new();
    private (OpenAIOptions Source, OpenAIClient Client)? _cached;

    public OpenAIOptions Options => options.CurrentValue;

    /// <summary>A client for the current options.</summary>
    /// <exception cref="InvalidOperationException">No API key, or the settings are invalid (the message says which).</exception>
    public virtual OpenAIClient CreateClient()
    {
        var current = options.CurrentValue;
        lock (_gate)
        {
            if (_cached is { } cached && ReferenceEquals(cached.Source, current))
                return cached.Client;
            var client = Build(current);
            _cached = (current, client);
            return client;
        }
    }

    public OpenAIFileClient CreateFileClient() => CreateClient().GetOpenAIFileClient();

    public FineTuningClient CreateFineTuningClient() => CreateClient().GetFineTuningClient();

    /// <summary>A chat client for one model (a base model or a fine-tuned "ft:…" one), sharing the client's pipeline.</summary>
    public ChatClient CreateChatClient(string model) => CreateClient().GetChatClient(model);

    private OpenAIClient Build(OpenAIOptions o)
    {
        if (!o.IsConfigured)
            throw new InvalidOperationException("No OpenAI API key is configured (OpenAI:ApiKey).");
        if (o.Validate() is [var first, ..])
            throw new InvalidOperationException(first);

        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = o.EndpointUri(),
            NetworkTimeout = o.NetworkTimeout,
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        };
        if (transport is not null)
            clientOptions.Transport = transport;
        var credential = new ApiKeyCredential(o.ApiKey!.Trim());
        var authentication = o.IsAzure
            ? ApiKeyAuthenticationPolicy.CreateHeaderApiKeyPolicy(credential, "api-key")
            : ApiKeyAuthenticationPolicy.CreateBearerAuthorizationPolicy(credential);
        return new OpenAIClient(authentication, clientOptions);
    }
}
