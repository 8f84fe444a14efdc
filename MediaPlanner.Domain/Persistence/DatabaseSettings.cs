using Microsoft.Extensions.Configuration;

namespace MediaPlanner.Domain.Persistence;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>
/// Which engine holds the data: SQLite by default (a file beside the app, nothing to install), PostgreSQL when
/// <c>Database:Provider</c> says so. <c>ConnectionStrings:MediaPlanner</c> is the connection string for either.
/// </summary>
public sealed record DatabaseSettings(DatabaseProvider Provider, string ConnectionString)
{
    public const string ProviderKey = "Database:Provider";

    public static DatabaseSettings From(IConfiguration configuration)
    {
        var provider = ParseProvider(configuration[ProviderKey]);
        var connectionString = configuration.GetConnectionString("MediaPlanner");
        if (provider == DatabaseProvider.Postgres && string.IsNullOrWhiteSpace(connectionString))
            throw new InvalidOperationException(
                "Database:Provider is Postgres but ConnectionStrings:MediaPlanner is empty: give the PostgreSQL connection string, e.g. "
                + "Host=db;Database=mediaplanner;Username=mediaplanner;Password=….");
        return new(provider, string.IsNullOrWhiteSpace(connectionString) ? DependencyInjection.DefaultConnectionString : connectionString);
    }

    /// <summary>Unknown names stop start-up: silently falling back to SQLite would write an agency's data to the wrong place.</summary>
    public static DatabaseProvider ParseProvider(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "sqlite" => DatabaseProvider.Sqlite,
        "postgres" or "postgresql" or "npgsql" => DatabaseProvider.Postgres,
        _ => throw new InvalidOperationException($"Database:Provider '{value}' is not known: use Sqlite (the default) or Postgres."),
    };
}
