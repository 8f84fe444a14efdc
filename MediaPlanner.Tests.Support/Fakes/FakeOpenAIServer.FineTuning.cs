using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MediaPlanner.Tests.Fakes;

/// <summary>How a job ends at the fake OpenAI when told to fail: OpenAI's error object.</summary>
public sealed record FakeJobFailure(string Code, string Message, string? Param);

public sealed class FakeJob
{
    public required string Id { get; init; }
    public required string Model { get; init; }
    public required string TrainingFile { get; init; }
    public string? ValidationFile { get; init; }
    public string? Suffix { get; init; }
    public long Seed { get; init; }
    /// <summary>The create request as received.</summary>
    public required JsonObject Request { get; init; }
    public string MethodType { get; init; } = "supervised";
    /// <summary>The hyperparameters as asked: a number or "auto".</summary>
    public required JsonNode RequestedEpochs { get; init; }
    public required JsonNode RequestedBatchSize { get; init; }
    public required JsonNode RequestedLearningRate { get; init; }
    public int Epochs { get; init; }
    public int BatchSize { get; init; }
    public double LearningRateMultiplier { get; init; }
    public int TotalSteps { get; init; }
    public long CreatedAt { get; init; }

    public string Status { get; set; } = "validating_files";
    public int StepsDone { get; set; }
    public long? FinishedAt { get; set; }
    public long? EstimatedFinish { get; set; }
    public string? FineTunedModel { get; set; }
    public long? TrainedTokens { get; set; }
    public FakeJobFailure? Error { get; set; }
    public int Polls { get; set; }
    /// <summary>Oldest first; the API lists them newest first.</summary>
    public List<JsonObject> Events { get; } = [];
    /// <summary>Oldest first; the API lists them newest first.</summary>
    public List<JsonObject> Checkpoints { get; } = [];

    public bool IsFinished => Status is "succeeded" or "failed" or "cancelled";
}

/// <summary>
/// <c>/v1/fine_tuning/jobs</c>: create, list, get (each get moves the job one stage along), events, checkpoints and cancel.
/// </summary>
public sealed partial class FakeOpenAIServer
{
    private void MapFineTuning(WebApplication app)
    {
        app.MapGet("/v1/fine_tuning/jobs", (HttpContext ctx) =>
        {
            lock (_state)
            {
                var newestFirst = Enumerable.Reverse(_jobs).Select(JobJson);
                return Page(ctx, newestFirst, j => j["id"]!.GetValue<string>(), 20);
            }
        });
        app.MapGet("/v1/fine_tuning/jobs/{id}", (string id) =>
        {
            lock (_state)
            {
                if (Find(id) is not { } job)
                    return NotFound(id);
                Advance(job);
                return Json(JobJson(job));
            }
        });
        app.MapGet("/v1/fine_tuning/jobs/{id}/events", (HttpContext ctx, string id) =>
        {
            lock (_state)
            {
                if (Find(id) is not { } job)
                    return NotFound(id);
                return Page(ctx, Enumerable.Reverse(job.Events).Select(e => (JsonObject)e.DeepClone()), e => e["id"]!.GetValue<string>(), 20);
            }
        });
        app.MapGet("/v1/fine_tuning/jobs/{id}/checkpoints", (HttpContext ctx, string id) =>
        {
            lock (_state)
            {
                if (Find(id) is not { } job)
                    return NotFound(id);
                return Page(ctx, Enumerable.Reverse(job.Checkpoints).Select(c => (JsonObject)c.DeepClone()), c => c["id"]!.GetValue<string>(), 10);
            }
        });
        app.MapPost("/v1/fine_tuning/jobs/{id}/cancel", (string id) =>
        {
            lock (_state)
            {
                if (Find(id) is not { } job)
                    return NotFound(id);
                if (job.IsFinished)
                    return Error(400, null, $"Job has already completed: {id}", null);
                job.Status = "cancelled";
                job.FinishedAt = Now();
                job.EstimatedFinish = null;
                AddEvent(job, "info", "Fine-tuning job cancelled");
                return Json(JobJson(job));
            }
        });
    }

