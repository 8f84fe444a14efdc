using System.Data.Common;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Persistence;
using Microsoft.EntityFrameworkCore;

namespace MediaPlanner.Domain.Cluster;

/// <summary>
/// This installation's id: the same on every node that shares its database, different from every other installation.
/// It names the Redis channels (so two installations on one Redis never mix) and, with keys in files, the Data
/// Protection application (so payloads of one installation never open in another). With a SQLite file it is kept beside
/// the file; with a server database (or keys in the database) it is an <see cref="AppSetting"/> row, created by whichever
/// node reads it first.
/// </summary>
public sealed class InstallationIdentity
{
    public const string SettingKey = "Installation.Id";

    private readonly Lock _gate = new();
    private Func<string>? _resolve;
    private string? _id;

    private InstallationIdentity(string? id, Func<string>? resolve) => (_id, _resolve) = (id, resolve);

    /// <summary>An id already known, e.g. read from the file beside a SQLite database.</summary>
    public static InstallationIdentity Known(string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        return new(id, null);
    }

    /// <summary>An id kept in the database; <see cref="UseDatabase"/> says which one before it is first read.</summary>
    public static InstallationIdentity StoredInDatabase() => new(null, null);

    /// <summary>Points an id kept in the database at the database; it is read on first use, not now (the database may not be migrated yet).</summary>
    public InstallationIdentity UseDatabase(IDbContextFactory<PlannerDbContext> dbFactory)
    {
        lock (_gate)
            if (_id is null)
                _resolve = () => ReadOrCreate(dbFactory);
        return this;
    }

    /// <summary>
    /// The id. Read from the database on first use, which must come after start-up migrated it: Program migrates right
    /// after the app is built, before the hub is mapped (which connects SignalR to Redis). A failed read is not remembered.
    /// </summary>
    public string Id
    {
        get
        {
            if (Volatile.Read(ref _id) is { } id)
                return id;
            lock (_gate)
            {
                if (_id is null)
                {
                    var resolve = _resolve ?? throw new InvalidOperationException("The installation id lives in the database, but no database was given.");
                    Volatile.Write(ref _id, resolve());
                }
                return _id!;
            }
        }
    }

    private static string ReadOrCreate(IDbContextFactory<PlannerDbContext> dbFactory)
    {
        try
        {
            using (var db = dbFactory.CreateDbContext())
            {
                if (Read(db) is { } existing)
                    return existing;
                db.Settings.Add(new AppSetting { Key = SettingKey, Value = Guid.NewGuid().ToString("N"), UpdatedAt = DateTimeOffset.UtcNow });
                try
                {
                    db.SaveChanges();
                }
                catch (DbUpdateException)
                {
                    // Another node created it first (the key is unique): its id is the installation's.
                }
            }
            using var fresh = dbFactory.CreateDbContext();
            return Read(fresh) ?? throw new InvalidOperationException("The installation id could not be stored in the database.");
        }
        catch (DbException ex)
        {
            throw new InvalidOperationException(
                "The installation id (which names this installation's Redis channels) could not be read from the database. It is read once " +
                "start-up has migrated the database: check that the database is reachable, and that nothing asks for it before migrations ran.", ex);
        }
    }

    private static string? Read(PlannerDbContext db) =>
        db.Settings.AsNoTracking().Where(s => s.Key == SettingKey).Select(s => s.Value).SingleOrDefault();
}
