using System.Globalization;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Training;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MediaPlanner.Domain.FineTuning;

public sealed class FineTuneRunnerOptions
{
    /// <summary>
    /// False: this node runs no jobs (another node's runner does; any number may run, leases keep each job to one).
    /// Jobs created here wait for a node whose runner is on.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the runner looks for due jobs when nobody wakes it.</summary>
    public TimeSpan IdlePoll { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>How long a claim on a job lasts without renewal; a crashed runner's jobs are picked up after this.</summary>
    /// <remarks>Longer than one OpenAI poll can take (several requests, each up to the network timeout).</remarks>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);
    /// <summary>
    /// Consecutive transient failures after which a job the provider does not know yet (upload, create) fails, and a
    /// hosted evaluation ends without a comparison. A job the provider knows is never failed for them: it is only postponed.
    /// </summary>
    public int MaxAttempts { get; set; } = 6;
    public int Concurrency { get; set; } = 3;
    /// <summary>The wait after the first transient failure; it doubles with each further one, up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan FirstBackoff { get; set; } = TimeSpan.FromSeconds(2);
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long to wait after the given number of consecutive transient failures (1 or more).</summary>
    public TimeSpan Backoff(int failures)
    {
        // Computed in doubles: after enough failures 2^n leaves any integer range, and the cap takes over.
        var seconds = FirstBackoff.TotalSeconds * Math.Pow(2, Math.Max(0, failures - 1));
        return TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, seconds));
    }
}

