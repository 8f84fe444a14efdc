using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Serialization;
using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Cluster;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Providers.OpenAI;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace MediaPlanner.Domain.Models;

/// <summary>What a save adds to the audit trail, written in the same save.</summary>
internal sealed record SettingsAuditNote(string Action, string EntityType, string EntityId, string Summary, string? Before, string? After);

/// <summary>
/// Admin-editable settings stored as <see cref="AppSetting"/> rows, read by one class per concern
/// (<see cref="SelectionSettingsService"/>, <see cref="PrivacySettingsService"/>, <see cref="ProviderSettingsService"/>).
/// The rows are cached in memory and re-read after every save, here or (through the cluster bus) on another node; each
/// change fires a token that <see cref="OpenAISettingsOverlay"/> hands to <see cref="IOptionsMonitor{OpenAIOptions}"/>.
/// Settings values are never logged.
/// </summary>
public sealed class SettingsStore(
    IDbContextFactory<PlannerDbContext> dbFactory,
    TimeProvider clock,
    ILogger<SettingsStore> logger,
    AuditLog audit,
    IClusterBus? bus = null)
{
    internal const string CacheName = "settings";

    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    private static readonly IReadOnlyDictionary<string, string> NoRows = new Dictionary<string, string>();

    private readonly Lock _loadGate = new();
    private readonly SemaphoreSlim _saveGate = new(1, 1);
    private IReadOnlyDictionary<string, string>? _rows;
    // Bumped when another node saved: a read that began before then must not cache what it read.
    private int _generation;
    private bool _loadFailed;
    private CancellationTokenSource _changes = new();

    internal static void RequireAdmin(CurrentUser user)
    {
        if (!user.IsAdmin)
            throw new UnauthorizedAccessException("Only admins change settings.");
    }

    /// <summary>Another node saved settings: read them again, and let the OpenAI options (and clients) follow.</summary>
    internal void ForgetCached()
    {
        Interlocked.Increment(ref _generation);
        Volatile.Write(ref _rows, null);
        NotifyChanged();
    }

    internal IChangeToken GetChangeToken() => new CancellationChangeToken(Volatile.Read(ref _changes).Token);

    internal void NotifyChanged() => Interlocked.Exchange(ref _changes, new CancellationTokenSource()).Cancel();

    /// <summary>A value read from the rows that is read again only when the rows change.</summary>
    internal StoredValue<T> Value<T>(Func<IReadOnlyDictionary<string, string>, T> read) => new(this, read);

    /// <summary>The saved rows, key to value; a new dictionary after every change, so it can key a derived cache.</summary>
    internal IReadOnlyDictionary<string, string> Rows()
    {
        if (Volatile.Read(ref _rows) is { } cached)
            return cached;
        lock (_loadGate)
        {
            if (_rows is { } loaded)
                return loaded;
            var generation = Volatile.Read(ref _generation);
            Dictionary<string, string> rows;
            try
            {
                using var db = dbFactory.CreateDbContext();
                rows = db.Settings.AsNoTracking().ToDictionary(s => s.Key, s => s.Value);
            }
            catch (DbException ex)
            {
                // Before migrations have run there is no settings table: configuration alone applies, nothing is
                // cached, and the next call tries again.
                if (!_loadFailed)
                    logger.LogWarning(ex, "Saved settings could not be read; configured values apply until they can.");
                _loadFailed = true;
                return NoRows;
            }
            if (generation != Volatile.Read(ref _generation))
                return rows;
            // A save that finished while this read ran has already cached newer values: keep those.
            var current = Interlocked.CompareExchange(ref _rows, rows, null) ?? rows;
            if (_loadFailed)
            {
                // Options computed during the failure lack the saved values. Not fired inline: this may run inside
                // the options monitor's own computation.
                _loadFailed = false;
                ThreadPool.QueueUserWorkItem(_ => NotifyChanged());
            }
            return current;
        }
    }

    /// <summary>Writes the changed rows (a null value removes one) and the audit note in one save, then re-reads all rows.</summary>
    internal async Task WriteAsync(CurrentUser user, IReadOnlyList<(string Key, string? Value)> changes, SettingsAuditNote note, CancellationToken ct)
    {
        await _saveGate.WaitAsync(ct);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var keys = changes.Select(c => c.Key).ToList();
            var rows = await db.Settings.Where(s => keys.Contains(s.Key)).ToDictionaryAsync(s => s.Key, ct);
            var now = clock.GetUtcNow();
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
            await audit.AddAsync(db, user, note.Action, note.EntityType, note.EntityId, note.Summary, note.Before, note.After, ct);
            await db.SaveChangesAsync(ct);

            var all = await db.Settings.AsNoTracking().ToDictionaryAsync(s => s.Key, s => s.Value, ct);
            Volatile.Write(ref _rows, all);
        }
        finally
        {
            _saveGate.Release();
        }
        bus?.CacheChanged(CacheName, logger);
    }
}

/// <summary>A value read from the stored rows, cached until the rows change (so a bad saved value is logged once per change).</summary>
internal sealed class StoredValue<T>(SettingsStore store, Func<IReadOnlyDictionary<string, string>, T> read)
{
    private sealed record Entry(IReadOnlyDictionary<string, string> Rows, T Value);

    private Entry? _last;

    public T Get()
    {
        var rows = store.Rows();
        if (Volatile.Read(ref _last) is { } last && ReferenceEquals(last.Rows, rows))
            return last.Value;
        var value = read(rows);
        Volatile.Write(ref _last, new Entry(rows, value));
        return value;
    }
}

public static class SettingsServiceCollectionExtensions
{
    /// <summary>
    /// The settings store and its readers (singletons: they hold the cache and the change token) and their hooks into
    /// <see cref="OpenAIOptions"/>. Needs a Data Protection provider, the database and OpenAI options registered; adds the audit log if missing.
    /// </summary>
    public static IServiceCollection AddMediaPlannerSettings(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AuditLog>();
        services.AddOptions<OpenAIOptions>();
        services.AddSingleton<SettingsStore>();
        services.AddSingleton<SelectionSettingsService>();
        services.AddSingleton<PrivacySettingsService>();
        services.AddSingleton<ProviderSettingsService>();
        services.AddSingleton<PriceSettingsService>();
        services.AddSingleton<OpenAISettingsOverlay>();
        services.AddSingleton<IOptionsChangeTokenSource<OpenAIOptions>>(sp => sp.GetRequiredService<OpenAISettingsOverlay>());
        services.AddSingleton<IPostConfigureOptions<OpenAIOptions>>(sp => sp.GetRequiredService<OpenAISettingsOverlay>());
        return services;
    }
}
