using System.Security.Cryptography;
using System.Text.Json;
using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Providers.OpenAI;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MediaPlanner.Domain.Models;

public enum ApiKeySource
{
    None,
    /// <summary>Saved on the settings page (encrypted in the database).</summary>
    Settings,
    /// <summary>From the app's configuration (OpenAI:ApiKey, e.g. an environment variable).</summary>
    Configuration,
}

/// <summary>
/// The OpenAI provider settings in effect, as the settings page shows them: never the key itself, only a hint with
/// its last four characters. <paramref name="SavedKeyUnreadable"/> means a key was saved but this app's Data Protection
/// keys cannot decrypt it (they were lost or belong to another installation): it has to be saved again.
/// <paramref name="KeyWithheld"/> says why a saved or configured key is not used: a key is only ever sent to the
/// endpoint it was entered for, and the endpoint in effect is another one.
/// </summary>
public sealed record ProviderSettingsView(
    string Endpoint,
    string BaseModel,
    bool HasApiKey,
    string? ApiKeyHint,
    ApiKeySource KeySource,
    bool SavedKeyUnreadable,
    string? KeyWithheld = null);

/// <summary>
/// The primary OpenAI provider as saved on the settings page: endpoint, base model, and the API key encrypted with Data
/// Protection together with the endpoint it was entered for. <see cref="OpenAISettingsOverlay"/> puts these over the
/// configured <see cref="OpenAIOptions"/>; the decrypted key leaves this class only that way.
/// </summary>
public sealed class ProviderSettingsService
{
    public const string ProtectorPurpose = "MediaPlanner.Settings.OpenAIKey";
    internal const string EndpointKey = "OpenAI.Endpoint";
    internal const string BaseModelKey = "OpenAI.BaseModel";
    internal const string ApiKeyKey = "OpenAI.ApiKey";

    public const string ReenterKeyForNewEndpoint =
        "Re-enter the API key for the new endpoint: a saved key is only sent to the endpoint it was entered for.";

    private readonly SettingsStore _store;
    private readonly IDataProtector _protector;
    private readonly IEnumerable<IConfigureOptions<OpenAIOptions>> _configuredOpenAI;
    private readonly ILogger<ProviderSettingsService> _logger;
    private readonly StoredValue<SavedProvider> _saved;

    public ProviderSettingsService(
        SettingsStore store,
        IDataProtectionProvider dataProtection,
        IEnumerable<IConfigureOptions<OpenAIOptions>> configuredOpenAI,
        ILogger<ProviderSettingsService> logger)
    {
        _store = store;
        _protector = dataProtection.CreateProtector(ProtectorPurpose);
        _configuredOpenAI = configuredOpenAI;
        _logger = logger;
        _saved = store.Value(Read);
    }

    /// <summary>The saved provider rows, decrypted. A class rather than a record so nothing prints the key by accident.</summary>
    private sealed class SavedProvider
    {
        public string? Endpoint { get; init; }
        public string? BaseModel { get; init; }
        public string? ApiKey { get; init; }
        /// <summary>The endpoint <see cref="ApiKey"/> was entered for, read from inside the encrypted payload.</summary>
        public string? ApiKeyEndpoint { get; init; }
        public bool ApiKeyUnreadable { get; init; }
        /// <summary>A key saved before keys were bound to an endpoint: nobody can say where it may go.</summary>
        public bool ApiKeyUnbound { get; init; }
    }

    /// <summary>
    /// The encrypted payload of <see cref="ApiKeyKey"/>. The endpoint sits inside the ciphertext so that editing the
    /// endpoint row (or swapping rows) by hand cannot point a saved key somewhere else.
    /// </summary>
    private sealed record BoundKey(string Endpoint, string Key);

    /// <summary>Which key goes with the endpoint in effect, and why a key that exists does not.</summary>
    private sealed record EffectiveProvider(string Endpoint, string? Key, ApiKeySource Source, string? Withheld);

    public ProviderSettingsView GetProvider()
    {
        var saved = _saved.Get();
        var configured = Configured();
        var effective = Resolve(saved, configured.Endpoint, configured.ApiKey);
        return new(
            effective.Endpoint,
            saved.BaseModel ?? configured.BaseModel,
            effective.Key is not null,
            effective.Key is null ? null : KeyHint(effective.Key),
            effective.Source,
            saved.ApiKeyUnreadable,
            effective.Withheld);
    }

