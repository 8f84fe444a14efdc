using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Serialization;
using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Cluster;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Providers.OpenAI;
using MediaPlanner.Domain.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MediaPlanner.Domain.Providers;

/// <summary>
/// The hosted providers an admin added, beside the always-available local planner. The primary profile ("openai") keeps
/// its endpoint, key and base model where they always were (<see cref="ProviderSettingsService"/> and OpenAI:* configuration);
/// every other profile lives in its own row, its key encrypted with Data Protection together with the endpoint it was
/// entered for, so pointing a profile at another endpoint never carries the key along. Cached in memory and re-read
/// after each save; <see cref="Changed"/> tells open pages.
/// </summary>
public sealed partial class ProviderProfileService(
    IDbContextFactory<PlannerDbContext> dbFactory,
    IDataProtectionProvider dataProtection,
    ProviderSettingsService settings,
    IOptionsMonitor<OpenAIOptions> openAI,
    TimeProvider clock,
    AuditLog audit,
    ILogger<ProviderProfileService> logger,
    IClusterBus? bus = null)
{
    internal const string CacheName = "provider-profiles";

    public const string ProtectorPurpose = "MediaPlanner.Settings.ProviderKey";
    public const int MaxBaseModels = 20;

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly IDataProtector _protector = dataProtection.CreateProtector(ProtectorPurpose);
    private readonly SemaphoreSlim _saveGate = new(1, 1);
    private readonly DatabaseCache<IReadOnlyDictionary<string, ProviderProfileEntity>> _rows = new();

    /// <summary>Raised after any profile changed (saved, deleted, lifecycle state written).</summary>
    public event Action? Changed;

    private sealed record BoundKey(string Endpoint, string Key);

    /// <summary>Every hosted profile: the primary one first, then the others by name.</summary>
    public IReadOnlyList<ProviderProfile> List()
    {
        var rows = Rows();
        var list = new List<ProviderProfile> { Primary(rows.GetValueOrDefault(ProviderProfile.PrimaryKey)) };
        list.AddRange(rows.Values.Where(r => r.Key != ProviderProfile.PrimaryKey)
            .OrderBy(r => r.Name, StringComparer.OrdinalIgnoreCase).Select(ToProfile));
        return list;
    }

    public ProviderProfile? Get(string key)
    {
        if (key == ProviderProfile.PrimaryKey)
            return Primary(Rows().GetValueOrDefault(key));
        return Rows().TryGetValue(key, out var row) ? ToProfile(row) : null;
    }

    /// <summary>True for the key of any hosted profile (not the local planner).</summary>
    public bool IsHosted(string provider) => provider == ProviderProfile.PrimaryKey || Rows().ContainsKey(provider);

    /// <summary>Endpoint, kind and key of a profile; null when there is no such profile.</summary>
    internal ProviderConnection? Connection(string key)
    {
        if (key == ProviderProfile.PrimaryKey)
        {
            var o = openAI.CurrentValue;
            return new(key, PrimaryKind(Rows().GetValueOrDefault(key)), o.Endpoint, o.IsConfigured ? o.ApiKey!.Trim() : null);
        }
        if (!Rows().TryGetValue(key, out var row) || row.Endpoint is null)
            return null;
        var bound = Unprotect(row);
        return new(key, row.Kind, row.Endpoint, bound is not null && ProviderSettingsService.SameEndpoint(bound.Endpoint, row.Endpoint) ? bound.Key : null);
    }

    /// <summary>Adds a profile, or changes the one with <see cref="ProviderProfileInput.Key"/>. Problems come back keyed by field.</summary>
    public async Task<Result> SaveAsync(ProviderProfileInput input, CurrentUser user, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!user.IsAdmin)
            throw new UnauthorizedAccessException("Only admins change providers.");
        var key = (input.Key ?? "").Trim().ToLowerInvariant();
        var isPrimary = key == ProviderProfile.PrimaryKey;
        var existing = Rows().GetValueOrDefault(key);
        var errors = Validate(input, key, isPrimary, existing);
        if (errors.Count > 0)
            return Result.Invalid(errors);

        var endpoint = input.Endpoint.Trim();
        var mapping = input.Kind == ProviderKind.OpenAICompatible ? input.Hyperparameters ?? HyperparameterMapping.OpenAI : null;
        var baseModels = input.BaseModels.Where(b => !string.IsNullOrWhiteSpace(b.Model))
            .Select(b => new ProviderBaseModel(b.Model.Trim(), string.IsNullOrWhiteSpace(b.Deployment) ? null : b.Deployment.Trim())).ToList();

        var primaryEndpoint = isPrimary ? settings.GetProvider().Endpoint : null;
        if (isPrimary)
        {
            var result = await settings.SaveProviderAsync(endpoint, baseModels.FirstOrDefault()?.Model ?? "", input.NewApiKey, input.ClearApiKey, user, ct);
            if (!result.Succeeded)
                return result;
        }

        await _saveGate.WaitAsync(ct);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var row = await db.ProviderProfiles.SingleOrDefaultAsync(p => p.Key == key, ct);
            var now = clock.GetUtcNow();
            var added = row is null;
            var before = row is null ? null : Describe(row);
            if (row is null)
                db.ProviderProfiles.Add(row = new ProviderProfileEntity { Key = key, Name = input.Name.Trim(), CreatedAt = now });
            var endpointChanged = !ProviderSettingsService.SameEndpoint(isPrimary ? primaryEndpoint : row.Endpoint, endpoint);
            row.Name = input.Name.Trim();
            row.Kind = input.Kind;
            row.BaseModelsJson = JsonSerializer.Serialize(baseModels, JsonOptions);
            row.TrainingType = input.Kind == ProviderKind.AzureOpenAI ? input.TrainingType ?? AzureTrainingType.Standard : null;
            row.HyperparametersJson = mapping is null ? null : JsonSerializer.Serialize(mapping, JsonOptions);
            row.UpdatedAt = now;
            row.UpdatedById = user.Id;
            var keyNote = "";
            if (!isPrimary)
            {
                row.Endpoint = endpoint;
                if (!string.IsNullOrWhiteSpace(input.NewApiKey))
                {
                    row.ProtectedKey = _protector.Protect(JsonSerializer.Serialize(new BoundKey(endpoint, input.NewApiKey.Trim()), JsonOptions));
                    keyNote = ", key changed";
                }
                else if (input.ClearApiKey)
                {
                    row.ProtectedKey = null;
                    keyNote = ", key removed";
                }
            }
            // A new primary row is no new provider: the OpenAI profile existed before its row did.
            if (endpointChanged || (added && !isPrimary))
            {
                // The model list belongs to the endpoint it was read from.
                row.ModelsRefreshedAt = null;
                row.ModelsRefreshError = null;
                row.TrainingUnavailableAt = null;
                row.TrainingUnavailableMessage = null;
                await db.ProviderModels.Where(m => m.ProviderKey == key).ExecuteDeleteAsync(ct);
            }
            await audit.AddAsync(db, user, AuditActions.SettingsProvider, AuditEntities.Setting, key,
                $"{(added ? "Added" : "Saved")} the {input.Kind.DisplayName()} provider {row.Name} ({key}){keyNote}", before, Describe(row), ct);
            await db.SaveChangesAsync(ct);
        }
        finally
        {
            _saveGate.Release();
        }
        logger.LogInformation("Provider profile {Key} saved by user {UserId}.", key, user.Id);
        Invalidate();
        return Result.Ok("Saved.");
    }

    /// <summary>Removes a profile that nothing depends on: not the primary one, none with a live deployment or an unfinished job.</summary>
    public async Task<Result> DeleteAsync(string key, CurrentUser user, CancellationToken ct = default)
    {
        if (!user.IsAdmin)
            throw new UnauthorizedAccessException("Only admins change providers.");
        if (key == ProviderProfile.PrimaryKey)
            return Result.Problem(ResultStatus.Blocked, "The OpenAI profile is the primary one and stays; remove its key instead.");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.ProviderProfiles.SingleOrDefaultAsync(p => p.Key == key, ct);
        if (row is null)
            return Result.Problem(ResultStatus.NotFound, "That provider no longer exists.");
        if (await db.Deployments.AnyAsync(d => d.Provider == key && d.EndedAt == null, ct))
            return Result.Problem(ResultStatus.Blocked, $"{row.Name} serves the deployed model: roll back or deploy another model first.");
        var unfinished = await db.FineTuneJobs.CountAsync(j => j.Provider == key
            && j.Status != FineTuneStatus.Succeeded && j.Status != FineTuneStatus.Failed && j.Status != FineTuneStatus.Cancelled, ct);
        if (unfinished > 0)
            return Result.Problem(ResultStatus.Blocked, $"{row.Name} has {unfinished} unfinished fine-tuning job{(unfinished == 1 ? "" : "s")}: let {(unfinished == 1 ? "it" : "them")} finish or cancel first.");
        db.ProviderProfiles.Remove(row);
        await db.ProviderModels.Where(m => m.ProviderKey == key).ExecuteDeleteAsync(ct);
        await audit.AddAsync(db, user, AuditActions.SettingsProvider, AuditEntities.Setting, key,
            $"Removed the provider {row.Name} ({key}) and its saved key", Describe(row), null, ct);
        await db.SaveChangesAsync(ct);
        Invalidate();
        return Result.Ok($"Removed {row.Name}.");
    }

    /// <summary>Records that the provider refused fine-tuning for good (or, with null, that it trains again).</summary>
    public async Task SetTrainingUnavailableAsync(string key, string? message, CancellationToken ct = default)
    {
        await UpdateStateAsync(key, row =>
        {
            row.TrainingUnavailableAt = message is null ? null : clock.GetUtcNow();
            row.TrainingUnavailableMessage = message;
        }, ct);
    }

    /// <summary>Records the outcome of a model-list refresh: when it succeeded, or why it failed.</summary>
    public async Task SetModelsRefreshedAsync(string key, string? error, CancellationToken ct = default)
    {
        await UpdateStateAsync(key, row =>
        {
            if (error is null)
                row.ModelsRefreshedAt = clock.GetUtcNow();
            row.ModelsRefreshError = error;
        }, ct);
    }

    private async Task UpdateStateAsync(string key, Action<ProviderProfileEntity> update, CancellationToken ct)
    {
        await _saveGate.WaitAsync(ct);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var row = await db.ProviderProfiles.SingleOrDefaultAsync(p => p.Key == key, ct);
            if (row is null)
            {
                if (key != ProviderProfile.PrimaryKey)
                    return;
                var now = clock.GetUtcNow();
                db.ProviderProfiles.Add(row = new ProviderProfileEntity
                {
                    Key = key, Name = "OpenAI", Kind = PrimaryKind(null), CreatedAt = now, UpdatedAt = now,
                    BaseModelsJson = "[]",
                });
            }
            update(row);
            await db.SaveChangesAsync(ct);
        }
        finally
        {
            _saveGate.Release();
        }
        Invalidate();
    }

    private ProviderProfile Primary(ProviderProfileEntity? row)
    {
        var view = settings.GetProvider();
        var extra = row is null ? [] : BaseModels(row);
        var baseModels = new List<ProviderBaseModel>();
        if (!string.IsNullOrWhiteSpace(view.BaseModel))
            baseModels.Add(new(view.BaseModel, extra.FirstOrDefault(b => b.Model == view.BaseModel)?.Deployment));
        baseModels.AddRange(extra.Where(b => b.Model != view.BaseModel));
        var kind = PrimaryKind(row);
        return new ProviderProfile(ProviderProfile.PrimaryKey, row?.Name ?? "OpenAI", kind, view.Endpoint, true, view.HasApiKey, view.ApiKeyHint,
            view.KeyWithheld ?? (view.SavedKeyUnreadable ? "The saved key cannot be decrypted by this installation: enter it again and save." : null),
            baseModels, kind == ProviderKind.AzureOpenAI ? row?.TrainingType ?? AzureTrainingType.Standard : null,
            Mapping(row), State(row));
    }

    private ProviderKind PrimaryKind(ProviderProfileEntity? row) =>
        row?.Kind ?? (openAI.CurrentValue.IsAzure ? ProviderKind.AzureOpenAI : ProviderKind.OpenAI);

    private ProviderProfile ToProfile(ProviderProfileEntity row)
    {
        var bound = Unprotect(row);
        var usable = bound is not null && ProviderSettingsService.SameEndpoint(bound.Endpoint, row.Endpoint);
        string? withheld = null;
        if (row.ProtectedKey is not null && bound is null)
            withheld = "The saved key cannot be decrypted by this installation: enter it again and save.";
        else if (bound is not null && !usable)
            withheld = $"The saved key was entered for {bound.Endpoint}, so it is not sent to {row.Endpoint}: enter the key for this endpoint and save.";
        return new ProviderProfile(row.Key, row.Name, row.Kind, row.Endpoint ?? "", false, usable,
            usable ? ProviderSettingsService.KeyHint(bound!.Key) : null, withheld, BaseModels(row),
            row.Kind == ProviderKind.AzureOpenAI ? row.TrainingType ?? AzureTrainingType.Standard : null, Mapping(row), State(row));
    }

    private static ProviderState State(ProviderProfileEntity? row) => row is null
        ? ProviderState.None
        : new(row.TrainingUnavailableAt, row.TrainingUnavailableMessage, row.ModelsRefreshedAt, row.ModelsRefreshError);

    private static IReadOnlyList<ProviderBaseModel> BaseModels(ProviderProfileEntity row)
    {
        try
        {
            return JsonSerializer.Deserialize<List<ProviderBaseModel>>(row.BaseModelsJson, JsonOptions) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static HyperparameterMapping Mapping(ProviderProfileEntity? row)
    {
        if (row?.Kind != ProviderKind.OpenAICompatible || row.HyperparametersJson is null)
            return HyperparameterMapping.OpenAI;
        try
        {
            return JsonSerializer.Deserialize<HyperparameterMapping>(row.HyperparametersJson, JsonOptions) ?? HyperparameterMapping.OpenAI;
        }
        catch (JsonException)
        {
            return HyperparameterMapping.OpenAI;
        }
    }

    private BoundKey? Unprotect(ProviderProfileEntity row)
    {
        if (row.ProtectedKey is null)
            return null;
        try
        {
            return JsonSerializer.Deserialize<BoundKey>(_protector.Unprotect(row.ProtectedKey), JsonOptions);
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or JsonException)
        {
            logger.LogWarning("The saved key of provider {Key} cannot be decrypted by this installation.", row.Key);
            return null;
        }
    }

    /// <summary>The profile for the audit trail: never the key, only whether one is saved.</summary>
    private static string Describe(ProviderProfileEntity row) => AuditLog.Json(new
    {
        row.Key, row.Name, kind = row.Kind.ToString(), row.Endpoint, baseModels = row.BaseModelsJson,
        trainingType = row.TrainingType?.ToString(), hyperparameters = row.HyperparametersJson, apiKey = row.ProtectedKey is null ? "none" : "saved",
    });

    private IReadOnlyDictionary<string, ProviderProfileEntity> Rows()
    {
        try
        {
            return _rows.Get(() =>
            {
                using var db = dbFactory.CreateDbContext();
                return db.ProviderProfiles.AsNoTracking().ToDictionary(p => p.Key);
            });
        }
        catch (DbException ex)
        {
            // Before migrations have run: no extra profiles yet, and the next call reads again.
            logger.LogDebug(ex, "Provider profiles could not be read yet.");
            return new Dictionary<string, ProviderProfileEntity>();
        }
    }

    /// <summary>Forgets the cached rows (after a save here or a change written elsewhere), tells listeners and the other nodes.</summary>
    public void Invalidate()
    {
        ForgetCached();
        bus?.CacheChanged(CacheName, logger);
    }

    /// <summary>Forgets the cached rows and tells this node's listeners: another node changed them.</summary>
    internal void ForgetCached()
    {
        _rows.Forget();
        Changed?.Invoke();
    }
}
