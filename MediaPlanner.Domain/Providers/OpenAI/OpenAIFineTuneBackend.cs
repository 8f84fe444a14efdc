using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenAI.Files;
using OpenAI.FineTuning;

#pragma warning disable OPENAI001 // fine-tuning is experimental in the SDK

namespace MediaPlanner.Domain.Providers.OpenAI;

/// <summary>
/// Fine-tunes at OpenAI. Each call moves the job one stage on, resuming from what the job already records: upload the
/// training (and validation) file, create the supervised job, then poll its status, events and checkpoints until it
/// finishes. A job OpenAI finished is then evaluated on held-out briefs against its base model (see the Evaluation part)
/// before it counts as succeeded. Provider hiccups (429, 5xx, timeouts, unreadable answers) surface as
/// <see cref="TransientFineTuneException"/> for the runner to retry; a rejected key or request fails the job with a
/// message an admin can act on.
/// </summary>
public sealed partial class OpenAIFineTuneBackend(
    OpenAIClientFactory clients,
    IEnumerable<IPlanProvider> planners,
    TimeProvider clock,
    ILogger<OpenAIFineTuneBackend> logger,
    IOptions<FineTuneRunnerOptions>? runnerOptions = null,
    ProviderProfileService? profiles = null)
    : IFineTuneBackend
{
    public const int MaxSuffixLength = 64;
    private const int EventPageSize = 100;
    // Bounds one poll's reading when a job has logged a great deal since the last look.
    private const int MaxEventPages = 50;
    private const int CheckpointPageSize = 100;
    private const int RecentJobsToSearch = 50;

    public string Provider => FineTuneProviders.OpenAI;

    public bool IsConfigured => clients.Options.IsConfigured;

    /// <summary>Jobs of every hosted profile: the primary OpenAI one and any an admin added.</summary>
    public bool Handles(string provider) => provider == Provider || profiles?.IsHosted(provider) == true;

    public bool IsConfiguredFor(string provider) =>
        provider == Provider ? IsConfigured : profiles?.Connection(provider)?.ApiKey is not null;

    /// <summary>Why OpenAI would refuse this suffix, or null when it is fine (empty means none).</summary>
    public static string? ValidateSuffix(string? suffix) =>
        suffix is { Length: > MaxSuffixLength }
            ? $"The model suffix may be at most {MaxSuffixLength} characters; this one has {suffix.Length}."
            : null;

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
            // The runner only postpones a job OpenAI knows, so a long outage would keep a trained, paid-for model out of the
            // registry for as long as it lasts: after the runner's attempts, it succeeds now, uncompared and unrecommended.
            await NotComparedAsync(job, sink, $"OpenAI kept failing after the model was trained ({transient.Message})", ct);
            return null;
        }
        catch (OpenAIRejectedException rejected)
        {
            var message = job.ExternalId is null || rejected.Status == 404
                ? rejected.Message
                : $"{rejected.Message} The job {job.ExternalId} may still be running at OpenAI.";
            await FailAsync(job, sink, rejected.Code, message, rejected.Param, ct);
            return null;
        }
    }

    public async Task CancelAsync(FineTuneJob job, IFineTuneSink sink, CancellationToken ct)
    {
        if (job.IsFinished)
            return;
        if (job.ExternalId is not { } externalId)
        {
            await MarkCancelledAsync(job, sink, "Cancelled before a job was created at OpenAI.", ct);
            return;
        }
        if (ConfigurationProblem(job.Provider) is { } problem)
        {
            await FailAsync(job, sink, problem.Code,
                $"Could not cancel the job at OpenAI: {problem.Message} The job {job.ExternalId} may still be running there; cancel it in the OpenAI dashboard.",
                null, ct);
            return;
        }

        RemoteJob remote;
        try
        {
            var client = clients.CreateFineTuningClient(job.Provider);
            remote = await CallAsync("cancelling the job", async options =>
            {
                var current = await client.GetJobAsync(externalId, ct);
                var snapshot = RemoteJob.Parse(current.GetRawResponse().Content);
                if (snapshot.IsFinished)
                    return snapshot;
                var cancelled = await current.CancelAsync(options);
                return RemoteJob.Parse(cancelled.GetRawResponse().Content);
            }, ct);
        }
        catch (OpenAIRejectedException rejected) when (rejected.Status == 404)
        {
            await MarkCancelledAsync(job, sink, $"OpenAI no longer knows the job {job.ExternalId}; marked cancelled here.", ct);
            return;
        }
        catch (OpenAIRejectedException rejected)
        {
            await FailAsync(job, sink, rejected.Code,
                $"Could not cancel the job at OpenAI: {rejected.Message} The job {job.ExternalId} may still be running there.",
                rejected.Param, ct);
            return;
        }

        if (remote.IsFinished && remote.Status != "cancelled")
        {
            // It finished at OpenAI before the cancel arrived: keep the real outcome.
            await ApplyFinalStateAsync(job, remote, sink, ct);
            return;
        }
        await MarkCancelledAsync(job, sink, $"Cancelled the job {job.ExternalId} at OpenAI.", ct);
    }

    private async Task<TimeSpan?> StartAsync(
        FineTuneJob job, Func<CancellationToken, Task<FineTuneDataset>> dataset, IFineTuneSink sink, CancellationToken ct)
    {
        if (ValidateRequest(job) is { } invalid)
        {
            await FailAsync(job, sink, invalid.Code, invalid.Message, invalid.Param, ct);
            return null;
        }

        // The dataset is read only while a file still has to go up; after a restart the saved file ids are reused.
        FineTuneDataset? data = null;
        if (job.TrainingFileId is null || (job.ValidationFileId is null && job.ValidationPercent > 0))
            data = await dataset(ct);

        if (job.TrainingFileId is null)
        {
            if (data!.TrainingLines.Count == 0)
            {
                await FailAsync(job, sink, "no_training_data", "There are no training examples to upload.", null, ct);
                return null;
            }
            job.TrainingFileId = await UploadAsync(job, data.TrainingLines, "train", ct);
            await sink.EventAsync(LocalEvent($"openai-upload-train-{job.TrainingFileId}",
                $"Uploaded {data.TrainingLines.Count} training examples to OpenAI as {job.TrainingFileId}."), ct);
            await sink.JobChangedAsync(job, ct);
        }
        if (job.ValidationFileId is null && data is { ValidationLines.Count: > 0 })
        {
            job.ValidationFileId = await UploadAsync(job, data.ValidationLines, "valid", ct);
            await sink.EventAsync(LocalEvent($"openai-upload-valid-{job.ValidationFileId}",
                $"Uploaded {data.ValidationLines.Count} validation examples to OpenAI as {job.ValidationFileId}."), ct);
            await sink.JobChangedAsync(job, ct);
        }

        // Creating the job starts billing, so an admin's cancel that arrived during the uploads wins.
        if (await sink.CancelRequestedAsync(ct))
        {
            await MarkCancelledAsync(job, sink, "Cancelled before a job was created at OpenAI.", ct);
            return null;
        }

        var client = clients.CreateFineTuningClient(job.Provider);
        // A create whose answer was lost (timeout, unreadable reply, crash before saving) may still have made the
        // job: adopt it by its training file rather than start and pay for a second one.
        RemoteJob? remote;
        try
        {
            remote = await CallAsync("looking for a job already created from this training file",
                _ => FindJobByTrainingFileAsync(client, job.TrainingFileId, ct), ct);
        }
        catch (OpenAIRejectedException rejected) when (rejected.Status is not (401 or 403 or 429))
        {
            // A compatible server without job listing: the safeguard is lost, the job can still be created.
            logger.LogWarning("Could not list OpenAI jobs ({Code}); creating job {JobId} without checking for a lost create", rejected.Code, job.Id);
            remote = null;
        }
        if (remote is not null)
        {
            await sink.EventAsync(LocalEvent($"openai-adopted-{remote.Id}",
                $"Found the OpenAI job {remote.Id} already created from {job.TrainingFileId}; following it."), ct);
        }
        else
        {
            var request = new FineTuningOptions
            {
                TrainingMethod = FineTuningTrainingMethod.CreateSupervised(
                    batchSize: job.BatchSize is { } b ? HyperparameterBatchSize.CreateSize(b) : HyperparameterBatchSize.CreateAuto(),
                    epochCount: job.Epochs is { } e ? HyperparameterEpochCount.CreateEpochCount(e) : HyperparameterEpochCount.CreateAuto(),
                    learningRate: job.LearningRateMultiplier is { } lr
                        ? HyperparameterLearningRate.CreateMultiplier(lr)
                        : HyperparameterLearningRate.CreateAuto()),
                Suffix = string.IsNullOrWhiteSpace(job.Suffix) ? null : job.Suffix.Trim(),
                Seed = job.Seed,
                ValidationFile = job.ValidationFileId,
            };
            var baseModel = string.IsNullOrWhiteSpace(job.BaseModel) ? clients.Options.BaseModel : job.BaseModel;
            remote = await CallAsync("creating the fine-tuning job", async _ =>
            {
                var created = await client.FineTuneAsync(baseModel, job.TrainingFileId, waitUntilCompleted: false, request, ct);
                return RemoteJob.Parse(created.GetRawResponse().Content);
            }, ct);
            logger.LogInformation("Created OpenAI fine-tuning job {ExternalId} for job {JobId}", remote.Id, job.Id);
            await sink.EventAsync(LocalEvent($"openai-created-{remote.Id}",
                $"Created the OpenAI fine-tuning job {remote.Id} on {baseModel} (supervised; epochs {Auto(job.Epochs)}, " +
                $"batch size {Auto(job.BatchSize)}, learning-rate multiplier {Auto(job.LearningRateMultiplier)})."), ct);
        }

        job.ExternalId = remote.Id;
        if (remote.IsFinished)
        {
            await ApplyFinalStateAsync(job, remote, sink, ct, dataset);
            return null;
        }
        Apply(job, remote);
        await sink.JobChangedAsync(job, ct);
        return clients.Options.PollWhileQueued;
    }

    private async Task<TimeSpan?> PollAsync(
        FineTuneJob job, string externalId, Func<CancellationToken, Task<FineTuneDataset>> dataset, IFineTuneSink sink, CancellationToken ct)
    {
        var client = clients.CreateFineTuningClient(job.Provider);
        var (handle, remote) = await CallAsync("checking the job", async _ =>
        {
            var current = await client.GetJobAsync(externalId, ct);
            return (current, RemoteJob.Parse(current.GetRawResponse().Content));
        }, ct);

        var fresh = await CallAsync("reading the job's events",
            options => NewEventsAsync(handle, job.LastEventCursor, options), ct);
        // Newest first from OpenAI; stored oldest first so the log reads in order, then the cursor moves.
        fresh.Reverse();
        foreach (var e in fresh)
        {
            await sink.EventAsync(e.ToEvent(), ct);
            if (e.Step is { } step)
                job.CompletedSteps = Math.Max(job.CompletedSteps, step);
            if (e.TotalSteps is { } total)
                job.TotalSteps = total;
        }
        if (fresh.Count > 0)
            job.LastEventCursor = fresh[^1].Id;
        if (job.TotalSteps == 0 && remote.Epochs is { } epochs && remote.BatchSize is { } batch && batch > 0 && job.TrainingExamples > 0)
            job.TotalSteps = epochs * (int)Math.Ceiling(job.TrainingExamples / (double)batch);

        List<FineTuneCheckpoint>? checkpoints = null;
        if (remote.Status is not ("validating_files" or "queued"))
        {
            checkpoints = await CallAsync("reading the job's checkpoints", options => CheckpointsAsync(handle, options), ct);
            foreach (var checkpoint in checkpoints)
                await sink.CheckpointAsync(checkpoint, ct);
        }

        if (remote.IsFinished)
        {
            await ApplyFinalStateAsync(job, remote, sink, ct, dataset, checkpoints);
            return null;
        }
        Apply(job, remote);
        await sink.JobChangedAsync(job, ct);
        if (job.CancelRequested)
            return TimeSpan.Zero;
        return job.Status == FineTuneStatus.Running ? clients.Options.PollWhileRunning : clients.Options.PollWhileQueued;
    }

    private void Apply(FineTuneJob job, RemoteJob remote)
    {
        if (MapStatus(remote.Status) is { } status)
            job.Status = status;
        else
            logger.LogWarning("OpenAI job {ExternalId} has an unknown status {Status}; keeping {Current}", remote.Id, remote.Status, job.Status);
        job.FineTunedModel = remote.FineTunedModel ?? job.FineTunedModel;
        job.TrainedTokens = remote.TrainedTokens ?? job.TrainedTokens;
        job.EstimatedFinish = remote.EstimatedFinish;
        if (job.Status is FineTuneStatus.Running or FineTuneStatus.Succeeded)
            job.StartedAt ??= clock.GetUtcNow();
    }

    /// <summary>
    /// Records how the job ended at OpenAI. A succeeded job is evaluated before it counts as succeeded here;
    /// <paramref name="dataset"/> is null where no evaluation can run (a cancel that arrived after OpenAI finished).
    /// </summary>
    private async Task ApplyFinalStateAsync(FineTuneJob job, RemoteJob remote, IFineTuneSink sink, CancellationToken ct,
        Func<CancellationToken, Task<FineTuneDataset>>? dataset = null, IReadOnlyList<FineTuneCheckpoint>? checkpoints = null)
    {
        Apply(job, remote);
        job.EstimatedFinish = null;
        job.FinishedAt = remote.FinishedAt ?? job.FinishedAt ?? clock.GetUtcNow();
        switch (job.Status)
        {
            case FineTuneStatus.Succeeded:
                if (job.TotalSteps > 0)
                    job.CompletedSteps = job.TotalSteps;
                await sink.EventAsync(LocalEvent("openai-succeeded",
                    $"OpenAI finished the job: the fine-tuned model is {job.FineTunedModel ?? "(not named)"}" +
                    (job.TrainedTokens is { } tokens ? $", trained on {tokens:N0} tokens." : ".")), ct);
                // The model's name is saved before the evaluation spends anything; the job stays unfinished (so not yet
                // deployable, and retried by the runner like any other stage) until the evaluation has a verdict.
                job.Status = FineTuneStatus.Running;
                await sink.JobChangedAsync(job, ct);
                await EvaluateAsync(job, dataset, checkpoints, sink, ct);
                return;
            case FineTuneStatus.Failed:
                job.ErrorCode = remote.Error?.Code ?? "failed";
                job.ErrorMessage = remote.Error?.Message ?? "OpenAI reported the job as failed without saying why.";
                job.ErrorParam = remote.Error?.Param;
                await sink.EventAsync(LocalEvent($"openai-failed-{job.ErrorCode}",
                    $"OpenAI failed the job ({job.ErrorCode}): {job.ErrorMessage}", "error"), ct);
                break;
            case FineTuneStatus.Cancelled:
                await sink.EventAsync(LocalEvent("openai-cancelled", $"The job {job.ExternalId} was cancelled at OpenAI.", "warn"), ct);
                break;
        }
        await sink.JobChangedAsync(job, ct);
    }

    private async Task MarkCancelledAsync(FineTuneJob job, IFineTuneSink sink, string message, CancellationToken ct)
    {
        job.Status = FineTuneStatus.Cancelled;
        job.EstimatedFinish = null;
        job.FinishedAt ??= clock.GetUtcNow();
        await sink.EventAsync(LocalEvent("openai-cancelled", message, "warn"), ct);
        await sink.JobChangedAsync(job, ct);
    }

    private async Task FailAsync(FineTuneJob job, IFineTuneSink sink, string code, string message, string? param, CancellationToken ct)
    {
        logger.LogWarning("OpenAI fine-tuning job {JobId} failed: {Code}", job.Id, code);
        job.Status = FineTuneStatus.Failed;
        job.ErrorCode = code;
        job.ErrorMessage = message;
        job.ErrorParam = param;
        job.EstimatedFinish = null;
        job.FinishedAt ??= clock.GetUtcNow();
        await sink.EventAsync(LocalEvent($"openai-failed-{code}", message, "error"), ct);
        await sink.JobChangedAsync(job, ct);
    }

    private async Task<string> UploadAsync(FineTuneJob job, IReadOnlyList<string> lines, string part, CancellationToken ct)
    {
        var bytes = Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n");
        var files = clients.CreateFileClient(job.Provider);
        return await CallAsync($"uploading the {(part == "train" ? "training" : "validation")} file", async _ =>
        {
            using var stream = new MemoryStream(bytes, writable: false);
            var file = await files.UploadFileAsync(stream, $"mediaplanner-job-{job.Id}-{part}.jsonl", FileUploadPurpose.FineTune, ct);
            return file.Value.Id ?? throw new JsonException("The uploaded file has no id.");
        }, ct);
    }

    private static async Task<RemoteJob?> FindJobByTrainingFileAsync(FineTuningClient client, string trainingFileId, CancellationToken ct)
    {
        var recent = client.GetJobsAsync(new FineTuningJobCollectionOptions { PageSize = RecentJobsToSearch }, ct);
        await foreach (var page in recent.GetRawPagesAsync())
        {
            using var doc = JsonDocument.Parse(page.GetRawResponse().Content);
            foreach (var item in Data(doc.RootElement))
                if (Json.String(item, "training_file") == trainingFileId)
                    return RemoteJob.From(item);
            break; // a lost create is moments old, so it is on the first page
        }
        return null;
    }

    private static async Task<List<RemoteEvent>> NewEventsAsync(FineTuningJob handle, string? cursor, RequestOptions options)
    {
        var fresh = new List<RemoteEvent>();
        var pages = 0;
        await foreach (var page in handle.GetEventsAsync(null, EventPageSize, options).GetRawPagesAsync())
        {
            using var doc = JsonDocument.Parse(page.GetRawResponse().Content);
            foreach (var item in Data(doc.RootElement))
            {
                var e = RemoteEvent.From(item);
                if (e.Id == cursor)
                    return fresh;
                fresh.Add(e);
            }
            if (++pages >= MaxEventPages || Json.Bool(doc.RootElement, "has_more") != true)
                break;
        }
        return fresh;
    }

    private static async Task<List<FineTuneCheckpoint>> CheckpointsAsync(FineTuningJob handle, RequestOptions options)
    {
        var checkpoints = new List<FineTuneCheckpoint>();
        await foreach (var page in handle.GetCheckpointsAsync(null, CheckpointPageSize, options).GetRawPagesAsync())
        {
            using var doc = JsonDocument.Parse(page.GetRawResponse().Content);
            foreach (var item in Data(doc.RootElement))
            {
                var metrics = item.TryGetProperty("metrics", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
                checkpoints.Add(new FineTuneCheckpoint
                {
                    ExternalId = Json.String(item, "id") ?? throw new JsonException("A checkpoint has no id."),
                    ModelName = Json.String(item, "fine_tuned_model_checkpoint") ?? "",
                    Step = (int)(Json.Long(item, "step_number") ?? Json.Long(metrics, "step") ?? 0),
                    CreatedAt = Json.Unix(item, "created_at") ?? DateTimeOffset.UnixEpoch,
                    TrainLoss = Json.Double(metrics, "train_loss"),
                    TrainAccuracy = Json.Double(metrics, "train_mean_token_accuracy"),
                    ValidLoss = Json.Double(metrics, "valid_loss"),
                    ValidAccuracy = Json.Double(metrics, "valid_mean_token_accuracy"),
                    FullValidLoss = Json.Double(metrics, "full_valid_loss"),
                    FullValidAccuracy = Json.Double(metrics, "full_valid_mean_token_accuracy"),
                });
            }
            if (Json.Bool(doc.RootElement, "has_more") != true)
                break;
        }
        checkpoints.Reverse();
        return checkpoints;
    }

    /// <summary>
    /// Runs one SDK call and sorts its failures: 429, 5xx, timeouts, network errors and unreadable answers are worth
    /// retrying; a rejected key or request is not and fails the job.
    /// </summary>
    private async Task<T> CallAsync<T>(string action, Func<RequestOptions, Task<T>> call, CancellationToken ct)
    {
        try
        {
            return await call(new RequestOptions { CancellationToken = ct });
        }
        catch (ClientResultException ex) when (ex.Status is 401 or 403)
        {
            // OpenAI's own 401 text quotes part of the key, so it never reaches the job.
            throw new OpenAIRejectedException(ex.Status,
                ex.Status == 401 ? "unauthorized" : "forbidden",
                ex.Status == 401
                    ? $"OpenAI rejected the API key (401 Unauthorized) while {action}. Check the OpenAI API key in settings, then start a new job."
                    : $"OpenAI refused access (403 Forbidden) while {action}: the API key, its project or organisation may not be allowed to fine-tune this model. Check the OpenAI API key and its permissions in settings.",
                null, ex);
        }
        catch (ClientResultException ex) when (ex.Status == 429 && OpenAIErrorBody.From(ex).Code == "insufficient_quota")
        {
            throw new OpenAIRejectedException(429, "insufficient_quota",
                $"OpenAI refused the request while {action}: the account has run out of quota. Check the plan and billing details of the OpenAI account.",
                null, ex);
        }
        catch (ClientResultException ex) when (ex.Status == 429)
        {
            var retryAfter = RetryAfter(ex.GetRawResponse());
            throw new TransientFineTuneException(
                $"OpenAI is limiting the request rate (429) while {action}" +
                (retryAfter is { } wait ? $"; it asks to wait {wait.TotalSeconds:0.#} s." : "."), retryAfter, ex);
        }
        catch (ClientResultException ex) when (ex.Status is 0 or 408 or 409 or >= 500)
        {
            var what = ex.Status == 0 ? $"network error: {ex.InnerException?.Message ?? ex.Message}" : $"HTTP {ex.Status}";
            throw new TransientFineTuneException($"OpenAI could not be reached while {action} ({what}).", RetryAfter(ex.GetRawResponse()), ex);
        }
        catch (ClientResultException ex)
        {
            var error = OpenAIErrorBody.From(ex);
            var code = error.Code ?? ex.Status switch { 404 => "not_found", 400 or 422 => "invalid_request", _ => $"http_{ex.Status}" };
            throw new OpenAIRejectedException(ex.Status, code,
                $"OpenAI rejected the request while {action} ({ex.Status}): {error.Message ?? "no reason given."}", error.Param, ex);
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw new TransientFineTuneException(
                $"OpenAI did not answer within {clients.Options.NetworkTimeout.TotalSeconds:0.#} s while {action}.", null, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new TransientFineTuneException($"OpenAI could not be reached while {action} (network error: {ex.Message}).", null, ex);
        }
        catch (IOException ex)
        {
            throw new TransientFineTuneException($"The connection to OpenAI broke while {action} ({ex.Message}).", null, ex);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or KeyNotFoundException or InvalidOperationException
                                   && !ct.IsCancellationRequested)
        {
            // Retried rather than failed at once: a garbled reply is usually a proxy or gateway hiccup, and the runner
            // fails the job with this message if it keeps happening.
            throw new TransientFineTuneException(
                $"OpenAI's answer could not be read while {action}: it is not the JSON the API documents ({Shorten(ex.Message, 200)}).", null, ex);
        }
    }

    private TimeSpan? RetryAfter(PipelineResponse? response) => OpenAIRetryAfter.Read(response, clock.GetUtcNow());

    private (string Code, string Message)? ConfigurationProblem(string provider)
    {
        if (provider != Provider)
        {
            var connection = profiles?.Connection(provider);
            if (connection is null)
                return ("not_configured", $"There is no provider {provider} any more. Add it in settings, then start a new job.");
            if (connection.ApiKey is null)
                return ("not_configured", $"The provider {provider} has no API key for {connection.Endpoint}. Enter it in settings, then start a new job.");
            return OpenAIOptions.ValidateEndpoint(connection.Endpoint) is { } problem ? ("invalid_configuration", problem) : null;
        }
        var settings = clients.Options;
        if (!settings.IsConfigured)
            return ("not_configured", "No OpenAI API key is configured. Add one in settings, then start a new job.");
        if (settings.Validate() is [var first, ..])
            return ("invalid_configuration", first);
        return null;
    }

    private static (string Code, string Message, string Param)? ValidateRequest(FineTuneJob job)
    {
        if (ValidateSuffix(job.Suffix) is { } suffixProblem)
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

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..max] + "…";

    private static IEnumerable<JsonElement> Data(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array
            ? data.EnumerateArray()
            : throw new JsonException("The list has no \"data\" array.");

    /// <summary>The job as OpenAI's JSON describes it, including what the SDK's model leaves out.</summary>
    private sealed record RemoteJob(
        string Id, string? Status, string? FineTunedModel, long? TrainedTokens, DateTimeOffset? EstimatedFinish,
        DateTimeOffset? FinishedAt, RemoteError? Error, int? Epochs, int? BatchSize)
    {
        public bool IsFinished => Status is "succeeded" or "failed" or "cancelled";

        public static RemoteJob Parse(BinaryData content)
        {
            using var doc = JsonDocument.Parse(content);
            return From(doc.RootElement);
        }

        public static RemoteJob From(JsonElement job)
        {
            var id = Json.String(job, "id") ?? throw new JsonException("The job has no id.");
            // Resolved hyperparameters live under method.<type>.hyperparameters; the top-level ones are the legacy copy.
            var hyper = default(JsonElement);
            if (job.TryGetProperty("method", out var method) && method.ValueKind == JsonValueKind.Object
                && Json.String(method, "type") is { } type && method.TryGetProperty(type, out var body)
                && body.ValueKind == JsonValueKind.Object && body.TryGetProperty("hyperparameters", out var h))
                hyper = h;
            else if (job.TryGetProperty("hyperparameters", out var legacy))
                hyper = legacy;
            RemoteError? error = null;
            if (job.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object
                && (Json.String(e, "code") is not null || Json.String(e, "message") is not null))
                error = new RemoteError(Json.String(e, "code"), Json.String(e, "message"), Json.String(e, "param"));
            return new RemoteJob(
                id, Json.String(job, "status"), Json.String(job, "fine_tuned_model"), Json.Long(job, "trained_tokens"),
                Json.Unix(job, "estimated_finish"), Json.Unix(job, "finished_at"), error,
                (int?)Json.Long(hyper, "n_epochs"), (int?)Json.Long(hyper, "batch_size"));
        }
    }

    private sealed record RemoteError(string? Code, string? Message, string? Param);

    private sealed record RemoteEvent(
        string Id, DateTimeOffset CreatedAt, string Level, string Message, int? Step, int? TotalSteps,
        double? TrainLoss, double? ValidLoss, double? TrainAccuracy, double? ValidAccuracy)
    {
        public static RemoteEvent From(JsonElement e)
        {
            var data = Json.String(e, "type") == "metrics" && e.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object
                ? d
                : default;
            return new RemoteEvent(
                Json.String(e, "id") ?? throw new JsonException("An event has no id."),
                Json.Unix(e, "created_at") ?? DateTimeOffset.UnixEpoch,
                Json.String(e, "level") ?? "info",
                Json.String(e, "message") ?? "",
                (int?)Json.Long(data, "step"), (int?)Json.Long(data, "total_steps"),
                Json.Double(data, "train_loss"), Json.Double(data, "valid_loss"),
                Json.Double(data, "train_mean_token_accuracy"), Json.Double(data, "valid_mean_token_accuracy"));
        }

        public FineTuneEvent ToEvent() => new()
        {
            ExternalId = Id,
            CreatedAt = CreatedAt,
            Level = Level,
            Message = Message.Length > 0 ? Message : Step is { } s ? $"Step {s}" : "(no message)",
            Step = Step,
            TrainLoss = TrainLoss,
            ValidLoss = ValidLoss,
            TrainAccuracy = TrainAccuracy,
            ValidAccuracy = ValidAccuracy,
        };
    }


    /// <summary>Tolerant readers: a missing or differently typed field is null, never an exception.</summary>
    private static class Json
    {
        public static string? String(JsonElement e, string name) =>
            e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

        public static long? Long(JsonElement e, string name) =>
            e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number
                ? v.TryGetInt64(out var l) ? l : (long)v.GetDouble()
                : null;

        public static double? Double(JsonElement e, string name) =>
            e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

        public static bool? Bool(JsonElement e, string name) =>
            e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? v.GetBoolean()
                : null;

        public static DateTimeOffset? Unix(JsonElement e, string name) =>
            Long(e, name) is { } seconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;
    }

    /// <summary>OpenAI said no for good (bad key, bad request): the job fails with this message.</summary>
    private sealed class OpenAIRejectedException(int status, string code, string message, string? param, Exception inner)
        : Exception(message, inner)
    {
        public int Status { get; } = status;
        public string Code { get; } = code;
        public string? Param { get; } = param;
    }
}