    /// <summary>
    /// The one place a key is paired with an endpoint: the saved key only with the endpoint inside its payload, the
    /// configured key only with the configured endpoint. Anything else gets no key at all.
    /// </summary>
    private static EffectiveProvider Resolve(SavedProvider saved, string configuredEndpoint, string? configuredKey)
    {
        var endpoint = saved.Endpoint ?? configuredEndpoint;
        if (saved.ApiKey is not null && SameEndpoint(saved.ApiKeyEndpoint, endpoint))
            return new(endpoint, saved.ApiKey, ApiKeySource.Settings, null);
        string? withheld = null;
        if (saved.ApiKey is not null)
            withheld = $"The saved key was entered for {saved.ApiKeyEndpoint}, so it is not sent to {endpoint}: enter the key for this endpoint and save.";
        else if (saved.ApiKeyUnbound)
            withheld = "A key was saved before keys were bound to their endpoint, so it is not sent anywhere: enter it again and save.";
        var configured = string.IsNullOrWhiteSpace(configuredKey) ? null : configuredKey.Trim();
        if (configured is not null)
        {
            if (SameEndpoint(configuredEndpoint, endpoint))
                return new(endpoint, configured, ApiKeySource.Configuration, withheld);
            withheld ??= $"The app configuration's key (OpenAI:ApiKey) is only sent to the configured endpoint {configuredEndpoint}, " +
                         $"not to {endpoint}: enter a key for this endpoint and save.";
        }
        return new(endpoint, null, ApiKeySource.None, withheld);
    }

    /// <summary>Equal up to a trailing slash and the case of scheme and host, which the SDK ignores too.</summary>
    internal static bool SameEndpoint(string? a, string? b) =>
        a is not null && b is not null && string.Equals(NormalizeEndpoint(a), NormalizeEndpoint(b), StringComparison.Ordinal);

    private static string NormalizeEndpoint(string endpoint)
    {
        var trimmed = endpoint.Trim().TrimEnd('/');
        return Uri.TryCreate(trimmed, UriKind.Absolute, out var uri)
            ? uri.GetComponents(UriComponents.HttpRequestUrl | UriComponents.UserInfo, UriFormat.UriEscaped).TrimEnd('/')
            : trimmed;
    }

