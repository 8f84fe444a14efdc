using MediaPlanner.Tests.Infrastructure;

namespace MediaPlanner.Tests.Cluster;

/// <summary>
/// A test of several nodes: it needs PostgreSQL and Redis (TestServers). Skipped with the reason when either is
/// missing, unless E2E_REQUIRED=1 (as in CI), when it fails.
/// </summary>
public sealed class ClusterFactAttribute : FactAttribute
{
    public ClusterFactAttribute()
    {
        if (!TestServers.Required && (TestServers.PostgresUnavailable ?? TestServers.RedisUnavailable) is { } reason)
            Skip = reason;
    }
}

/// <summary>
/// The one database every node of a cluster test opens, fresh per test: a PostgreSQL database of its own (created on
/// first use, dropped at the end), with the Data Protection keys in it as a real deployment keeps them.
/// </summary>
public sealed class ClusterDatabase : IDisposable
{
    private readonly Lazy<string> _connectionString = new(TestServers.CreatePostgresDatabase);

    public string ConnectionString => _connectionString.Value;

    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Database:Provider"] = "Postgres",
    };

    public void Dispose()
    {
        if (_connectionString.IsValueCreated)
            TestServers.DropPostgresDatabase(_connectionString.Value);
    }
}
