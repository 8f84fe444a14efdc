using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaPlanner.Domain.FineTuning;
using OpenAI.Files;
using OpenAI.FineTuning;

#pragma warning disable OPENAI001 // fine-tuning is experimental in the SDK

namespace MediaPlanner.Domain.Providers.OpenAI;

/// <summary>
/// The fine-tuning REST calls of one hosted provider profile (OpenAI, Azure OpenAI's v1 API, or an OpenAI-compatible
/// service), through the SDK's clients for that profile: upload a training file, create a job from a JSON body (the SDK's
/// typed options cannot carry Azure's <c>trainingType</c> or a compatible service's own hyperparameter names), read a job,
/// its events (newest first, paged with <c>after</c>) and checkpoints, cancel it, and list recent jobs. Answers are read
/// from the raw JSON, which carries what the SDK's models leave out. Failures surface as the SDK throws them, for
/// <see cref="ProviderErrorClassifier"/> to sort.
/// </summary>
internal sealed class HostedFineTuningClient(OpenAIClientFactory clients, string provider)
{
    private const int EventPageSize = 100;
    // Bounds one poll's reading when a job has logged a great deal since the last look.
    private const int MaxEventPages = 50;
    private const int CheckpointPageSize = 100;
    private const int RecentJobsToSearch = 50;

    public string Provider => provider;

    /// <summary>Uploads <paramref name="content"/> for fine-tuning as it is, byte for byte; returns the file id.</summary>
    public async Task<string> UploadAsync(string filename, byte[] content, CancellationToken ct)
    {
        var files = clients.CreateFileClient(provider);
        using var stream = new MemoryStream(content, writable: false);
        var file = await files.UploadFileAsync(stream, filename, FileUploadPurpose.FineTune, ct);
        return file.Value.Id ?? throw new JsonException("The uploaded file has no id.");
    }

    public async Task<RemoteJob> CreateJobAsync(JsonObject body, CancellationToken ct)
    {
        var client = clients.CreateFineTuningClient(provider);
        using var content = BinaryContent.Create(BinaryData.FromString(body.ToJsonString()));
        var created = await client.FineTuneAsync(content, waitUntilCompleted: false, new RequestOptions { CancellationToken = ct });
        return RemoteJob.Parse(created.GetRawResponse().Content) with { Handle = created };
    }

    /// <summary>The job now; the answer keeps the SDK's handle for reading its events and checkpoints.</summary>
    public async Task<RemoteJob> GetJobAsync(string externalId, CancellationToken ct)
    {
        var client = clients.CreateFineTuningClient(provider);
        var current = await client.GetJobAsync(externalId, ct);
        return RemoteJob.Parse(current.GetRawResponse().Content) with { Handle = current };
    }

    /// <summary>The events logged after <paramref name="cursor"/>, newest first (all pages up to a bound).</summary>
    public async Task<List<RemoteEvent>> NewEventsAsync(RemoteJob job, string? cursor, CancellationToken ct)
    {
        var fresh = new List<RemoteEvent>();
        var pages = 0;
        await foreach (var page in Handle(job).GetEventsAsync(null, EventPageSize, new RequestOptions { CancellationToken = ct }).GetRawPagesAsync())
        {
            using var doc = JsonDocument.Parse(page.GetRawResponse().Content);
            foreach (var item in ProviderJson.Data(doc.RootElement))
            {
                var e = RemoteEvent.From(item);
                if (e.Id == cursor)
                    return fresh;
                fresh.Add(e);
            }
            if (++pages >= MaxEventPages || ProviderJson.Bool(doc.RootElement, "has_more") != true)
                break;
        }
        return fresh;
    }

    /// <summary>Every checkpoint the provider kept, oldest first.</summary>
    public async Task<List<FineTuneCheckpoint>> CheckpointsAsync(RemoteJob job, CancellationToken ct)
    {
        var checkpoints = new List<FineTuneCheckpoint>();
        await foreach (var page in Handle(job).GetCheckpointsAsync(null, CheckpointPageSize, new RequestOptions { CancellationToken = ct }).GetRawPagesAsync())
        {
            using var doc = JsonDocument.Parse(page.GetRawResponse().Content);
            foreach (var item in ProviderJson.Data(doc.RootElement))
                checkpoints.Add(Checkpoint(item));
            if (ProviderJson.Bool(doc.RootElement, "has_more") != true)
                break;
        }
        checkpoints.Reverse();
        return checkpoints;
    }

