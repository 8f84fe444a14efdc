using System.Globalization;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Training;

namespace MediaPlanner.Domain.FineTuning.Local;

/// <summary>
/// Fine-tunes the built-in offline planner: <see cref="LocalTrainer"/> learns channel preferences from the job's
/// validated examples, starting from <paramref name="baseParameters"/>. One <see cref="AdvanceAsync"/> call trains the
/// job to the end. Training is deterministic for the job's seed and every report has a fixed id, so a job interrupted
/// by a restart is simply trained again and the sink drops the reports it already holds.
/// </summary>
public sealed class LocalFineTuneBackend(MediaMixParameters baseParameters, TimeProvider clock) : IFineTuneBackend
{
    public const string InvalidTrainingFile = "invalid_training_file";
    /// <summary>The seed when the job has none: the same default the runner splits the data with.</summary>
    public const int DefaultSeed = 42;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public string Provider => FineTuneProviders.Local;

    public bool IsConfigured => true;

    /// <summary>The model name a job's result gets: local-mix:ft-{suffix or "model"}-{job id}.</summary>
    public static string ModelName(FineTuneJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return $"local-mix:ft-{job.Suffix ?? "model"}-{job.Id}";
    }

    public async Task<TimeSpan?> AdvanceAsync(FineTuneJob job, Func<CancellationToken, Task<FineTuneDataset>> dataset, IFineTuneSink sink, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(sink);
        if (job.IsFinished)
            return null;
        if (job.CancelRequested || await sink.CancelRequestedAsync(ct))
        {
            await CancelledAsync(job, sink, "Cancelled before training started.", ct);
            return null;
        }

        var data = await dataset(ct);
        job.StartedAt ??= clock.GetUtcNow();
        job.Status = FineTuneStatus.Running;
        job.CompletedSteps = 0;
        await sink.JobChangedAsync(job, ct);
        await EventAsync(sink, "start",
            $"Validating {Count(data.TrainingLines.Count, "training example")} and {Count(data.ValidationLines.Count, "validation example")}…", ct);

        // The rest is CPU work: leave the caller's context before it starts.
        await Task.Yield();
        var set = LocalTrainer.Prepare(data.TrainingLines, data.ValidationLines);
        if (set.Skipped.Count > 0)
            await EventAsync(sink, "skipped", SkippedMessage(set, data), ct, "warn");
        if (set.Training.Count == 0)
        {
            job.Status = FineTuneStatus.Failed;
            job.ErrorCode = InvalidTrainingFile;
            job.ErrorMessage = data.TrainingLines.Count == 0
                ? "The training file has no examples."
                : $"None of the {Count(data.TrainingLines.Count, "training example")} can be used: each needs a brief rendered by MediaPlanner and a plan in the MediaPlan format. First problem: {set.Skipped.First(s => !s.Validation).Reason}.";
            job.FinishedAt = clock.GetUtcNow();
            await EventAsync(sink, "failed", job.ErrorMessage, ct, "error");
            await sink.JobChangedAsync(job, ct);
            return null;
        }

        var schedule = LocalTrainer.Schedule(set.Training.Count, job.Hyperparameters);
        var model = ModelName(job);
        job.TotalSteps = schedule.TotalSteps;
        await sink.JobChangedAsync(job, ct);
        await EventAsync(sink, "training", string.Create(Inv,
            $"Training {model} from {baseParameters.ModelName} on {Count(set.Training.Count, "example")} ({set.Validation.Count} held out): {Count(schedule.Epochs, "epoch")} of {Count(schedule.StepsPerEpoch, "step")}, batch size {schedule.BatchSize}, learning rate {schedule.LearningRate:0.###} (multiplier {schedule.LearningRateMultiplier:0.###} × base {LocalTrainer.BaseLearningRate:0.###})."), ct);

        var trainer = new LocalTrainer(baseParameters, $"{LocalTrainer.DefaultName}-{job.Id}");
        foreach (var progress in trainer.Run(set, job.Hyperparameters, job.Seed ?? DefaultSeed))
        {
            ct.ThrowIfCancellationRequested();
            switch (progress)
            {
                case LocalTrainingStep step:
                    await sink.EventAsync(new FineTuneEvent
                    {
                        ExternalId = $"step-{step.Step}",
                        CreatedAt = clock.GetUtcNow(),
                        Message = string.Create(Inv, $"Step {step.Step}/{schedule.TotalSteps}: training loss {step.TrainLoss:0.000}")
                            + (step.ValidLoss is { } v ? string.Create(Inv, $", validation loss {v:0.000}") : ""),
                        Step = step.Step,
                        TrainLoss = step.TrainLoss,
                        ValidLoss = step.ValidLoss,
                        TrainAccuracy = step.TrainAgreement,
                        ValidAccuracy = step.ValidAgreement,
                    }, ct);
                    job.CompletedSteps = step.Step;
                    await sink.JobChangedAsync(job, ct);
                    if (job.CancelRequested || await sink.CancelRequestedAsync(ct))
                    {
                        await CancelledAsync(job, sink, $"Cancelled at step {step.Step} of {schedule.TotalSteps}.", ct);
                        return null;
                    }
                    await Task.Yield();
                    break;

                case LocalTrainingEpoch epoch:
                    var checkpoint = $"{model}:ckpt-step-{epoch.Step}";
                    await sink.CheckpointAsync(new FineTuneCheckpoint
                    {
                        ExternalId = $"epoch-{epoch.Epoch}",
                        ModelName = checkpoint,
                        Step = epoch.Step,
                        CreatedAt = clock.GetUtcNow(),
                        TrainLoss = epoch.Train.Loss,
                        TrainAccuracy = epoch.Train.Agreement,
                        ValidLoss = epoch.Validation?.Loss,
                        ValidAccuracy = epoch.Validation?.Agreement,
                        FullValidLoss = epoch.Validation?.Loss,
                        FullValidAccuracy = epoch.Validation?.Agreement,
                        ParametersJson = epoch.Parameters.ToJson(),
                    }, ct);
                    await EventAsync(sink, $"epoch-{epoch.Epoch}", string.Create(Inv,
                        $"Epoch {epoch.Epoch}/{schedule.Epochs} done at step {epoch.Step}: checkpoint {checkpoint}. {Fit(epoch.Train, epoch.Validation)}"), ct);
                    break;

                case LocalTrainingCompleted completed:
                    var result = completed.Result;
                    job.ResultParametersJson = result.Parameters.ToJson();
                    job.FineTunedModel = model;
                    job.TrainedTokens = TrainedTokens(job, set, schedule.Epochs);
                    job.Status = FineTuneStatus.Succeeded;
                    job.FinishedAt = clock.GetUtcNow();
                    await EventAsync(sink, "done", string.Create(Inv,
                        $"Fine-tuned {model} in {Count(schedule.TotalSteps, "step")}. {Fit(result.FinalTrain, result.FinalValidation)} Before training: {Agreement(result.InitialTrain, result.InitialValidation)}."), ct);
                    await sink.JobChangedAsync(job, ct);
                    return null;
            }
        }
        throw new InvalidOperationException("Local training ended without a result.");
    }

