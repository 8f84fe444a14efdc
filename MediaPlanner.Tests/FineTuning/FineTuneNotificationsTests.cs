using System.Threading.Channels;
using MediaPlanner.Domain.FineTuning;

namespace MediaPlanner.Tests.FineTuning;

/// <summary>The notices of fine-tuning jobs, keyed by job, each subscriber fed from its own queue.</summary>
public class FineTuneNotificationsTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

    private static JobEventAdded Event(int jobId, long id) => new(jobId, id, At, "info", $"Step {id}", (int)id, 0.5, null, $"step-{id}");

    [Fact]
    public async Task A_subscriber_that_blocks_holds_up_neither_the_publisher_nor_another_subscriber()
    {
        using var notifications = new FineTuneNotifications();
        var release = new TaskCompletionSource();
        var blockedOn = new TaskCompletionSource<FineTuneNotice>(TaskCreationOptions.RunContinuationsAsynchronously);
        var slowSaw = Channel.CreateUnbounded<FineTuneNotice>();
        var fastSaw = Channel.CreateUnbounded<FineTuneNotice>();
        using var slow = notifications.Subscribe(async n =>
        {
            blockedOn.TrySetResult(n);
            await release.Task;
            await slowSaw.Writer.WriteAsync(n);
        });
        using var fast = notifications.Subscribe(n => fastSaw.Writer.WriteAsync(n).AsTask());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        // The publishes return while the slow subscriber still waits on its first notice.
        await notifications.PublishAsync(Event(1, 1)).WaitAsync(timeout.Token);
        await notifications.PublishAsync(Event(1, 2)).WaitAsync(timeout.Token);
        Assert.Equal(Event(1, 1), await blockedOn.Task.WaitAsync(timeout.Token));

        Assert.Equal(Event(1, 1), await fastSaw.Reader.ReadAsync(timeout.Token));
        Assert.Equal(Event(1, 2), await fastSaw.Reader.ReadAsync(timeout.Token));
        Assert.False(slowSaw.Reader.TryRead(out _));

        // Released, the slow one gets both, in order.
        release.SetResult();
        Assert.Equal(Event(1, 1), await slowSaw.Reader.ReadAsync(timeout.Token));
        Assert.Equal(Event(1, 2), await slowSaw.Reader.ReadAsync(timeout.Token));
    }

    [Fact]
    public async Task A_job_subscriber_gets_only_its_jobs_notices_and_an_every_job_subscriber_gets_them_all()
    {
        using var notifications = new FineTuneNotifications();
        var jobSaw = Channel.CreateUnbounded<FineTuneNotice>();
        var allSaw = Channel.CreateUnbounded<FineTuneNotice>();
        using var job = notifications.Subscribe(1, n => jobSaw.Writer.WriteAsync(n).AsTask());
        using var all = notifications.Subscribe(n => allSaw.Writer.WriteAsync(n).AsTask());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        await notifications.PublishAsync(Event(2, 1));
        await notifications.PublishAsync(Event(1, 2));

        Assert.Equal(Event(2, 1), await allSaw.Reader.ReadAsync(timeout.Token));
        Assert.Equal(Event(1, 2), await allSaw.Reader.ReadAsync(timeout.Token));
        Assert.Equal(Event(1, 2), await jobSaw.Reader.ReadAsync(timeout.Token));
        Assert.False(jobSaw.Reader.TryRead(out _));
    }

    [Fact]
    public async Task A_subscriber_that_throws_still_gets_the_next_notice()
    {
        using var notifications = new FineTuneNotifications();
        var saw = Channel.CreateUnbounded<FineTuneNotice>();
        using var subscription = notifications.Subscribe(1, async n =>
        {
            await saw.Writer.WriteAsync(n);
            throw new InvalidOperationException("The page went away.");
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        await notifications.PublishAsync(Event(1, 1));
        await notifications.PublishAsync(Event(1, 2));

        Assert.Equal(Event(1, 1), await saw.Reader.ReadAsync(timeout.Token));
        Assert.Equal(Event(1, 2), await saw.Reader.ReadAsync(timeout.Token));
    }

    [Fact]
    public void A_job_update_keeps_its_flat_wire_shape()
    {
        var update = new JobUpdated(7, new JobProgress(FineTuneStatus.Running, 1, 4, null, null, null, null, At, null, false));

        var json = System.Text.Json.JsonSerializer.Serialize(update, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web));

        Assert.StartsWith("{\"jobId\":7,\"status\":", json);
        Assert.Contains("\"completedSteps\":1,\"totalSteps\":4", json);
        Assert.Equal(update, System.Text.Json.JsonSerializer.Deserialize<JobUpdated>(json, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)));
    }
}
