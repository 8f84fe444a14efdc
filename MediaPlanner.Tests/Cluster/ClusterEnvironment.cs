using Microsoft.Data.Sqlite;
using StackExchange.Redis;

namespace MediaPlanner.Tests.Cluster;

/// <summary>
/// The Redis the cluster tests share (env TEST_REDIS, default 127.0.0.1:6379). Without it they skip with the reason,
/// unless E2E_REQUIRED=1 (as in CI), when they fail.
/// </summary>
public static class ClusterEnvironment
{
    public static string Redis => Environment.GetEnvironmentVariable("TEST_REDIS") is { Length: > 0 } redis ? redis : "127.0.0.1:6379";

    public static bool Required => Environment.GetEnvironmentVariable("E2E_REQUIRED") == "1";

    private static readonly Lazy<string?> Unavailable = new(() =>
    {
        try
        {
            using var redis = ConnectionMultiplexer.Connect(ConfigurationOptions.Parse($"{Redis},connectTimeout=2000,abortConnect=true"));
            redis.GetDatabase().Ping();
            return null;
        }
        catch (Exception ex) when (ex is RedisException or ArgumentException)
        {
            return $"No Redis at {Redis} (set TEST_REDIS): {ex.Message}";
        }
    });

    /// <summary>Why Redis cannot be used, or null when it can.</summary>
    public static string? RedisUnavailable => Unavailable.Value;
}

/// <summary>A test that needs Redis: skipped with the reason when there is none, unless E2E_REQUIRED=1.</summary>
public sealed class RedisFactAttribute : FactAttribute
{
    public RedisFactAttribute()
    {
        if (!ClusterEnvironment.Required && ClusterEnvironment.RedisUnavailable is { } reason)
            Skip = reason;
    }
}

/// <summary>
/// The one database every node of a cluster test opens, fresh per test, and the provider it needs: one place to change
/// when the tests move to another engine. Keys live in the database, as they do with PostgreSQL.
/// </summary>
public sealed class ClusterDatabase : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("mp-cluster-");

    public string Provider => "Sqlite";

    public string ConnectionString => $"Data Source={Path.Combine(_folder.FullName, "app.db")}";

    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Database:Provider"] = Provider,
        ["DataProtection:Store"] = "Database",
    };

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }
}
