using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Identity;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace MediaPlanner.Web.Hubs;

/// <summary>
/// Live progress of fine-tuning jobs. A client subscribes to a job and then receives "JobUpdated", "EventAdded"
/// and "CheckpointAdded" messages for it. Reviewers and admins only; anonymous connections are refused.
/// </summary>
[Authorize(Policy = Policies.CanReview)]
public sealed class FineTuningHub(FineTuneService jobs) : Hub
{
    public const string Path = "/hubs/fine-tuning";

    public static string Group(int jobId) => $"job-{jobId}";

    /// <summary>Joins the job's stream and returns its current state, so nothing between load and subscribe is missed.</summary>
    public async Task<JobUpdated?> Subscribe(int jobId)
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, Group(jobId));
        return await jobs.GetAsync(jobId) is { } detail ? JobUpdated.From(detail.Job) : null;
    }

    public Task Unsubscribe(int jobId) => Groups.RemoveFromGroupAsync(Context.ConnectionId, Group(jobId));
}

/// <summary>
/// Forwards every job notice made on this node to the SignalR group of its job. Notices from other nodes are not
/// forwarded: their node sent them already, and with several nodes SignalR's Redis backplane takes each message to the
/// clients of every node, so a client anywhere gets each notice once, in the order its runner made them.
/// </summary>
public sealed class FineTuningHubRelay(FineTuneNotifications notifications, IHubContext<FineTuningHub> hub) : IHostedService
{
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = notifications.Subscribe(notice =>
        {
            if (notice.Remote)
                return Task.CompletedTask;
            var clients = hub.Clients.Group(FineTuningHub.Group(notice.JobId));
            return notice switch
            {
                JobUpdated u => clients.SendAsync("JobUpdated", u),
                JobEventAdded e => clients.SendAsync("EventAdded", e),
                JobCheckpointAdded c => clients.SendAsync("CheckpointAdded", c),
                _ => Task.CompletedTask,
            };
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }
}
