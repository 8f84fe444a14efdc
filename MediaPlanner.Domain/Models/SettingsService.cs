using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Cluster;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Providers.OpenAI;
using MediaPlanner.Domain.Training;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

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

/// <summary>The outcome of a save: problems keyed by field name (empty when saved).</summary>
public sealed record SettingsSaveResult(IReadOnlyDictionary<string, string> Errors)
{
    public static SettingsSaveResult Ok { get; } = new(new Dictionary<string, string>());

    public bool Succeeded => Errors.Count == 0;
}

/// <summary>
/// Admin-editable settings stored as <see cref="AppSetting"/> rows: the model-selection strategy and thresholds, the
/// OpenAI provider (endpoint, base model, API key encrypted with Data Protection together with the endpoint it was
/// entered for) and the price table. Values are
/// cached in memory and re-read after every save; saved provider values override configuration through
/// <see cref="OpenAISettingsOverlay"/>, and saving fires this change-token source so
/// <see cref="IOptionsMonitor{OpenAIOptions}"/> (and the client factory) pick them up without a restart.
/// Settings values are never logged.
/// </summary>
public sealed class SettingsService : IOptionsChangeTokenSource<OpenAIOptions>
{
    public const string ProtectorPurpose = "MediaPlanner.Settings.OpenAIKey";
    internal const string SelectionKey = "Models.Selection";
    internal const string EndpointKey = "OpenAI.Endpoint";
    internal const string BaseModelKey = "OpenAI.BaseModel";
    internal const string ApiKeyKey = "OpenAI.ApiKey";
    internal const string AnonymiseKey = "Privacy.AnonymiseOutbound";

    public const string ReenterKeyForNewEndpoint =
        "Re-enter the API key for the new endpoint: a saved key is only sent to the endpoint it was entered for.";

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly IDbContextFactory<PlannerDbContext> _dbFactory;
    private readonly IDataProtector _protector;
    private readonly IEnumerable<IConfigureOptions<OpenAIOptions>> _configuredOpenAI;
    private readonly TimeProvider _clock;
    private readonly ILogger<SettingsService> _logger;
    private readonly AuditLog _audit;
    private readonly Lock _loadGate = new();
    private readonly SemaphoreSlim _saveGate = new(1, 1);
    private readonly IClusterBus? _bus;
    private Snapshot? _snapshot;
    // Bumped when another node saved: a read that began before then must not cache what it read.
    private int _generation;
    private bool _loadFailed;
    private CancellationTokenSource _changes = new();

    public SettingsService(
        IDbContextFactory<PlannerDbContext> dbFactory,
        IDataProtectionProvider dataProtection,
        IEnumerable<IConfigureOptions<OpenAIOptions>> configuredOpenAI,
        TimeProvider clock,
        ILogger<SettingsService> logger,
        AuditLog audit,
        IClusterBus? bus = null)
    {
        _dbFactory = dbFactory;
        _protector = dataProtection.CreateProtector(ProtectorPurpose);
        _configuredOpenAI = configuredOpenAI;
        _clock = clock;
        _logger = logger;
        _audit = audit;
        _bus = bus;
    }

    internal const string CacheName = "settings";

    /// <summary>Another node saved settings: read them again, and let the OpenAI options (and clients) follow.</summary>
    internal void ForgetCached()
    {
        Interlocked.Increment(ref _generation);
        Volatile.Write(ref _snapshot, null);
        NotifyChanged();
    }

    /// <summary>What a save adds to the audit trail, written in the same save.</summary>
    private sealed record AuditNote(string Action, string EntityType, string EntityId, string Summary, string? Before, string? After);

    /// <summary>Saved settings, decrypted. A class rather than a record so nothing prints the key by accident.</summary>
    private sealed class Snapshot
    {
        public required SelectionSettings Selection { get; init; }
        public bool AnonymiseOutbound { get; init; }
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

    // ---- Model selection ----

    public SelectionSettings GetSelection() => Current().Selection;