    /// <summary>Cancels the job unless it has finished already; returns the job as it then stands.</summary>
    public async Task<RemoteJob> CancelAsync(string externalId, CancellationToken ct)
    {
        var current = await GetJobAsync(externalId, ct);
        if (current.IsFinished)
            return current;
        var cancelled = await Handle(current).CancelAsync(new RequestOptions { CancellationToken = ct });
        return RemoteJob.Parse(cancelled.GetRawResponse().Content);
    }

    /// <summary>The newest of the most recent jobs that <paramref name="match"/> accepts, or null.</summary>
    public async Task<RemoteJob?> FindRecentJobAsync(Func<RemoteJob, bool> match, CancellationToken ct)
    {
        var client = clients.CreateFineTuningClient(provider);
        await foreach (var page in client.GetJobsAsync(new FineTuningJobCollectionOptions { PageSize = RecentJobsToSearch }, ct).GetRawPagesAsync())
        {
            using var doc = JsonDocument.Parse(page.GetRawResponse().Content);
            foreach (var item in ProviderJson.Data(doc.RootElement))
                if (RemoteJob.From(item) is var job && match(job))
                    return job;
            break; // a lost create is moments old, so it is on the first page
        }
        return null;
    }

    /// <summary>
    /// The create-job body for a profile's kind. OpenAI: <c>method.supervised.hyperparameters</c> with OpenAI's names,
    /// "auto" where the admin left a value open. Azure OpenAI (v1): the same plus <c>trainingType</c>. OpenAI-compatible:
    /// a top-level <c>hyperparameters</c> object with the profile's own names, open values left out, and no
    /// <c>method</c>. Suffix, seed and validation file only when set.
    /// </summary>
    public static JsonObject JobBody(ProviderKind kind, AzureTrainingType? trainingType, HyperparameterMapping mapping, string model, FineTuneJob job)
    {
        var body = new JsonObject { ["model"] = model, ["training_file"] = job.TrainingFileId };
        if (job.ValidationFileId is { } validation)
            body["validation_file"] = validation;
        if (!string.IsNullOrWhiteSpace(job.Suffix))
            body["suffix"] = job.Suffix.Trim();
        if (job.Seed is { } seed)
            body["seed"] = seed;
        if (kind == ProviderKind.OpenAICompatible)
        {
            body["hyperparameters"] = mapping.Build(job.Hyperparameters, autoAsString: false);
            return body;
        }
        body["method"] = new JsonObject
        {
            ["type"] = "supervised",
            ["supervised"] = new JsonObject { ["hyperparameters"] = HyperparameterMapping.OpenAI.Build(job.Hyperparameters, autoAsString: true) },
        };
        if (kind == ProviderKind.AzureOpenAI)
            body["trainingType"] = (trainingType ?? AzureTrainingType.Standard).ToString();
        return body;
    }

    private static FineTuningJob Handle(RemoteJob job) =>
        job.Handle ?? throw new InvalidOperationException($"The job {job.Id} was not read from the provider.");

