using System.Globalization;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.FineTuning.Evaluation;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Domain.Planning;
using Microsoft.Extensions.Logging;

namespace MediaPlanner.Domain.Providers.OpenAI;

/// <summary>
/// The held-out evaluation of a job OpenAI finished, as local jobs are evaluated: the base model, the fine-tuned model and
/// every checkpoint OpenAI kept plan the same held-out briefs (the job's validation lines) through the hosted plan provider,
/// one plan request per brief and model. The best of them on held-out fit is the job's recommended result; the deployable
/// model stays the fine-tuned one, and a better checkpoint is named in the verdict. Each model's figures are saved as soon
/// as they are known, so a retry after a 429 or a restart carries on with the next model instead of paying again. A job
/// that cannot be compared still succeeds, never recommended: the model is trained and paid for. Azure OpenAI serves a
/// model only through a deployment, so there the evaluation waits until an admin has deployed the fine-tuned model and
/// entered the deployment's name (see <see cref="AzureDeployment"/>), and compares only the base and fine-tuned models.
/// </summary>
public sealed partial class OpenAIFineTuneBackend
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    // Failures of the hosted plan provider worth another attempt later; any other failure is a brief not planned.
    private static readonly HashSet<string> TransientPlanFailures = ["rate_limited", "server_error", "timeout", "unreachable"];

    /// <summary>How long a job waits for an admin to enter its Azure deployment before it looks again by itself.</summary>
    internal static readonly TimeSpan AwaitDeploymentRecheck = TimeSpan.FromHours(1);

    /// <summary>How long before a deployment Azure did not know is tried again: a new deployment takes minutes to answer.</summary>
    internal static readonly TimeSpan DeploymentNotFoundRecheck = TimeSpan.FromMinutes(10);

    // The evaluation's own limit: the runner postpones a job OpenAI knows without end, and a comparison is not worth a
    // deployable model waiting out a long outage.
    private bool IsLastAttempt(FineTuneJob job) =>
        job.FailedAttempts + 1 >= (runnerOptions?.Value ?? new FineTuneRunnerOptions()).MaxAttempts;

    /// <summary>
    /// OpenAI has trained the model, and its evaluation has not reached a verdict yet; a job waiting for its Azure
    /// deployment is not evaluating (an outage meanwhile only postpones it).
    /// </summary>
    private static bool IsEvaluating(FineTuneJob job) =>
        job.FineTunedModel is not null && !job.IsFinished && job.ErrorCode != AzureDeployment.AwaitingCode;

    /// <summary>Evaluates the trained model; returns when to look again while it waits for an Azure deployment, else null.</summary>
    private async Task<TimeSpan?> EvaluateAsync(FineTuneJob job, Func<CancellationToken, Task<FineTuneDataset>>? dataset,
        IReadOnlyList<FineTuneCheckpoint>? checkpoints, IFineTuneSink sink, CancellationToken ct)
    {
        var fineTuned = job.FineTunedModel;
        var baseModel = string.IsNullOrWhiteSpace(job.BaseModel) ? clients.Options.BaseModel : job.BaseModel;
        var planner = planners.FirstOrDefault(p => p.Name == FineTuneProviders.OpenAI && p.Handles(job.Provider));
        var limit = Math.Max(0, clients.Options.EvaluationBriefs);
        var problem = fineTuned is null ? "OpenAI named no fine-tuned model"
            : planner is null ? "no OpenAI plan provider is available"
            : dataset is null || job.CancelRequested ? "the evaluation was stopped by a cancel request"
            : limit == 0 ? $"the held-out evaluation is turned off ({OpenAIOptions.SectionName}:EvaluationBriefs is 0)"
            : job.ValidationPercent <= 0 ? "no validated examples were held out (the job's validation share is 0 %)"
            : null;
        if (problem is not null)
        {
            await NotComparedAsync(job, sink, problem, ct);
            return null;
        }

        FineTuneDataset data;
        try
        {
            data = await dataset!(ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Could not read the held-out briefs of job {JobId}", job.Id);
            await NotComparedAsync(job, sink, $"its held-out briefs could not be read ({ex.Message})", ct);
            return null;
        }
        if (job.TrainingExamples > 0 && (data.TrainingLines.Count != job.TrainingExamples || data.ValidationLines.Count != job.ValidationExamples))
            await sink.EventAsync(LocalEvent("openai-eval-data-changed", string.Create(Inv,
                $"The validated examples changed since the job started ({job.TrainingExamples:N0} for training and {job.ValidationExamples:N0} held out then, {data.TrainingLines.Count:N0} and {data.ValidationLines.Count:N0} now). The split is drawn again for the evaluation, so some held-out briefs may have been trained on, which flatters the fine-tuned model."),
                "warn"), ct);
        var set = LocalTrainingSet.Prepare(new FineTuneDataset([], data.ValidationLines)
        {
            ValidationOutcomes = data.ValidationOutcomes,
            Reference = data.Reference,
        });
        if (set.Validation.Count == 0)
        {
            await NotComparedAsync(job, sink, data.ValidationLines.Count == 0
                ? "no validated examples were held out"
                : $"none of the {Count(data.ValidationLines.Count, "held-out example")} is a MediaPlanner brief with a plan (first problem: {set.Skipped[0].Reason})", ct);
            return null;
        }

        var briefs = Spread(set.Validation, limit).Select(e => new HeldOutBrief(e.Request, e.TargetShares, e.Plan)).ToList();
        var split = string.Create(Inv,
            $"{briefs.Count:N0} of {Count(set.Validation.Count, "validated example")} held out by the export's stratified split (objective × age band, seed {job.Seed ?? LocalFineTuneBackend.DefaultSeed}), each planned once by every model through OpenAI");
        var profile = ProfileOf(job.Provider);
        var azure = profile.Kind == ProviderKind.AzureOpenAI;
        var baseDeployment = profiles?.Get(job.Provider)?.DeploymentFor(baseModel);
        if (azure && (job.FineTunedDeployment is null || baseDeployment is null))
        {
            List<(string, string)> missing = [];
            if (job.FineTunedDeployment is null)
                missing.Add(("openai-awaiting-deployment", AzureDeployment.DeployFirst(fineTuned!)));
            if (baseDeployment is null)
                missing.Add(("openai-awaiting-base-deployment", AzureDeployment.NoBaseDeployment(profile.Name, baseModel)));
            return await AwaitDeploymentAsync(job, sink, missing, AwaitDeploymentRecheck, ct);
        }
        if (job.ErrorCode == AzureDeployment.AwaitingCode)
        {
            job.DeploymentArrived();
            await sink.JobChangedAsync(job, ct);
        }

        checkpoints ??= await RemoteCheckpointsAsync(job, sink, ct);
        var models = new List<EvaluatedModel>
        {
            new("base", baseModel, $"Base model {baseModel}{Through(baseDeployment)}", null, baseDeployment),
            new("model", fineTuned!, $"Fine-tuned model {fineTuned}{Through(job.FineTunedDeployment)}", null, job.FineTunedDeployment),
        };
        var checkpointModels = checkpoints
            .Where(c => c.ModelName.Length > 0 && c.ModelName != fineTuned && c.ModelName != baseModel)
            .DistinctBy(c => c.ModelName).OrderBy(c => c.Step).ToList();
        if (azure && checkpointModels.Count > 0)
        {
            await sink.EventAsync(LocalEvent("openai-eval-azure-checkpoints", string.Create(Inv,
                $"Azure OpenAI serves a checkpoint only through a deployment of its own, so {(checkpointModels.Count == 1 ? "the job's checkpoint is" : $"the job's {checkpointModels.Count:N0} checkpoints are")} not evaluated: only the base model and the fine-tuned model are compared.")), ct);
            checkpointModels.Clear();
        }
        models.AddRange(checkpointModels.Select(c => new EvaluatedModel(c.ExternalId, c.ModelName, $"Checkpoint {c.ModelName} (step {c.Step})", c)));

        // What an earlier attempt finished (the base model first, then each model in turn) is kept, not paid for again.
        var saved = job.Recommended is null && JobEvaluation.FromJson(job.EvaluationJson) is { } p
                    && p.HeldOutBriefs == briefs.Count && p.Split == split
            ? p
            : null;
        var baseFigures = saved?.Base;
        // The base model's per-brief distances, for the paired noise check; only in memory, so a model evaluated after a
        // restart is judged on the mean gain alone.
        HeldOutRun? baseRun = null;
        var done = saved?.Checkpoints.Where(c => models.Any(m => m.Model == c.Model)).ToList() ?? [];

        await sink.EventAsync(LocalEvent("openai-eval-start", string.Create(Inv,
            $"Evaluating on {Count(briefs.Count, "held-out brief")}: the base model, the fine-tuned model and {Count(models.Count - 2, "checkpoint")} each plan every brief through {profile.Name}, as planners would get them — {briefs.Count * models.Count:N0} plan requests ({briefs.Count} × {models.Count}), billed at each model's inference price…")), ct);

        foreach (var model in models)
        {
            if (model.Key == "base" ? baseFigures is not null : done.Any(d => d.Model == model.Model))
                continue;
            (HeldOutRun Run, Usage Usage)? planned;
            try
            {
                planned = await PlanHeldOutAsync(job, planner!, model, briefs, sink, ct);
            }
            catch (DeploymentNotFoundException)
            {
                var minutes = string.Create(Inv, $"{DeploymentNotFoundRecheck.TotalMinutes:0} minutes");
                var message = model.Key == "base"
                    ? $"{profile.Name} has no deployment {model.Deployment} (404 DeploymentNotFound) for the base model {baseModel}: correct its deployment name in {profile.Name}'s base models in settings. The evaluation tries again in {minutes}."
                    : $"{profile.Name} has no deployment {model.Deployment} (404 DeploymentNotFound) for {fineTuned}. A new deployment takes a few minutes to answer, so the evaluation tries it again in {minutes}; if the model is deployed under another name, enter that name here.";
                return await AwaitDeploymentAsync(job, sink, [($"openai-deployment-not-found-{model.Deployment}", message)], DeploymentNotFoundRecheck, ct);
            }
            if (planned is not { } pass)
            {
                await NotComparedAsync(job, sink, "the evaluation was stopped by a cancel request", ct);
                return null;
            }
            var (run, usage) = pass;
            var figures = model.Key != "base" && baseRun is not null ? HeldOutEvaluator.Against(run, baseRun) : run.Figures;
            await sink.EventAsync(LocalEvent($"openai-eval-{model.Key}", string.Create(Inv,
                $"{model.Label} on the held-out briefs: {Figures(figures)}; planned {figures.Planned} of {briefs.Count} ({usage})."),
                figures.Planned < briefs.Count ? "warn" : "info"), ct);
            if (model.Key == "base")
            {
                if (figures.Planned == 0)
                {
                    await NotComparedAsync(job, sink, $"the base model {baseModel} planned none of the held-out briefs ({usage.FirstFailure ?? "no usable answer"})", ct);
                    return null;
                }
                baseFigures = figures;
                baseRun = run;
            }
            else
            {
                done.Add(new CheckpointEvaluation(model.Model, EpochOf(job, model.Checkpoint), model.Checkpoint?.Step ?? job.TotalSteps, figures));
                if (model.Checkpoint is { } checkpoint)
                    await sink.CheckpointAsync(WithFigures(checkpoint, figures), ct);
            }
            job.EvaluationJson = new JobEvaluation(briefs.Count, split, baseFigures!, [.. done], null, null, false,
                "Evaluation in progress.").ToJson();
            await sink.JobChangedAsync(job, ct);
        }

        // The fine-tuned model is the result unless a checkpoint fits clearly better (beyond noise).
        var ordered = models.Skip(1).Select(m => done.Single(d => d.Model == m.Model)).ToList();
        var best = ordered[0];
        foreach (var candidate in ordered.Skip(1))
            if (candidate.Figures.Planned > 0 && candidate.Figures.MeanDistance < best.Figures.MeanDistance - JobEvaluation.MinDistanceGain)
                best = candidate;
        var improved = JobEvaluation.Beats(best.Figures, baseFigures!);
        var verdict = JobEvaluation.VerdictFor(best.Model, best.Figures, baseFigures!);
        if (best != ordered[0])
            verdict += string.Create(Inv,
                $" It is a checkpoint of this job and can be deployed from the model registry; the fine-tuned model {fineTuned} itself is further from the validated plans (held-out distance {ordered[0].Figures.MeanDistance:0.00}).");
        var evaluation = new JobEvaluation(briefs.Count, split, baseFigures!, ordered, best.Model, best.Figures, improved, verdict);

        job.EvaluationJson = evaluation.ToJson();
        job.Recommended = improved;
        job.Verdict = Shorten(verdict, VerdictLength);
        job.Succeed(clock.GetUtcNow());
        await sink.EventAsync(LocalEvent("openai-evaluated", string.Create(Inv,
            $"{verdict} The evaluation took {briefs.Count * models.Count:N0} plan requests to {profile.Name} ({briefs.Count} held-out briefs × {models.Count} models)."),
            improved ? "info" : "warn"), ct);
        await sink.JobChangedAsync(job, ct);
        logger.LogInformation("Evaluated OpenAI fine-tuning job {JobId} on {Briefs} held-out briefs: recommended {Recommended}",
            job.Id, briefs.Count, improved);
        return null;
    }

    /// <summary>
    /// Keeps a trained Azure job running, unevaluated, until what is <paramref name="missing"/> is in place: each reason
    /// is logged once and the whole is the job's message, under <see cref="AzureDeployment.AwaitingCode"/>.
    /// </summary>
    private async Task<TimeSpan?> AwaitDeploymentAsync(
        FineTuneJob job, IFineTuneSink sink, IReadOnlyList<(string EventId, string Message)> missing, TimeSpan recheck, CancellationToken ct)
    {
        var entered = job.FineTunedDeployment;
        foreach (var (eventId, message) in missing)
            await sink.EventAsync(LocalEvent(eventId, message, "warn"), ct);
        job.AwaitDeployment(Shorten(string.Join(" ", missing.Select(m => m.Message)), 2000));
        await sink.JobChangedAsync(job, ct);
        logger.LogInformation("Fine-tuning job {JobId} waits for its Azure deployment before its evaluation", job.Id);
        // The save reads back a name an admin entered while this run held the job; the runner would otherwise wait out the recheck.
        return job.FineTunedDeployment != entered ? TimeSpan.Zero : recheck;
    }

    private static string Through(string? deployment) => deployment is null ? "" : $" (deployment {deployment})";

    /// <summary>
    /// One model on the held-out briefs, one plan request per brief; null when an admin cancelled meanwhile. A failure
    /// worth retrying stops the pass for the runner to retry; a brief the model answers unusably counts as not planned.
    /// </summary>
    private async Task<(HeldOutRun Run, Usage Usage)?> PlanHeldOutAsync(
        FineTuneJob job, IPlanProvider planner, EvaluatedModel model, IReadOnlyList<HeldOutBrief> briefs, IFineTuneSink sink, CancellationToken ct)
    {
        var usage = new Usage();
        var target = new ModelTarget(job.Provider, model.Model, null, model.Deployment);
        var answers = new Dictionary<PlanRequest, IReadOnlyList<MediaPlan>?>(ReferenceEqualityComparer.Instance);
        foreach (var brief in briefs)
        {
            // A pass can outlast the runner's lease (real plans take seconds each): each save renews it, and reads a cancel.
            await sink.JobChangedAsync(job, ct);
            if (job.CancelRequested)
                return null;
            usage.Requests++;
            try
            {
                var result = await planner.GenerateAsync(brief.Request, target, 1, ct);
                usage.InputTokens += result.InputTokens;
                usage.OutputTokens += result.OutputTokens;
                answers[brief.Request] = result.Plans;
            }
            catch (PlanProviderException ex) when (TransientPlanFailures.Contains(ex.Code))
            {
                throw new TransientFineTuneException(
                    $"{ex.Message} (while the {char.ToLowerInvariant(model.Label[0])}{model.Label[1..]} planned held-out brief {usage.Requests} of {briefs.Count}; the evaluation carries on from this model).",
                    null, ex);
            }
            catch (PlanProviderException ex) when (ex.Code == "model_not_found" && model.Deployment is not null)
            {
                // A deployment Azure does not know answers every brief the same way: not the model's fault, so no figures.
                throw new DeploymentNotFoundException(ex);
            }
            catch (PlanProviderException ex)
            {
                usage.FirstFailure ??= ex.Message;
                answers[brief.Request] = null;
            }
        }
        var run = await HeldOutEvaluator.RunAsync(briefs,
            (request, _) => Task.FromResult(answers[request] ?? throw new InvalidOperationException("Not planned.")), ct);
        return (run, usage);
    }

    /// <summary>The checkpoints OpenAI kept, read when the job was found already finished (no poll read them).</summary>
    private async Task<IReadOnlyList<FineTuneCheckpoint>> RemoteCheckpointsAsync(FineTuneJob job, IFineTuneSink sink, CancellationToken ct)
    {
        var client = Client(job);
        var checkpoints = await CallAsync(job, "reading the job's checkpoints", async t =>
            await client.CheckpointsAsync(await client.GetJobAsync(job.ExternalId!, t), t), ct);
        foreach (var checkpoint in checkpoints)
            await sink.CheckpointAsync(checkpoint, ct);
        return checkpoints;
    }

    /// <summary>Ends the job succeeded but not recommended: the model is kept, the reason is said plainly.</summary>
    private async Task NotComparedAsync(FineTuneJob job, IFineTuneSink sink, string reason, CancellationToken ct)
    {
        var verdict = $"{job.FineTunedModel ?? "The fine-tuned model"} could not be compared with the base model: {Shorten(reason, 600)} — not recommended for deployment.";
        job.DeploymentArrived();
        job.EvaluationJson = null;
        job.Recommended = false;
        job.Verdict = Shorten(verdict, VerdictLength);
        job.Succeed(clock.GetUtcNow());
        await sink.EventAsync(LocalEvent("openai-not-compared", verdict, "warn"), ct);
        await sink.JobChangedAsync(job, ct);
    }

    // FineTuneJob.Verdict's column length.
    private const int VerdictLength = 1000;

    /// <summary>Up to <paramref name="limit"/> examples spread evenly over the split's order, so every stratum is represented.</summary>
    private static IEnumerable<T> Spread<T>(IReadOnlyList<T> items, int limit) =>
        items.Count <= limit ? items : Enumerable.Range(0, limit).Select(i => items[(int)((long)i * items.Count / limit)]);

    /// <summary>The epoch a checkpoint closes (OpenAI keeps one per epoch); the job's epochs for its final model; 0 when unknown.</summary>
    private static int EpochOf(FineTuneJob job, FineTuneCheckpoint? checkpoint)
    {
        if (job.Epochs is not { } epochs || job.TotalSteps <= 0)
            return 0;
        var step = checkpoint?.Step ?? job.TotalSteps;
        return Math.Clamp((int)Math.Ceiling(step * (double)epochs / job.TotalSteps), 1, epochs);
    }

    private static FineTuneCheckpoint WithFigures(FineTuneCheckpoint c, HeldOutFigures figures) => new()
    {
        ExternalId = c.ExternalId,
        ModelName = c.ModelName,
        Step = c.Step,
        CreatedAt = c.CreatedAt,
        TrainLoss = c.TrainLoss,
        TrainAccuracy = c.TrainAccuracy,
        ValidLoss = c.ValidLoss,
        ValidAccuracy = c.ValidAccuracy,
        FullValidLoss = c.FullValidLoss,
        FullValidAccuracy = c.FullValidAccuracy,
        EvaluationJson = JobEvaluation.FiguresToJson(figures),
    };

    private static string Figures(HeldOutFigures f) => string.Create(Inv,
        $"distance to the validated plans {f.MeanDistance:0.000}, {f.Agreement:0.0%} of the budget placed as they placed it, quality {f.MeanQuality:0.0}, {f.WithinBudgetRate:0%} of plans on budget to the cent");

    private static string Count(int n, string noun) => string.Create(Inv, $"{n:N0} {noun}{(n == 1 ? "" : "s")}");

    /// <summary>
    /// A model to evaluate; <see cref="Key"/> makes its event id, so a replay never logs it twice. <paramref name="Deployment"/>
    /// is the name Azure OpenAI serves it under: the request carries it, the figures keep the model's name.
    /// </summary>
    private sealed record EvaluatedModel(string Key, string Model, string Label, FineTuneCheckpoint? Checkpoint, string? Deployment = null);

    /// <summary>Azure answered 404 for a model's deployment: the evaluation waits for a name that works.</summary>
    private sealed class DeploymentNotFoundException(PlanProviderException inner) : Exception(inner.Message, inner);

    /// <summary>What one model's pass cost and the first reason a brief went unplanned.</summary>
    private sealed class Usage
    {
        public int Requests { get; set; }
        public long InputTokens { get; set; }
        public long OutputTokens { get; set; }
        public string? FirstFailure { get; set; }

        public override string ToString() =>
            string.Create(Inv, $"{Requests:N0} plan requests, {InputTokens:N0} input and {OutputTokens:N0} output tokens")
            + (FirstFailure is null ? "" : $"; first failure: {Shorten(FirstFailure, 300)}");
    }
}
