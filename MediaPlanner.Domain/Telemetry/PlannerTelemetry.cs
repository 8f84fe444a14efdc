using System.Diagnostics;
using System.Diagnostics.Metrics;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Persistence;
using Microsoft.EntityFrameworkCore;

namespace MediaPlanner.Domain.Telemetry;

/// <summary>
/// The app's own metrics, on one <see cref="Meter"/> named <see cref="Name"/> made by the host's <see cref="IMeterFactory"/>
/// (so each app instance in a process has its own). Every tag value comes from a fixed set or from the deployed/base model
/// ids: never a user id, a brief's text or anything else a user typed.
/// </summary>
public sealed class PlannerMetrics
{
    public const string Name = "MediaPlanner";

    /// <summary>Generation latency buckets, seconds: a local plan answers in milliseconds, a hosted one in up to a minute.</summary>
    public static readonly IReadOnlyList<double> LatencyBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60];

    private readonly Counter<long> _generations;
    private readonly Histogram<double> _latency;
    private readonly Counter<long> _tokens;
    private readonly Counter<double> _cost;
    private readonly Counter<long> _importLines;
    private readonly Counter<long> _importRejects;
    private readonly Counter<long> _exportLines;
    private readonly Counter<long> _reviewActions;
    private readonly UpDownCounter<long> _circuits;
    private readonly IDbContextFactory<PlannerDbContext> _dbFactory;
    private readonly TimeProvider _clock;
    private long _lastRunnerLoopTicks;

    public PlannerMetrics(IMeterFactory meters, IDbContextFactory<PlannerDbContext> dbFactory, TimeProvider clock)
    {
        (_dbFactory, _clock) = (dbFactory, clock);
        var meter = meters.Create(Name);
        _generations = meter.CreateCounter<long>("mediaplanner.plan.generations", "{generation}",
            "Plan generations, one per model call (column); outcome ok, failed, or fallback (the base model answered after the fine-tuned one failed).");
        _latency = meter.CreateHistogram("mediaplanner.plan.generation.duration", "s", "Time a model took to answer a generation.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _tokens = meter.CreateCounter<long>("mediaplanner.plan.tokens", "{token}", "Tokens used by plan generations; token.type input or output.");
        _cost = meter.CreateCounter<double>("mediaplanner.plan.cost", "USD", "What plan generations cost at the price book's rates.");
        _importLines = meter.CreateCounter<long>("mediaplanner.training.import.lines", "{line}", "JSONL lines read by training-data imports.");
        _importRejects = meter.CreateCounter<long>("mediaplanner.training.import.rejects", "{line}", "JSONL lines an import rejected.");
        _exportLines = meter.CreateCounter<long>("mediaplanner.training.export.lines", "{line}", "JSONL lines written by training-data exports.");
        _reviewActions = meter.CreateCounter<long>("mediaplanner.review.actions", "{action}", "Review decisions on training examples: validate, reject or correct.");
        _circuits = meter.CreateUpDownCounter<long>("mediaplanner.circuits.active", "{circuit}", "Blazor circuits open on this node.");
        meter.CreateObservableGauge("mediaplanner.finetune.jobs", ObserveJobs, "{job}", "Fine-tuning jobs by status (one grouped count per collection).");
        meter.CreateObservableGauge("mediaplanner.finetune.runner.loop_age", ObserveLoopAge, "s", "Seconds since the fine-tuning runner last looked for work.");
    }

    public void RecordGeneration(string provider, string model, ModelRole modelRole, CurrentUser user, GenerationOutcome outcome,
        TimeSpan latency, int inputTokens, int outputTokens, decimal cost)
    {
        var tags = new TagList
        {
            { "provider", provider }, { "model", model }, { "model.role", ModelRoleTag(modelRole) }, { "user.role", user.IsAdmin ? "admin" : "planner" },
            { "outcome", OutcomeTag(outcome) },
        };
        _generations.Add(1, tags);
        _latency.Record(latency.TotalSeconds, tags);
        var priced = new TagList { { "provider", provider }, { "model", model } };
        if (inputTokens > 0)
            _tokens.Add(inputTokens, [.. priced, new("token.type", "input")]);
        if (outputTokens > 0)
            _tokens.Add(outputTokens, [.. priced, new("token.type", "output")]);
        if (cost > 0)
            _cost.Add((double)cost, priced);
    }

    public void RecordImport(int lines, int rejected)
    {
        _importLines.Add(lines);
        _importRejects.Add(rejected);
    }

    public void RecordExport(int lines) => _exportLines.Add(lines);

    public void RecordReview(ReviewAction action) => _reviewActions.Add(1, new KeyValuePair<string, object?>("action", action switch
    {
        ReviewAction.Validate => "validate",
        ReviewAction.Reject => "reject",
        _ => "correct",
    }));

    public void CircuitOpened() => _circuits.Add(1);

    public void CircuitClosed() => _circuits.Add(-1);

    /// <summary>The runner calls this at the top of every loop; the loop-age gauge reads it.</summary>
    public void RunnerLooped(DateTimeOffset at) => Interlocked.Exchange(ref _lastRunnerLoopTicks, at.UtcTicks);

    private IEnumerable<Measurement<double>> ObserveLoopAge()
    {
        var ticks = Interlocked.Read(ref _lastRunnerLoopTicks);
        if (ticks == 0)
            return [];
        return [new(Math.Max(0, (_clock.GetUtcNow().UtcTicks - ticks) / (double)TimeSpan.TicksPerSecond))];
    }

    private IEnumerable<Measurement<long>> ObserveJobs()
    {
        Dictionary<FineTuneStatus, int> counts;
        try
        {
            using var db = _dbFactory.CreateDbContext();
            counts = db.FineTuneJobs.AsNoTracking().GroupBy(j => j.Status).Select(g => new { g.Key, Count = g.Count() })
                .ToDictionary(g => g.Key, g => g.Count);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.Data.Common.DbException)
        {
            // The database is down: /healthz says so; a scrape without this gauge beats a failed scrape.
            return [];
        }
        // Every status, zeros too, so a status that empties drops to 0 instead of keeping its last value.
        return Enum.GetValues<FineTuneStatus>().Select(s =>
            new Measurement<long>(counts.GetValueOrDefault(s), new KeyValuePair<string, object?>("status", FineTuneStatusTag(s))));
    }

    public static string FineTuneStatusTag(FineTuneStatus status) => status switch
    {
        FineTuneStatus.ValidatingFiles => "validating_files",
        FineTuneStatus.Queued => "queued",
        FineTuneStatus.Running => "running",
        FineTuneStatus.Succeeded => "succeeded",
        FineTuneStatus.Failed => "failed",
        _ => "cancelled",
    };

    public static string ModelRoleTag(ModelRole role) => role == ModelRole.Base ? "base" : "fine_tuned";

    private static string OutcomeTag(GenerationOutcome outcome) => outcome switch
    {
        GenerationOutcome.Ok => "ok",
        GenerationOutcome.Fallback => "fallback",
        _ => "failed",
    };
}

