using MediaPlanner.Domain.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MediaPlanner.Web.Telemetry;

/// <summary>The configured database answers; the description names its engine, so /healthz says which database it checked.</summary>
internal sealed class DatabaseHealthCheck(IDbContextFactory<PlannerDbContext> dbFactory) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var engine = Engine(db.Database.ProviderName);
        // The exception stays out of the result: /healthz is anonymous, and a connection error can name hosts and users.
        return await db.Database.CanConnectAsync(cancellationToken)
            ? HealthCheckResult.Healthy($"{engine} answers.")
            : new HealthCheckResult(context.Registration.FailureStatus, $"{engine} does not answer.");
    }

    internal static string Engine(string? provider) => provider switch
    {
        "Microsoft.EntityFrameworkCore.Sqlite" => "SQLite",
        "Npgsql.EntityFrameworkCore.PostgreSQL" => "PostgreSQL",
        _ => provider ?? "The database",
    };
}

/// <summary>A Redis check, present only when <c>ConnectionStrings:Redis</c> is set (several nodes share it).</summary>
internal static class RedisHealth
{
    public const string Name = "redis";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public static void AddIfConfigured(IHealthChecksBuilder checks, IConfiguration configuration)
    {
        if (configuration.GetConnectionString("Redis") is not { Length: > 0 } redis)
            return;
        checks.AddRedis(redis, Name, HealthStatus.Unhealthy, timeout: Timeout);
        checks.Services.Configure<HealthCheckServiceOptions>(options =>
        {
            var registration = options.Registrations.Single(r => r.Name == Name);
            var factory = registration.Factory;
            registration.Factory = services => new Described(factory(services));
        });
    }

    /// <summary>
    /// The package's check in words, without its exception: /healthz is anonymous, and the configuration string in a
    /// connection error can carry the Redis password.
    /// </summary>
    private sealed class Described(IHealthCheck inner) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var result = await inner.CheckHealthAsync(context, cancellationToken);
            return result.Status == HealthStatus.Healthy
                ? HealthCheckResult.Healthy("Redis answers.")
                : new HealthCheckResult(result.Status, "Redis does not answer.");
        }
    }
}
