using System.ComponentModel.DataAnnotations;
using System.Globalization;
using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Cluster;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.FineTuning.Evaluation;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Domain.Providers;
using MediaPlanner.Domain.Providers.OpenAI;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MediaPlanner.Domain.Models;

public enum ModelKind
{
    [Display(Name = "Base model")]
    Base,
    [Display(Name = "Fine-tuned")]
    FineTuned,
    Checkpoint,
}

/// <summary>
/// A model the app can use, and where it came from. <see cref="Evaluation"/> is its held-out comparison with the base
/// model (null when it was never evaluated, and always for base models).
/// </summary>
public sealed record RegisteredModel(
    string Provider,
    string Model,
    string BaseModel,
    ModelKind Kind,
    int? JobId,
    long? CheckpointId,
    DateTimeOffset? CreatedAt,
    bool Available,
    bool Deployed,
    string? ParametersJson,
    HeldOutComparison? Evaluation = null,
    ModelLifecycle? Lifecycle = null)
{
    public ModelTarget Target => new(Provider, Model, ParametersJson, Deployment);

    /// <summary>The Azure deployment the model is served under, as entered on its job; deploying it uses this name by default.</summary>
    public string? Deployment { get; init; }

    /// <summary>True only when the model was evaluated on held-out briefs and beat the base model there.</summary>
    public bool Recommended => Evaluation?.Recommended == true;
}