    private async Task<IResult> CreateJobAsync(HttpContext ctx)
    {
        JsonObject request;
        try
        {
            request = await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted) as JsonObject
                ?? throw new JsonException("not an object");
        }
        catch (JsonException)
        {
            return Error(400, null, "We could not parse the JSON body of your request.", null);
        }

        var model = Str(request, "model");
        var trainingFile = Str(request, "training_file");
        var validationFile = Str(request, "validation_file");
        var suffix = Str(request, "suffix");
        if (string.IsNullOrEmpty(model))
            return Error(400, null, "Missing required parameter: 'model'.", "model");
        if (!IsFineTunable(model))
            return Error(400, "model_not_available", $"Model {model} is not available for fine-tuning or does not exist.", "model");
        if (suffix is { Length: > 64 })
            return Error(400, null, "suffix is too long (maximum 64 characters)", "suffix");

        FakeFile? training;
        lock (_state)
            training = trainingFile is null ? null : _files.GetValueOrDefault(trainingFile);
        if (training is null)
            return Error(400, null, $"invalid training_file: {trainingFile}", "training_file");
        if (training.Purpose != "fine-tune")
            return Error(400, null, $"File {trainingFile} has purpose '{training.Purpose}', expected 'fine-tune'.", "training_file");
        bool validationKnown;
        lock (_state)
            validationKnown = validationFile is null || _files.ContainsKey(validationFile);
        if (!validationKnown)
            return Error(400, null, $"invalid validation_file: {validationFile}", "validation_file");

        var methodType = request["method"]?["type"]?.GetValue<string>() ?? "supervised";
        var hyper = request["method"]?[methodType]?["hyperparameters"] ?? request["hyperparameters"];
        JsonNode Requested(string name) => hyper?[name]?.DeepClone() ?? JsonValue.Create("auto")!;
        var requestedEpochs = Requested("n_epochs");
        var requestedBatch = Requested("batch_size");
        var requestedRate = Requested("learning_rate_multiplier");

