using System.Globalization;
using System.Text.RegularExpressions;
using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Domain.Training;
using Microsoft.EntityFrameworkCore;

namespace MediaPlanner.Domain.FineTuning;

public sealed record NewJobRequest(
    string Provider,
    string? Suffix = null,
    int? Seed = null,
    int? Epochs = null,
    int? BatchSize = null,
    double? LearningRateMultiplier = null,
    int ValidationPercent = 10);

public sealed record BackendInfo(string Provider, bool Configured, string BaseModel);

/// <summary>
/// What a new job would train on and cost, shown before anything starts. <paramref name="Split"/> says how the validation
/// share comes out; a job on the local trainer is not <paramref name="Billed"/> (no billed tokens, no cost).
/// </summary>
public sealed record JobPreview(
    Readiness Readiness,
    int TrainingExamples,
    int ValidationExamples,
    int Epochs,
    long BilledTokens,
    decimal? EstimatedCost,
    string BaseModel,
    IReadOnlyList<BackendInfo> Backends,
    string? Refusal = null,
    string? Warning = null,
    Providers.ModelLifecycle? BaseLifecycle = null,
    SplitCounts? Split = null,
    bool Billed = true);

public sealed record JobRow(int Id, string Provider, string BaseModel, FineTuneStatus Status, DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, long? TrainedTokens, long EstimatedTokens, decimal? EstimatedCost,
    string? FineTunedModel, int CompletedSteps, int TotalSteps, bool CancelRequested, bool? Recommended = null);

public sealed record JobDetail(FineTuneJob Job, IReadOnlyList<FineTuneEvent> Events, IReadOnlyList<FineTuneCheckpoint> Checkpoints);

