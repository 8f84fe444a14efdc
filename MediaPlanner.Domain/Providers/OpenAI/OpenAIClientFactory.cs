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
public class OpenAIClientFactory(IOptionsMonitor<OpenAIOptions> options, PipelineTransport? transport = null, ProviderProfileService? profiles = null)
{
    private readonly Lock _gate = new();
    private (OpenAIOptions Source, bool Azure, OpenAIClient Client)? _cached;
    private readonly Dictionary<string, (string Fingerprint, OpenAIClient Client)> _profileClients = new(StringComparer.Ordinal);

    public OpenAIOptions Options => options.CurrentValue;

    /// <summary>A client for the current options.</summary>
    /// <exception cref="InvalidOperationException">No API key, or the settings are invalid (the message says which).</exception>
    public virtual OpenAIClient CreateClient()
    {
        var current = options.CurrentValue;
        // The kind is saved after the options change fires, so it is part of what decides whether the client still fits.
        var azure = PrimaryIsAzure(current);
        lock (_gate)
        {
            if (_cached is { } cached && ReferenceEquals(cached.Source, current) && cached.Azure == azure)
                return cached.Client;
            var client = Build(current, azure);
            _cached = (current, azure, client);
            return client;
        }
    }

    /// <summary>
    /// A client for one provider profile: the primary one ("openai") from the current options, any other from its saved
    /// endpoint and key, authenticated the way its kind expects (Azure OpenAI: api-key header; others: bearer).
    /// </summary>
    /// <exception cref="InvalidOperationException">No such profile, no key, or an invalid endpoint (the message says which).</exception>
    public virtual OpenAIClient CreateClient(string provider)
    {
        if (provider == ProviderProfile.PrimaryKey || profiles is null)
            return CreateClient();
        var connection = profiles.Connection(provider)
            ?? throw new InvalidOperationException($"There is no provider {provider}: add it in settings.");
        if (connection.ApiKey is null)
            throw new InvalidOperationException($"The provider {provider} has no API key for {connection.Endpoint}: enter it in settings.");
        if (OpenAIOptions.ValidateEndpoint(connection.Endpoint) is { } problem)
            throw new InvalidOperationException(problem);
        var current = options.CurrentValue;
        // The key is part of what decides whether the cached client still fits, but only as a hash.
        var fingerprint = string.Join('|', connection.Kind, connection.Endpoint, current.NetworkTimeout,
            Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(connection.ApiKey))));
        lock (_gate)
        {
            if (_profileClients.TryGetValue(provider, out var cached) && cached.Fingerprint == fingerprint)
                return cached.Client;
            var client = Build(connection.Endpoint, connection.ApiKey, connection.Kind == ProviderKind.AzureOpenAI, current.NetworkTimeout);
            _profileClients[provider] = (fingerprint, client);
            return client;
        }
    }

    public OpenAIFileClient CreateFileClient(string provider) => CreateClient(provider).GetOpenAIFileClient();

    public FineTuningClient CreateFineTuningClient(string provider) => CreateClient(provider).GetFineTuningClient();

    /// <summary>A chat client for a provider's model or deployment name.</summary>
    public ChatClient CreateChatClient(string provider, string model) => CreateClient(provider).GetChatClient(model);

    public OpenAIFileClient CreateFileClient() => CreateClient().GetOpenAIFileClient();

    public FineTuningClient CreateFineTuningClient() => CreateClient().GetFineTuningClient();

    /// <summary>A chat client for one model (a base model or a fine-tuned "ft:…" one), sharing the client's pipeline.</summary>
    public ChatClient CreateChatClient(string model) => CreateClient().GetChatClient(model);

    private bool PrimaryIsAzure(OpenAIOptions o) =>
        profiles?.Get(ProviderProfile.PrimaryKey)?.Kind is { } kind ? kind == ProviderKind.AzureOpenAI : o.IsAzure;

    private OpenAIClient Build(OpenAIOptions o, bool azure)
    {
        if (!o.IsConfigured)
            throw new InvalidOperationException("No OpenAI API key is configured (OpenAI:ApiKey).");
        if (o.Validate() is [var first, ..])
            throw new InvalidOperationException(first);

        return Build(o.Endpoint, o.ApiKey!.Trim(), azure, o.NetworkTimeout);
    }

    private OpenAIClient Build(string endpoint, string apiKey, bool azure, TimeSpan networkTimeout)
    {
        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = new Uri(endpoint.Trim().TrimEnd('/')),
            NetworkTimeout = networkTimeout,
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        };
        if (transport is not null)
            clientOptions.Transport = transport;
        var credential = new ApiKeyCredential(apiKey);
        var authentication = azure
            ? ApiKeyAuthenticationPolicy.CreateHeaderApiKeyPolicy(credential, "api-key")
            : ApiKeyAuthenticationPolicy.CreateBearerAuthorizationPolicy(credential);
        return new OpenAIClient(authentication, clientOptions);
    }
}