/// <summary>
/// The background job runner. It claims due, unfinished jobs with a lease (a conditional update, so two runners
/// never work the same job), lets the job's backend advance it, and schedules the next look. Provider hiccups are
/// retried with backoff; anything else fails that job only, and the other jobs carry on. Once the provider knows the job
/// (it has an external id), hiccups only postpone it: the job goes on, and is paid for, at the provider whether or not
/// we can reach it, so only the provider's verdict or an admin's cancel ends it. The contact state is kept on the job
/// (<see cref="FineTuneJob.LastContactAt"/>, <see cref="FineTuneJob.UnreachableSince"/>), so the job page can say how
/// long the provider has been silent, across restarts too.
/// </summary>
public sealed class FineTuneRunner(
    IDbContextFactory<PlannerDbContext> dbFactory,
    IEnumerable<IFineTuneBackend> backends,
    FineTuneNotifications notifications,
    FineTuneWakeup wakeup,
    IServiceScopeFactory scopes,
    IOptions<FineTuneRunnerOptions> options,
    TimeProvider clock,
    ILogger<FineTuneRunner> logger,
    Providers.ProviderProfileService? profiles = null,
    Telemetry.PlannerMetrics? metrics = null) : BackgroundService
{
    private readonly FineTuneRunnerOptions _options = options.Value;
    private const int ReasonLength = 1000;

    /// <summary>Identifies this runner's leases.</summary>
    public string Id { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    /// <summary>When the runner last looked for work: /healthz reports it.</summary>
    public DateTimeOffset? LastLoopAt { get; private set; }

    /// <summary>False when configuration turned the runner off on this node (FineTuning:Runner:Enabled).</summary>
    public bool Enabled => _options.Enabled;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            logger.LogInformation("The fine-tuning runner is off on this node (FineTuning:Runner:Enabled=false): other nodes run the jobs.");
            return;
        }
        var running = new Dictionary<int, Task>();
        while (!stoppingToken.IsCancellationRequested)
        {
            LastLoopAt = clock.GetUtcNow();
            metrics?.RunnerLooped(LastLoopAt.Value);
            foreach (var done in running.Where(r => r.Value.IsCompleted).Select(r => r.Key).ToList())
                running.Remove(done);
            try
            {
                if (running.Count < _options.Concurrency)
                    foreach (var id in await DueJobsAsync(running.Keys, _options.Concurrency - running.Count, stoppingToken))
                        if (await TryLeaseAsync(id, stoppingToken))
                            running[id] = Task.Run(() => WorkAsync(id, stoppingToken), CancellationToken.None);
                await wakeup.WaitAsync(_options.IdlePoll, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "The fine-tuning runner could not look for jobs; trying again shortly");
                await Task.Delay(_options.IdlePoll, clock, CancellationToken.None);
            }
        }
        await Task.WhenAll(running.Values);
    }

    private async Task<List<int>> DueJobsAsync(IEnumerable<int> busy, int take, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var exclude = busy.ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.FineTuneJobs
            .Where(j => j.Status != FineTuneStatus.Succeeded && j.Status != FineTuneStatus.Failed && j.Status != FineTuneStatus.Cancelled)
            .Where(j => j.NextAttemptAt <= now && (j.LeaseUntil == null || j.LeaseUntil < now) && !exclude.Contains(j.Id))
            .OrderBy(j => j.NextAttemptAt).ThenBy(j => j.Id)
            .Select(j => j.Id).Take(take).ToListAsync(ct);
    }

    /// <summary>Claims the job if nobody holds a live lease on it: the update only matches an unclaimed row.</summary>
    internal async Task<bool> TryLeaseAsync(int id, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var until = now + _options.Lease;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var claimed = await db.FineTuneJobs
            .Where(j => j.Id == id && (j.LeaseUntil == null || j.LeaseUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseOwner, Id).SetProperty(j => j.LeaseUntil, until), ct);
        return claimed == 1;
    }

    private async Task WorkAsync(int id, CancellationToken ct)
    {
        FineTuneJob? job = null;
        var sink = new FineTuneSink(dbFactory, notifications, clock, id, Id, _options.Lease);
        try
        {
            await using (var db = await dbFactory.CreateDbContextAsync(ct))
                job = await db.FineTuneJobs.AsNoTracking().SingleAsync(j => j.Id == id, ct);
            var backend = backends.FirstOrDefault(b => b.Handles(job.Provider));
            TimeSpan? next = null;
            var worked = false;
            if (backend is null)
                await FailAsync(job, sink, "unknown_provider", $"No backend called '{job.Provider}' is available.", ct);
            else if (job.CancelRequested)
            {
                await backend.CancelAsync(job, sink, ct);
                worked = true;
            }
            // Per profile: an Azure or compatible profile with its own key works without an OpenAI key.
            else if (!backend.IsConfiguredFor(job.Provider))
                await FailAsync(job, sink, "not_configured", $"The {job.Provider} backend is not configured (no API key). Add one in settings, then start a new job.", ct);
            else
            {
                next = await backend.AdvanceAsync(job, token => DatasetAsync(job, token), sink, ct);
                worked = true;
            }
            if (worked && job.Provider != FineTuneProviders.Local)
                await RecordContactAsync(job, CancellationToken.None);
            if (job.FailedAttempts > 0)
                await ReachedAgainAsync(job, sink, CancellationToken.None);
            await ReleaseAsync(id, next ?? TimeSpan.Zero, resetAttempts: true, CancellationToken.None);
        }
        catch (TransientFineTuneException ex) when (job is not null)
        {
            await PostponeAsync(job, sink, ex);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutting down: give the job back at once, so the next start resumes it without waiting for the lease.
            await ReleaseAsync(id, TimeSpan.Zero, resetAttempts: false, CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Fine-tuning job {JobId} stopped on an unexpected error", id);
            if (job is not null)
                await FailAsync(job, sink, "internal_error", $"The job stopped on an unexpected error: {ex.Message}", CancellationToken.None);
            await ReleaseAsync(id, TimeSpan.Zero, resetAttempts: true, CancellationToken.None);
        }
    }

    /// <summary>
    /// Schedules the next attempt after a provider hiccup and logs it; the first hiccup of a spell also logs the lost
    /// contact. Before the provider knows the job, <see cref="FineTuneRunnerOptions.MaxAttempts"/> hiccups fail it.
    /// </summary>
    private async Task PostponeAsync(FineTuneJob job, IFineTuneSink sink, TransientFineTuneException ex)
    {
        var now = clock.GetUtcNow();
        var attempts = job.FailedAttempts + 1;
        var provider = ProviderName(job.Provider);
        var known = job.ExternalId is not null;
        if (!known && attempts >= _options.MaxAttempts)
        {
            await FailAsync(job, sink, "provider_unavailable", $"Gave up after {attempts} attempts: {ex.Message}", CancellationToken.None);
            await ReleaseAsync(job.Id, TimeSpan.Zero, resetAttempts: true, CancellationToken.None);
            return;
        }
        await RecordUnreachableAsync(job, now, ex.Message, CancellationToken.None);
        if (attempts == 1)
        {
            var last = job.LastContactAt;
            await sink.EventAsync(new FineTuneEvent
            {
                ExternalId = ProviderOutage.LostId(now, last),
                CreatedAt = now,
                Level = "warn",
                Message = $"Lost contact with {provider} at {Utc(now)}; last contact " +
                          (last is { } l ? $"{Utc(l)}." : "none recorded yet."),
            }, CancellationToken.None);
        }
        var delay = ex.RetryAfter ?? _options.Backoff(attempts);
        var count = known
            ? $"attempt {attempts}; {provider} has the job, so it is postponed, never failed, while {provider} cannot be reached"
            : $"attempt {attempts} of {_options.MaxAttempts}";
        await sink.EventAsync(new FineTuneEvent
        {
            ExternalId = ProviderOutage.RetryId(attempts, now + delay),
            CreatedAt = now,
            Level = "warn",
            Message = $"{ex.Message} Trying again in {Seconds(delay)} s, at {Utc(now + delay)} ({count}).",
        }, CancellationToken.None);
        await ReleaseAsync(job.Id, delay, resetAttempts: false, CancellationToken.None, attempts);
    }

    /// <summary>The provider answered: the job records when, and is no longer unreachable.</summary>
    private async Task RecordContactAsync(FineTuneJob job, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var wasUnreachable = job.UnreachableSince is not null;
        (job.LastContactAt, job.UnreachableSince, job.UnreachableReason) = (now, null, null);
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
            await db.FineTuneJobs.Where(j => j.Id == job.Id).ExecuteUpdateAsync(s => s
                .SetProperty(j => j.LastContactAt, now)
                .SetProperty(j => j.UnreachableSince, (DateTimeOffset?)null)
                .SetProperty(j => j.UnreachableReason, (string?)null), ct);
        if (wasUnreachable)
            await notifications.PublishAsync(JobUpdated.From(job));
    }

    /// <summary>The provider did not answer: the job records since when (the first failure of the spell) and why.</summary>
    private async Task RecordUnreachableAsync(FineTuneJob job, DateTimeOffset now, string reason, CancellationToken ct)
    {
        var since = job.UnreachableSince ?? now;
        var text = reason.Length <= ReasonLength ? reason : reason[..(ReasonLength - 1)] + "…";
        (job.UnreachableSince, job.UnreachableReason) = (since, text);
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
            await db.FineTuneJobs.Where(j => j.Id == job.Id).ExecuteUpdateAsync(s => s
                .SetProperty(j => j.UnreachableSince, since)
                .SetProperty(j => j.UnreachableReason, text), ct);
        await notifications.PublishAsync(JobUpdated.From(job));
    }

    private async Task ReachedAgainAsync(FineTuneJob job, IFineTuneSink sink, CancellationToken ct)
    {
        string? lostId;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
            lostId = await db.FineTuneEvents.Where(e => e.JobId == job.Id && e.ExternalId.StartsWith(ProviderOutage.LostPrefix))
                .OrderByDescending(e => e.Id).Select(e => e.ExternalId).FirstOrDefaultAsync(ct);
        if (lostId is null)
            return;
        await sink.EventAsync(new FineTuneEvent
        {
            ExternalId = ProviderOutage.ReachedId(lostId),
            CreatedAt = clock.GetUtcNow(),
            Level = "info",
            Message = $"Reached {ProviderName(job.Provider)} again after {job.FailedAttempts} failed " +
                      $"{(job.FailedAttempts == 1 ? "attempt" : "attempts")}.",
        }, ct);
    }

    private string ProviderName(string provider) => profiles?.Get(provider)?.Name ?? ProviderOutage.ProviderName(provider);

    private static string Utc(DateTimeOffset t) => t.UtcDateTime.ToString("HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString(t.TotalSeconds < 10 ? "0.#" : "0", CultureInfo.InvariantCulture);

    private async Task<FineTuneDataset> DatasetAsync(FineTuneJob job, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var training = scope.ServiceProvider.GetRequiredService<TrainingDataService>();
        var split = await training.ExportSplitAsync(job.ValidationPercent, job.Seed ?? 42, ct);
        var pairs = await scope.ServiceProvider.GetRequiredService<PreferencePairService>().ExportLinesAsync(ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var reference = new ReferenceSnapshot(
            await db.Markets.AsNoTracking().OrderBy(m => m.Code).ToListAsync(ct),
            await db.Currencies.AsNoTracking().OrderBy(c => c.Code).ToListAsync(ct),
            await db.Benchmarks.AsNoTracking().OrderBy(b => b.Id).ToListAsync(ct));
        return new FineTuneDataset(split.TrainingLines, split.ValidationLines)
        {
            TrainingOutcomes = split.TrainingOutcomes,
            ValidationOutcomes = split.ValidationOutcomes,
            Reference = reference,
            PreferenceLines = pairs,
        };
    }

    private async Task FailAsync(FineTuneJob job, IFineTuneSink sink, string code, string message, CancellationToken ct)
    {
        // A job its backend already finished keeps its outcome: an error after the last report does not undo it.
        if (job.IsFinished)
            return;
        job.Fail(code, message, null, clock.GetUtcNow());
        await sink.EventAsync(new FineTuneEvent { ExternalId = $"failed-{code}", CreatedAt = clock.GetUtcNow(), Level = "error", Message = message }, ct);
        await sink.JobChangedAsync(job, ct);
    }

    private async Task ReleaseAsync(int id, TimeSpan next, bool resetAttempts, CancellationToken ct, int? attempts = null)
    {
        var at = clock.GetUtcNow() + next;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.FineTuneJobs.Where(j => j.Id == id && j.LeaseOwner == Id)
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.LeaseOwner, (string?)null)
                .SetProperty(j => j.LeaseUntil, (DateTimeOffset?)null)
                .SetProperty(j => j.NextAttemptAt, at)
                .SetProperty(j => j.FailedAttempts, j => resetAttempts ? 0 : attempts ?? j.FailedAttempts), ct);
    }
}