    private static FineTuneCheckpoint Checkpoint(JsonElement item)
    {
        var metrics = item.TryGetProperty("metrics", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
        return new FineTuneCheckpoint
        {
            ExternalId = ProviderJson.String(item, "id") ?? throw new JsonException("A checkpoint has no id."),
            ModelName = ProviderJson.String(item, "fine_tuned_model_checkpoint") ?? "",
            Step = (int)(ProviderJson.Long(item, "step_number") ?? ProviderJson.Long(metrics, "step") ?? 0),
            CreatedAt = ProviderJson.Unix(item, "created_at") ?? DateTimeOffset.UnixEpoch,
            TrainLoss = ProviderJson.Double(metrics, "train_loss"),
            TrainAccuracy = ProviderJson.Double(metrics, "train_mean_token_accuracy"),
            ValidLoss = ProviderJson.Double(metrics, "valid_loss"),
            ValidAccuracy = ProviderJson.Double(metrics, "valid_mean_token_accuracy"),
            FullValidLoss = ProviderJson.Double(metrics, "full_valid_loss"),
            FullValidAccuracy = ProviderJson.Double(metrics, "full_valid_mean_token_accuracy"),
        };
    }
}

/// <summary>A fine-tuning job as the provider's JSON describes it, including what the SDK's model leaves out.</summary>
internal sealed record RemoteJob(
    string Id, string? Model, string? Status, string? FineTunedModel, long? TrainedTokens, DateTimeOffset? EstimatedFinish,
    DateTimeOffset? FinishedAt, RemoteError? Error, string? TrainingFile, string? ValidationFile, string? Suffix, long? Seed,
    JsonElement Hyperparameters)
{
    /// <summary>The SDK's handle, when the job was read or created through it (events and checkpoints hang off it).</summary>
    public FineTuningJob? Handle { get; init; }

    public bool IsFinished => Status is "succeeded" or "failed" or "cancelled";

    /// <summary>A resolved hyperparameter (a number; "auto" and missing are null).</summary>
    public double? Hyperparameter(string name) => ProviderJson.Double(Hyperparameters, name);

    public int? Epochs => (int?)Hyperparameter("n_epochs");

    public int? BatchSize => (int?)Hyperparameter("batch_size");

    public static RemoteJob Parse(BinaryData content)
    {
        using var doc = JsonDocument.Parse(content);
        return From(doc.RootElement);
    }

    public static RemoteJob From(JsonElement job)
    {
        var id = ProviderJson.String(job, "id") ?? throw new JsonException("The job has no id.");
        // Resolved hyperparameters live under method.<type>.hyperparameters; the top-level ones are the legacy copy, and
        // where OpenAI-compatible services put theirs.
        var hyper = default(JsonElement);
        if (job.TryGetProperty("method", out var method) && method.ValueKind == JsonValueKind.Object
            && ProviderJson.String(method, "type") is { } type && method.TryGetProperty(type, out var body)
            && body.ValueKind == JsonValueKind.Object && body.TryGetProperty("hyperparameters", out var h))
            hyper = h;
        else if (job.TryGetProperty("hyperparameters", out var legacy))
            hyper = legacy;
        RemoteError? error = null;
        if (job.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object
            && (ProviderJson.String(e, "code") is not null || ProviderJson.String(e, "message") is not null))
            error = new RemoteError(ProviderJson.String(e, "code"), ProviderJson.String(e, "message"), ProviderJson.String(e, "param"));
        return new RemoteJob(
            id, ProviderJson.String(job, "model"), ProviderJson.String(job, "status"), ProviderJson.String(job, "fine_tuned_model"),
            ProviderJson.Long(job, "trained_tokens"), ProviderJson.Unix(job, "estimated_finish"), ProviderJson.Unix(job, "finished_at"), error,
            ProviderJson.String(job, "training_file"), ProviderJson.String(job, "validation_file"),
            ProviderJson.String(job, "user_provided_suffix") ?? ProviderJson.String(job, "suffix"), ProviderJson.Long(job, "seed"),
            hyper.ValueKind == JsonValueKind.Object ? hyper.Clone() : default);
    }
}

internal sealed record RemoteError(string? Code, string? Message, string? Param);

internal sealed record RemoteEvent(
    string Id, DateTimeOffset CreatedAt, string Level, string Message, int? Step, int? TotalSteps,
    double? TrainLoss, double? ValidLoss, double? TrainAccuracy, double? ValidAccuracy)
{
    public static RemoteEvent From(JsonElement e)
    {
        var data = ProviderJson.String(e, "type") == "metrics" && e.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object
            ? d
            : default;
        return new RemoteEvent(
            ProviderJson.String(e, "id") ?? throw new JsonException("An event has no id."),
            ProviderJson.Unix(e, "created_at") ?? DateTimeOffset.UnixEpoch,
            ProviderJson.String(e, "level") ?? "info",
            ProviderJson.String(e, "message") ?? "",
            (int?)ProviderJson.Long(data, "step"), (int?)ProviderJson.Long(data, "total_steps"),
            ProviderJson.Double(data, "train_loss"), ProviderJson.Double(data, "valid_loss"),
            ProviderJson.Double(data, "train_mean_token_accuracy"), ProviderJson.Double(data, "valid_mean_token_accuracy"));
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
internal static class ProviderJson
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

    public static IEnumerable<JsonElement> Data(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array
            ? data.EnumerateArray()
            : throw new JsonException("The list has no \"data\" array.");
}
