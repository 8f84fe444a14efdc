using System.Net;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web.Telemetry;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.DependencyInjection;

namespace MediaPlanner.Tests.Telemetry;

/// <summary>The Prometheus scrape is for admins, and carries the app's own metrics; circuits are counted as they open and close.</summary>
public sealed class MetricsEndpointTests(MediaPlannerFactory app) : IClassFixture<MediaPlannerFactory>
{
    [Fact]
    public async Task A_planner_is_refused_the_scrape()
    {
        var planner = await app.SignInAsync("planner@demo.local");

        var response = await planner.GetAsync(TelemetrySetup.MetricsPath);

        Assert.True(response.StatusCode == HttpStatusCode.Forbidden
            || response.Headers.Location?.OriginalString.Contains("/Account/AccessDenied", StringComparison.Ordinal) == true,
            $"{(int)response.StatusCode} {response.Headers.Location}");
    }

    [Fact]
    public async Task An_admin_scrapes_the_apps_metrics_in_Prometheus_text()
    {
        var admin = await app.SignInAsync("admin@demo.local");

        var response = await admin.GetAsync(TelemetrySetup.MetricsPath);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("mediaplanner_finetune_jobs{", text);
        Assert.Contains("status=\"succeeded\"", text);
        Assert.Contains("mediaplanner_finetune_runner_loop_age_seconds", text);
        Assert.Contains("http_server_request_duration_seconds", text);
    }

    [Fact]
    public async Task Circuits_count_up_when_opened_and_down_when_closed()
    {
        using var metrics = new MetricRecorder(app.Services);
        using var scope = app.Services.CreateScope();
        var handler = Assert.Single(scope.ServiceProvider.GetServices<CircuitHandler>().OfType<CircuitMetricsHandler>());

        await handler.OnCircuitOpenedAsync(null!, CancellationToken.None);
        await handler.OnCircuitOpenedAsync(null!, CancellationToken.None);
        Assert.Equal(2, metrics.Sum("mediaplanner.circuits.active"));
        await handler.OnCircuitClosedAsync(null!, CancellationToken.None);

        Assert.Equal(1, metrics.Sum("mediaplanner.circuits.active"));
    }
}
