using System.Globalization;
using MediaPlanner.Domain.FineTuning.Evaluation;
using MediaPlanner.Domain.Training;
using MediaPlanner.Domain.FineTuning;

namespace MediaPlanner.Domain.Providers.Local;

/// <summary>
/// Fine-tunes the built-in offline planner: <see cref="ShareLearner"/> learns the agency's budget split from the job's
/// validated examples, conditioned on the brief, starting from <paramref name="baseParameters"/>'s own mix. Every epoch's
/// checkpoint and the base model plan the held-out briefs with the real engine; the best checkpoint on held-out fit is the
/// job's result, with a verdict on whether it beat the base model. One <see cref="AdvanceAsync"/> call trains the
/// job to the end. A job interrupted by a restart is trained again from the start, after the first run's events and
/// checkpoints are discarded and a first event says so.
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

        if (job.Status == FineTuneStatus.Running)
            await RestartedAsync(job, sink, ct);
        var data = await dataset(ct);
        job.Start(clock.GetUtcNow());
        job.Progress(0);
        await sink.JobChangedAsync(job, ct);
        await EventAsync(sink, "start",
            $"Validating {Count(data.TrainingLines.Count, "training example")} and {Count(data.ValidationLines.Count, "validation example")}…", ct);

        // The rest is CPU work: leave the caller's context before it starts.
        await Task.Yield();
        var set = LocalTrainingSet.Prepare(data);
        if (set.Skipped.Count > 0)
            await EventAsync(sink, "skipped", SkippedMessage(set, data), ct, "warn");
        if (set.Training.Count == 0)
        {
            job.Fail(InvalidTrainingFile, data.TrainingLines.Count == 0
                ? "The training file has no examples."
                : $"None of the {Count(data.TrainingLines.Count, "training example")} can be used: each needs a brief rendered by MediaPlanner and a plan in the MediaPlan format. First problem: {set.Skipped.First(s => !s.Validation).Reason}.",
                null, clock.GetUtcNow());
            await EventAsync(sink, "failed", job.ErrorMessage!, ct, "error");
            await sink.JobChangedAsync(job, ct);
            return null;
        }

        var schedule = ShareLearner.Schedule(job.Hyperparameters);
        var model = ModelName(job);
        var heldOut = set.Validation.Select(e => new HeldOutBrief(e.Request, e.TargetShares, e.Plan)).ToList();
        var tryPairs = set.Pairs.Count > 0 && heldOut.Count > 0;
        job.Progress(job.CompletedSteps, schedule.Epochs * (tryPairs ? 2 : 1));
        await sink.JobChangedAsync(job, ct);
        var weighting = set.Weighting;
        await EventAsync(sink, "training", string.Create(Inv,
            $"Training {model} from {baseParameters.ModelName} on {Count(set.Training.Count, "example")} ({Count(heldOut.Count, "held-out brief")}): a softmax regression of channel shares on the brief's features, {Count(schedule.Epochs, "epoch")} along a shrinkage path from the engine's own mix (learning-rate multiplier {schedule.LearningRateMultiplier:0.###}; batch size does not apply, every epoch fits the whole set)."), ct);
        await EventAsync(sink, "weighting", WeightingMessage(weighting), ct);

        HeldOutFigures? baseFigures = null;
        HeldOutRun? baseRun = null;
        if (heldOut.Count > 0)
        {
            baseRun = HeldOutEvaluator.Run(baseParameters, heldOut);
            baseFigures = baseRun.Figures;
            await EventAsync(sink, "base", string.Create(Inv,
                $"Base model {baseParameters.ModelName} on the held-out briefs: {Figures(baseFigures)}."), ct);
        }
        else
        {
            await EventAsync(sink, "no-held-out",
                "No validated examples are held out, so this job cannot be compared with the base model. Hold some out (validation share above 0 %) to get a verdict.", ct, "warn");
        }

        var learner = new ShareLearner(baseParameters, $"{ShareLearner.DefaultName}-{job.Id}");
        var evaluated = new List<(CheckpointEvaluation? Evaluation, LocalCheckpoint Checkpoint, bool Pairs)>();
        var step = 0;

        async Task<bool> RunAsync(bool usePairs)
        {
            var prefix = usePairs ? "pairs-" : "";
            foreach (var checkpoint in learner.Fit(set, schedule, usePairs))
            {
                ct.ThrowIfCancellationRequested();
                step++;
                var name = $"{model}:ckpt-{prefix}step-{checkpoint.Epoch}";
                var figures = baseRun is null ? null : HeldOutEvaluator.Against(HeldOutEvaluator.Run(checkpoint.Parameters, heldOut), baseRun);
                var evaluation = figures is null ? null : new CheckpointEvaluation(name, checkpoint.Epoch, step, figures);
                evaluated.Add((evaluation, checkpoint, usePairs));
                await sink.CheckpointAsync(new FineTuneCheckpoint
                {
                    ExternalId = $"{prefix}epoch-{checkpoint.Epoch}",
                    ModelName = name,
                    Step = step,
                    CreatedAt = clock.GetUtcNow(),
                    TrainLoss = checkpoint.TrainLoss,
                    ValidAccuracy = figures?.Agreement,
                    FullValidAccuracy = figures?.Agreement,
                    ParametersJson = checkpoint.Parameters.ToJson(),
                    EvaluationJson = figures is null ? null : JobEvaluation.FiguresToJson(figures),
                }, ct);
                await sink.EventAsync(new FineTuneEvent
                {
                    ExternalId = $"{prefix}epoch-{checkpoint.Epoch}",
                    CreatedAt = clock.GetUtcNow(),
                    Message = string.Create(Inv, $"Epoch {checkpoint.Epoch}/{schedule.Epochs}{(usePairs ? " with preference pairs" : "")} (shrinkage {checkpoint.Regularisation:0.####}): training loss {checkpoint.TrainLoss:0.0000}")
                        + (figures is null ? "." : string.Create(Inv, $"; held out: {Figures(figures)} (base {baseFigures!.MeanDistance:0.000}). Checkpoint {name}.")),
                    // No loss on the event: the job is judged on held-out briefs, and a falling training loss once hid a
                    // worsening fit. The training loss is in the message and on the checkpoint.
                    Step = step,
                }, ct);
                job.Progress(step);
                await sink.JobChangedAsync(job, ct);
                if (job.CancelRequested || await sink.CancelRequestedAsync(ct))
                {
                    await CancelledAsync(job, sink, $"Cancelled at epoch {checkpoint.Epoch} of {schedule.Epochs}.", ct);
                    return false;
                }
                await Task.Yield();
            }
            return true;
        }

        if (!await RunAsync(usePairs: false))
            return null;
        PreferenceUse? preferences = null;
        if (tryPairs)
        {
            await EventAsync(sink, "pairs", $"Trying {Count(set.Pairs.Count, "preference pair")} from planners' choices as well…", ct);
            var withoutPairs = evaluated.Min(e => e.Evaluation!.Figures.MeanDistance);
            if (!await RunAsync(usePairs: true))
                return null;
            var withPairs = evaluated.Where(e => e.Pairs).Min(e => e.Evaluation!.Figures.MeanDistance);
            preferences = new PreferenceUse(set.Pairs.Count, withPairs < withoutPairs, withPairs, withoutPairs);
            await EventAsync(sink, "pairs-result", withPairs < withoutPairs
                ? string.Create(Inv, $"Preference pairs used: held-out distance {withPairs:0.000} with them vs {withoutPairs:0.000} without.")
                : string.Create(Inv, $"Preference pairs not used: held-out distance {withPairs:0.000} with them vs {withoutPairs:0.000} without."), ct);
        }

        // The result is the best checkpoint on held-out fit (the last one when nothing is held out).
        var best = baseFigures is null
            ? evaluated.Last(e => !e.Pairs)
            : evaluated.Where(e => preferences is null || e.Pairs == preferences.Used).MinBy(e => e.Evaluation!.Figures.MeanDistance);
        var bestFigures = best.Evaluation?.Figures;
        var improved = bestFigures is not null && JobEvaluation.Beats(bestFigures, baseFigures!);
        var verdict = bestFigures is null
            ? $"{model} could not be compared with the base model: no validated examples were held out — not recommended for deployment."
            : JobEvaluation.VerdictFor(model, bestFigures, baseFigures!);
        var evaluationRecord = new JobEvaluation(heldOut.Count,
            string.Create(Inv, $"{Count(heldOut.Count, "validated example")} held out by the export's stratified split (objective × age band, seed {job.Seed ?? DefaultSeed})"),
            baseFigures ?? new HeldOutFigures(0, 0, 0, 0, 0, 0, 0),
            [.. evaluated.Where(e => e.Evaluation is not null).Select(e => e.Evaluation!)],
            model, bestFigures, improved, verdict, weighting, preferences);

        job.ResultParametersJson = best.Checkpoint.Parameters.ToJson();
        job.FineTunedModel = model;
        job.TrainedTokens = TrainedTokens(job, set, schedule.Epochs);
        job.EvaluationJson = evaluationRecord.ToJson();
        job.Recommended = improved;
        job.Verdict = verdict;
        job.Succeed(clock.GetUtcNow());
        await EventAsync(sink, "done", string.Create(Inv,
            $"Fine-tuned {model}; its result is {(best.Evaluation is null ? "the last checkpoint" : $"the best checkpoint on held-out fit ({best.Evaluation.Model})")}. {verdict}"),
            ct, improved ? "info" : "warn");
        await sink.JobChangedAsync(job, ct);
        return null;
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

    /// <summary>
    /// A job found running was cut off when its app stopped. Training starts again from step 0 (it is deterministic and
    /// fast), so the first run's events and checkpoints go: kept, the same steps would be reported twice with the
    /// first run's figures beside the second's.
    /// </summary>
    private async Task RestartedAsync(FineTuneJob job, IFineTuneSink sink, CancellationToken ct)
    {
        var at = job.TotalSteps > 0 ? string.Create(Inv, $"at step {job.CompletedSteps} of {job.TotalSteps}") : "before training started";
        await sink.DiscardReportsAsync(ct);
        await EventAsync(sink, "restart", $"Restarted after the app stopped {at}; the first run's events were discarded.", ct, "warn");
    }

    private async Task CancelledAsync(FineTuneJob job, IFineTuneSink sink, string message, CancellationToken ct)
    {
        job.Cancel(clock.GetUtcNow());
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

    private static string Figures(HeldOutFigures f) => string.Create(Inv,
        $"distance to the validated plans {f.MeanDistance:0.000}, {f.Agreement:0.0%} of the budget placed as they placed it, quality {f.MeanQuality:0.0}, {f.WithinBudgetRate:0%} of plans on budget to the cent");

    private static string WeightingMessage(ResultWeighting w) => w.WithResults == 0
        ? string.Create(Inv, $"None of the {Count(w.Examples, "training example")} carried campaign results, so every example weighs the same.")
        : string.Create(Inv, $"{w.WithResults:N0} of {Count(w.Examples, "training example")} carried campaign results and are weighted by how they delivered against the channel benchmarks: weights {w.MinWeight:0.00}–{w.MaxWeight:0.00}, mean {w.MeanWeight:0.00}.");

    private static string SkippedMessage(LocalTrainingSet set, FineTuneDataset data)
    {
        var total = data.TrainingLines.Count + data.ValidationLines.Count;
        var first = set.Skipped.Take(3).Select(s => $"{(s.Validation ? "validation" : "training")} example {s.Index + 1}: {s.Reason}");
        return $"Skipped {set.Skipped.Count} of {Count(total, "example")} that the local planner cannot learn from ({string.Join("; ", first)}{(set.Skipped.Count > 3 ? "; …" : "")}).";
    }

    private static string Count(int n, string noun) => string.Create(Inv, $"{n:N0} {noun}{(n == 1 ? "" : "s")}");
}