public enum GenerationOutcome
{
    Ok,
    Failed,
    /// <summary>The base model answered after the fine-tuned one failed.</summary>
    Fallback,
}

public enum ReviewAction
{
    Validate,
    Reject,
    Correct,
}

/// <summary>The app's traces: one <see cref="ActivitySource"/> named "MediaPlanner".</summary>
public static class PlannerTracing
{
    public static readonly ActivitySource Source = new(PlannerMetrics.Name);

    public const string GenerateSpan = "plan.generate";
    public const string ProviderCallSpan = "plan.provider_call";

    /// <summary>
    /// Ends <paramref name="activity"/> when every column has finished: a side-by-side generation returns its columns still
    /// running, so the span cannot end when the method returns.
    /// </summary>
    public static void EndWhenDone(Activity? activity, params Task?[] columns)
    {
        if (activity is null)
            return;
        _ = Task.WhenAll(columns.OfType<Task>()).ContinueWith(done =>
        {
            if (done.Exception is { } ex)
                activity.SetStatus(ActivityStatusCode.Error, ex.InnerException?.GetType().Name);
            activity.Dispose();
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Marks a provider call as failed, with the failure code (a fixed set) and the exception as an event.</summary>
    public static void Failed(Activity? activity, Exception ex, string? code)
    {
        if (activity is null)
            return;
        activity.SetStatus(ActivityStatusCode.Error, code);
        activity.SetTag("error.type", code ?? ex.GetType().Name);
        activity.AddException(ex);
    }
}
