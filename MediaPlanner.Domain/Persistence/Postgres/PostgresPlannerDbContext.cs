using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace MediaPlanner.Domain.Persistence.Postgres;

/// <summary>
/// The same model on PostgreSQL. A type of its own because EF Core binds migrations to a context type: PostgreSQL's
/// migrations (column types, the audit trigger in PL/pgSQL) live in Persistence/Postgres/Migrations next to SQLite's.
/// The app asks for <see cref="PlannerDbContext"/> everywhere; the registration hands out this one.
/// </summary>
public sealed class PostgresPlannerDbContext(DbContextOptions<PostgresPlannerDbContext> options) : PlannerDbContext(options);

/// <summary>Hands out the PostgreSQL context where the app asks for <see cref="PlannerDbContext"/>.</summary>
internal sealed class PostgresContextFactory(IDbContextFactory<PostgresPlannerDbContext> inner) : IDbContextFactory<PlannerDbContext>
{
    public PlannerDbContext CreateDbContext() => inner.CreateDbContext();

    public async Task<PlannerDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
        await inner.CreateDbContextAsync(cancellationToken);
}

/// <summary>
/// Lets `dotnet ef migrations add … --context PostgresPlannerDbContext` build the model; adding a migration does not
/// connect, so the connection string only has to parse.
/// </summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresPlannerDbContext>
{
    public PostgresPlannerDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresPlannerDbContext>()
            .UseNpgsql(Environment.GetEnvironmentVariable("MEDIAPLANNER_DESIGN_POSTGRES") ?? "Host=localhost;Database=mediaplanner_design")
            .Options);
}