    /// <summary>
    /// Saves the provider settings. A null <paramref name="endpoint"/> or <paramref name="baseModel"/> leaves that value
    /// as it is; an empty one is an error. A blank <paramref name="newApiKey"/> keeps the saved key;
    /// <paramref name="clearApiKey"/> removes it (the configured key, if any, applies again). A new key is bound to the
    /// endpoint it is saved with; moving a saved key to another endpoint is refused at the key field.
    /// </summary>
    public async Task<Result> SaveProviderAsync(string? endpoint, string? baseModel, string? newApiKey, bool clearApiKey,
        CurrentUser user, CancellationToken ct = default)
    {
        SettingsStore.RequireAdmin(user);
        var errors = new Dictionary<string, string>();
        var changes = new List<(string Key, string? Value)>();

        var saved = _saved.Get();
        var currentEndpoint = saved.Endpoint ?? Configured().Endpoint;
        string? newEndpoint = null;
        if (endpoint is not null)
        {
            if (OpenAIOptions.ValidateEndpoint(endpoint) is { } problem)
                errors["Endpoint"] = problem;
            else
                changes.Add((EndpointKey, newEndpoint = endpoint.Trim()));
        }
        if (baseModel is not null)
        {
            var model = baseModel.Trim();
            // Empty: no saved choice, so the provider's model list offers the base model (ModelCatalog.SuggestBaseModel).
            if (model.Length == 0)
                changes.Add((BaseModelKey, null));
            else if (model.Length > 200)
                errors["BaseModel"] = "A model name is at most 200 characters.";
            else if (model.Any(char.IsWhiteSpace))
                errors["BaseModel"] = "A model name has no spaces, e.g. gpt-4o-mini-2024-07-18.";
            else
                changes.Add((BaseModelKey, model));
        }
        var key = string.IsNullOrWhiteSpace(newApiKey) ? null : newApiKey.Trim();
        if (key is not null && clearApiKey)
            errors["ApiKey"] = "Either remove the saved key or enter a new one, not both.";
        else if (key is not null && (key.Length > 1000 || key.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
            errors["ApiKey"] = "That does not look like an API key (it has spaces or line breaks, or is too long): paste it again.";
        else if (key is not null)
            changes.Add((ApiKeyKey, _protector.Protect(JsonSerializer.Serialize(new BoundKey(newEndpoint ?? currentEndpoint, key), SettingsStore.JsonOptions))));
        else if (clearApiKey)
            changes.Add((ApiKeyKey, null));
        // Refused rather than saved with the key withheld, so the admin learns at once that the key has to come along.
        // Resolve enforces the binding whatever this check sees, so a save racing it cannot pair key and endpoint wrongly.
        else if (newEndpoint is not null && saved.ApiKey is not null && !SameEndpoint(newEndpoint, currentEndpoint)
                 && !SameEndpoint(newEndpoint, saved.ApiKeyEndpoint))
            errors["ApiKey"] = ReenterKeyForNewEndpoint;

        if (errors.Count > 0)
            return Result.Invalid(errors);
        if (changes.Count == 0)
            return Result.Ok("Saved.");

        // The key itself never reaches the trail, not even its hint: only that it changed.
        var old = GetProvider();
        var before = new Dictionary<string, string>();
        var after = new Dictionary<string, string>();
        var summary = new List<string>();
        foreach (var (setting, value) in changes)
        {
            switch (setting)
            {
                case EndpointKey:
                    (before["endpoint"], after["endpoint"]) = (old.Endpoint, value!);
                    if (old.Endpoint != value)
                        summary.Add($"endpoint {old.Endpoint} → {value}");
                    break;
                case BaseModelKey:
                    (before["baseModel"], after["baseModel"]) = (old.BaseModel, value ?? "");
                    if (old.BaseModel != (value ?? ""))
                        summary.Add($"base model {old.BaseModel} → {value ?? "the first fine-tunable model the provider lists"}");
                    break;
                case ApiKeyKey:
                    after["apiKey"] = value is null ? "key removed" : "key changed";
                    summary.Add(after["apiKey"]);
                    break;
            }
        }
        await _store.WriteAsync(user, changes, new SettingsAuditNote(AuditActions.SettingsProvider, AuditEntities.Setting, "OpenAI",
            $"Saved the OpenAI provider settings: {(summary.Count == 0 ? "no changes" : string.Join(", ", summary))}",
            before.Count == 0 ? null : AuditLog.Json(before), AuditLog.Json(after)), ct);
        _store.NotifyChanged();
        var changed = new List<string>();
        if (endpoint is not null) changed.Add("endpoint");
        if (baseModel is not null) changed.Add("base model");
        if (key is not null) changed.Add("API key replaced");
        else if (clearApiKey) changed.Add("API key removed");
        _logger.LogInformation("OpenAI provider settings saved by user {UserId}: {Changed}.", user.Id, string.Join(", ", changed));
        return Result.Ok("Saved.");
    }

    /// <summary>
    /// Overlays the saved provider values on options bound from configuration. The only way the decrypted key leaves
    /// this class; used by <see cref="OpenAISettingsOverlay"/>.
    /// </summary>
    internal void ApplyTo(OpenAIOptions options)
    {
        var saved = _saved.Get();
        // The incoming options are the configured ones, so the configured key is checked against the configured endpoint.
        var effective = Resolve(saved, options.Endpoint, options.ApiKey);
        options.Endpoint = effective.Endpoint;
        if (saved.BaseModel is not null)
            options.BaseModel = saved.BaseModel;
        options.ApiKey = effective.Key;
    }

    /// <summary>"sk-…1234": the well-known prefix and the last four characters, and those only for a key long enough to keep the rest secret.</summary>
    public static string KeyHint(string key)
    {
        var prefix = key.StartsWith("sk-", StringComparison.Ordinal) ? "sk-" : "";
        return key.Length >= 16 ? $"{prefix}…{key[^4..]}" : $"{prefix}…";
    }

    /// <summary>The configured values alone (appsettings, environment), without the saved overlay.</summary>
    private OpenAIOptions Configured()
    {
        var options = new OpenAIOptions();
        foreach (var configure in _configuredOpenAI)
        {
            if (configure is IConfigureNamedOptions<OpenAIOptions> named)
                named.Configure(Options.DefaultName, options);
            else
                configure.Configure(options);
        }
        return options;
    }

    private SavedProvider Read(IReadOnlyDictionary<string, string> rows)
    {
        BoundKey? apiKey = null;
        var unreadable = false;
        var unbound = false;
        if (rows.TryGetValue(ApiKeyKey, out var cipher))
        {
            try
            {
                apiKey = ReadBoundKey(_protector.Unprotect(cipher));
                if (apiKey is null)
                {
                    unbound = true;
                    _logger.LogWarning("The saved OpenAI API key was stored before keys were bound to their endpoint, so it is not used; " +
                                       "an admin has to save the key again.");
                }
            }
            catch (CryptographicException)
            {
                // The exception is not logged: its message is safe, but nothing about the key needs to reach a log.
                unreadable = true;
                _logger.LogWarning("The saved OpenAI API key cannot be decrypted with this app's Data Protection keys " +
                                   "(they were lost or belong to another installation); an admin has to save the key again.");
            }
        }

        return new SavedProvider
        {
            Endpoint = rows.GetValueOrDefault(EndpointKey),
            BaseModel = rows.GetValueOrDefault(BaseModelKey),
            ApiKey = apiKey?.Key,
            ApiKeyEndpoint = apiKey?.Endpoint,
            ApiKeyUnreadable = unreadable,
            ApiKeyUnbound = unbound,
        };
    }

    /// <summary>The decrypted payload as a key with its endpoint; null for a bare key saved by an older version.</summary>
    private static BoundKey? ReadBoundKey(string payload)
    {
        // Skips the exception for the usual bare "sk-…" key; a bare key that happens to start with "{" fails below.
        if (!payload.StartsWith('{'))
            return null;
        try
        {
            return JsonSerializer.Deserialize<BoundKey>(payload, SettingsStore.JsonOptions) is { Endpoint.Length: > 0, Key.Length: > 0 } bound ? bound : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
