using System.Reflection;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Telemetry;
using MediaPlanner.Web.Endpoints;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace MediaPlanner.Web.Telemetry;

/// <summary>
/// OpenTelemetry for the app: ASP.NET Core and HttpClient instrumentation plus the app's own meter and activity source
/// ("MediaPlanner"), exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set and scraped by admins at
/// <see cref="MetricsPath"/> in Prometheus text format.
/// </summary>
public static class TelemetrySetup
{
    public const string ServiceName = "MediaPlanner.Web";
    public const string MetricsPath = "/metrics";
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static WebApplicationBuilder AddMediaPlannerTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddEnumerable(ServiceDescriptor.Scoped<CircuitHandler, CircuitMetricsHandler>());
        var version = typeof(TelemetrySetup).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        var telemetry = builder.Services.AddOpenTelemetry()
            // OTEL_SERVICE_NAME, when set, names the service (several deployments of one app); otherwise it is the app's name.
            .ConfigureResource(resource => resource.AddService(builder.Configuration["OTEL_SERVICE_NAME"] ?? ServiceName, serviceVersion: version))
            .WithTracing(tracing => tracing
                .AddSource(PlannerMetrics.Name)
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !IsScrape(context.Request.Path))
                // Only the method, host, path and status are recorded (the query redacted, no headers): no API key or cookie reaches a span.
                .AddHttpClientInstrumentation())
            .WithMetrics(metrics => metrics
                .AddMeter(PlannerMetrics.Name)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddPrometheusExporter());
        if (!string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointVariable]))
            telemetry.UseOtlpExporter();
        return builder;
    }

    /// <summary>The Prometheus scrape: admins only, like every other view of the app's workings.</summary>
    public static IEndpointConventionBuilder MapMediaPlannerMetrics(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPrometheusScrapingEndpoint(MetricsPath).RequireAuthorization(Policies.AdminOnly);

    private static bool IsScrape(PathString path) =>
        path.StartsWithSegments(HealthEndpoints.Path) || path.StartsWithSegments(MetricsPath);
}

/// <summary>Counts the Blazor circuits open on this node (each open tab of the app holds one).</summary>
internal sealed class CircuitMetricsHandler(PlannerMetrics metrics) : CircuitHandler
{
    public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        metrics.CircuitOpened();
        return Task.CompletedTask;
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        metrics.CircuitClosed();
        return Task.CompletedTask;
    }
}
