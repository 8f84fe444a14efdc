using Npgsql;

namespace MediaPlanner.Tests.Infrastructure;

public enum TestEngine
{
    Sqlite,
    Postgres,
}

/// <summary>
/// The servers some tests need beyond the app: PostgreSQL and Redis on loopback. CI installs and starts them
/// (.ci/run); on a developer machine without them those tests skip with the reason, unless E2E_REQUIRED=1, when
/// they fail, so a CI run cannot pass by skipping.
/// </summary>
public static class TestServers
{
    /// <summary>
    /// A role that may create databases (and, to drop them while autovacuum works on one, is granted pg_signal_backend);
    /// each test fixture gets a database of its own and drops it.
    /// </summary>
    public static string Postgres => Environment.GetEnvironmentVariable("TEST_POSTGRES") is { Length: > 0 } configured
        ? configured
        : "Host=127.0.0.1;Port=5432;Username=mediaplanner;Password=mediaplanner";

    public static string Redis => Environment.GetEnvironmentVariable("TEST_REDIS") is { Length: > 0 } configured ? configured : "127.0.0.1:6379";

    public static bool Required => Environment.GetEnvironmentVariable("E2E_REQUIRED") == "1";

    private static readonly Lazy<string?> PostgresProblem = new(() =>
    {
        try
        {
            using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Postgres) { Timeout = 5, Database = "postgres", Pooling = false }.ConnectionString);
            connection.Open();
            return null;
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or ArgumentException)
        {
            return $"No PostgreSQL at {Redacted(Postgres)} ({ex.Message}); set TEST_POSTGRES to a role that may create databases.";
        }
    });

    /// <summary>Why PostgreSQL cannot be used, or null when it can.</summary>
    public static string? PostgresUnavailable => PostgresProblem.Value;

    private static readonly Lazy<string?> RedisProblem = new(() =>
    {
        try
        {
            using var redis = StackExchange.Redis.ConnectionMultiplexer.Connect(
                StackExchange.Redis.ConfigurationOptions.Parse($"{Redis},connectTimeout=2000,abortConnect=true"));
            redis.GetDatabase().Ping();
            return null;
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or ArgumentException)
        {
            return $"No Redis at {Redis} (set TEST_REDIS): {ex.Message}";
        }
    });

    /// <summary>Why Redis cannot be used, or null when it can.</summary>
    public static string? RedisUnavailable => RedisProblem.Value;

    /// <summary>Skips the calling test when PostgreSQL is absent (fails instead under E2E_REQUIRED=1).</summary>
    public static void SkipUnlessPostgres()
    {
        if (PostgresProblem.Value is not { } problem)
            return;
        if (Required)
            throw new InvalidOperationException("E2E_REQUIRED=1: " + problem);
        throw new SkipException(problem);
    }

    /// <summary>A new, empty database; its connection string.</summary>
    public static string CreatePostgresDatabase()
    {
        SkipUnlessPostgres();
        var name = $"mp_test_{Guid.NewGuid():N}";
        using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Postgres) { Database = "postgres", Pooling = false }.ConnectionString))
        {
            connection.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            create.ExecuteNonQuery();
        }
        return new NpgsqlConnectionStringBuilder(Postgres) { Database = name }.ConnectionString;
    }

    public static void DropPostgresDatabase(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Postgres) { Database = "postgres", Pooling = false }.ConnectionString);
        connection.Open();
        using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        drop.ExecuteNonQuery();
    }

    private static string Redacted(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Password = null }.ConnectionString;
}

/// <summary>The app over a PostgreSQL database of its own, created on first use and dropped at the end.</summary>
public sealed class PostgresMediaPlannerFactory : MediaPlannerFactory
{
    public PostgresMediaPlannerFactory() => Engine = TestEngine.Postgres;
}
