using System.Globalization;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Training;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MediaPlanner.Domain.Providers.OpenAI;

// A little over 400 lines on purpose: the job's stages (upload, create, poll, final state) resume from what the job records
// and read best in one file; the provider side (.Errors) and the held-out evaluation (.Evaluation) are part files.

/// <summary>
/// The job state machine for every hosted provider profile (OpenAI, Azure OpenAI, OpenAI-compatible). Each call moves the
/// job one stage on, resuming from what the job already records: upload the training (and validation) file as the
/// provider accepts it (<see cref="TrainingFileRules"/>), create the supervised job with the body the profile's kind
/// takes, then poll its status, events and checkpoints until it finishes. A job the provider finished is then evaluated on
/// held-out briefs against its base model (see the Evaluation part) before it counts as succeeded. The REST calls live in
/// <see cref="HostedFineTuningClient"/>; <see cref="ProviderErrorClassifier"/> sorts their failures: hiccups surface as
/// <see cref="TransientFineTuneException"/> for the runner to retry, a rejected key or request fails the job with a message
/// an admin can act on, and a provider that no longer trains (403 training_not_available) is recorded on its profile.
/// </summary>
public sealed partial class OpenAIFineTuneBackend(
    OpenAIClientFactory clients,
    IEnumerable<IPlanProvider> planners,
    TimeProvider clock,
    ILogger<OpenAIFineTuneBackend> logger,
    IOptions<FineTuneRunnerOptions>? runnerOptions = null,
    ProviderProfileService? profiles = null,
    PrivacySettingsService? settings = null)
    : IFineTuneBackend, IRemoteJobReader
{
    public const int MaxSuffixLength = TrainingFileRules.MaxSuffixLength;

    public string Provider => FineTuneProviders.OpenAI;

    public bool IsConfigured => clients.Options.IsConfigured;

    /// <summary>The file rules per provider kind; tests shrink the size limit.</summary>
    internal Func<ProviderKind, TrainingFileRules> FileRules { get; init; } = TrainingFileRules.For;

    /// <summary>Jobs of every hosted profile: the primary OpenAI one and any an admin added.</summary>
    public bool Handles(string provider) => provider == Provider || profiles?.IsHosted(provider) == true;

    public bool IsConfiguredFor(string provider) =>
        provider == Provider ? IsConfigured : profiles?.Connection(provider)?.ApiKey is not null;

    /// <summary>Why OpenAI would refuse this suffix, or null when it is fine (empty means none).</summary>
    public static string? ValidateSuffix(string? suffix) => TrainingFileRules.For(ProviderKind.OpenAI).ValidateSuffix(suffix);

    public async Task<TimeSpan?> AdvanceAsync(
        FineTuneJob job, Func<CancellationToken, Task<FineTuneDataset>> dataset, IFineTuneSink sink, CancellationToken ct)
    {
        if (job.IsFinished)
            return null;
        if (ConfigurationProblem(job.Provider) is { } problem)
        {
            await FailAsync(job, sink, problem.Code, problem.Message, null, ct);
            return null;
        }
        try
        {
            return job.ExternalId is { } externalId
                ? await PollAsync(job, externalId, dataset, sink, ct)
                : await StartAsync(job, dataset, sink, ct);
        }
        catch (TransientFineTuneException transient) when (IsEvaluating(job) && IsLastAttempt(job))
        {
            // The runner only postpones a job the provider knows, so a long outage would keep a trained, paid-for model out
            // of the registry for as long as it lasts: after the runner's attempts, it succeeds now, uncompared and unrecommended.
            await NotComparedAsync(job, sink, $"{ProfileOf(job.Provider).Name} kept failing after the model was trained ({transient.Message})", ct);
            return null;
        }
        catch (ProviderRejectedException rejected) when (rejected.Error.Kind == ProviderErrorKind.TrainingUnavailable)
        {
            var message = TrainingUnavailableMessage(ProfileOf(job.Provider));
            if (profiles is not null)
                await profiles.SetTrainingUnavailableAsync(job.Provider, message, ct);
            logger.LogWarning("Provider {Provider} no longer accepts fine-tuning jobs (403 training_not_available); job {JobId} failed", job.Provider, job.Id);
            await FailAsync(job, sink, ProviderErrorClassifier.TrainingNotAvailable, MayStillRun(job, message, rejected.Error.Status), null, ct);
            return null;
        }
        catch (ProviderRejectedException rejected)
        {
            await FailAsync(job, sink, rejected.Code, MayStillRun(job, rejected.Message, rejected.Error.Status), rejected.Error.Param, ct);
            return null;
        }
    }

    public async Task CancelAsync(FineTuneJob job, IFineTuneSink sink, CancellationToken ct)
    {
        if (job.IsFinished)
            return;
        var name = ProfileOf(job.Provider).Name;
        if (job.ExternalId is not { } externalId)
        {
            await MarkCancelledAsync(job, sink, $"Cancelled before a job was created at {name}.", ct);
            return;
        }
        if (ConfigurationProblem(job.Provider) is { } problem)
        {
            await FailAsync(job, sink, problem.Code,
                $"Could not cancel the job at {name}: {problem.Message} The job {job.ExternalId} may still be running there; cancel it in the {name} dashboard.",
                null, ct);
            return;
        }

        RemoteJob remote;
        try
        {
            var client = Client(job);
            remote = await CallAsync(job, "cancelling the job", t => client.CancelAsync(externalId, t), ct);
        }
        catch (ProviderRejectedException rejected) when (rejected.Error.Status == 404)
        {
            await MarkCancelledAsync(job, sink, $"{name} no longer knows the job {job.ExternalId}; marked cancelled here.", ct);
            return;
        }
        catch (ProviderRejectedException rejected)
        {
            await FailAsync(job, sink, rejected.Code,
                $"Could not cancel the job at {name}: {rejected.Message} The job {job.ExternalId} may still be running there.",
                rejected.Error.Param, ct);
            return;
        }

        if (remote.IsFinished && remote.Status != "cancelled")
        {
            // It finished at the provider before the cancel arrived: keep the real outcome.
            await ApplyFinalStateAsync(job, remote, sink, ct);
            return;
        }
        await MarkCancelledAsync(job, sink, $"Cancelled the job {job.ExternalId} at {name}.", ct);
    }

    /// <summary>The provider's job with this id, for re-attaching it; a 404 says the provider does not know it.</summary>
    public async Task<RemoteJobLookup> ReadRemoteJobAsync(string provider, string externalId, CancellationToken ct)
    {
        if (ConfigurationProblem(provider) is { } problem)
            return new(null, problem.Message);
        var profile = ProfileOf(provider);
        RemoteJob remote;
        try
        {
            remote = await new HostedFineTuningClient(clients, provider).GetJobAsync(externalId, ct);
        }
        catch (Exception ex) when (ProviderErrorClassifier.Classify(ex, clock.GetUtcNow(), ct) is { } error)
        {
            return error.Status == 404
                ? new(null, $"{profile.Name} does not know a fine-tuning job {externalId}: check the id in the {profile.Name} dashboard.", NotFound: true)
                : new(null, ErrorMessage(profile, error, "reading the job"));
        }
        // A compatible service names the values its own way; OpenAI and Azure answer with OpenAI's names.
        var mapping = profile.Kind == ProviderKind.OpenAICompatible ? profile.Mapping : HyperparameterMapping.OpenAI;
        var rate = remote.Hyperparameter(mapping.LearningRate);
        var hyperparameters = new FineTuneHyperparameters((int?)remote.Hyperparameter(mapping.Epochs), (int?)remote.Hyperparameter(mapping.BatchSize),
            rate is { } r && mapping.LearningRateScale > 0 ? r / mapping.LearningRateScale : null);
        return new(new RemoteJobSummary(remote.Id, remote.Model ?? "", remote.Status, remote.Suffix,
            remote.Seed is { } seed and >= int.MinValue and <= int.MaxValue ? (int)seed : null, hyperparameters,
            remote.TrainingFile, remote.ValidationFile), null);
    }

    private async Task<TimeSpan?> StartAsync(
        FineTuneJob job, Func<CancellationToken, Task<FineTuneDataset>> dataset, IFineTuneSink sink, CancellationToken ct)
    {
        var profile = ProfileOf(job.Provider);
        var rules = FileRules(profile.Kind);
        if (ValidateRequest(job, rules) is { } invalid)
        {
            await FailAsync(job, sink, invalid.Code, invalid.Message, invalid.Param, ct);
            return null;
        }
        var client = Client(job);

        // The dataset is read only while a file still has to go up; after a restart the saved file ids are reused.
        if (job.TrainingFileId is null || (job.ValidationFileId is null && job.ValidationPercent > 0))
        {
            var data = await dataset(ct);
            if (job.TrainingFileId is null && data.TrainingLines.Count == 0)
            {
                await FailAsync(job, sink, "no_training_data", "There are no training examples to upload.", null, ct);
                return null;
            }
            // Read once for both files, so a training and a validation file uploaded together are in the same mode.
            var anonymise = settings?.AnonymiseOutbound == true;
            var names = anonymise ? "client names replaced by placeholders" : "client names as written";
            // Both files are sized before either goes up, so a file the provider would refuse costs no upload.
            var training = job.TrainingFileId is null ? rules.Encode(Outbound(data.TrainingLines, anonymise)) : null;
            var validation = job.ValidationFileId is null && data.ValidationLines.Count > 0 ? rules.Encode(Outbound(data.ValidationLines, anonymise)) : null;
            if ((training is null ? null : rules.ValidateSize(training.LongLength, "training")) is { } trainingTooLarge)
            {
                await FailAsync(job, sink, "file_too_large", trainingTooLarge, "training_file", ct);
                return null;
            }
            if ((validation is null ? null : rules.ValidateSize(validation.LongLength, "validation")) is { } validationTooLarge)
            {
                await FailAsync(job, sink, "file_too_large", validationTooLarge, "validation_file", ct);
                return null;
            }
            if (training is not null)
            {
                job.TrainingFileId = await UploadAsync(job, client, training, "train", ct);
                await sink.EventAsync(LocalEvent($"openai-upload-train-{job.TrainingFileId}",
                    $"Uploaded {Lines(data.TrainingLines.Count, "training example")} to {profile.Name} as {job.TrainingFileId} ({TrainingFileRules.Size(training.LongLength)}{(rules.ByteOrderMark ? ", UTF-8 with BOM" : "")}; {names})."), ct);
                await sink.JobChangedAsync(job, ct);
            }
            if (validation is not null)
            {
                job.ValidationFileId = await UploadAsync(job, client, validation, "valid", ct);
                await sink.EventAsync(LocalEvent($"openai-upload-valid-{job.ValidationFileId}",
                    $"Uploaded {Lines(data.ValidationLines.Count, "validation example")} to {profile.Name} as {job.ValidationFileId} ({TrainingFileRules.Size(validation.LongLength)}; {names})."), ct);
                await sink.JobChangedAsync(job, ct);
            }
        }

        // Creating the job starts billing, so an admin's cancel that arrived during the uploads wins.
        if (await sink.CancelRequestedAsync(ct))
        {
            await MarkCancelledAsync(job, sink, $"Cancelled before a job was created at {profile.Name}.", ct);
            return null;
        }

        // A create whose answer was lost (timeout, unreadable reply, crash before saving) may still have made the
        // job: adopt it by its training file rather than start and pay for a second one.
        RemoteJob? remote;
        try
        {
            var trainingFile = job.TrainingFileId;
            remote = await CallAsync(job, "looking for a job already created from this training file",
                t => client.FindRecentJobAsync(j => j.TrainingFile == trainingFile, t), ct);
        }
        catch (ProviderRejectedException rejected) when (rejected.Error.Status is not (401 or 403 or 429))
        {
            // A compatible server without job listing: the safeguard is lost, the job can still be created.
            logger.LogWarning("Could not list {Provider} jobs ({Code}); creating job {JobId} without checking for a lost create", job.Provider, rejected.Code, job.Id);
            remote = null;
        }
        if (remote is not null)
        {
            await sink.EventAsync(LocalEvent($"openai-adopted-{remote.Id}",
                $"Found the {profile.Name} job {remote.Id} already created from {job.TrainingFileId}; following it."), ct);
        }
        else
        {
            var baseModel = string.IsNullOrWhiteSpace(job.BaseModel) ? clients.Options.BaseModel : job.BaseModel;
            var body = HostedFineTuningClient.JobBody(profile.Kind, profile.TrainingType, profile.Mapping, baseModel, job);
            remote = await CallAsync(job, "creating the fine-tuning job", t => client.CreateJobAsync(body, t), ct);
            logger.LogInformation("Created {Provider} fine-tuning job {ExternalId} for job {JobId}", job.Provider, remote.Id, job.Id);
            var settings = profile.Kind == ProviderKind.OpenAICompatible
                ? $"hyperparameters {body["hyperparameters"]!.ToJsonString()}"
                : $"supervised; epochs {Auto(job.Epochs)}, batch size {Auto(job.BatchSize)}, learning-rate multiplier {Auto(job.LearningRateMultiplier)}" +
                  (profile.Kind == ProviderKind.AzureOpenAI ? $"; training type {body["trainingType"]}" : "");
            await sink.EventAsync(LocalEvent($"openai-created-{remote.Id}",
                $"Created the {profile.Name} fine-tuning job {remote.Id} on {baseModel} ({settings})."), ct);
        }

        job.ExternalId = remote.Id;
        if (remote.IsFinished)
            return await ApplyFinalStateAsync(job, remote, sink, ct, dataset);
        Apply(job, remote);
        await sink.JobChangedAsync(job, ct);
        return clients.Options.PollWhileQueued;
    }

    /// <summary>The lines as they leave the app: with client names replaced when the admin has asked for it.</summary>
    private static IReadOnlyList<string> Outbound(IReadOnlyList<string> lines, bool anonymise) =>
        anonymise ? [.. lines.Select(line => Anonymiser.AnonymiseLine(line))] : lines;

    private async Task<TimeSpan?> PollAsync(
        FineTuneJob job, string externalId, Func<CancellationToken, Task<FineTuneDataset>> dataset, IFineTuneSink sink, CancellationToken ct)
    {
        var client = Client(job);
        var remote = await CallAsync(job, "checking the job", t => client.GetJobAsync(externalId, t), ct);

        var fresh = await CallAsync(job, "reading the job's events", t => client.NewEventsAsync(remote, job.LastEventCursor, t), ct);
        // Newest first from the provider; stored oldest first so the log reads in order, then the cursor moves.
        fresh.Reverse();
        foreach (var e in fresh)
        {
            await sink.EventAsync(e.ToEvent(), ct);
            if (e.Step is { } step)
                job.Progress(Math.Max(job.CompletedSteps, step));
            if (e.TotalSteps is { } total)
                job.Progress(job.CompletedSteps, total);
        }
        if (fresh.Count > 0)
            job.LastEventCursor = fresh[^1].Id;
        if (job.TotalSteps == 0 && remote.Epochs is { } epochs && remote.BatchSize is { } batch && batch > 0 && job.TrainingExamples > 0)
            job.Progress(job.CompletedSteps, epochs * (int)Math.Ceiling(job.TrainingExamples / (double)batch));

        List<FineTuneCheckpoint>? checkpoints = null;
        if (remote.Status is not ("validating_files" or "queued"))
        {
            checkpoints = await CallAsync(job, "reading the job's checkpoints", t => client.CheckpointsAsync(remote, t), ct);
            foreach (var checkpoint in checkpoints)
                await sink.CheckpointAsync(checkpoint, ct);
        }

        if (remote.IsFinished)
            return await ApplyFinalStateAsync(job, remote, sink, ct, dataset, checkpoints);
        Apply(job, remote);
        await sink.JobChangedAsync(job, ct);
        if (job.CancelRequested)
            return TimeSpan.Zero;
        return job.Status == FineTuneStatus.Running ? clients.Options.PollWhileRunning : clients.Options.PollWhileQueued;
    }

    /// <summary>
    /// Takes the provider's view of a job still under way: its status, model name, tokens and estimate. A finished one
    /// goes through <see cref="ApplyFinalStateAsync"/>, which ends the job here as the provider ended it.
    /// </summary>
    private void Apply(FineTuneJob job, RemoteJob remote)
    {
        switch (MapStatus(remote.Status))
        {
            case FineTuneStatus.ValidatingFiles or FineTuneStatus.Queued:
                job.Wait(MapStatus(remote.Status)!.Value);
                break;
            case FineTuneStatus.Running or FineTuneStatus.Succeeded:
                job.Start(clock.GetUtcNow());
                break;
            case null:
                logger.LogWarning("{Provider} job {ExternalId} has an unknown status {Status}; keeping {Current}", job.Provider, remote.Id, remote.Status, job.Status);
                break;
        }
        job.FineTunedModel = remote.FineTunedModel ?? job.FineTunedModel;
        job.TrainedTokens = remote.TrainedTokens ?? job.TrainedTokens;
        job.EstimatedFinish = remote.EstimatedFinish;
    }

    /// <summary>
    /// Records how the job ended at the provider. A succeeded job is evaluated before it counts as succeeded here;
    /// <paramref name="dataset"/> is null where no evaluation can run (a cancel that arrived after the provider finished).
    /// Returns when to look again: null once the job is finished, later while the evaluation waits for an Azure deployment.
    /// </summary>
    private async Task<TimeSpan?> ApplyFinalStateAsync(FineTuneJob job, RemoteJob remote, IFineTuneSink sink, CancellationToken ct,
        Func<CancellationToken, Task<FineTuneDataset>>? dataset = null, IReadOnlyList<FineTuneCheckpoint>? checkpoints = null)
    {
        var name = ProfileOf(job.Provider).Name;
        Apply(job, remote);
        var finishedAt = remote.FinishedAt ?? job.FinishedAt ?? clock.GetUtcNow();
        switch (MapStatus(remote.Status))
        {
            case FineTuneStatus.Succeeded:
                // The model's name is saved before the evaluation spends anything; the job stays unfinished (so not yet
                // deployable, and retried by the runner like any other stage) until the evaluation has a verdict.
                job.Trained(finishedAt, clock.GetUtcNow());
                await sink.EventAsync(LocalEvent("openai-succeeded",
                    $"{name} finished the job: the fine-tuned model is {job.FineTunedModel ?? "(not named)"}" +
                    (job.TrainedTokens is { } tokens ? $", trained on {tokens:N0} tokens." : ".")), ct);
                await sink.JobChangedAsync(job, ct);
                return await EvaluateAsync(job, dataset, checkpoints, sink, ct);
            case FineTuneStatus.Failed:
                job.Fail(remote.Error?.Code ?? "failed", remote.Error?.Message ?? $"{name} reported the job as failed without saying why.",
                    remote.Error?.Param, finishedAt);
                await sink.EventAsync(LocalEvent($"openai-failed-{job.ErrorCode}",
                    $"{name} failed the job ({job.ErrorCode}): {job.ErrorMessage}", "error"), ct);
                break;
            case FineTuneStatus.Cancelled:
                job.Cancel(finishedAt);
                await sink.EventAsync(LocalEvent("openai-cancelled", $"The job {job.ExternalId} was cancelled at {name}.", "warn"), ct);
                break;
        }
        await sink.JobChangedAsync(job, ct);
        return null;
    }

    private async Task MarkCancelledAsync(FineTuneJob job, IFineTuneSink sink, string message, CancellationToken ct)
    {
        job.Cancel(clock.GetUtcNow());
        await sink.EventAsync(LocalEvent("openai-cancelled", message, "warn"), ct);
        await sink.JobChangedAsync(job, ct);
    }

    private async Task FailAsync(FineTuneJob job, IFineTuneSink sink, string code, string message, string? param, CancellationToken ct)
    {
        logger.LogWarning("{Provider} fine-tuning job {JobId} failed: {Code}", job.Provider, job.Id, code);
        job.Fail(code, message, param, clock.GetUtcNow());
        await sink.EventAsync(LocalEvent($"openai-failed-{code}", message, "error"), ct);
        await sink.JobChangedAsync(job, ct);
    }

    private Task<string> UploadAsync(FineTuneJob job, HostedFineTuningClient client, byte[] content, string part, CancellationToken ct) =>
        CallAsync(job, $"uploading the {(part == "train" ? "training" : "validation")} file",
            t => client.UploadAsync($"mediaplanner-job-{job.Id}-{part}.jsonl", content, t), ct);

    private HostedFineTuningClient Client(FineTuneJob job) => new(clients, job.Provider);

    private static (string Code, string Message, string Param)? ValidateRequest(FineTuneJob job, TrainingFileRules rules)
    {
        if (rules.ValidateSuffix(job.Suffix) is { } suffixProblem)
            return ("invalid_suffix", suffixProblem, "suffix");
        if (job.Epochs is < 1)
            return ("invalid_n_epochs", "The number of epochs must be at least 1, or left on auto.", "n_epochs");
        if (job.BatchSize is < 1)
            return ("invalid_batch_size", "The batch size must be at least 1, or left on auto.", "batch_size");
        if (job.LearningRateMultiplier is { } lr && !(lr > 0))
            return ("invalid_learning_rate_multiplier", "The learning-rate multiplier must be above 0, or left on auto.", "learning_rate_multiplier");
        return null;
    }

    private static FineTuneStatus? MapStatus(string? status) => status switch
    {
        "validating_files" => FineTuneStatus.ValidatingFiles,
        "queued" => FineTuneStatus.Queued,
        "running" => FineTuneStatus.Running,
        "succeeded" => FineTuneStatus.Succeeded,
        "failed" => FineTuneStatus.Failed,
        "cancelled" => FineTuneStatus.Cancelled,
        _ => null,
    };

    private FineTuneEvent LocalEvent(string externalId, string message, string level = "info") =>
        new() { ExternalId = externalId, CreatedAt = clock.GetUtcNow(), Level = level, Message = message };

    private static string Auto<T>(T? value) where T : struct =>
        value is { } v ? Convert.ToString(v, CultureInfo.InvariantCulture) ?? "auto" : "auto";

    private static string Lines(int n, string noun) => string.Create(CultureInfo.InvariantCulture, $"{n} {noun}{(n == 1 ? "" : "s")}");

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..max] + "…";
}
