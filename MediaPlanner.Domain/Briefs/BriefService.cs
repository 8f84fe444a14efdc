using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Persistence;
using Microsoft.EntityFrameworkCore;

namespace MediaPlanner.Domain.Briefs;

public sealed record BriefSummary(int Id, string Brand, string CampaignName, decimal Budget, string Currency, string MarketCode,
    Objective Objective, DateOnly FlightStart, DateOnly FlightEnd, DateTimeOffset CreatedAt, string OwnerEmail, int PlanCount);

public enum BriefSort { Newest, Oldest, Brand, BudgetHigh, BudgetLow }

public sealed record PagedResult<T>(IReadOnlyList<T> Items, int Total);

/// <summary>Saves and finds briefs. A planner sees their own; an admin sees all.</summary>
public sealed class BriefService(IDbContextFactory<PlannerDbContext> dbFactory, TimeProvider clock)
{
    public async Task<Result<int>> CreateAsync(BriefInput input, CurrentUser user, CancellationToken ct = default)
    {
        // A field with several problems shows them as one message, in the order the rules found them.
        var errors = input.Errors().ToDictionary(e => e.Key, e => string.Join(" ", e.Value));
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (input.MarketCode is { } market && !await db.Markets.AnyAsync(m => m.Code == market, ct))
            errors[nameof(BriefInput.MarketCode)] = "Choose a market from the list.";
        if (input.Currency is { } currency && !await db.Currencies.AnyAsync(c => c.Code == currency, ct))
            errors[nameof(BriefInput.Currency)] = "Choose a currency from the list.";
        if (errors.Count > 0)
            return Result<int>.Invalid(errors);

        // A brief from the API or an older form may carry targets only in its KPI text; a typed target always wins.
        var targets = input.Targets.Or(KpiParser.Parse(input.Kpis));
        var brief = new CampaignBrief
        {
            OwnerId = user.Id,
            Brand = input.Brand!.Trim(),
            CampaignName = input.CampaignName!.Trim(),
            Budget = input.Budget!.Value,
            Currency = input.Currency!,
            MarketCode = input.MarketCode!,
            Objective = input.Objective,
            AgeMin = input.AgeMin,
            AgeMax = input.AgeMax,
            Gender = input.Gender,
            Interests = input.Interests?.Trim() ?? "",
            FlightStart = DateOnly.FromDateTime(input.FlightStart!.Value),
            FlightEnd = DateOnly.FromDateTime(input.FlightEnd!.Value),
            Channels = [.. input.Channels.Order()],
            Kpis = input.Kpis?.Trim() ?? "",
            KpiReachPercent = targets.ReachPercent,
            KpiFrequency = targets.Frequency,
            KpiCpc = targets.Cpc,
            KpiCpa = targets.Cpa,
            KpiCtrPercent = targets.CtrPercent,
            EffectiveFrequency = input.EffectiveFrequency,
            Flighting = input.Flighting,
            FlightingWeeks = input.NormalizedFlightingWeeks(),
            BriefText = input.BriefText!.Trim(),
            CreatedAt = clock.GetUtcNow(),
        };
        db.Briefs.Add(brief);
        await db.SaveChangesAsync(ct);
        return Result<int>.Ok(brief.Id, "Brief saved.");
    }

    /// <summary>The brief if it exists and the user may see it; otherwise null (no hint which).</summary>
    public async Task<CampaignBrief?> GetAsync(int id, CurrentUser user, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Briefs.AsNoTracking()
            .Where(b => b.Id == id && (user.IsAdmin || b.OwnerId == user.Id))
            .SingleOrDefaultAsync(ct);
    }

    public async Task<PagedResult<BriefSummary>> ListAsync(CurrentUser user, int page, int pageSize, BriefSort sort = BriefSort.Newest,
        string? search = null, CancellationToken ct = default)
    {
        var paging = new PageRequest(page, pageSize).Normalised(100);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = db.Briefs.AsNoTracking().Where(b => user.IsAdmin || b.OwnerId == user.Id);
        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = SqlLike.Contains(search);
            query = query.Where(b => EF.Functions.Like(b.Brand!.ToLower(), term, SqlLike.Escape) || EF.Functions.Like(b.CampaignName!.ToLower(), term, SqlLike.Escape));
        }
        var total = await query.CountAsync(ct);
        query = sort switch
        {
            BriefSort.Oldest => query.OrderBy(b => b.CreatedAt).ThenBy(b => b.Id),
            BriefSort.Brand => query.OrderBy(b => b.Brand).ThenByDescending(b => b.Id),
            BriefSort.BudgetHigh => query.OrderByDescending(b => b.Budget).ThenByDescending(b => b.Id),
            BriefSort.BudgetLow => query.OrderBy(b => b.Budget).ThenByDescending(b => b.Id),
            _ => query.OrderByDescending(b => b.CreatedAt).ThenByDescending(b => b.Id),
        };
        var items = await query
            .Skip(paging.Skip).Take(paging.Take)
            .Select(b => new BriefSummary(b.Id, b.Brand, b.CampaignName, b.Budget, b.Currency, b.MarketCode, b.Objective,
                b.FlightStart, b.FlightEnd, b.CreatedAt,
                db.Users.Where(u => u.Id == b.OwnerId).Select(u => u.Email).FirstOrDefault() ?? "",
                db.Plans.Count(p => p.BriefId == b.Id)))
            .ToListAsync(ct);
        return new(items, total);
    }

    public async Task<IReadOnlyList<Market>> MarketsAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Markets.AsNoTracking().OrderBy(m => m.Name).ToListAsync(ct);
    }

    public async Task<IReadOnlyList<CurrencyRate>> CurrenciesAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Currencies.AsNoTracking().OrderBy(c => c.Code).ToListAsync(ct);
    }
}
