using MediaPlanner.Domain.Persistence;
using Microsoft.EntityFrameworkCore;

namespace MediaPlanner.Domain.FineTuning;

/// <summary>
/// Where a backend's reports land: the database first (events and checkpoints deduplicated by their provider id),
/// then the subscribers. Saving the job copies only the fields a backend owns, so an admin's concurrent cancel
/// request or Azure deployment name is never overwritten but read back, and renews the runner's lease while the job is
/// being worked.
/// </summary>
internal sealed class FineTuneSink(
    IDbContextFactory<PlannerDbContext> dbFactory,
    FineTuneNotifications notifications,
    TimeProvider clock,
    int jobId,
    string leaseOwner,
    TimeSpan leaseDuration) : IFineTuneSink
{
    public async Task EventAsync(FineTuneEvent e, CancellationToken ct)
    {
        e.JobId = jobId;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await db.FineTuneEvents.AnyAsync(x => x.JobId == jobId && x.ExternalId == e.ExternalId, ct))
            return;
        e.Id = 0;
        db.FineTuneEvents.Add(e);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            if (await ExistsAsync(e.ExternalId, ct))
                return; // stored meanwhile by a replay: the unique index kept it single
            throw;
        }
        await notifications.PublishAsync(JobEventAdded.From(e));
    }

    public async Task CheckpointAsync(FineTuneCheckpoint checkpoint, CancellationToken ct)
    {
        checkpoint.JobId = jobId;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var stored = await db.FineTuneCheckpoints.SingleOrDefaultAsync(x => x.JobId == jobId && x.ExternalId == checkpoint.ExternalId, ct);
        if (stored is not null)
        {
            // A hosted checkpoint is evaluated once training has ended: its figures arrive after the checkpoint itself.
            if (checkpoint.EvaluationJson is not null && stored.EvaluationJson is null)
            {
                stored.EvaluationJson = checkpoint.EvaluationJson;
                await db.SaveChangesAsync(ct);
            }
            return;
        }
        checkpoint.Id = 0;
        db.FineTuneCheckpoints.Add(checkpoint);
        await db.SaveChangesAsync(ct);
        await notifications.PublishAsync(JobCheckpointAdded.From(checkpoint));
    }

    public async Task JobChangedAsync(FineTuneJob job, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.FineTuneJobs.SingleAsync(x => x.Id == jobId, ct);
        row.TakeReport(job);
        if (row.LeaseOwner == leaseOwner)
            row.LeaseUntil = clock.GetUtcNow() + leaseDuration;
        await db.SaveChangesAsync(ct);
        job.CancelRequested = row.CancelRequested;
        job.FineTunedDeployment = row.FineTunedDeployment;
        await notifications.PublishAsync(JobUpdated.From(row));
    }

    public async Task<bool> CancelRequestedAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.FineTuneJobs.Where(x => x.Id == jobId).Select(x => x.CancelRequested).SingleAsync(ct);
    }

    /// <remarks>
    /// No notice goes out: a job is only discarded when a new app instance resumes it, and the pages and hub connections
    /// that showed the first run's reports ended with the instance that ran it.
    /// </remarks>
    public async Task DiscardReportsAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.FineTuneEvents.Where(x => x.JobId == jobId).ExecuteDeleteAsync(ct);
        await db.FineTuneCheckpoints.Where(x => x.JobId == jobId).ExecuteDeleteAsync(ct);
        await transaction.CommitAsync(ct);
    }

    private async Task<bool> ExistsAsync(string externalId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.FineTuneEvents.AnyAsync(x => x.JobId == jobId && x.ExternalId == externalId, ct);
    }
}
