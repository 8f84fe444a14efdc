using System.Threading.Channels;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web.Hubs;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace MediaPlanner.Tests.Integration;

public class FineTuningHubTests(MediaPlannerFactory factory) : IClassFixture<MediaPlannerFactory>
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
        connection.On<JobUpdated>("JobUpdated", u => received.Writer.TryWrite($"update:{u.JobId}:{u.Status}:{u.CompletedSteps}"));
        connection.On<JobEventAdded>("EventAdded", e => received.Writer.TryWrite($"event:{e.JobId}:{e.Message}:{e.TrainLoss}"));
        connection.On<JobCheckpointAdded>("CheckpointAdded", c => received.Writer.TryWrite($"checkpoint:{c.JobId}:{c.ModelName}"));
        await connection.StartAsync();
        await connection.InvokeAsync<JobUpdated?>("Subscribe", 4242);
        var notifications = factory.Services.GetRequiredService<FineTuneNotifications>();

        await notifications.PublishAsync(new JobEventAdded(9999, 1, DateTimeOffset.UtcNow, "info", "another job", null, null, null));
        await notifications.PublishAsync(new JobUpdated(4242, FineTuneStatus.Running, 3, 10, null, null, null, null, DateTimeOffset.UtcNow, null, false));
        await notifications.PublishAsync(new JobEventAdded(4242, 2, DateTimeOffset.UtcNow, "info", "Step 3/10", 3, 0.5, 0.6));
        await notifications.PublishAsync(new JobCheckpointAdded(4242, 3, "local-mix:ft-x-4242:ckpt-step-3", 3, 0.5, 0.6));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var messages = new List<string>();
        for (var i = 0; i < 3; i++)
            messages.Add(await received.Reader.ReadAsync(timeout.Token));
        Assert.Equal(["update:4242:Running:3", "event:4242:Step 3/10:0.5", "checkpoint:4242:local-mix:ft-x-4242:ckpt-step-3"], messages);
        Assert.False(received.Reader.TryRead(out _));
    }
}
