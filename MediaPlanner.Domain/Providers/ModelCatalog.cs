using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using MediaPlanner.Domain.Cluster;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Providers.OpenAI;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MediaPlanner.Domain.Providers;

public enum ModelStatus
{
    /// <summary>Listed, with no shutdown date within <see cref="ModelCatalog.RetiringDays"/> days.</summary>
    Active,
    /// <summary>Shuts down on <see cref="ModelLifecycle.ShutdownDate"/>, less than <see cref="ModelCatalog.RetiringDays"/> days from today.</summary>
    Retiring,
    /// <summary>Its shutdown date has come: it no longer answers.</summary>
    ShutDown,
    /// <summary>The provider listed it once and no longer does.</summary>
    Unlisted,
    /// <summary>The provider's list was never read, or does not name it (nor its base model).</summary>
    Unknown,
}

/// <summary>Where a model stands at its provider, with a sentence saying what that means for the app.</summary>
public sealed record ModelLifecycle(ModelStatus Status, DateOnly? ShutdownDate, string Message)
{
    public static ModelLifecycle LocalPlanner { get; } = new(ModelStatus.Active, null, "The built-in planner: it always works, with no provider.");

    /// <summary>What a chip shows: the status in words, with the date where there is one ("Retiring 14 Jan 2027").</summary>
    public string Label => Status switch
    {
        ModelStatus.Active => "Active",
        ModelStatus.Retiring => $"Retiring {ModelCatalog.Format(ShutdownDate!.Value)}",
        ModelStatus.ShutDown => "Shut down",
        ModelStatus.Unlisted => "No longer listed",
        _ => "Status unknown",
    };
}

/// <summary>The outcome of reading one provider's model list.</summary>
public sealed record ModelRefreshResult(string Provider, bool Succeeded, int Listed, int Unlisted, string? Error);

/// <summary>Whether a fine-tuning job may start on a model: a refusal (the job is not created) or a warning to show first.</summary>
public sealed record TrainingCheck(string? Refusal, string? Warning, ModelLifecycle? BaseModel)
{
    public static TrainingCheck None { get; } = new(null, null, null);
}

/// <summary>
/// Each hosted provider's model list (<c>GET /v1/models</c>) as last read, with every model's <c>shutdown_date</c>, and
/// what follows from it: a model's <see cref="ModelLifecycle"/>, whether a job may still train on it, and which base
/// model to use when none is chosen. Lists are read by <see cref="ModelCatalogRefresher"/> at start-up and on a schedule,
/// and by admins on demand; rows are kept in memory between reads.
/// </summary>
public sealed partial class ModelCatalog
{
    /// <summary>A model is shown as retiring from this many days before its shutdown date.</summary>
    public const int RetiringDays = 60;

