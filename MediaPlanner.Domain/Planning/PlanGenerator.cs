using System.Diagnostics;
using System.Text.Json;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
using Microsoft.EntityFrameworkCore;

namespace MediaPlanner.Domain.Planning;

/// <summary>A stored plan with its parsed form and quality report, ready to show.</summary>
public sealed record PlanView(GeneratedPlan Entity, MediaPlan Plan, QualityReport Quality);

/// <summary>
/// Turns a brief into scored, saved plans: resolves the brief's market, currency and benchmarks, asks the
/// provider, times the call, scores each plan and stores it with the brief.
/// </summary>
public sealed class PlanGenerator(
    IDbContextFactory<PlannerDbContext> dbFactory,
    IPlanProvider provider,
    PlanQualityEvaluator evaluator,
    TimeProvider clock)
{
    public const int DefaultAlternatives = 3;

    public async Task<IReadOnlyList<PlanView>> GenerateAsync(int briefId, CurrentUser user, int alternatives = DefaultAlternatives,
        CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var request = await BuildRequestAsync(db, briefId, user, ct)
            ?? throw new KeyNotFoundException($"Brief {briefId} was not found.");

        var started = Stopwatch.GetTimestamp();
        var result = await provider.GenerateAsync(request, new ModelTarget(provider.Name, ""), alternatives, ct);
        var latency = Stopwatch.GetElapsedTime(started).TotalMilliseconds;

        var context = PlanEvaluationContext.From(request);
        var runId = Guid.NewGuid();
        var now = clock.GetUtcNow();
        var views = new List<PlanView>();
        foreach (var (plan, index) in result.Plans.Select((p, i) => (p, i)))
        {
            var quality = evaluator.Evaluate(plan, context);
            var entity = new GeneratedPlan
            {
                BriefId = briefId,
                RunId = runId,
                Ordinal = index,
                Provider = provider.Name,
                Model = result.Model,
                StrategyName = plan.StrategyName,
                PlanJson = PlanJson.Serialize(plan),
                QualityScore = quality.Score,
                QualityJson = JsonSerializer.Serialize(quality, PlanJson.Options),
                LatencyMs = latency,
                CreatedAt = now,
                CreatedById = user.Id,
            };
            db.Plans.Add(entity);
            views.Add(new PlanView(entity, plan, quality));
        }
        await db.SaveChangesAsync(ct);
        return views;
    }

    /// <summary>The plans of the brief's latest run, or none if it has not been planned yet.</summary>
    public async Task<IReadOnlyList<PlanView>> LatestPlansAsync(int briefId, CurrentUser user, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var visible = db.Plans.AsNoTracking().Where(p => p.BriefId == briefId && (user.IsAdmin || p.Brief!.OwnerId == user.Id));
        var latest = await visible.OrderByDescending(p => p.CreatedAt).ThenByDescending(p => p.Id).Select(p => (Guid?)p.RunId).FirstOrDefaultAsync(ct);
        if (latest is null)
            return [];
        var entities = await visible.Where(p => p.RunId == latest).OrderBy(p => p.Ordinal).ToListAsync(ct);
        return entities.Select(ToView).ToList();
    }

    public async Task<PlanView?> GetAsync(int planId, CurrentUser user, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var entity = await db.Plans.AsNoTracking().Include(p => p.Brief)
            .SingleOrDefaultAsync(p => p.Id == planId && (user.IsAdmin || p.Brief!.OwnerId == user.Id), ct);
        return entity is null ? null : ToView(entity);
    }

    internal static async Task<PlanRequest?> BuildRequestAsync(PlannerDbContext db, int briefId, CurrentUser user, CancellationToken ct)
    {
        var brief = await db.Briefs.AsNoTracking().SingleOrDefaultAsync(b => b.Id == briefId && (user.IsAdmin || b.OwnerId == user.Id), ct);
        if (brief is null)
            return null;
        var market = await db.Markets.AsNoTracking().SingleAsync(m => m.Code == brief.MarketCode, ct);
        var currency = await db.Currencies.AsNoTracking().SingleAsync(c => c.Code == brief.Currency, ct);
        var benchmarks = await db.Benchmarks.AsNoTracking().ToListAsync(ct);
        return PlanRequest.Create(brief, market, currency, benchmarks);
    }

    private static PlanView ToView(GeneratedPlan entity) => new(
        entity,
        PlanJson.Deserialize(entity.PlanJson),
        JsonSerializer.Deserialize<QualityReport>(entity.QualityJson, PlanJson.Options)!);
}