    public async Task CancelAsync(FineTuneJob job, IFineTuneSink sink, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(sink);
        if (job.IsFinished)
            return;
        await CancelledAsync(job, sink, job.CompletedSteps > 0
            ? $"Cancelled at step {job.CompletedSteps} of {job.TotalSteps}."
            : "Cancelled before training started.", ct);
    }

    private async Task CancelledAsync(FineTuneJob job, IFineTuneSink sink, string message, CancellationToken ct)
    {
        job.Status = FineTuneStatus.Cancelled;
        job.FinishedAt = clock.GetUtcNow();
        await EventAsync(sink, "cancelled", message, ct);
        await sink.JobChangedAsync(job, ct);
    }

    private Task EventAsync(IFineTuneSink sink, string id, string message, CancellationToken ct, string level = "info") =>
        sink.EventAsync(new FineTuneEvent { ExternalId = id, CreatedAt = clock.GetUtcNow(), Level = level, Message = message }, ct);

    /// <summary>Tokens trained on as OpenAI bills them: each used example, cut to the model's maximum, once per epoch.</summary>
    private static long TrainedTokens(FineTuneJob job, LocalTrainingSet set, int epochs)
    {
        var counter = TokenCounter.ForModel(job.BaseModel);
        return FineTuneEstimator.BilledTokens(set.Training.Select(e => counter.CountExample(e.Chat)), epochs, TokenCounter.MaxTokensPerExample(job.BaseModel));
    }

    /// <summary>The engine's fit in words: how much of the validated budget its plans put in the same channels.</summary>
    private static string Fit(LocalFit train, LocalFit? validation) =>
        string.Create(Inv, $"The engine's plans now match {Agreement(train, validation)}; loss {train.Loss:0.000}")
        + (validation is null ? "." : string.Create(Inv, $", held out {validation.Loss:0.000}."));

    private static string Agreement(LocalFit train, LocalFit? validation) =>
        string.Create(Inv, $"{train.Agreement:0.0%} of the validated budget")
        + (validation is null ? "" : string.Create(Inv, $" ({validation.Agreement:0.0%} held out)"));

    private static string SkippedMessage(LocalTrainingSet set, FineTuneDataset data)
    {
        var total = data.TrainingLines.Count + data.ValidationLines.Count;
        var first = set.Skipped.Take(3).Select(s => $"{(s.Validation ? "validation" : "training")} example {s.Index + 1}: {s.Reason}");
        return $"Skipped {set.Skipped.Count} of {Count(total, "example")} that the local planner cannot learn from ({string.Join("; ", first)}{(set.Skipped.Count > 3 ? "; …" : "")}).";
    }

    private static string Count(int n, string noun) => string.Create(Inv, $"{n:N0} {noun}{(n == 1 ? "" : "s")}");
}
