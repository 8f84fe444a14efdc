using System.Text;
using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Providers;
using MediaPlanner.Domain.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MediaPlanner.Domain.Training;

public sealed record CountBy(string Key, int Count);

public sealed record TrainingSummary(
    int Total,
    IReadOnlyList<CountBy> ByStatus,
    IReadOnlyList<CountBy> ByObjective,
    IReadOnlyList<CountBy> ByMarket,
    IReadOnlyList<CountBy> ByModel,
    int Duplicates,
    int WithErrors,
    long ValidatedTokens,
    long AllTokens,
    double? AverageQuality,
    Readiness Readiness,
    string BaseModel,
    int MaxTokensPerExample,
    int Epochs,
    long BilledTokens,
    ModelPrice? Price,
    decimal? EstimatedCost,
    int Exportable = 0)
{
    /// <summary>How an export of the <see cref="Exportable"/> examples splits at <paramref name="percent"/> %.</summary>
    public SplitCounts Split(int percent) => StratifiedSplit.Counts(Exportable, percent);
}

public enum ExportPart { All, Train, Validation }

/// <param name="Anonymise">Client names in each line are replaced by placeholders (<see cref="Anonymiser.AnonymiseLine"/>).</param>
public sealed record ExportOptions(int ValidationPercent = 0, int Seed = 42, ExportPart Part = ExportPart.All, bool Anonymise = false);

/// <summary>A split export's lines, each with the campaign results recorded on its example (null when none).</summary>
public sealed record SplitExport(
    IReadOnlyList<string> TrainingLines,
    IReadOnlyList<ExampleOutcome?> TrainingOutcomes,
    IReadOnlyList<string> ValidationLines,
    IReadOnlyList<ExampleOutcome?> ValidationOutcomes);

public sealed record RejectedLine(int LineNumber, string Reason);

public sealed record ImportReport(int Lines, int Imported, int Duplicates, int RejectedCount, IReadOnlyList<RejectedLine> Rejected)
{
    /// <summary>The report lists at most this many rejected lines; the count covers them all.</summary>
    public const int MaxListed = 1_000;

    /// <summary>The <see cref="ImportRun"/> that recorded this import.</summary>
    public int RunId { get; init; }
}

