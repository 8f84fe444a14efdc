using System.Threading.Channels;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web.Hubs;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace MediaPlanner.Tests.FineTuning;

public class FineTuningHubTests(MediaPlannerFactory factory, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<MediaPlannerFactory>
{
    private HubConnection Connection(string? cookie) =>
        new HubConnectionBuilder()
            .WithUrl(new Uri(factory.Server.BaseAddress, FineTuningHub.Path.TrimStart('/')), options =>
            {
                options.Transports = HttpTransportType.LongPolling;
                options.HttpMessageHandlerFactory = _ => factory.Server.CreateHandler();
                if (cookie is not null)
                    options.Headers["Cookie"] = cookie;
            })
            .Build();

    [Fact]
    public async Task An_anonymous_connection_is_refused()
    {
        _ = factory.Server;
        await using var connection = Connection(cookie: null);

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => connection.StartAsync());
    }

    [Fact]
    public async Task A_planner_cannot_listen_to_fine_tuning_progress()
    {
        _ = factory.Server;
        await using var connection = Connection(await factory.SignInCookieAsync("planner@demo.local"));

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => connection.StartAsync());
    }

    [Fact]
    public async Task A_subscribed_reviewer_receives_the_jobs_updates_events_and_checkpoints_and_nothing_from_other_jobs()
    {
        _ = factory.Server;
        await using var connection = Connection(await factory.SignInCookieAsync("reviewer@demo.local"));
        var received = Channel.CreateUnbounded<string>();
        connection.On<JobUpdated>("JobUpdated", u => received.Writer.TryWrite($"update:{u.JobId}:{u.Progress.Status}:{u.Progress.CompletedSteps}"));
        connection.On<JobEventAdded>("EventAdded", e => received.Writer.TryWrite($"event:{e.JobId}:{e.Message}:{e.TrainLoss}"));
        connection.On<JobCheckpointAdded>("CheckpointAdded", c => received.Writer.TryWrite($"checkpoint:{c.JobId}:{c.ModelName}"));
        await connection.StartAsync();
        await connection.InvokeAsync<JobUpdated?>("Subscribe", 4242);
        var notifications = factory.Services.GetRequiredService<FineTuneNotifications>();

        await notifications.PublishAsync(new JobEventAdded(9999, 1, DateTimeOffset.UtcNow, "info", "another job", null, null, null));
        await notifications.PublishAsync(new JobUpdated(4242, new JobProgress(FineTuneStatus.Running, 3, 10, null, null, null, null, DateTimeOffset.UtcNow, null, false)));
        await notifications.PublishAsync(new JobEventAdded(4242, 2, DateTimeOffset.UtcNow, "info", "Step 3/10", 3, 0.5, 0.6));
        await notifications.PublishAsync(new JobCheckpointAdded(4242, 3, "local-mix:ft-x-4242:ckpt-step-3", 3, 0.5, 0.6));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var messages = new List<string>();
        for (var i = 0; i < 3; i++)
            messages.Add(await received.Reader.ReadAsync(timeout.Token));
        Assert.Equal(["update:4242:Running:3", "event:4242:Step 3/10:0.5", "checkpoint:4242:local-mix:ft-x-4242:ckpt-step-3"], messages);
        Assert.False(received.Reader.TryRead(out _));
    }

    [Fact]
    public async Task An_event_stored_by_the_runner_reaches_a_subscribed_client()
    {
        _ = factory.Server;
        var admin = await factory.SignInCookieAsync("admin@demo.local");
        int jobId;
        var dbFactory = factory.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<MediaPlanner.Domain.Persistence.PlannerDbContext>>();
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            var job = new FineTuneJob { Provider = "local", BaseModel = "local-mix-v1", CreatedById = "x", Status = FineTuneStatus.Running, NextAttemptAt = DateTimeOffset.MaxValue, CreatedAt = DateTimeOffset.UtcNow };
            db.FineTuneJobs.Add(job);
            await db.SaveChangesAsync();
            jobId = job.Id;
        }
        await using var connection = Connection(admin);
        var received = Channel.CreateUnbounded<(JobEventAdded Event, long At)>();
        connection.On<JobEventAdded>("EventAdded", e => received.Writer.TryWrite((e, System.Diagnostics.Stopwatch.GetTimestamp())));
        await connection.StartAsync();
        await connection.InvokeAsync<JobUpdated?>("Subscribe", jobId);
        var sink = new FineTuneSink(dbFactory, factory.Services.GetRequiredService<FineTuneNotifications>(), TimeProvider.System, jobId, "test", TimeSpan.FromMinutes(1));

        var latencies = new List<double>();
        for (var step = 1; step <= 20; step++)
        {
            var stored = System.Diagnostics.Stopwatch.GetTimestamp();
            await sink.EventAsync(new FineTuneEvent { ExternalId = $"step-{step}", CreatedAt = DateTimeOffset.UtcNow, Message = $"Step {step}", Step = step, TrainLoss = 1.0 / step }, CancellationToken.None);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            var (e, at) = await received.Reader.ReadAsync(timeout.Token);
            Assert.Equal($"Step {step}", e.Message);
            latencies.Add(System.Diagnostics.Stopwatch.GetElapsedTime(stored, at).TotalMilliseconds);
        }
        // Replaying a stored event does not reach clients twice.
        await sink.EventAsync(new FineTuneEvent { ExternalId = "step-1", CreatedAt = DateTimeOffset.UtcNow, Message = "Step 1 again" }, CancellationToken.None);
        Assert.False(received.Reader.TryRead(out _));
        latencies.Sort();
        output.WriteLine($"Event stored → SignalR client (long polling, test server): median {latencies[10]:0.0} ms, max {latencies[^1]:0.0} ms over 20 events");
    }
}
