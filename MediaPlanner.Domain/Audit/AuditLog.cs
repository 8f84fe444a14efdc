using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
using Microsoft.EntityFrameworkCore;

namespace MediaPlanner.Domain.Audit;

public sealed record AuditFilter(
    string? Action = null,
    string? User = null,
    string? EntityType = null,
    string? Text = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null);

/// <summary>Writes and reads the audit trail. Services call it only after (or in the same save as) a change that succeeded.</summary>
public sealed class AuditLog(IDbContextFactory<PlannerDbContext> dbFactory, TimeProvider clock)
{
    // Relaxed escaping keeps names readable ("Café", not "Caf\u00E9"); pages HTML-encode what they show.
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Records an action in its own save.</summary>
    public async Task RecordAsync(CurrentUser user, string action, string entityType, string? entityId, string summary,
        string? before = null, string? after = null, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await AddAsync(db, user, action, entityType, entityId, summary, before, after, ct);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Adds an entry to <paramref name="db"/> without saving, so it is written in the same transaction as the change it
    /// describes: both or neither.
    /// </summary>
    internal async Task AddAsync(PlannerDbContext db, CurrentUser user, string action, string entityType, string? entityId,
        string summary, string? before = null, string? after = null, CancellationToken ct = default)
    {
        var email = await db.Users.AsNoTracking().Where(u => u.Id == user.Id).Select(u => u.Email).FirstOrDefaultAsync(ct);
        db.AuditEntries.Add(new AuditEntry
        {
            At = clock.GetUtcNow(),
            UserId = user.Id,
            UserEmail = email,
            Action = action,
            EntityType = entityType,
            EntityId = Clip(entityId, 300),
            Summary = Clip(summary, AuditEntry.SummaryMax)!,
            Before = Clip(before, AuditEntry.DetailMax),
            After = Clip(after, AuditEntry.DetailMax),
        });
    }

    /// <summary>A compact JSON rendering for <see cref="AuditEntry.Before"/> and <see cref="AuditEntry.After"/>.</summary>
    public static string Json(object value) => JsonSerializer.Serialize(value, JsonOptions);

    public async Task<PagedResult<AuditEntry>> QueryAsync(AuditFilter filter, int page, int pageSize, CancellationToken ct = default)
    {
        var paging = new PageRequest(page, pageSize).Normalised(200);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = Filtered(db.AuditEntries.AsNoTracking(), filter);
        var total = await query.CountAsync(ct);
        var items = await query.OrderByDescending(a => a.At).ThenByDescending(a => a.Id)
            .Skip(paging.Skip).Take(paging.Take).ToListAsync(ct);
        return new(items, total);
    }

    /// <summary>The entity types present in the trail, for the filter.</summary>
    public async Task<IReadOnlyList<string>> EntityTypesAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.AuditEntries.Select(a => a.EntityType).Distinct().OrderBy(t => t).ToListAsync(ct);
    }

    private static IQueryable<AuditEntry> Filtered(IQueryable<AuditEntry> query, AuditFilter f)
    {
        if (f.Action?.Trim() is { Length: > 0 } action)
            query = query.Where(a => a.Action == action);
        if (f.EntityType?.Trim() is { Length: > 0 } entityType)
            query = query.Where(a => a.EntityType == entityType);
        if (f.User?.Trim() is { Length: > 0 } user)
        {
            var term = SqlLike.Contains(user);
            query = query.Where(a => a.UserId == user || EF.Functions.Like(a.UserEmail!.ToLower(), term, "\\"));
        }
        if (f.Text?.Trim() is { Length: > 0 } text)
        {
            var term = SqlLike.Contains(text);
            query = query.Where(a => EF.Functions.Like(a.Summary!.ToLower(), term, "\\") || EF.Functions.Like(a.EntityId!.ToLower(), term, "\\")
                                     || EF.Functions.Like(a.Before!.ToLower(), term, "\\") || EF.Functions.Like(a.After!.ToLower(), term, "\\"));
        }
        // Stored as UTC numbers: a bound in another offset would compare wrongly.
        if (f.From is { } from)
        {
            var utc = from.ToUniversalTime();
            query = query.Where(a => a.At >= utc);
        }
        if (f.To is { } to)
        {
            var utc = to.ToUniversalTime();
            query = query.Where(a => a.At <= utc);
        }
        return query;
    }


    private static string? Clip(string? value, int max) => value is { } v && v.Length > max ? v[..(max - 1)] + "…" : value;
}