        var examples = training.Lines;
        var epochs = Number(requestedEpochs) is { } e ? (int)e : DefaultEpochs(examples);
        var batch = Number(requestedBatch) is { } b ? (int)b : 1;
        var rate = Number(requestedRate) ?? 1.8;
        var job = new FakeJob
        {
            Id = $"ftjob-{NextId()}",
            Model = model,
            TrainingFile = training.Id,
            ValidationFile = validationFile,
            Suffix = suffix,
            Seed = request["seed"] is JsonValue seed ? seed.GetValue<long>() : 1234567,
            Request = request,
            MethodType = methodType,
            RequestedEpochs = requestedEpochs,
            RequestedBatchSize = requestedBatch,
            RequestedLearningRate = requestedRate,
            Epochs = epochs,
            BatchSize = batch,
            LearningRateMultiplier = rate,
            TotalSteps = epochs * (int)Math.Ceiling(examples / (double)batch),
            CreatedAt = Now(),
        };
        RememberJob(ctx, job);
        lock (_state)
        {
            _jobs.Add(job);
            AddEvent(job, "info", $"Created fine-tuning job: {job.Id}");
            AddEvent(job, "info", $"Validating training file: {job.TrainingFile}" +
                (job.ValidationFile is null ? "" : $" and validation file: {job.ValidationFile}"));
            return Json(JobJson(job));
        }
    }

    /// <summary>One stage per poll, so a test sees every status on its way.</summary>
    private void Advance(FakeJob job)
    {
        job.Polls++;
        if (job.IsFinished)
            return;
        if (FailJobsWith is { } failure)
        {
            job.Status = "failed";
            job.Error = failure;
            job.FinishedAt = Now();
            job.EstimatedFinish = null;
            AddEvent(job, "error", failure.Message);
            return;
        }
        switch (job.Status)
        {
            case "validating_files":
                job.Status = "queued";
                AddEvent(job, "info", "Files validated, moving job to queued state");
                break;
            case "queued":
                job.Status = "running";
                job.EstimatedFinish = Now() + 600;
                AddEvent(job, "info", "Fine-tuning job started");
                break;
            case "running" when job.StepsDone < job.TotalSteps:
                var chunk = Math.Max(1, (int)Math.Ceiling(job.TotalSteps / 3.0));
                var stepsPerEpoch = job.TotalSteps / job.Epochs;
                for (var i = 0; i < chunk && job.StepsDone < job.TotalSteps; i++)
                {
                    var step = ++job.StepsDone;
                    AddMetrics(job, step);
                    if (stepsPerEpoch > 0 && step % stepsPerEpoch == 0)
                        AddCheckpoint(job, step);
                }
                break;
            case "running":
                job.Status = "succeeded";
                job.FineTunedModel = FineTunedName(job);
                job.TrainedTokens = TrainedTokens(job);
                job.FinishedAt = Now();
                job.EstimatedFinish = null;
                AddEvent(job, "info", $"New fine-tuned model created: {job.FineTunedModel}");
                AddEvent(job, "info", "The job has successfully completed");
                break;
        }
    }

    private long TrainedTokens(FakeJob job)
    {
        var content = _files[job.TrainingFile].Content;
        var perEpoch = content.Split('\n', StringSplitOptions.RemoveEmptyEntries).Sum(line => (long)Math.Ceiling(line.Length / 4.0));
        return perEpoch * job.Epochs;
    }

    private static (double TrainLoss, double TrainAccuracy, double ValidLoss, double ValidAccuracy) Metrics(int step) =>
        (Math.Round(2.0 / (1 + step), 4), Math.Round(0.5 + 0.4 * step / (step + 4.0), 4),
         Math.Round(2.2 / (1 + step), 4), Math.Round(0.45 + 0.4 * step / (step + 4.0), 4));

    private void AddMetrics(FakeJob job, int step)
    {
        var m = Metrics(step);
        var data = new JsonObject
        {
            ["step"] = step,
            ["train_loss"] = m.TrainLoss,
            ["train_mean_token_accuracy"] = m.TrainAccuracy,
            ["total_steps"] = job.TotalSteps,
        };
        var message = $"Step {step}/{job.TotalSteps}: training loss={m.TrainLoss:0.0000}";
        if (job.ValidationFile is not null)
        {
            data["valid_loss"] = m.ValidLoss;
            data["valid_mean_token_accuracy"] = m.ValidAccuracy;
            message += $", validation loss={m.ValidLoss:0.0000}";
        }
        AddEvent(job, "info", message, "metrics", data);
    }

    private void AddCheckpoint(FakeJob job, int step)
    {
        var m = Metrics(step);
        var metrics = new JsonObject
        {
            ["step"] = step,
            ["train_loss"] = m.TrainLoss,
            ["train_mean_token_accuracy"] = m.TrainAccuracy,
        };
        if (job.ValidationFile is not null)
        {
            metrics["valid_loss"] = m.ValidLoss;
            metrics["valid_mean_token_accuracy"] = m.ValidAccuracy;
            metrics["full_valid_loss"] = m.ValidLoss + 0.01;
            metrics["full_valid_mean_token_accuracy"] = m.ValidAccuracy - 0.01;
        }
        job.Checkpoints.Add(new JsonObject
        {
            ["object"] = "fine_tuning.job.checkpoint",
            ["id"] = $"ftckpt_{NextId()}",
            ["created_at"] = Now(),
            ["fine_tuned_model_checkpoint"] = $"{FineTunedName(job)}:ckpt-step-{step}",
            ["step_number"] = step,
            ["metrics"] = metrics,
            ["fine_tuning_job_id"] = job.Id,
        });
    }

    private void AddEvent(FakeJob job, string level, string message, string type = "message", JsonObject? data = null) =>
        job.Events.Add(new JsonObject
        {
            ["object"] = "fine_tuning.job.event",
            ["id"] = $"ftevent-{NextId()}",
            ["created_at"] = Now(),
            ["level"] = level,
            ["message"] = message,
            ["data"] = data ?? new JsonObject(),
            ["type"] = type,
        });

    private JsonObject JobJson(FakeJob job)
    {
        // OpenAI shows "auto" until it has resolved the values, which it has once the files are validated.
        var resolved = job.Status != "validating_files";
        JsonObject Hyperparameters() => new()
        {
            ["n_epochs"] = resolved ? job.Epochs : job.RequestedEpochs.DeepClone(),
            ["batch_size"] = resolved ? job.BatchSize : job.RequestedBatchSize.DeepClone(),
            ["learning_rate_multiplier"] = resolved ? job.LearningRateMultiplier : job.RequestedLearningRate.DeepClone(),
        };
        return new JsonObject
        {
            ["object"] = "fine_tuning.job",
            ["id"] = job.Id,
            ["model"] = job.Model,
            ["created_at"] = job.CreatedAt,
            ["finished_at"] = job.FinishedAt,
            ["fine_tuned_model"] = job.FineTunedModel,
            ["organization_id"] = $"org-{Organization}",
            ["result_files"] = job.Status == "succeeded" ? new JsonArray($"file-result-{job.Id}") : new JsonArray(),
            ["status"] = job.Status,
            ["validation_file"] = job.ValidationFile,
            ["training_file"] = job.TrainingFile,
            ["hyperparameters"] = Hyperparameters(),
            ["trained_tokens"] = job.TrainedTokens,
            ["error"] = job.Error is { } error
                ? new JsonObject { ["code"] = error.Code, ["message"] = error.Message, ["param"] = error.Param }
                : null,
            ["user_provided_suffix"] = job.Suffix,
            ["seed"] = job.Seed,
            ["estimated_finish"] = job.EstimatedFinish,
            ["integrations"] = new JsonArray(),
            ["metadata"] = null,
            ["method"] = new JsonObject
            {
                ["type"] = job.MethodType,
                [job.MethodType] = new JsonObject { ["hyperparameters"] = Hyperparameters() },
            },
        };
    }

    private static IResult Page(HttpContext ctx, IEnumerable<JsonObject> newestFirst, Func<JsonObject, string> id, int defaultLimit)
    {
        var after = ctx.Request.Query["after"].ToString();
        var limit = int.TryParse(ctx.Request.Query["limit"], out var l) && l > 0 ? l : defaultLimit;
        var items = newestFirst.ToList();
        var start = after.Length == 0 ? 0 : items.FindIndex(i => id(i) == after) + 1;
        if (after.Length > 0 && start == 0)
            start = items.Count; // an unknown cursor pages past the end, as the API does
        var page = items.Skip(start).Take(limit).ToList();
        return Json(new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray([.. page]),
            ["has_more"] = start + page.Count < items.Count,
            ["first_id"] = page.Count > 0 ? id(page[0]) : null,
            ["last_id"] = page.Count > 0 ? id(page[^1]) : null,
        });
    }

    private FakeJob? Find(string id) => _jobs.FirstOrDefault(j => j.Id == id);

    private static IResult NotFound(string id) =>
        Error(404, "fine_tune_not_found", $"Could not find fine tune: {id}", "id");

    /// <summary>OpenAI's default: 3 epochs, more for small sets (each example seen about 100 times in all), fewer for huge ones.</summary>
    private static int DefaultEpochs(int examples) =>
        examples <= 0 ? 3 : examples * 3 < 100 ? Math.Min(25, 100 / examples) : examples * 3 > 25_000 ? Math.Max(1, 25_000 / examples) : 3;
}
