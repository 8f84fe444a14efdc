using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MediaPlanner.Tests.Infrastructure;

namespace MediaPlanner.Tests.Telemetry;

/// <summary>A test that needs a real Redis (TestServers.Redis): skipped with the reason without one, unless E2E_REQUIRED=1.</summary>
public sealed class RedisFactAttribute : FactAttribute
{
    public RedisFactAttribute()
    {
        if (!TestServers.Required)
            Skip = TestServers.RedisUnavailable;
    }
}

/// <summary>/healthz names the database engine it checked, and checks Redis only when one is configured.</summary>
public sealed class HealthTelemetryTests
{
    private static async Task<(HttpStatusCode Code, string Body, JsonElement Checks)> HealthAsync(string? redis)
    {
        await using var app = new MediaPlannerFactory();
        if (redis is not null)
            app.Settings["ConnectionStrings:Redis"] = redis;
        var response = await app.CreateClient().GetAsync("/healthz");
        var body = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, body, JsonDocument.Parse(body).RootElement.GetProperty("checks").Clone());
    }

    [Fact]
    public async Task Without_Redis_configured_there_is_no_Redis_check_and_the_database_check_names_SQLite()
    {
        var (_, _, checks) = await HealthAsync(redis: null);

        Assert.False(checks.TryGetProperty("redis", out _));
        Assert.Equal("Healthy", checks.GetProperty("database").GetProperty("status").GetString());
        Assert.Equal("SQLite answers.", checks.GetProperty("database").GetProperty("description").GetString());
    }

    [Fact]
    public async Task Redis_at_a_closed_port_makes_healthz_unhealthy_naming_redis_without_a_stack_trace()
    {
        using var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();

        var (code, body, checks) = await HealthAsync($"127.0.0.1:{port},connectTimeout=1000");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, code);
        var redis = checks.GetProperty("redis");
        Assert.Equal("Unhealthy", redis.GetProperty("status").GetString());
        Assert.Equal("Redis does not answer.", redis.GetProperty("description").GetString());
        Assert.DoesNotContain("Exception", body);
        Assert.DoesNotContain(" at ", body);
    }

    [RedisFact]
    public async Task The_real_Redis_is_reported_healthy()
    {
        var (_, _, checks) = await HealthAsync(TestServers.Redis);

        Assert.Equal("Healthy", checks.GetProperty("redis").GetProperty("status").GetString());
    }
}
