using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Tests.Fakes;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MediaPlanner.Tests.FineTuning;

/// <summary>An in-memory stand-in for the runner's sink: stores once per ExternalId, as the database does.</summary>
internal sealed class RecordingSink : IFineTuneSink
{
    public List<FineTuneEvent> Events { get; } = [];
    public List<FineTuneCheckpoint> Checkpoints { get; } = [];
    /// <summary>The status at each save, in order.</summary>
    public List<FineTuneStatus> Statuses { get; } = [];
    /// <summary>The job as last saved: what a restarted process would load.</summary>
    public FineTuneJob? Saved { get; private set; }
    public int DuplicateEvents { get; private set; }
    public bool CancelRequested { get; set; }

    public IReadOnlyList<FineTuneEvent> OpenAIEvents => [.. Events.Where(e => e.ExternalId.StartsWith("ftevent-", StringComparison.Ordinal))];

    public Task EventAsync(FineTuneEvent e, CancellationToken ct)
    {
        if (Events.Any(x => x.ExternalId == e.ExternalId))
            DuplicateEvents++;
        else
            Events.Add(e);
        return Task.CompletedTask;
    }

    public Task CheckpointAsync(FineTuneCheckpoint checkpoint, CancellationToken ct)
    {
        var stored = Checkpoints.FirstOrDefault(x => x.ExternalId == checkpoint.ExternalId);
        if (stored is null)
            Checkpoints.Add(checkpoint);
        else
            stored.EvaluationJson ??= checkpoint.EvaluationJson;
        return Task.CompletedTask;
    }

    public Task JobChangedAsync(FineTuneJob job, CancellationToken ct)
    {
        Statuses.Add(job.Status);
        Saved = Copy(job);
        job.CancelRequested = CancelRequested;
        return Task.CompletedTask;
    }

    public Task<bool> CancelRequestedAsync(CancellationToken ct) => Task.FromResult(CancelRequested);

    public Task DiscardReportsAsync(CancellationToken ct)
    {
        Events.Clear();
        Checkpoints.Clear();
        return Task.CompletedTask;
    }

    private static FineTuneJob Copy(FineTuneJob job) => new()
    {
        Id = job.Id,
        Provider = job.Provider,
        BaseModel = job.BaseModel,
        Suffix = job.Suffix,
        Seed = job.Seed,
        Epochs = job.Epochs,
        BatchSize = job.BatchSize,
        LearningRateMultiplier = job.LearningRateMultiplier,
        ValidationPercent = job.ValidationPercent,
        Status = job.Status,
        TrainingExamples = job.TrainingExamples,
        ValidationExamples = job.ValidationExamples,
        ExternalId = job.ExternalId,
        TrainingFileId = job.TrainingFileId,
        ValidationFileId = job.ValidationFileId,
        FineTunedModel = job.FineTunedModel,
        TrainedTokens = job.TrainedTokens,
        EstimatedFinish = job.EstimatedFinish,
        ErrorCode = job.ErrorCode,
        ErrorMessage = job.ErrorMessage,
        ErrorParam = job.ErrorParam,
        TotalSteps = job.TotalSteps,
        CompletedSteps = job.CompletedSteps,
        CreatedAt = job.CreatedAt,
        StartedAt = job.StartedAt,
        FinishedAt = job.FinishedAt,
        CreatedById = job.CreatedById,
        LastEventCursor = job.LastEventCursor,
        EvaluationJson = job.EvaluationJson,
        Recommended = job.Recommended,
        Verdict = job.Verdict,
        FailedAttempts = job.FailedAttempts,
        FineTunedDeployment = job.FineTunedDeployment,
    };
}