    public async Task<SettingsSaveResult> SaveSelectionAsync(SelectionSettings selection, CurrentUser user, CancellationToken ct = default)
    {
        RequireAdmin(user);
        var errors = ValidateSelection(selection);
        if (errors.Count > 0)
            return new(errors);
        var before = GetSelection();
        var after = JsonSerializer.Serialize(selection, JsonOptions);
        await WriteAsync(user, [(SelectionKey, after)], new AuditNote(AuditActions.SettingsSelection, AuditEntities.Setting, SelectionKey,
            $"Saved the model selection: {SelectionChanges(before, selection)}", JsonSerializer.Serialize(before, JsonOptions), after), ct);
        _logger.LogInformation("Model selection settings saved by user {UserId}.", user.Id);
        return SettingsSaveResult.Ok;
    }

    private static string SelectionChanges(SelectionSettings before, SelectionSettings after)
    {
        var changes = new List<string>();
        if (before.Strategy != after.Strategy)
            changes.Add($"strategy {before.Strategy} → {after.Strategy}");
        foreach (var property in typeof(AutoThresholds).GetProperties())
        {
            var (was, now) = (property.GetValue(before.Thresholds), property.GetValue(after.Thresholds));
            if (!Equals(was, now))
                changes.Add(string.Create(CultureInfo.InvariantCulture, $"{property.Name} {was} → {now}"));
        }
        return changes.Count == 0 ? "no changes" : string.Join(", ", changes);
    }

    /// <summary>Problems with a selection, keyed by the <see cref="AutoThresholds"/> property (or "Strategy").</summary>
    public static IReadOnlyDictionary<string, string> ValidateSelection(SelectionSettings selection)
    {
        var errors = new Dictionary<string, string>();
        if (!Enum.IsDefined(selection.Strategy))
            errors["Strategy"] = "Choose auto, base only or fine-tuned only.";
        var t = selection.Thresholds;
        if (t is null)
        {
            errors["Thresholds"] = "The auto thresholds are missing.";
            return errors;
        }
        var windowValid = t.Window is >= 5 and <= 1000;
        if (!windowValid)
            errors[nameof(t.Window)] = "The window must be between 5 and 1000 calls.";
        // Against a window that is itself wrong the comparison would only repeat that error.
        if (t.MinSamples < 1 || (windowValid && t.MinSamples > t.Window))
            errors[nameof(t.MinSamples)] = $"Minimum samples must be between 1 and the window ({t.Window}).";
        // Written as !(in range) so NaN fails too.
        if (!(t.MinSuccessRate >= 0 && t.MinSuccessRate <= 1))
            errors[nameof(t.MinSuccessRate)] = "The minimum success rate is a share between 0 and 1, e.g. 0.9 for 90%.";
        if (!(t.QualityTolerance >= 0 && t.QualityTolerance <= 100))
            errors[nameof(t.QualityTolerance)] = "The quality tolerance must be between 0 and 100 points.";
        if (!(t.MaxLatencyRatio >= 1) || double.IsInfinity(t.MaxLatencyRatio))
            errors[nameof(t.MaxLatencyRatio)] = "The latency ratio must be at least 1 (1 = no slower than the base model).";
        if (!(t.MaxCostRatio >= 1) || double.IsInfinity(t.MaxCostRatio))
            errors[nameof(t.MaxCostRatio)] = "The cost ratio must be at least 1 (1 = no dearer than the base model).";
        if (t.DailyBudgetUsd < 0)
            errors[nameof(t.DailyBudgetUsd)] = "The daily budget cannot be negative (0 = no budget).";
        return errors;
    }

    // ---- Data leaving the app ----

    /// <summary>
    /// True when client names (brand, campaign, client) are replaced by placeholders in everything that leaves the app:
    /// training exports, files uploaded to a hosted provider, and plan requests to hosted models (see <see cref="Anonymiser"/>).
    /// Off by default: the data is the agency's own, going to its own provider account; an admin whose clients require
    /// more turns it on.
    /// </summary>
    public bool AnonymiseOutbound => Current().AnonymiseOutbound;

