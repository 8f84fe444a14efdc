using System.Globalization;
using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Providers;
using Microsoft.EntityFrameworkCore;

namespace MediaPlanner.Domain.Models;

/// <summary>A deployment the app ended by itself (its model shut down), shown to admins until they deploy another model or dismiss it.</summary>
public sealed record ShutdownNotice(int DeploymentId, string Provider, string Model, string BaseModel, DateTimeOffset EndedAt, string Reason);

public sealed partial class ModelRegistry
{
    /// <summary>The settings row that remembers which deployment's shutdown alert an admin dismissed.</summary>
    internal const string DismissedAlertKey = "Alerts.ShutdownDismissed";

    private readonly SemaphoreSlim _endGate = new(1, 1);

    /// <summary>
    /// Ends the live deployment when its model has shut down at the provider, as the system, with the reason kept on the
    /// deployment and in the audit trail; plans then come from its base model, or the built-in planner when the base
    /// model has shut down too. Returns the notice, or null when nothing had to end.
    /// </summary>
    public async Task<ShutdownNotice?> EndShutDownDeploymentAsync(CancellationToken ct = default)
    {
        await _endGate.WaitAsync(ct);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var current = await db.Deployments.Where(d => d.EndedAt == null)
                .OrderByDescending(d => d.DeployedAt).ThenByDescending(d => d.Id).ToListAsync(ct);
            if (current.FirstOrDefault() is not { } live || live.Provider == FineTuneProviders.Local)
                return null;
            var lifecycle = Lifecycle(live.Provider, live.Model, live.BaseModel);
            if (lifecycle is not { Status: ModelStatus.ShutDown, ShutdownDate: { } date })
                return null;

            var providerName = profiles?.Get(live.Provider)?.Name ?? live.Provider;
            var plansFrom = Lifecycle(live.Provider, live.BaseModel).Status == ModelStatus.ShutDown
                ? $"the built-in planner, since its base model {live.BaseModel} was shut down too"
                : $"the base model {live.BaseModel}";
            var reason = $"{live.Model} was shut down by {providerName} on {ModelCatalog.Format(date)}; plans come from {plansFrom}.";
            var now = clock.GetUtcNow();
            // Every open row ends: an older one left open must not become live in its place.
            foreach (var d in current)
            {
                d.EndedAt = now;
                d.EndedById = System.Id;
                d.EndReason = reason;
            }
            await audit.AddAsync(db, System, AuditActions.ModelShutdown, AuditEntities.Model, live.Model,
                $"Ended the deployment of {live.Model}: {reason}", live.Model, plansFrom, ct);
            await db.SaveChangesAsync(ct);
            RaiseChanged();
            return new(live.Id, live.Provider, live.Model, live.BaseModel, now, reason);
        }
        finally
        {
            _endGate.Release();
        }
    }

    /// <summary>
    /// The deployment the app ended by itself, while no model has been deployed since and no admin dismissed the alert.
    /// </summary>
    public async Task<ShutdownNotice?> ShutdownAlertAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var latest = await db.Deployments.AsNoTracking().OrderByDescending(d => d.DeployedAt).ThenByDescending(d => d.Id).FirstOrDefaultAsync(ct);
        if (latest is not { EndedAt: { } endedAt, EndReason: { } reason })
            return null;
        var dismissed = await db.Settings.AsNoTracking().Where(s => s.Key == DismissedAlertKey).Select(s => s.Value).FirstOrDefaultAsync(ct);
        return dismissed == latest.Id.ToString(CultureInfo.InvariantCulture)
            ? null
            : new(latest.Id, latest.Provider, latest.Model, latest.BaseModel, endedAt, reason);
    }

    /// <summary>Hides the alert about <paramref name="deploymentId"/> for every admin (audited).</summary>
    public async Task DismissShutdownAlertAsync(int deploymentId, CurrentUser user, CancellationToken ct = default)
    {
        if (!user.IsAdmin)
            throw new UnauthorizedAccessException("Only admins dismiss model alerts.");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var model = await db.Deployments.Where(d => d.Id == deploymentId).Select(d => d.Model).FirstOrDefaultAsync(ct);
        if (model is null)
            return;
        var id = deploymentId.ToString(CultureInfo.InvariantCulture);
        var row = await db.Settings.SingleOrDefaultAsync(s => s.Key == DismissedAlertKey, ct);
        if (row is null)
            db.Settings.Add(row = new AppSetting { Key = DismissedAlertKey, Value = id });
        row.Value = id;
        row.UpdatedAt = clock.GetUtcNow();
        row.UpdatedById = user.Id;
        await audit.AddAsync(db, user, AuditActions.ModelAlertDismiss, AuditEntities.Model, model,
            $"Dismissed the alert that {model} was shut down", null, null, ct);
        await db.SaveChangesAsync(ct);
        RaiseChanged();
    }

    /// <summary>How soon after one re-check a 404 may cause the next, so a deleted model does not cost a list read per plan.</summary>
    public static readonly TimeSpan RecheckPause = TimeSpan.FromMinutes(5);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset> _rechecked = new(StringComparer.Ordinal);

    /// <summary>
    /// When the deployed model's latest call was answered 404 model_not_found, reads its provider's model list again
    /// (at most once per <see cref="RecheckPause"/>), so a shutdown the last scheduled read did not know yet takes effect.
    /// </summary>
    public async Task RecheckAfterNotFoundAsync(ModelDeployment deployed, CancellationToken ct = default)
    {
        if (catalog is null || deployed.Provider == FineTuneProviders.Local)
            return;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var last = await db.ModelCalls.AsNoTracking().Where(c => c.Model == deployed.Model)
                .OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id).Select(c => c.FailureCode).FirstOrDefaultAsync(ct);
            if (last != "model_not_found")
                return;
        }
        var now = clock.GetUtcNow();
        if (_rechecked.TryGetValue(deployed.Provider, out var at) && now - at < RecheckPause)
            return;
        _rechecked[deployed.Provider] = now;
        await catalog.RefreshAsync(deployed.Provider, ct);
    }
}
