using System.Threading.Channels;
using MediaPlanner.Domain.Cluster;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Identity;

namespace MediaPlanner.Tests.Cluster;

/// <summary>The notices between nodes, over the in-process network that stands in for Redis.</summary>
public class ClusterBusTests
{
    [Fact]
    public async Task A_notice_reaches_the_other_nodes_subscribers_marked_remote_in_order_and_never_comes_back()
    {
        var network = new InProcessClusterNetwork();
        using var a = new FineTuneNotifications(bus: new InProcessClusterBus(network));
        using var b = new FineTuneNotifications(bus: new InProcessClusterBus(network));
        var toA = Channel.CreateUnbounded<FineTuneNotice>();
        var toB = Channel.CreateUnbounded<FineTuneNotice>();
        using var subA = a.Subscribe(n => toA.Writer.WriteAsync(n).AsTask());
        using var subB = b.Subscribe(n => toB.Writer.WriteAsync(n).AsTask());
        var at = new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);
        FineTuneNotice[] sent =
        [
            new JobUpdated(7, new JobProgress(FineTuneStatus.Running, 1, 4, null, null, null, null, at, null, false, at, null, null)),
            new JobEventAdded(7, 11, at, "info", "Step 1/4", 1, 0.5, null, "step-1"),
            new JobCheckpointAdded(7, 12, "local-mix:ft-7:ckpt-1", 1, 0.5, 0.6, 0.9),
        ];

        foreach (var notice in sent)
            await b.PublishAsync(notice);
        // Subscribers are called from their own queues, after the publish returns.
        var onB = await TakeAsync(toB.Reader, sent.Length);
        var onA = await TakeAsync(toA.Reader, sent.Length);

        Assert.False(toB.Reader.TryRead(out _));
        Assert.False(toA.Reader.TryRead(out _));
        Assert.Equal(sent, onB);
        Assert.All(onB, n => Assert.False(n.Remote));
        Assert.Equal(sent.Select(n => n with { Remote = true }), onA);
    }

    private static async Task<List<FineTuneNotice>> TakeAsync(ChannelReader<FineTuneNotice> reader, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var taken = new List<FineTuneNotice>();
        while (taken.Count < count)
            taken.Add(await reader.ReadAsync(timeout.Token));
        return taken;
    }

    [Fact]
    public void An_ended_session_ends_on_every_node_once()
    {
        var network = new InProcessClusterNetwork();
        var a = new SessionRevocations(new InProcessClusterBus(network));
        var b = new SessionRevocations(new InProcessClusterBus(network));
        var endedOnA = new List<string>();
        var endedOnB = new List<string>();
        using var subA = a.Subscribe(endedOnA.Add);
        using var subB = b.Subscribe(endedOnB.Add);

        a.Revoke("user-1");

        Assert.Equal(["user-1"], endedOnA);
        Assert.Equal(["user-1"], endedOnB);
    }

    [Fact]
    public void A_cache_read_while_another_node_changed_its_rows_is_not_kept()
    {
        var cache = new DatabaseCache<string>();
        var reads = 0;

        var stale = cache.Get(() =>
        {
            reads++;
            cache.Forget();
            return "read before the change";
        });
        var fresh = cache.Get(() => $"read {++reads}");

        Assert.Equal("read before the change", stale);
        Assert.Equal("read 2", fresh);
        Assert.Equal("read 2", cache.Get(() => "not read again"));
    }
}
