using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers.OpenAI;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MediaPlanner.Domain.Models;

public enum ModelKind { Base, FineTuned, Checkpoint }

/// <summary>A model the app can use, and where it came from.</summary>
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
    string? ParametersJson)
{
    public ModelTarget Target => new(Provider, Model, ParametersJson);
}

/// <summary>
/// Every model the app can use — each provider's base model, each fine-tuned model from a succeeded job and its
/// checkpoints — and which fine-tuned model is deployed. Deploying ends the current deployment; rolling back
/// redeploys the one before it. The history is never rewritten.
/// </summary>
public sealed class ModelRegistry(
    IDbContextFactory<PlannerDbContext> dbFactory,
    MediaMixParameters localBase,
    IOptionsMonitor<OpenAIOptions> openAI,
    TimeProvider clock,
    AuditLog audit)
{
    public ModelTarget LocalBase => new(FineTuneProviders.Local, localBase.ModelName);

    public ModelTarget? OpenAIBase => openAI.CurrentValue.IsConfigured ? new(FineTuneProviders.OpenAI, openAI.CurrentValue.BaseModel) : null;

    public async Task<IReadOnlyList<RegisteredModel>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var active = await ActiveAsync(db, ct);
        var models = new List<RegisteredModel>
        {
            new(FineTuneProviders.Local, localBase.ModelName, localBase.ModelName, ModelKind.Base, null, null, null, true, false, null),
            new(FineTuneProviders.OpenAI, openAI.CurrentValue.BaseModel, openAI.CurrentValue.BaseModel, ModelKind.Base, null, null, null,
                openAI.CurrentValue.IsConfigured, false, null),
        };
        var jobs = await db.FineTuneJobs.AsNoTracking()
            .Where(j => j.Status == FineTuneStatus.Succeeded && j.FineTunedModel != null)
            .OrderByDescending(j => j.FinishedAt).ToListAsync(ct);
        var jobIds = jobs.Select(j => j.Id).ToList();
        var checkpoints = await db.FineTuneCheckpoints.AsNoTracking().Where(c => jobIds.Contains(c.JobId))
            .OrderBy(c => c.JobId).ThenByDescending(c => c.Step).ToListAsync(ct);
        foreach (var job in jobs)
        {
            var available = job.Provider == FineTuneProviders.Local || openAI.CurrentValue.IsConfigured;
            models.Add(new(job.Provider, job.FineTunedModel!, job.BaseModel, ModelKind.FineTuned, job.Id, null, job.FinishedAt, available,
                active is not null && active.Model == job.FineTunedModel, job.ResultParametersJson));
            foreach (var c in checkpoints.Where(c => c.JobId == job.Id && c.ModelName != job.FineTunedModel))
                models.Add(new(job.Provider, c.ModelName, job.BaseModel, ModelKind.Checkpoint, job.Id, c.Id, c.CreatedAt, available,
                    active is not null && active.Model == c.ModelName, c.ParametersJson));
        }
        return models;
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

    /// <summary>Deploys a fine-tuned model or checkpoint from the registry as the active fine-tuned model.</summary>
    public async Task<(bool Succeeded, string Message)> DeployAsync(string model, CurrentUser user, CancellationToken ct = default)
    {
        var candidate = (await ListAsync(ct)).FirstOrDefault(m => m.Model == model && m.Kind != ModelKind.Base);
        if (candidate is null)
            return (false, "Only fine-tuned models and their checkpoints can be deployed; that one is not in the registry.");
        if (!candidate.Available)
            return (false, $"{model} needs the {candidate.Provider} provider, which is not configured.");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var current = await db.Deployments.Where(d => d.EndedAt == null).ToListAsync(ct);
        if (current.Any(d => d.Model == model))
            return (false, $"{model} is already deployed.");
        foreach (var d in current)
        {
            d.EndedAt = now;
            d.EndedById = user.Id;
        }
        db.Deployments.Add(new ModelDeployment
        {
            Provider = candidate.Provider, Model = candidate.Model, BaseModel = candidate.BaseModel, JobId = candidate.JobId,
            CheckpointId = candidate.CheckpointId, ParametersJson = candidate.ParametersJson, DeployedAt = now, DeployedById = user.Id,
        });
        var kind = candidate.Kind == ModelKind.Checkpoint ? "checkpoint" : "fine-tuned model";
        var source = candidate.JobId is { } jobId ? $" from job #{jobId}" : "";
        var replaced = current.Count > 0 ? string.Join(", ", current.Select(d => d.Model)) : null;
        await audit.AddAsync(db, user, AuditActions.ModelDeploy, AuditEntities.Model, model,
            $"Deployed {kind} {model}{source}{(replaced is null ? "" : $", replacing {replaced}")}", replaced ?? "none deployed", model, ct);
        await db.SaveChangesAsync(ct);
        return (true, $"{model} is now the active fine-tuned model.");
    }

    /// <summary>Ends the live deployment and redeploys the one before it (or none, if there was none).</summary>
    public async Task<(bool Succeeded, string Message)> RollbackAsync(CurrentUser user, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var history = await db.Deployments.OrderByDescending(d => d.DeployedAt).ThenByDescending(d => d.Id).Take(50).ToListAsync(ct);
        var current = history.FirstOrDefault(d => d.EndedAt == null);
        if (current is null)
            return (false, "Nothing is deployed, so there is nothing to roll back.");
        var now = clock.GetUtcNow();
        current.EndedAt = now;
        current.EndedById = user.Id;
        var previous = history.FirstOrDefault(d => d.Id != current.Id && d.Model != current.Model);
        if (previous is null)
        {
            await audit.AddAsync(db, user, AuditActions.ModelRollback, AuditEntities.Model, current.Model,
                $"Rolled back {current.Model}; plans now come from the base model only", current.Model, "base model only", ct);
            await db.SaveChangesAsync(ct);
            return (true, $"{current.Model} is no longer deployed; plans now come from the base model only.");
        }
        db.Deployments.Add(new ModelDeployment
        {
            Provider = previous.Provider, Model = previous.Model, BaseModel = previous.BaseModel, JobId = previous.JobId,
            CheckpointId = previous.CheckpointId, ParametersJson = previous.ParametersJson, DeployedAt = now, DeployedById = user.Id,
            Note = $"Rolled back from {current.Model}",
        });
        await audit.AddAsync(db, user, AuditActions.ModelRollback, AuditEntities.Model, current.Model,
            $"Rolled back {current.Model}; {previous.Model} is active again", current.Model, previous.Model, ct);
        await db.SaveChangesAsync(ct);
        return (true, $"Rolled back: {previous.Model} is active again.");
    }
}