/// <summary>
/// Every model the app can use — each provider's base model, each fine-tuned model from a succeeded job and its
/// checkpoints — and which fine-tuned model is deployed. Deploying ends the current deployment; rolling back
/// redeploys the one before it. The history is never rewritten. A model its held-out evaluation does not recommend
/// (or that was never evaluated) deploys only as an audited override with the admin's reason.
/// </summary>
public sealed partial class ModelRegistry(
    IDbContextFactory<PlannerDbContext> dbFactory,
    MediaMixParameters localBase,
    IOptionsMonitor<OpenAIOptions> openAI,
    TimeProvider clock,
    AuditLog audit,
    ProviderProfileService? profiles = null,
    ModelCatalog? catalog = null,
    IClusterBus? bus = null)
{
    internal const string CacheName = "model-registry";

    /// <summary>Who ends a deployment whose model the provider shut down, in the deployment history and the audit trail.</summary>
    public static CurrentUser System { get; } = new("system", true);

    /// <summary>Raised after a deployment began or ended, or a shutdown alert was dismissed, on this node or another.</summary>
    public event Action? Changed;

    private void RaiseChanged()
    {
        Changed?.Invoke();
        bus?.CacheChanged(CacheName, null);
    }

    /// <summary>Another node deployed, rolled back or dismissed: open pages here read the registry again.</summary>
    internal void ChangedElsewhere() => Changed?.Invoke();

    public ModelTarget LocalBase => new(FineTuneProviders.Local, localBase.ModelName);

    /// <summary>OpenAI's base model (chosen in settings, else the first fine-tunable one its list offers); null when not configured.</summary>
    public ModelTarget? OpenAIBase => openAI.CurrentValue.IsConfigured && BaseModelFor(FineTuneProviders.OpenAI) is { } model
        ? HostedBase(FineTuneProviders.OpenAI, model)
        : null;

    /// <summary>A hosted provider's base model: the one chosen in settings, else the one its model list offers.</summary>
    public string? BaseModelFor(string provider) => catalog is not null
        ? catalog.BaseModelFor(provider)
        : provider == FineTuneProviders.OpenAI ? NullIfBlank(openAI.CurrentValue.BaseModel) : profiles?.Get(provider)?.FirstBaseModel;

    /// <summary>Where a model stands at its provider; unknown when the app does not read model lists.</summary>
    public ModelLifecycle Lifecycle(string provider, string model, string? baseModel = null) =>
        provider == FineTuneProviders.Local ? ModelLifecycle.LocalPlanner
        : catalog?.Lifecycle(provider, model, baseModel) ?? new(ModelStatus.Unknown, null, $"Whether {model} still works at {provider} is not tracked.");

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>A hosted base model as calls address it: on Azure OpenAI through the deployment the profile names for it.</summary>
    public ModelTarget HostedBase(string provider, string model) =>
        new(provider, model, null, profiles?.Get(provider)?.DeploymentFor(model));

    private bool IsAvailable(string provider) => provider switch
    {
        FineTuneProviders.Local => true,
        FineTuneProviders.OpenAI => openAI.CurrentValue.IsConfigured,
        _ => profiles?.Get(provider)?.IsConfigured == true,
    };

    public async Task<IReadOnlyList<RegisteredModel>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var active = await ActiveAsync(db, ct);
        var models = new List<RegisteredModel>
        {
            new(FineTuneProviders.Local, localBase.ModelName, localBase.ModelName, ModelKind.Base, null, null, null, true, false, null,
                Lifecycle: ModelLifecycle.LocalPlanner),
        };
        if (BaseModelFor(FineTuneProviders.OpenAI) is { } openAIBase)
            models.Add(new(FineTuneProviders.OpenAI, openAIBase, openAIBase, ModelKind.Base, null, null, null,
                openAI.CurrentValue.IsConfigured, false, null, Lifecycle: Lifecycle(FineTuneProviders.OpenAI, openAIBase)));
        foreach (var profile in profiles?.List().Where(p => !p.IsPrimary) ?? [])
            foreach (var b in profile.BaseModels)
                models.Add(new(profile.Key, b.Model, b.Model, ModelKind.Base, null, null, null, profile.IsConfigured, false, null,
                    Lifecycle: Lifecycle(profile.Key, b.Model)));
        var jobs = await db.FineTuneJobs.AsNoTracking()
            .Where(j => j.Status == FineTuneStatus.Succeeded && j.FineTunedModel != null)
            .OrderByDescending(j => j.FinishedAt).ToListAsync(ct);
        var jobIds = jobs.Select(j => j.Id).ToList();
        var checkpoints = await db.FineTuneCheckpoints.AsNoTracking().Where(c => jobIds.Contains(c.JobId))
            .OrderBy(c => c.JobId).ThenByDescending(c => c.Step).ToListAsync(ct);
        foreach (var job in jobs)
        {
            var available = IsAvailable(job.Provider);
            var evaluation = JobEvaluation.FromJson(job.EvaluationJson);
            models.Add(new(job.Provider, job.FineTunedModel!, job.BaseModel, ModelKind.FineTuned, job.Id, null, job.FinishedAt, available,
                active is not null && active.Model == job.FineTunedModel, job.ResultParametersJson, evaluation?.For(job.FineTunedModel!),
                Lifecycle(job.Provider, job.FineTunedModel!, job.BaseModel))
            { Deployment = job.FineTunedDeployment });
            foreach (var c in checkpoints.Where(c => c.JobId == job.Id && c.ModelName != job.FineTunedModel))
                models.Add(new(job.Provider, c.ModelName, job.BaseModel, ModelKind.Checkpoint, job.Id, c.Id, c.CreatedAt, available,
                    active is not null && active.Model == c.ModelName, c.ParametersJson, CheckpointComparison(evaluation, c),
                    Lifecycle(job.Provider, c.ModelName, job.BaseModel)));
        }
        return models;
    }

    private static HeldOutComparison? CheckpointComparison(JobEvaluation? evaluation, FineTuneCheckpoint checkpoint)
    {
        if (evaluation is null)
            return null;
        if (evaluation.For(checkpoint.ModelName) is { } comparison)
            return comparison;
        // Figures stored on the checkpoint row alone still compare with the base figures of the same job's held-out briefs.
        return JobEvaluation.FiguresFromJson(checkpoint.EvaluationJson) is { } figures
            ? new(checkpoint.ModelName, evaluation.HeldOutBriefs, evaluation.Base, figures, JobEvaluation.Beats(figures, evaluation.Base),
                JobEvaluation.VerdictFor(checkpoint.ModelName, figures, evaluation.Base))
            : null;
    }

    /// <summary>The live deployment, or null when none is deployed.</summary>
    public async Task<ModelDeployment?> ActiveAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await ActiveAsync(db, ct);
    }

    private static Task<ModelDeployment?> ActiveAsync(PlannerDbContext db, CancellationToken ct) =>
        db.Deployments.AsNoTracking().Where(d => d.EndedAt == null).OrderByDescending(d => d.DeployedAt).ThenByDescending(d => d.Id)
            .FirstOrDefaultAsync(ct);

    public async Task<IReadOnlyList<(ModelDeployment Deployment, string? By)>> HistoryAsync(int take = 50, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.Deployments.AsNoTracking().OrderByDescending(d => d.DeployedAt).ThenByDescending(d => d.Id).Take(take).ToListAsync(ct);
        var ids = rows.Select(r => r.DeployedById).Distinct().ToList();
        var emails = await db.Users.Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Email, ct);
        return rows.Select(r => (r, emails.GetValueOrDefault(r.DeployedById))).ToList();
    }

    /// <summary>Longest override reason kept with a deployment (the column's size).</summary>
    public const int OverrideReasonMax = 500;

    /// <summary>What a deployment of this model needs or should know first: a refusal when its provider shut it down, a warning when it retires soon.</summary>
    public static (string? Refusal, string? Warning) DeployCheck(RegisteredModel model) => model.Lifecycle switch
    {
        { Status: ModelStatus.ShutDown } gone => ($"{model.Model} cannot be deployed: {gone.Message}", null),
        { Status: ModelStatus.Retiring } soon => (null, $"{model.Model} retires soon. {soon.Message}"),
        _ => (null, null),
    };

    /// <summary>True when inference needs a deployment name for this model (Azure OpenAI serves a fine-tune only under one).</summary>
    public bool NeedsDeploymentName(RegisteredModel model) =>
        model.Kind != ModelKind.Base && profiles?.Get(model.Provider)?.Kind == ProviderKind.AzureOpenAI;

    public const string DeploymentNameNeeded = "Deploy the fine-tuned model in Azure under a deployment name first, then enter that name here.";

    /// <summary>
    /// Deploys a fine-tuned model or checkpoint from the registry as the active fine-tuned model. One its held-out
    /// evaluation does not recommend, or that was never evaluated, is refused unless <paramref name="overrideReason"/>
    /// says why; it then deploys as an override, and the audit entry keeps the figures and the reason. A model its
    /// provider shut down is refused; one retiring soon deploys with the warning in the message. On Azure OpenAI the
    /// deployment the model is served under is required, and calls use it: <paramref name="deploymentName"/>, by default
    /// the deployment entered on the model's job.
    /// </summary>
    public async Task<Result> DeployAsync(string model, CurrentUser user, string? overrideReason = null,
        string? deploymentName = null, CancellationToken ct = default)
    {
        var candidate = (await ListAsync(ct)).FirstOrDefault(m => m.Model == model && m.Kind != ModelKind.Base);
        if (candidate is null)
            return Result.Problem(ResultStatus.NotFound, "Only fine-tuned models and their checkpoints can be deployed; that one is not in the registry.");
        if (!candidate.Available)
            return Result.Problem(ResultStatus.Blocked, $"{model} needs the {candidate.Provider} provider, which is not configured.");
        if (candidate.Deployed)
            return Result.Problem(ResultStatus.Blocked, $"{model} is already deployed.");
        var (refusal, warning) = DeployCheck(candidate);
        if (refusal is not null)
            return Result.Problem(ResultStatus.Blocked, refusal);
        var deployment = string.IsNullOrWhiteSpace(deploymentName) ? candidate.Deployment : deploymentName.Trim();
        if (deployment is null && NeedsDeploymentName(candidate))
            return Result.Fail("DeploymentName", DeploymentNameNeeded);
        if (deployment is not null && AzureDeployment.ValidateName(deployment) is { } badName)
            return Result.Fail("DeploymentName", badName);
        var reason = string.IsNullOrWhiteSpace(overrideReason) ? null : overrideReason.Trim();
        if (!candidate.Recommended)
        {
            if (reason is null)
                return Result.Problem(ResultStatus.Blocked, candidate.Evaluation is { } e
                    ? $"{e.Verdict} To deploy it anyway, give a reason for the override."
                    : $"{model} was not compared with the base model on held-out briefs, so it is not recommended for deployment. To deploy it anyway, give a reason for the override.");
            if (reason.Length > OverrideReasonMax)
                return Result.Problem(ResultStatus.Blocked, $"Keep the reason to {OverrideReasonMax} characters; it has {reason.Length}.");
        }
        var isOverride = !candidate.Recommended;

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var current = await db.Deployments.Where(d => d.EndedAt == null).ToListAsync(ct);
        if (current.Any(d => d.Model == model))
            return Result.Problem(ResultStatus.Blocked, $"{model} is already deployed.");
        foreach (var d in current)
        {
            d.EndedAt = now;
            d.EndedById = user.Id;
        }
        db.Deployments.Add(new ModelDeployment
        {
            Provider = candidate.Provider, Model = candidate.Model, BaseModel = candidate.BaseModel, JobId = candidate.JobId,
            CheckpointId = candidate.CheckpointId, ParametersJson = candidate.ParametersJson, DeployedAt = now, DeployedById = user.Id,
            Override = isOverride, OverrideReason = isOverride ? reason : null, DeploymentName = deployment,
        });
        var kind = candidate.Kind == ModelKind.Checkpoint ? "checkpoint" : "fine-tuned model";
        var source = candidate.JobId is { } jobId ? $" from job #{jobId}" : "";
        var replaced = current.Count > 0 ? string.Join(", ", current.Select(d => d.Model)) : null;
        var replacing = replaced is null ? "" : $", replacing {replaced}";
        if (isOverride)
        {
            var against = candidate.Evaluation is { } e
                ? $"against its held-out evaluation ({Describe(e)}; not recommended)"
                : "without a held-out evaluation (never compared with the base model)";
            await audit.AddAsync(db, user, AuditActions.ModelDeploy, AuditEntities.Model, model,
                $"Deployed {kind} {model}{source} {against}{replacing}. Reason: {reason}", replaced ?? "none deployed",
                AuditLog.Json(new { model, @override = true, reason, evaluation = candidate.Evaluation is { } c ? new { c.Briefs, c.Base, c.Candidate, c.Verdict } : null }), ct);
        }
        else
        {
            var measured = candidate.Evaluation is { } e ? $" ({Describe(e)})" : "";
            await audit.AddAsync(db, user, AuditActions.ModelDeploy, AuditEntities.Model, model,
                $"Deployed {kind} {model}{source}{measured}{replacing}", replaced ?? "none deployed", model, ct);
        }
        await db.SaveChangesAsync(ct);
        RaiseChanged();
        var note = warning is null ? "" : $" Note: {warning}";
        return Result.Ok(isOverride
            ? $"{model} is now the active fine-tuned model, deployed as an override: your reason is in the audit log.{note}"
            : $"{model} is now the active fine-tuned model.{note}");
    }

    /// <summary>The held-out figures in one line, for audit entries.</summary>
    public static string Describe(HeldOutComparison c) => string.Create(CultureInfo.InvariantCulture,
        $"held-out distance {c.Candidate.MeanDistance:0.00} vs base {c.Base.MeanDistance:0.00}, quality {c.Candidate.MeanQuality:0.0} vs {c.Base.MeanQuality:0.0}, on {c.Briefs} held-out briefs");

    private const string RolledBackFrom = "Rolled back from ";

    /// <summary>
    /// The deployments as a stack, oldest first, replayed from the history: a deploy pushes; a rollback's restore replaces
    /// the model it rolled back and the entry it restored (so rolling back again goes further back, never to the model just
    /// rolled back); a deployment that ended with nothing deployed after it (rolled back to none, shut down) leaves. So
    /// repeated rollbacks walk back through the deployments to none, as the Roll back dialog promises.
    /// </summary>
    private static List<ModelDeployment> DeploymentStack(IEnumerable<ModelDeployment> history)
    {
        var rows = history.OrderBy(d => d.DeployedAt).ThenBy(d => d.Id).ToList();
        var starts = rows.Select(d => d.DeployedAt).ToHashSet();
        var events = rows.Select(d => (At: d.DeployedAt, Ends: false, Row: d))
            .Concat(rows.Where(d => d.EndedAt is { } end && !starts.Contains(end)).Select(d => (At: d.EndedAt!.Value, Ends: true, Row: d)))
            .OrderBy(e => e.At).ThenBy(e => e.Ends).ThenBy(e => e.Row.Id);
        var stack = new List<ModelDeployment>();
        foreach (var (_, ends, row) in events)
        {
            if (ends)
                stack.RemoveAll(d => d.Id == row.Id);
            else if (row.Note?.StartsWith(RolledBackFrom, StringComparison.Ordinal) == true)
            {
                if (stack.Count > 0)
                    stack.RemoveAt(stack.Count - 1);
                var restored = stack.FindLastIndex(d => d.Model == row.Model);
                if (restored >= 0)
                    stack.RemoveAt(restored);
                stack.Add(row);
            }
            else
                stack.Add(row);
        }
        return stack;
    }

    /// <summary>Ends the live deployment and redeploys the one before it (or none, if there was none).</summary>
    public async Task<Result> RollbackAsync(CurrentUser user, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var history = await db.Deployments.OrderByDescending(d => d.DeployedAt).ThenByDescending(d => d.Id).Take(50).ToListAsync(ct);
        var current = history.FirstOrDefault(d => d.EndedAt == null);
        if (current is null)
            return Result.Problem(ResultStatus.Blocked, "Nothing is deployed, so there is nothing to roll back.");
        var now = clock.GetUtcNow();
        current.EndedAt = now;
        current.EndedById = user.Id;
        // A model its provider has shut down is never redeployed: it would only answer 404s.
        var previous = DeploymentStack(history).Where(d => d.Id != current.Id && d.Model != current.Model)
            .Reverse()
            .FirstOrDefault(d => Lifecycle(d.Provider, d.Model, d.BaseModel).Status != ModelStatus.ShutDown);
        if (previous is null)
        {
            await audit.AddAsync(db, user, AuditActions.ModelRollback, AuditEntities.Model, current.Model,
                $"Rolled back {current.Model}; plans now come from the base model only", current.Model, "base model only", ct);
            await db.SaveChangesAsync(ct);
            RaiseChanged();
            return Result.Ok($"{current.Model} is no longer deployed; plans now come from the base model only.");
        }
        db.Deployments.Add(new ModelDeployment
        {
            Provider = previous.Provider, Model = previous.Model, BaseModel = previous.BaseModel, JobId = previous.JobId,
            CheckpointId = previous.CheckpointId, ParametersJson = previous.ParametersJson, DeployedAt = now, DeployedById = user.Id,
            Note = $"{RolledBackFrom}{current.Model}",
            // An override stays one: the model is still the one its evaluation did not recommend, for the same reason.
            Override = previous.Override, OverrideReason = previous.OverrideReason, DeploymentName = previous.DeploymentName,
        });
        var stillOverride = previous.Override ? $" (still deployed as an override: {previous.OverrideReason})" : "";
        await audit.AddAsync(db, user, AuditActions.ModelRollback, AuditEntities.Model, current.Model,
            $"Rolled back {current.Model}; {previous.Model} is active again{stillOverride}", current.Model, previous.Model, ct);
        await db.SaveChangesAsync(ct);
        RaiseChanged();
        return Result.Ok($"Rolled back: {previous.Model} is active again.");
    }
}