    private readonly IDbContextFactory<PlannerDbContext> _dbFactory;
    private readonly OpenAIClientFactory _clients;
    private readonly ProviderProfileService _profiles;
    private readonly IOptionsMonitor<ModelCatalogOptions> _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<ModelCatalog> _logger;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);
    private readonly IClusterBus? _bus;
    private readonly DatabaseCache<IReadOnlyDictionary<string, IReadOnlyList<ProviderModelEntity>>> _rows = new();

    internal const string CacheName = "model-catalog";

    public ModelCatalog(IDbContextFactory<PlannerDbContext> dbFactory, OpenAIClientFactory clients, ProviderProfileService profiles,
        IOptionsMonitor<ModelCatalogOptions> options, TimeProvider clock, ILogger<ModelCatalog> logger, IClusterBus? bus = null)
    {
        (_dbFactory, _clients, _profiles, _options, _clock, _logger, _bus) = (dbFactory, clients, profiles, options, clock, logger, bus);
        // A profile saved with a new endpoint loses its stored list: forget the cached one with it.
        profiles.Changed += _rows.Forget;
    }

    /// <summary>Raised after a model list was read (or failed to be read).</summary>
    public event Action? Changed;

    public DateOnly Today => DateOnly.FromDateTime(_clock.GetUtcNow().UtcDateTime);

    public static string Format(DateOnly date) => date.ToString("d MMM yyyy", CultureInfo.InvariantCulture);

    /// <summary>Reads the provider's model list and stores it; failures are recorded on the profile, never thrown.</summary>
    public async Task<ModelRefreshResult> RefreshAsync(string providerKey, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(providerKey);
        var profile = _profiles.Get(providerKey);
        if (profile is null)
            return new(providerKey, false, 0, 0, providerKey == FineTuneProviders.Local
                ? "The built-in planner has no model list to read."
                : $"There is no provider {providerKey}.");

        var gate = _gates.GetOrAdd(providerKey, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            var (listed, error) = await ReadListAsync(profile, ct);
            if (listed is null)
            {
                _logger.LogWarning("The model list of provider {Provider} could not be read: {Error}", providerKey, error);
                await _profiles.SetModelsRefreshedAsync(providerKey, error, ct);
                Invalidate();
                return new(providerKey, false, 0, 0, error);
            }
            var unlisted = await StoreAsync(providerKey, listed, ct);
            await _profiles.SetModelsRefreshedAsync(providerKey, null, ct);
            Invalidate();
            _logger.LogInformation("Read the model list of provider {Provider}: {Count} models, {Unlisted} no longer listed.", providerKey, listed.Count, unlisted);
            return new(providerKey, true, listed.Count, unlisted, null);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Reads the list of every hosted profile that has a key.</summary>
    public async Task<IReadOnlyList<ModelRefreshResult>> RefreshAllAsync(CancellationToken ct = default)
    {
        var results = new List<ModelRefreshResult>();
        foreach (var profile in _profiles.List().Where(p => p.IsConfigured))
            results.Add(await RefreshAsync(profile.Key, ct));
        return results;
    }

    /// <summary>Reads the provider's list once if it was never read, so a default base model can come from it.</summary>
    public async Task EnsureListedAsync(string providerKey, CancellationToken ct = default)
    {
        if (providerKey == FineTuneProviders.Local || Models(providerKey).Count > 0 || _profiles.Get(providerKey) is not { IsConfigured: true })
            return;
        await RefreshAsync(providerKey, ct);
    }

    /// <summary>The provider's models as last read, listed ones in the order the provider first listed them.</summary>
    public IReadOnlyList<ProviderModelEntity> Models(string providerKey) =>
        Rows().TryGetValue(providerKey, out var rows) ? rows : [];

    /// <summary>
    /// Where <paramref name="model"/> stands at <paramref name="provider"/>. A model's own shutdown date wins; a fine-tuned
    /// model or checkpoint without one follows its base model (named in the model name, else <paramref name="baseModel"/>,
    /// e.g. the job's). The local planner is always active.
    /// </summary>
    public ModelLifecycle Lifecycle(string provider, string model, string? baseModel = null)
    {
        var name = ModelName.Parse(model ?? "");
        if (provider == FineTuneProviders.Local || name.IsLocal)
            return ModelLifecycle.LocalPlanner;
        var providerName = ProviderName(provider);
        var rows = Models(provider);
        if (rows.Count == 0)
            return new(ModelStatus.Unknown, null, _profiles.Get(provider)?.State.ModelsRefreshError is { } error
                ? $"{providerName}'s model list could not be read ({error}), so whether {model} still works is unknown."
                : $"{providerName}'s model list has not been read yet, so whether {model} still works is unknown.");

        var own = rows.FirstOrDefault(r => r.ModelId == model);
        var baseId = name.IsFineTuned ? name.BaseModel ?? baseModel : null;
        var baseRow = baseId is null ? null : rows.FirstOrDefault(r => r.ModelId == baseId);
        var inherited = own?.ShutdownDate is null && baseRow?.ShutdownDate is not null;
        var date = own?.ShutdownDate ?? baseRow?.ShutdownDate;
        var via = inherited ? $" with its base model {baseId}" : "";
        if (date is { } d)
        {
            if (Today >= d)
                return new(ModelStatus.ShutDown, d,
                    $"{providerName} shut {model} down{via} on {Format(d)}: it no longer answers, so the app no longer plans or trains with it.");
            if (Today >= d.AddDays(-RetiringDays))
            {
                var days = d.DayNumber - Today.DayNumber;
                return new(ModelStatus.Retiring, d,
                    $"{providerName} shuts {model} down{via} on {Format(d)}, in {days} day{(days == 1 ? "" : "s")}: from then on it no longer answers, " +
                    "a deployed fine-tune on it is replaced by its base model (or the built-in planner), and no job can train on it.");
            }
        }
        if (own is { Listed: false })
            return new(ModelStatus.Unlisted, date,
                $"{providerName} no longer lists {model} (last seen {Format(DateOnly.FromDateTime(own.LastSeenAt.UtcDateTime))}): it may have been removed.");
        if (own is not null)
            return new(ModelStatus.Active, date, date is { } later
                ? $"{providerName} lists {model}; it shuts down on {Format(later)}."
                : $"{providerName} lists {model} with no shutdown date.");
        if (baseRow is { Listed: true })
            return new(ModelStatus.Active, date, date is { } later
                ? $"{model} follows its base model {baseId}, which {providerName} shuts down on {Format(later)}."
                : $"{model} follows its base model {baseId}, which {providerName} lists with no shutdown date.");
        return new(ModelStatus.Unknown, date, baseRow is not null
            ? $"{providerName} no longer lists {baseId}, the base model of {model}: whether it still works is unknown."
            : $"{providerName}'s model list does not name {model}, so whether it still works is unknown.");
    }

    /// <summary>
    /// The base model to offer when none is chosen: of the provider's listed models, in the order it first listed them,
    /// the first that is <see cref="ModelStatus.Active"/> and fine-tunable — a dated snapshot of a family OpenAI fine-tunes
    /// (gpt-4.1-mini, gpt-4.1-nano, gpt-4.1, gpt-4o-mini, gpt-4o, gpt-3.5-turbo), or a model the profile names as a base
    /// model. Null when the list was never read or offers none.
    /// </summary>
    public string? SuggestBaseModel(string provider)
    {
        var named = _profiles.Get(provider)?.BaseModels.Select(b => b.Model).ToHashSet(StringComparer.Ordinal) ?? [];
        return Models(provider)
            .Where(r => r.Listed && (named.Contains(r.ModelId) || FineTunableSnapshot().IsMatch(r.ModelId)))
            .FirstOrDefault(r => Lifecycle(provider, r.ModelId).Status == ModelStatus.Active)?.ModelId;
    }

    /// <summary>The base model a provider fine-tunes and plans with: the one chosen in settings, else <see cref="SuggestBaseModel"/>.</summary>
    public string? BaseModelFor(string provider) =>
        provider == FineTuneProviders.Local ? null : _profiles.Get(provider)?.FirstBaseModel ?? SuggestBaseModel(provider);

    /// <summary>
    /// Whether a new job may train <paramref name="baseModel"/> at <paramref name="provider"/>: refused when the provider
    /// no longer trains for this organisation, when the model is shut down, or when it is retiring and the provider's
    /// training cut-off has passed; a warning when it is retiring.
    /// </summary>
    public TrainingCheck CheckTraining(string provider, string? baseModel)
    {
        // The local learner and backends without a profile have no model list to judge by.
        if (provider == FineTuneProviders.Local || _profiles.Get(provider) is not { } profile)
            return TrainingCheck.None;
        var providerName = profile.Name;
        var lifecycle = string.IsNullOrWhiteSpace(baseModel) ? null : Lifecycle(provider, baseModel);
        if (profile.State.TrainingUnavailableAt is { } since)
            return new($"{providerName} no longer accepts fine-tuning jobs for this organisation (since {Format(DateOnly.FromDateTime(since.UtcDateTime))}).", null, lifecycle);
        if (lifecycle is null)
            return new($"No base model is chosen for {providerName}, and its model list offers none that can be fine-tuned: name one in settings.", null, null);
        var replacement = SuggestBaseModel(provider) is { } suggestion && suggestion != baseModel
            ? $" {providerName} still lists {suggestion}: choose it (or another) as the base model in settings."
            : " Choose another base model in settings.";
        if (lifecycle.Status == ModelStatus.ShutDown)
            return new($"{providerName} shut {baseModel} down on {Format(lifecycle.ShutdownDate!.Value)}: it can no longer be fine-tuned.{replacement}", null, lifecycle);
        if (lifecycle.Status != ModelStatus.Retiring)
            return new(null, null, lifecycle);
        var cutoff = profile.Kind == ProviderKind.OpenAI ? _options.CurrentValue.OpenAITrainingCutoff : null;
        var shutdown = Format(lifecycle.ShutdownDate!.Value);
        if (cutoff is { } c && Today >= c)
            return new($"{providerName} stopped accepting new fine-tuning jobs on {Format(c)}, and shuts {baseModel} down on {shutdown}.{replacement}", null, lifecycle);
        var until = cutoff is { } last ? $" {providerName} accepts new jobs until {Format(last.AddDays(-1))}." : "";
        return new(null, $"{baseModel} retires on {shutdown}: the model this job makes stops answering then too, and plans fall back to the base model or the built-in planner.{until}", lifecycle);
    }

    private string ProviderName(string provider) => _profiles.Get(provider)?.Name ?? provider;

    private async Task<(List<ListedModel>? Models, string? Error)> ReadListAsync(ProviderProfile profile, CancellationToken ct)
    {
        var name = profile.Name;
        try
        {
            var client = _clients.CreateClient(profile.Key).GetOpenAIModelClient();
            var result = await client.GetModelsAsync(new RequestOptions { CancellationToken = ct });
            return (Parse(result.GetRawResponse().Content), null);
        }
        catch (InvalidOperationException ex)
        {
            return (null, ex.Message);
        }
        catch (ClientResultException ex)
        {
            // Never the server's text for 401: OpenAI's quotes part of the key.
            return (null, ex.Status switch
            {
                401 => $"{name} rejected the API key (401). Check the key in settings.",
                403 => $"{name} refused to list models with this key (403). Check that the key's project may read models.",
                404 => $"{name} has no model list at this endpoint (404). Check the endpoint in settings.",
                429 => $"{name} is limiting requests (429); the list is read again at the next refresh.",
                >= 500 => $"{name} had a server error (HTTP {ex.Status}); the list is read again at the next refresh.",
                0 => $"{name} could not be reached; the list is read again at the next refresh.",
                _ => $"{name} refused the request for its model list (HTTP {ex.Status}).",
            });
        }
        catch (JsonException)
        {
            return (null, $"{name} answered with a model list the app cannot read.");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is TaskCanceledException && !ct.IsCancellationRequested))
        {
            return (null, $"{name} could not be reached; the list is read again at the next refresh.");
        }
    }

    private sealed record ListedModel(string Id, string? OwnedBy, DateTimeOffset? Created, DateOnly? ShutdownDate);

    /// <summary>The <c>data</c> array of a model list; the SDK's typed model has no <c>shutdown_date</c>, so the JSON is read here.</summary>
    private static List<ListedModel> Parse(BinaryData content)
    {
        using var doc = JsonDocument.Parse(content);
        if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
            throw new JsonException("A model list has a data array.");
        var models = new List<ListedModel>();
        foreach (var m in data.EnumerateArray())
        {
            if (m.ValueKind != JsonValueKind.Object || Text(m, "id") is not { Length: > 0 and <= 300 } id || models.Any(x => x.Id == id))
                continue;
            DateTimeOffset? created = m.TryGetProperty("created", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt64(out var seconds)
                                      && seconds is > 0 and < 253402300799
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : null;
            DateOnly? shutdown = Text(m, "shutdown_date") is { } s
                                 && DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
                ? date
                : null;
            var owner = Text(m, "owned_by");
            models.Add(new(id, owner is { Length: > 200 } ? owner[..200] : owner, created, shutdown));
        }
        return models;
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>Upserts the list; models missing from it are kept, marked unlisted. Returns how many became unlisted.</summary>
    private async Task<int> StoreAsync(string providerKey, List<ListedModel> listed, CancellationToken ct)
    {
        var now = _clock.GetUtcNow();
        await using var db = await _dbFactory.CreateDbContextAsync(ct);
        var rows = await db.ProviderModels.Where(m => m.ProviderKey == providerKey).ToDictionaryAsync(m => m.ModelId, StringComparer.Ordinal, ct);
        foreach (var m in listed)
        {
            if (!rows.TryGetValue(m.Id, out var row))
                db.ProviderModels.Add(row = new ProviderModelEntity { ProviderKey = providerKey, ModelId = m.Id, FirstSeenAt = now });
            row.OwnedBy = m.OwnedBy;
            row.CreatedAt = m.Created;
            row.ShutdownDate = m.ShutdownDate;
            row.LastSeenAt = now;
            row.Listed = true;
        }
        var ids = listed.Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
        var gone = rows.Values.Where(r => r.Listed && !ids.Contains(r.ModelId)).ToList();
        foreach (var row in gone)
            row.Listed = false;
        await db.SaveChangesAsync(ct);
        return gone.Count;
    }

    private IReadOnlyDictionary<string, IReadOnlyList<ProviderModelEntity>> Rows()
    {
        try
        {
            return _rows.Get(() =>
            {
                using var db = _dbFactory.CreateDbContext();
                return db.ProviderModels.AsNoTracking().OrderBy(m => m.ProviderKey).ThenBy(m => m.FirstSeenAt).ThenBy(m => m.Id).ToList()
                    .GroupBy(m => m.ProviderKey, StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => (IReadOnlyList<ProviderModelEntity>)g.ToList(), StringComparer.Ordinal);
            });
        }
        catch (DbException ex)
        {
            // Before migrations have run: nothing read yet, and the next call reads again.
            _logger.LogDebug(ex, "Provider model lists could not be read yet.");
            return new Dictionary<string, IReadOnlyList<ProviderModelEntity>>();
        }
    }

    private void Invalidate()
    {
        ForgetCached();
        _bus?.CacheChanged(CacheName, _logger);
    }

    /// <summary>Forgets the cached lists and tells this node's listeners: another node read a list.</summary>
    internal void ForgetCached()
    {
        _rows.Forget();
        Changed?.Invoke();
    }

    // Dated snapshots only: fine-tuning takes a snapshot name, and an alias such as gpt-4o-mini moves to new snapshots.
    [GeneratedRegex(@"^(gpt-4\.1-mini|gpt-4\.1-nano|gpt-4\.1|gpt-4o-mini|gpt-4o|gpt-3\.5-turbo)-(\d{4}-\d{2}-\d{2}|\d{4})$")]
    private static partial Regex FineTunableSnapshot();
}