/// <summary>Starts, lists, shows and cancels fine-tuning jobs; the runner does the work.</summary>
public sealed partial class FineTuneService(
    IDbContextFactory<PlannerDbContext> dbFactory,
    IEnumerable<IFineTuneBackend> backends,
    TrainingSettings settings,
    MediaMixParameters localBase,
    FineTuneWakeup wakeup,
    TimeProvider clock,
    AuditLog audit,
    Providers.ProviderProfileService? profiles = null,
    Providers.ModelCatalog? catalog = null)
{
    /// <summary>The local learner, then every hosted profile (the primary OpenAI one first).</summary>
    public IReadOnlyList<BackendInfo> Backends()
    {
        var list = new List<BackendInfo>();
        foreach (var b in backends)
        {
            if (b.Provider == FineTuneProviders.OpenAI && profiles is not null)
                list.AddRange(profiles.List().Select(p => new BackendInfo(p.Key, b.IsConfiguredFor(p.Key), BaseModelFor(p.Key))));
            else
                list.Add(new BackendInfo(b.Provider, b.IsConfigured, BaseModelFor(b.Provider)));
        }
        return list;
    }

    /// <summary>The chosen base model, else the first fine-tunable one the provider's model list offers; "" when there is none.</summary>
    public string BaseModelFor(string provider) => provider switch
    {
        FineTuneProviders.Local => localBase.ModelName,
        _ when catalog is not null => catalog.BaseModelFor(provider) ?? "",
        FineTuneProviders.OpenAI => settings.BaseModel,
        _ => profiles?.Get(provider)?.FirstBaseModel ?? "",
    };

    /// <summary>Where a job's model stands at its provider (a fine-tune follows its base model's shutdown date); null when not tracked.</summary>
    public Providers.ModelLifecycle? Lifecycle(string provider, string model, string? baseModel) => catalog?.Lifecycle(provider, model, baseModel);

    private IFineTuneBackend? BackendFor(string provider) => backends.FirstOrDefault(b => b.Handles(provider));

    public async Task<JobPreview> PreviewAsync(string provider, int validationPercent, int? epochs, int? seed, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var validated = await TrainingDataService.Exportable(db).Select(e => new { e.Id, e.TokenCount }).ToListAsync(ct);
        var blocking = await db.TrainingExamples.CountAsync(e => e.Status == ExampleStatus.Validated && e.HasErrors, ct);
        var percent = Math.Clamp(validationPercent, 0, 50);
        // The job's dataset is split the same way (TrainingDataService.ExportSplitAsync), so preview and job agree.
        var heldOut = percent == 0 ? new HashSet<long>() : await TrainingDataService.HeldOutIdsAsync(db, percent, seed ?? 42, ct);
        // With no base model chosen, the default comes from the provider's list: read it once if it never was.
        if (catalog is not null && provider != FineTuneProviders.Local && catalog.BaseModelFor(provider) is null)
            await catalog.EnsureListedAsync(provider, ct);
        var training = validated.Where(e => !heldOut.Contains(e.Id)).ToList();
        var held = validated.Count - training.Count;
        var trainingCount = training.Count;
        var baseModel = BaseModelFor(provider);
        var billedByProvider = provider != FineTuneProviders.Local;
        // The local learner's epochs are points on its shrinkage path (auto 6), not OpenAI's passes over the data.
        var epochCount = epochs ?? (billedByProvider ? FineTuneEstimator.DefaultEpochs(trainingCount) : ShareLearner.AutoEpochs);
        var billed = billedByProvider ? FineTuneEstimator.BilledTokens(training.Select(e => e.TokenCount), epochCount, TokenCounter.MaxTokensPerExample(baseModel)) : 0;
        var price = (await PriceBook.LoadAsync(db, ct)).Find(provider, baseModel).Price;
        decimal? cost = billedByProvider && price?.TrainingPerMillion is { } perMillion ? FineTuneEstimator.Cost(billed, perMillion) : null;
        var check = catalog?.CheckTraining(provider, baseModel) ?? Providers.TrainingCheck.None;
        return new JobPreview(Readiness.Check(validated.Count, blocking, held), trainingCount, held, epochCount, billed, cost, baseModel, Backends(),
            check.Refusal, check.Warning, check.BaseModel, StratifiedSplit.Counts(validated.Count, percent), billedByProvider);
    }

    /// <summary>
    /// What training every validated example would cost at each hosted provider that is configured now, at its base
    /// model's training price; empty when only the local trainer can run, since it never bills.
    /// </summary>
    public async Task<IReadOnlyList<TrainingCostEstimate>> CostEstimatesAsync(CancellationToken ct = default)
    {
        var hosted = Backends().Where(b => b.Configured && b.Provider != FineTuneProviders.Local).ToList();
        if (hosted.Count == 0)
            return [];
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var prices = await PriceBook.LoadAsync(db, ct);
        var estimates = new List<TrainingCostEstimate>();
        foreach (var b in hosted)
        {
            // The primary profile falls back to the configured base model; another profile's comes from its model list only.
            var baseModel = b.BaseModel.Length > 0 ? b.BaseModel : b.Provider == Providers.ProviderProfile.PrimaryKey ? settings.BaseModel : "";
            var (examples, perEpoch) = await TrainingDataService.ExportableTokensAsync(db, TokenCounter.MaxTokensPerExample(baseModel), ct);
            var epochs = FineTuneEstimator.DefaultEpochs(examples);
            var billed = perEpoch * epochs;
            var price = baseModel.Length > 0 ? prices.Find(b.Provider, baseModel).Price : null;
            estimates.Add(new TrainingCostEstimate(b.Provider, ProviderName(b.Provider), baseModel, epochs, billed, price,
                price?.TrainingPerMillion is { } perMillion ? FineTuneEstimator.Cost(billed, perMillion) : null));
        }
        return estimates;
    }

    /// <summary>The request's field problems by field name, before any data is read; empty when every field is acceptable.</summary>
    public Dictionary<string, string> Validate(NewJobRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new Dictionary<string, string>();
        var backend = BackendFor(request.Provider);
        if (backend is null)
            errors[nameof(request.Provider)] = "Choose a provider.";
        else if (!backend.IsConfiguredFor(request.Provider))
            errors[nameof(request.Provider)] = $"The {request.Provider} backend is not configured: add an API key first.";
        if (SuffixProblem(request.Provider, request.Suffix) is { } suffixProblem)
            errors[nameof(request.Suffix)] = suffixProblem;
        if (request.Epochs is < 1 or > 50)
            errors[nameof(request.Epochs)] = "Epochs must be between 1 and 50, or auto.";
        if (request.BatchSize is < 1 or > 256)
            errors[nameof(request.BatchSize)] = "Batch size must be between 1 and 256, or auto.";
        if (request.LearningRateMultiplier is <= 0 or > 10)
            errors[nameof(request.LearningRateMultiplier)] = "The learning-rate multiplier must be above 0 and at most 10, or auto.";
        if (request.ValidationPercent is < 0 or > 50)
            errors[nameof(request.ValidationPercent)] = "Hold out between 0 and 50 % for validation.";
        return errors;
    }

    public async Task<Result<int>> CreateAsync(NewJobRequest request, CurrentUser user, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = Validate(request);
        if (errors.Count > 0)
            return Result<int>.Invalid(errors);

        var preview = await PreviewAsync(request.Provider, request.ValidationPercent, request.Epochs, request.Seed, ct);
        if (preview.Refusal is not null)
            return Result<int>.Fail(nameof(request.Provider), preview.Refusal);
        if (!preview.Readiness.Ready)
            return Result<int>.Fail(Result.Form, string.Join(" ", preview.Readiness.Reasons));
        if (preview.Split?.Problem is { } splitProblem)
            return Result<int>.Fail(nameof(request.ValidationPercent), splitProblem);
        if (preview.TrainingExamples == 0)
            return Result<int>.Fail(nameof(request.ValidationPercent), "Nothing would be left to train on: lower the validation share.");

        var now = clock.GetUtcNow();
        var job = new FineTuneJob
        {
            Provider = request.Provider,
            BaseModel = preview.BaseModel,
            Suffix = string.IsNullOrWhiteSpace(request.Suffix) ? null : request.Suffix.Trim(),
            Seed = request.Seed,
            Epochs = request.Epochs,
            BatchSize = request.BatchSize,
            LearningRateMultiplier = request.LearningRateMultiplier,
            ValidationPercent = request.ValidationPercent,
            Status = FineTuneStatus.Queued,
            TrainingExamples = preview.TrainingExamples,
            ValidationExamples = preview.ValidationExamples,
            EstimatedTokens = preview.BilledTokens,
            EstimatedCost = preview.EstimatedCost,
            CreatedAt = now,
            NextAttemptAt = now,
            CreatedById = user.Id,
        };
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // The entry needs the job's id, so it is a second save; the transaction keeps job and entry together.
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            db.FineTuneJobs.Add(job);
            await db.SaveChangesAsync(ct);
            await audit.AddAsync(db, user, AuditActions.FineTuneStart, AuditEntities.FineTuneJob, job.Id.ToString(CultureInfo.InvariantCulture),
                $"Started {job.Provider} fine-tuning job #{job.Id} on {job.BaseModel}: {job.TrainingExamples} training and {job.ValidationExamples} validation examples",
                after: AuditLog.Json(new
                {
                    provider = job.Provider, baseModel = job.BaseModel, suffix = job.Suffix, seed = job.Seed, epochs = job.Epochs,
                    batchSize = job.BatchSize, learningRateMultiplier = job.LearningRateMultiplier, validationPercent = job.ValidationPercent,
                    estimatedTokens = job.EstimatedTokens, estimatedCost = job.EstimatedCost,
                }), ct: ct);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        wakeup.Wake();
        return Result<int>.Ok(job.Id, $"Fine-tuning job #{job.Id} queued.");
    }

    public async Task<PagedResult<JobRow>> ListAsync(int page, int pageSize, CancellationToken ct = default)
    {
        var paging = new PageRequest(page, pageSize).Normalised(100);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var total = await db.FineTuneJobs.CountAsync(ct);
        var items = await db.FineTuneJobs.AsNoTracking()
            .OrderByDescending(j => j.CreatedAt).ThenByDescending(j => j.Id)
            .Skip(paging.Skip).Take(paging.Take)
            .Select(j => new JobRow(j.Id, j.Provider, j.BaseModel, j.Status, j.CreatedAt, j.StartedAt, j.FinishedAt, j.TrainedTokens,
                j.EstimatedTokens, j.EstimatedCost, j.FineTunedModel, j.CompletedSteps, j.TotalSteps, j.CancelRequested, j.Recommended))
            .ToListAsync(ct);
        return new(items, total);
    }

    public async Task<JobDetail?> GetAsync(int id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var job = await db.FineTuneJobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == id, ct);
        if (job is null)
            return null;
        var events = await db.FineTuneEvents.AsNoTracking().Where(e => e.JobId == id).OrderBy(e => e.Id).ToListAsync(ct);
        var checkpoints = await db.FineTuneCheckpoints.AsNoTracking().Where(c => c.JobId == id).OrderBy(c => c.Step).ThenBy(c => c.Id).ToListAsync(ct);
        return new JobDetail(job, events, checkpoints);
    }

    /// <summary>Asks the runner to cancel the job; it stops at its next step or poll.</summary>
    public async Task<Result> CancelAsync(int id, CurrentUser user, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var job = await db.FineTuneJobs.SingleOrDefaultAsync(j => j.Id == id, ct);
        if (job is null)
            return Result.Problem(ResultStatus.NotFound, "That job does not exist.");
        if (job.IsFinished)
            return Result.Problem(ResultStatus.Blocked, $"The job already {job.Status.ToString().ToLowerInvariant()}.");
        var status = job.Status.ToString();
        job.CancelRequested = true;
        job.NextAttemptAt = clock.GetUtcNow();
        await audit.AddAsync(db, user, AuditActions.FineTuneCancel, AuditEntities.FineTuneJob, id.ToString(CultureInfo.InvariantCulture),
            $"Asked to cancel {job.Provider} fine-tuning job #{id} ({status.ToLowerInvariant()})", status, "cancel requested", ct);
        await db.SaveChangesAsync(ct);
        wakeup.Wake();
        return Result.Ok("Cancelling: the job stops at its next step.");
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex SuffixPattern();
}
