using System.Text.Json;
using MediaPlanner.Domain.FineTuning;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MediaPlanner.Web.Endpoints;

/// <summary>/healthz: the database answers (saying which engine), Redis answers when configured, and the fine-tuning runner has looked for work recently.</summary>
public static class HealthEndpoints
{
    public const string Path = "/healthz";

    public static WebApplicationBuilder AddMediaPlannerHealth(this WebApplicationBuilder builder)
    {
        var checks = builder.Services.AddHealthChecks()
            .AddCheck<Telemetry.DatabaseHealthCheck>("database")
            .AddCheck<RunnerHealthCheck>("fine-tuning-runner");
        Telemetry.RedisHealth.AddIfConfigured(checks, builder.Configuration);
        return builder;
    }

    public static IEndpointConventionBuilder MapMediaPlannerHealth(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapHealthChecks(Path, new HealthCheckOptions { ResponseWriter = WriteAsync })
            // Load balancers and uptime checks call it without signing in; it reveals no data, only up or down.
            .AllowAnonymous();

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        }));
    }

    private sealed class RunnerHealthCheck(FineTuneRunner runner, TimeProvider clock) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (!runner.Enabled)
                return Task.FromResult(HealthCheckResult.Healthy("The runner is off on this node (FineTuning:Runner:Enabled=false)."));
            var last = runner.LastLoopAt;
            if (last is null)
                return Task.FromResult(HealthCheckResult.Degraded("The runner has not started its first loop yet."));
            var age = clock.GetUtcNow() - last.Value;
            return Task.FromResult(age < TimeSpan.FromSeconds(30)
                ? HealthCheckResult.Healthy($"Last looked for jobs {age.TotalSeconds:0} s ago.")
                : HealthCheckResult.Unhealthy($"The runner has not looked for jobs for {age.TotalSeconds:0} s."));
        }
    }
}