/// <summary>Counts and readiness, and JSONL export and import (TrainingDataService.Import.cs) of training examples, streamed both ways.</summary>
public sealed partial class TrainingDataService(
    IDbContextFactory<PlannerDbContext> dbFactory,
    ExampleValidator validator,
    TrainingSettings settings,
    TimeProvider clock,
    AuditLog audit,
    IOptions<ImportOptions>? importOptions = null,
    Telemetry.PlannerMetrics? metrics = null)
{
    private const int MaxExportValidationPercent = 90;

    /// <summary>
    /// Every figure from the running totals the database keeps per group (<see cref="TrainingSummaryCount"/>) plus the
    /// few validated examples over the model's token cap: the cost grows with the number of groups, not of examples.
    /// </summary>
    public async Task<TrainingSummary> SummaryAsync(CancellationToken ct = default)
    {
        // Read once: the setting is live, and the summary must name the model it priced.
        var baseModel = settings.BaseModel;
        var maxTokens = TokenCounter.MaxTokensPerExample(baseModel);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var counts = await db.TrainingSummaryCounts.AsNoTracking().ToListAsync(ct);
        var groups = counts.Where(g => !g.IsDuplicate).ToList();
        var overCap = await OverCapAsync(db, maxTokens, ct);
        var price = (await PriceBook.LoadAsync(db, ct)).Find(ProviderProfile.PrimaryKey, baseModel).Price;

        var validated = groups.Where(g => g.Status == ExampleStatus.Validated).ToList();
        var validatedCount = validated.Sum(g => g.Count);
        var epochs = FineTuneEstimator.DefaultEpochs(validatedCount);
        var billed = (validated.Sum(g => g.Tokens) - overCap.Sum(o => o.Excess)) * epochs;
        var rated = groups.Sum(g => g.Rated);
        return new TrainingSummary(
            groups.Sum(g => g.Count),
            CountsBy(groups, g => g.Status.DisplayName()),
            CountsBy(groups, g => g.ObjectiveValue?.DisplayName() ?? "Unknown"),
            CountsBy(groups, g => g.MarketCode is "" ? "Unknown" : g.MarketCode),
            CountsBy(groups, g => g.Model is "" ? "Imported" : g.Model),
            counts.Where(g => g.IsDuplicate).Sum(g => g.Count),
            groups.Where(g => g.HasErrors).Sum(g => g.Count),
            validated.Sum(g => g.Tokens),
            groups.Sum(g => g.Tokens),
            rated == 0 ? null : groups.Sum(g => g.QualitySum) / rated,
            FineTuneEstimator.Check(validatedCount, validated.Where(g => g.HasErrors).Sum(g => g.Count)),
            baseModel,
            maxTokens,
            epochs,
            billed,
            price,
            price?.TrainingPerMillion is { } perMillion ? FineTuneEstimator.Cost(billed, perMillion) : null,
            validated.Where(g => !g.HasErrors).Sum(g => g.Count));
    }

    /// <summary>Validated originals over the cap, by errors: the tokens a job would not bill. Rare, and found by index range.</summary>
    private sealed record OverCap(bool HasErrors, long Excess);

    private static async Task<List<OverCap>> OverCapAsync(PlannerDbContext db, int maxTokens, CancellationToken ct) =>
        await db.TrainingExamples.AsNoTracking()
            .Where(e => e.Status == ExampleStatus.Validated && e.DuplicateOfId == null && e.TokenCount > maxTokens)
            .GroupBy(e => e.HasErrors)
            .Select(g => new OverCap(g.Key, g.Sum(e => (long)(e.TokenCount - maxTokens))))
            .ToListAsync(ct);

    /// <summary>
    /// How many tokens a job on the exportable examples would bill per epoch at <paramref name="maxTokensPerExample"/>,
    /// and how many examples that is, from the running totals.
    /// </summary>
    public static async Task<(int Examples, long CappedTokens)> ExportableTokensAsync(PlannerDbContext db, int maxTokensPerExample, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var exportable = await db.TrainingSummaryCounts.AsNoTracking()
            .Where(g => !g.IsDuplicate && g.Status == ExampleStatus.Validated && !g.HasErrors)
            .Select(g => new { g.Count, g.Tokens })
            .ToListAsync(ct);
        var examples = exportable.Sum(g => g.Count);
        if (examples == 0)
            return (0, 0);
        var excess = (await OverCapAsync(db, maxTokensPerExample, ct)).Where(o => !o.HasErrors).Sum(o => o.Excess);
        return (examples, exportable.Sum(g => g.Tokens) - excess);
    }

    private static List<CountBy> CountsBy(IEnumerable<TrainingSummaryCount> groups, Func<TrainingSummaryCount, string> key) =>
        groups.GroupBy(key).Select(g => new CountBy(g.Key, g.Sum(x => x.Count)))
            .OrderByDescending(x => x.Count).ThenBy(x => x.Key, StringComparer.Ordinal).ToList();

    /// <summary>
    /// Writes validated, non-duplicate examples as JSONL, one at a time: memory stays flat whatever the count.
    /// A split export first reads ids and briefs to choose the held-out examples (<see cref="StratifiedSplit"/>), keeps
    /// only their ids, then streams the chosen side. Returns how many lines were written.
    /// </summary>
    public async Task<int> ExportAsync(Stream output, ExportOptions options, CancellationToken ct = default)
    {
        var percent = Math.Clamp(options.ValidationPercent, 0, MaxExportValidationPercent);
        if (options.Part == ExportPart.Validation && percent == 0)
        {
            await output.FlushAsync(ct);
            return 0;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var heldOut = options.Part != ExportPart.All && percent > 0 ? await HeldOutIdsAsync(db, percent, options.Seed, ct) : null;
        var rows = Exportable(db)
            .OrderBy(e => e.Id)
            .Select(e => new { e.Id, e.MessagesJson })
            .AsAsyncEnumerable();
        var newline = "\n"u8.ToArray();
        var count = 0;
        var buffer = new byte[4096];
        await foreach (var row in rows.WithCancellation(ct))
        {
            if (heldOut is not null && heldOut.Contains(row.Id) != (options.Part == ExportPart.Validation))
                continue;
            var line = options.Anonymise ? Anonymiser.AnonymiseLine(row.MessagesJson) : row.MessagesJson;
            var needed = Encoding.UTF8.GetMaxByteCount(line.Length);
            if (buffer.Length < needed)
                buffer = new byte[needed];
            var written = Encoding.UTF8.GetBytes(line, buffer);
            await output.WriteAsync(buffer.AsMemory(0, written), ct);
            await output.WriteAsync(newline, ct);
            count++;
        }
        await output.FlushAsync(ct);
        metrics?.RecordExport(count);
        return count;
    }

    /// <summary>
    /// The same lines as <see cref="ExportAsync"/> (train and validation sides, in id order) with the campaign results
    /// recorded on each line's example, for a fine-tuning job. Held in memory: a job reads its whole dataset anyway.
    /// </summary>
    public async Task<SplitExport> ExportSplitAsync(int validationPercent, int seed, CancellationToken ct = default)
    {
        var percent = Math.Clamp(validationPercent, 0, MaxExportValidationPercent);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // One read for both sides and the split, so an example validated meanwhile cannot land on both or neither.
        var rows = await Exportable(db)
            .OrderBy(e => e.Id)
            .Select(e => new { e.Id, e.MessagesJson, e.Ctr, e.ConversionRate, e.DeliveredSpend })
            .ToListAsync(ct);
        IReadOnlySet<long> heldOut = percent > 0
            ? StratifiedSplit.HeldOut(rows.Select(r => new SplitCandidate(r.Id, StratifiedSplit.StratumOfLine(r.MessagesJson))), percent, seed)
            : new HashSet<long>();
        List<string> trainLines = [], validationLines = [];
        List<ExampleOutcome?> trainOutcomes = [], validationOutcomes = [];
        foreach (var row in rows)
        {
            var outcome = new ExampleOutcome(row.Ctr, row.ConversionRate, row.DeliveredSpend);
            var validation = heldOut.Contains(row.Id);
            (validation ? validationLines : trainLines).Add(row.MessagesJson);
            (validation ? validationOutcomes : trainOutcomes).Add(outcome.HasAny ? outcome : null);
        }
        return new SplitExport(trainLines, trainOutcomes, validationLines, validationOutcomes);
    }

    /// <summary>What an export and a fine-tuning job train on: validated originals without blocking errors.</summary>
    internal static IQueryable<TrainingExample> Exportable(PlannerDbContext db) =>
        db.TrainingExamples.AsNoTracking().Where(e => e.Status == ExampleStatus.Validated && e.DuplicateOfId == null && !e.HasErrors);

    /// <summary>
    /// The ids held out at <paramref name="percent"/> %, stratified by each example's brief. Reads rows one at a time
    /// and keeps only an id and a shared stratum name per example.
    /// </summary>
    internal static async Task<IReadOnlySet<long>> HeldOutIdsAsync(PlannerDbContext db, int percent, int seed, CancellationToken ct)
    {
        var candidates = new List<SplitCandidate>();
        var rows = Exportable(db).Select(e => new { e.Id, e.MessagesJson }).AsAsyncEnumerable();
        await foreach (var row in rows.WithCancellation(ct))
            candidates.Add(new SplitCandidate(row.Id, StratifiedSplit.StratumOfLine(row.MessagesJson)));
        return StratifiedSplit.HeldOut(candidates, percent, seed);
    }

    /// <summary>Brand, objective and market from the brief, for filtering imported examples.</summary>
    internal static (string? Brand, Objective? Objective, string? Market) UserFields(ChatExample example)
    {
        var fields = BriefPrompt.ReadFields(example.Messages.FirstOrDefault(m => m.Role == ChatRoles.User)?.Content);
        var brand = fields.Brand;
        var market = fields.MarketCode;
        return (brand is { Length: > 200 } ? brand[..200] : brand, fields.ObjectiveValue, market is { Length: <= 8 } ? market : null);
    }
}