    /// <summary>Turns anonymisation of outbound data on or off, audited with the value before and after; a save that changes nothing is not recorded.</summary>
    public async Task SaveAnonymiseOutboundAsync(bool on, CurrentUser user, CancellationToken ct = default)
    {
        RequireAdmin(user);
        var before = AnonymiseOutbound;
        if (before == on)
            return;
        await WriteAsync(user, [(AnonymiseKey, on ? "true" : "false")], new AuditNote(AuditActions.SettingsPrivacy, AuditEntities.Setting, AnonymiseKey,
            on ? "Turned on anonymisation: brand, campaign and client names leave the app as placeholders"
               : "Turned off anonymisation: training data and prompts leave the app as written",
            AuditLog.Json(new { anonymiseOutbound = before }), AuditLog.Json(new { anonymiseOutbound = on })), ct);
        _logger.LogInformation("Anonymisation of outbound data turned {State} by user {UserId}.", on ? "on" : "off", user.Id);
    }

    // ---- OpenAI provider ----

    public ProviderSettingsView GetProvider()
    {
        var saved = Current();
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
    private static EffectiveProvider Resolve(Snapshot saved, string configuredEndpoint, string? configuredKey)
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
    public async Task<SettingsSaveResult> SaveProviderAsync(string? endpoint, string? baseModel, string? newApiKey, bool clearApiKey,
        CurrentUser user, CancellationToken ct = default)
    {
        RequireAdmin(user);
        var errors = new Dictionary<string, string>();
        var changes = new List<(string Key, string? Value)>();

        var saved = Current();
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
            changes.Add((ApiKeyKey, _protector.Protect(JsonSerializer.Serialize(new BoundKey(newEndpoint ?? currentEndpoint, key), JsonOptions))));
        else if (clearApiKey)
            changes.Add((ApiKeyKey, null));
        // Refused rather than saved with the key withheld, so the admin learns at once that the key has to come along.
        // Resolve enforces the binding whatever this check sees, so a save racing it cannot pair key and endpoint wrongly.
        else if (newEndpoint is not null && saved.ApiKey is not null && !SameEndpoint(newEndpoint, currentEndpoint)
                 && !SameEndpoint(newEndpoint, saved.ApiKeyEndpoint))
            errors["ApiKey"] = ReenterKeyForNewEndpoint;

        if (errors.Count > 0)
            return new(errors);
        if (changes.Count == 0)
            return SettingsSaveResult.Ok;

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
        await WriteAsync(user, changes, new AuditNote(AuditActions.SettingsProvider, AuditEntities.Setting, "OpenAI",
            $"Saved the OpenAI provider settings: {(summary.Count == 0 ? "no changes" : string.Join(", ", summary))}",
            before.Count == 0 ? null : AuditLog.Json(before), AuditLog.Json(after)), ct);
        NotifyChanged();
        var changed = new List<string>();
        if (endpoint is not null) changed.Add("endpoint");
        if (baseModel is not null) changed.Add("base model");
        if (key is not null) changed.Add("API key replaced");
        else if (clearApiKey) changed.Add("API key removed");
        _logger.LogInformation("OpenAI provider settings saved by user {UserId}: {Changed}.", user.Id, string.Join(", ", changed));
        return SettingsSaveResult.Ok;
    }

    /// <summary>
    /// Overlays the saved provider values on options bound from configuration. The only way the decrypted key leaves
    /// this class; used by <see cref="OpenAISettingsOverlay"/>.
    /// </summary>
    internal void ApplyTo(OpenAIOptions options)
    {
        var saved = Current();
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

    string IOptionsChangeTokenSource<OpenAIOptions>.Name => Options.DefaultName;

    IChangeToken IOptionsChangeTokenSource<OpenAIOptions>.GetChangeToken() => new CancellationChangeToken(Volatile.Read(ref _changes).Token);

    private void NotifyChanged() => Interlocked.Exchange(ref _changes, new CancellationTokenSource()).Cancel();

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

    // ---- Prices ----

    public async Task<IReadOnlyList<ModelPrice>> PricesAsync(CancellationToken ct = default)
    {
        await using var db = await _dbFactory.CreateDbContextAsync(ct);
        return await db.ModelPrices.AsNoTracking().OrderBy(p => p.Model).ThenBy(p => p.Provider).ToListAsync(ct);
    }

    /// <summary>
    /// Adds or replaces the price row for <see cref="ModelPrice.Provider"/> and <see cref="ModelPrice.Model"/> (a fine-tuned
    /// model can have its own). Provider "" is any provider; otherwise it must be a provider profile's key.
    /// </summary>
    public async Task<SettingsSaveResult> SavePriceAsync(ModelPrice price, CurrentUser user, CancellationToken ct = default)
    {
        RequireAdmin(user);
        var errors = new Dictionary<string, string>(ValidatePrice(price, DateOnly.FromDateTime(_clock.GetUtcNow().UtcDateTime)));
        var model = price.Model?.Trim() ?? "";
        var provider = price.Provider?.Trim() ?? "";
        await using var db = await _dbFactory.CreateDbContextAsync(ct);
        if (provider.Length > 0 && provider != Providers.ProviderProfile.PrimaryKey && !await db.ProviderProfiles.AnyAsync(p => p.Key == provider, ct))
            errors[nameof(ModelPrice.Provider)] = $"There is no provider {provider}: choose one of the providers in settings, or any provider.";
        if (errors.Count > 0)
            return new(errors);
        var row = await db.ModelPrices.SingleOrDefaultAsync(p => p.Provider == provider && p.Model == model, ct);
        var before = row is null ? null : PriceJson(row);
        if (row is null)
        {
            row = new ModelPrice { Provider = provider, Model = model, Source = "" };
            db.ModelPrices.Add(row);
        }
        row.InputPerMillion = price.InputPerMillion;
        row.OutputPerMillion = price.OutputPerMillion;
        row.TrainingPerMillion = price.TrainingPerMillion;
        row.Source = price.Source!.Trim();
        row.AsOf = price.AsOf;
        var name = PriceName(provider, model);
        await _audit.AddAsync(db, user, AuditActions.SettingsPrice, AuditEntities.ModelPrice, PriceEntityId(provider, model),
            string.Create(CultureInfo.InvariantCulture,
                $"{(before is null ? "Added" : "Changed")} the price of {name}: input {row.InputPerMillion}, output {row.OutputPerMillion}, training {(row.TrainingPerMillion?.ToString(CultureInfo.InvariantCulture) ?? "unknown")} per 1M tokens"),
            before, PriceJson(row), ct);
        await db.SaveChangesAsync(ct);
        _logger.LogInformation("Price row for {Model} ({Provider}) saved by user {UserId}.", model, provider.Length == 0 ? "any provider" : provider, user.Id);
        return SettingsSaveResult.Ok;
    }

    /// <summary>Removes the any-provider price row of <paramref name="model"/>; false when there was none.</summary>
    public Task<bool> DeletePriceAsync(string model, CurrentUser user, CancellationToken ct = default) => DeletePriceAsync("", model, user, ct);

    /// <summary>Removes a price row (provider "" = the any-provider row); false when there was none.</summary>
    public async Task<bool> DeletePriceAsync(string provider, string model, CurrentUser user, CancellationToken ct = default)
    {
        RequireAdmin(user);
        provider = provider?.Trim() ?? "";
        await using var db = await _dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var rows = db.ModelPrices.Where(p => p.Provider == provider && p.Model == model);
        var row = await rows.AsNoTracking().SingleOrDefaultAsync(ct);
        var deleted = row is not null && await rows.ExecuteDeleteAsync(ct) > 0;
        if (deleted)
        {
            await _audit.AddAsync(db, user, AuditActions.SettingsPriceDelete, AuditEntities.ModelPrice, PriceEntityId(provider, model),
                $"Deleted the price of {PriceName(provider, model)}", PriceJson(row!), null, ct);
            await db.SaveChangesAsync(ct);
        }
        await transaction.CommitAsync(ct);
        if (deleted)
            _logger.LogInformation("Price row for {Model} ({Provider}) deleted by user {UserId}.", model, provider.Length == 0 ? "any provider" : provider, user.Id);
        return deleted;
    }

    // The any-provider row keeps the id and wording it had before prices belonged to providers.
    private static string PriceEntityId(string provider, string model) => provider.Length == 0 ? model : $"{provider}/{model}";

    private static string PriceName(string provider, string model) => provider.Length == 0 ? model : $"{model} at {provider}";

    private static string PriceJson(ModelPrice p) => AuditLog.Json(new
    {
        input = p.InputPerMillion, output = p.OutputPerMillion, training = p.TrainingPerMillion, source = p.Source,
        asOf = p.AsOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
    });

    public static IReadOnlyDictionary<string, string> ValidatePrice(ModelPrice price, DateOnly today)
    {
        const decimal Max = 1_000_000m;
        var errors = new Dictionary<string, string>();
        var model = price.Model?.Trim() ?? "";
        if (model.Length == 0)
            errors[nameof(ModelPrice.Model)] = "Name the model, e.g. gpt-4o-mini-2024-07-18 or a fine-tuned ft:… name.";
        else if (model.Length > 200)
            errors[nameof(ModelPrice.Model)] = "A model name is at most 200 characters.";
        if (price.InputPerMillion is < 0 or > Max)
            errors[nameof(ModelPrice.InputPerMillion)] = "The input price must be between 0 and 1,000,000 per 1M tokens.";
        if (price.OutputPerMillion is < 0 or > Max)
            errors[nameof(ModelPrice.OutputPerMillion)] = "The output price must be between 0 and 1,000,000 per 1M tokens.";
        if (price.TrainingPerMillion is < 0 or > Max)
            errors[nameof(ModelPrice.TrainingPerMillion)] = "The training price must be between 0 and 1,000,000 per 1M tokens (empty = unknown).";
        var source = price.Source?.Trim() ?? "";
        if (source.Length == 0)
            errors[nameof(ModelPrice.Source)] = "Say where the price comes from, e.g. OpenAI pricing page.";
        else if (source.Length > 300)
            errors[nameof(ModelPrice.Source)] = "The source is at most 300 characters.";
        if (price.AsOf == default)
            errors[nameof(ModelPrice.AsOf)] = "Give the date the price was read.";
        else if (price.AsOf > today.AddDays(1))
            errors[nameof(ModelPrice.AsOf)] = "The date the price was read cannot be in the future.";
        return errors;
    }

    // ---- Storage ----

    private static void RequireAdmin(CurrentUser user)
    {
        if (!user.IsAdmin)
            throw new UnauthorizedAccessException("Only admins change settings.");
    }

    private Snapshot Current()
    {
        if (Volatile.Read(ref _snapshot) is { } cached)
            return cached;
        lock (_loadGate)
        {
            if (_snapshot is { } loaded)
                return loaded;
            var generation = Volatile.Read(ref _generation);
            Dictionary<string, string> rows;
            try
            {
                using var db = _dbFactory.CreateDbContext();
                rows = db.Settings.AsNoTracking().ToDictionary(s => s.Key, s => s.Value);
            }
            catch (DbException ex)
            {
                // Before migrations have run there is no settings table: configuration alone applies, nothing is
                // cached, and the next call tries again.
                if (!_loadFailed)
                    _logger.LogWarning(ex, "Saved settings could not be read; configured values apply until they can.");
                _loadFailed = true;
                return Build(new Dictionary<string, string>());
            }
            var built = Build(rows);
            if (generation != Volatile.Read(ref _generation))
                return built;
            // A save that finished while this read ran has already cached newer values: keep those.
            var snapshot = Interlocked.CompareExchange(ref _snapshot, built, null) ?? built;
            if (_loadFailed)
            {
                // Options computed during the failure lack the saved values. Not fired inline: this may run inside
                // the options monitor's own computation.
                _loadFailed = false;
                ThreadPool.QueueUserWorkItem(_ => NotifyChanged());
            }
            return snapshot;
        }
    }

    private async Task WriteAsync(CurrentUser user, IReadOnlyList<(string Key, string? Value)> changes, AuditNote note, CancellationToken ct)
    {
        await _saveGate.WaitAsync(ct);
        try
        {
            await using var db = await _dbFactory.CreateDbContextAsync(ct);
            var keys = changes.Select(c => c.Key).ToList();
            var rows = await db.Settings.Where(s => keys.Contains(s.Key)).ToDictionaryAsync(s => s.Key, ct);
            var now = _clock.GetUtcNow();
            foreach (var (key, value) in changes)
            {
                rows.TryGetValue(key, out var row);
                if (value is null)
                {
                    if (row is not null)
                        db.Settings.Remove(row);
                    continue;
                }
                if (row is null)
                    db.Settings.Add(row = new AppSetting { Key = key, Value = value });
                row.Value = value;
                row.UpdatedAt = now;
                row.UpdatedById = user.Id;
            }
            await _audit.AddAsync(db, user, note.Action, note.EntityType, note.EntityId, note.Summary, note.Before, note.After, ct);
            await db.SaveChangesAsync(ct);

            var all = await db.Settings.AsNoTracking().ToDictionaryAsync(s => s.Key, s => s.Value, ct);
            Volatile.Write(ref _snapshot, Build(all));
        }
        finally
        {
            _saveGate.Release();
        }
        _bus?.CacheChanged(CacheName, _logger);
    }

    private Snapshot Build(IReadOnlyDictionary<string, string> rows)
    {
        var selection = SelectionSettings.Default;
        if (rows.TryGetValue(SelectionKey, out var json))
        {
            try
            {
                var parsed = JsonSerializer.Deserialize<SelectionSettings>(json, JsonOptions);
                if (parsed is not null && ValidateSelection(parsed).Count == 0)
                    selection = parsed;
                else
                    _logger.LogWarning("The saved model selection settings are out of range; the defaults apply until an admin saves them again.");
            }
            catch (JsonException)
            {
                _logger.LogWarning("The saved model selection settings could not be read; the defaults apply until an admin saves them again.");
            }
        }

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

        return new Snapshot
        {
            Selection = selection,
            AnonymiseOutbound = rows.TryGetValue(AnonymiseKey, out var anonymise) && bool.TryParse(anonymise, out var on) && on,
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
            return JsonSerializer.Deserialize<BoundKey>(payload, JsonOptions) is { Endpoint.Length: > 0, Key.Length: > 0 } bound ? bound : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>Puts the saved provider settings over the configured OpenAI options (named default options only).</summary>
internal sealed class OpenAISettingsOverlay(SettingsService settings) : IPostConfigureOptions<OpenAIOptions>
{
    public void PostConfigure(string? name, OpenAIOptions options)
    {
        if (name == Options.DefaultName)
            settings.ApplyTo(options);
    }
}

public static class SettingsServiceCollectionExtensions
{
    /// <summary>
    /// The settings service (a singleton: it holds the cache and the change token) and its hooks into
    /// <see cref="OpenAIOptions"/>. Needs a Data Protection provider, the database and OpenAI options registered; adds the audit log if missing.
    /// </summary>
    public static IServiceCollection AddMediaPlannerSettings(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<Audit.AuditLog>();
        services.AddOptions<OpenAIOptions>();
        services.AddSingleton<SettingsService>();
        services.AddSingleton<IOptionsChangeTokenSource<OpenAIOptions>>(sp => sp.GetRequiredService<SettingsService>());
        services.AddSingleton<IPostConfigureOptions<OpenAIOptions>, OpenAISettingsOverlay>();
        return services;
    }
}
