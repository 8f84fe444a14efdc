using System.Globalization;
using System.Text.Json;
using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Identity;
using Microsoft.EntityFrameworkCore;

namespace MediaPlanner.Domain.Training;

/// <summary>An import as the training page lists it: the run, who started it, and how many of its examples are still stored.</summary>
public sealed record ImportRunSummary(ImportRun Run, string? StartedBy, int Held)
{
    /// <summary>Partial: cut off by a crash or stopped by an error, with what it stored still in the data.</summary>
    public bool CanDiscard => Run.Status is ImportRunStatus.Interrupted or ImportRunStatus.Failed && Held > 0;
}

/// <param name="Discarded">Examples deleted.</param>
/// <param name="Kept">Examples of the run left in place, for the reasons in <paramref name="Message"/>.</param>
public sealed record ImportDiscardResult(bool Succeeded, int Discarded, int Kept, string Message);

public sealed partial class TrainingDataService
{
    private const int ImportBatchSize = 500;
    private const int FileNameMax = 260;

    /// <summary>The user the app records its own actions under, such as marking an import interrupted at start-up.</summary>
    public static CurrentUser SystemUser { get; } = new("system", true);

    public Task<ImportReport> ImportAsync(Stream input, bool markValidated, CurrentUser user, CancellationToken ct = default) =>
        ImportAsync(input, null, markValidated, user, ct);

    /// <summary>
    /// Reads a JSONL dataset line by line as bytes (never the whole file, never a line over
    /// <see cref="ImportOptions.MaxImportLineBytes"/>), validates each line, stores the valid ones and reports every
    /// rejected line by number. A bad line never stops the rest. The import is an <see cref="ImportRun"/>, audited when
    /// it starts and when it ends; each batch of examples is saved together with the run's counts, so an import cut off
    /// at any point says exactly what it stored.
    /// </summary>
    public async Task<ImportReport> ImportAsync(Stream input, string? fileName, bool markValidated, CurrentUser user, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(user);
        var maxLineBytes = importOptions?.Value.MaxImportLineBytes ?? ImportOptions.DefaultMaxImportLineBytes;
        var name = FileNameOf(fileName);
        var run = await StartRunAsync(name, markValidated, user, ct);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        // Originals seen in this file: saved ones by id, unsaved ones (in the current batch) by entity.
        var savedOriginals = new Dictionary<string, int>(StringComparer.Ordinal);
        var pendingOriginals = new Dictionary<string, TrainingExample>(StringComparer.Ordinal);
        var pending = new List<TrainingExample>();
        var rejected = new List<RejectedLine>();
        int lines = 0, imported = 0, duplicates = 0, pendingDuplicates = 0, rejectedCount = 0;
        var now = clock.GetUtcNow();

        // The batch and the run's counts in one save: a crash leaves counts that match the rows.
        async Task FlushAsync(int linesDone, bool last)
        {
            if (pending.Count == 0 && !last)
                return;
            db.TrainingExamples.AddRange(pending);
            run.Lines = linesDone;
            run.Stored += pending.Count;
            run.Duplicates += pendingDuplicates;
            run.Rejected = rejectedCount;
            if (last)
            {
                run.Status = ImportRunStatus.Completed;
                run.FinishedAt = clock.GetUtcNow();
                await audit.AddAsync(db, user, AuditActions.TrainingImport, AuditEntities.TrainingData, RunEntityId(run),
                    $"Imported {imported} examples{(markValidated ? " as validated" : "")} from {lines} lines of {name}: {duplicates} duplicates, {rejectedCount} rejected",
                    after: AuditLog.Json(new { run = run.Id, file = name, status = run.Status.ToString(), lines, imported, stored = run.Stored, duplicates, rejected = rejectedCount, markValidated }),
                    ct: ct);
            }
            db.ImportRuns.Update(run);
            await db.SaveChangesAsync(ct);
            foreach (var (hash, entity) in pendingOriginals)
                savedOriginals[hash] = entity.Id;
            pendingOriginals.Clear();
            db.ChangeTracker.Clear();
            pending.Clear();
            pendingDuplicates = 0;
        }

        try
        {
            await foreach (var line in JsonlLineReader.ReadAsync(input, maxLineBytes, ct))
            {
                lines = line.Number;
                if (line.Error is { } error)
                {
                    Reject(line.Number, error);
                    continue;
                }
                var text = line.Text!;
                if (string.IsNullOrWhiteSpace(text))
                    continue;
                var validation = validator.ValidateLine(text, settings.BaseModel);
                if (validation.HasErrors)
                {
                    Reject(line.Number, string.Join(" ", validation.Errors.Select(e => $"{e.Code}: {e.Message}")));
                    continue;
                }
                var example = ChatExample.Parse(text);
                var hash = ContentHash.Of(example);
                if (pendingOriginals.ContainsKey(hash))
                    await FlushAsync(lines - 1, last: false);
                int? originalId = savedOriginals.TryGetValue(hash, out var id)
                    ? id
                    : await db.TrainingExamples.Where(e => e.ContentHash == hash && e.DuplicateOfId == null).Select(e => (int?)e.Id).FirstOrDefaultAsync(ct);

                var validated = markValidated && originalId is null;
                var fields = UserFields(example);
                var entity = new TrainingExample
                {
                    Source = ExampleSource.Imported,
                    Status = validated ? ExampleStatus.Validated : ExampleStatus.PendingReview,
                    ImportRunId = run.Id,
                    Brand = fields.Brand,
                    Objective = fields.Objective,
                    MarketCode = fields.Market,
                    MessagesJson = example.ToJsonLine(),
                    ContentHash = hash,
                    DuplicateOfId = originalId,
                    TokenCount = validation.TokenCount,
                    HasErrors = false,
                    IssuesJson = JsonSerializer.Serialize(validation.Issues),
                    CreatedAt = now,
                    CreatedById = user.Id,
                    ReviewedById = validated ? user.Id : null,
                    ReviewedAt = validated ? now : null,
                };
                if (originalId is null)
                {
                    pendingOriginals[hash] = entity;
                    imported++;
                }
                else
                {
                    duplicates++;
                    pendingDuplicates++;
                }
                pending.Add(entity);
                if (pending.Count >= ImportBatchSize)
                    await FlushAsync(lines, last: false);
            }
            await FlushAsync(lines, last: true);
        }
        catch (Exception ex)
        {
            await StopRunAsync(run.Id, lines, ex, user);
            throw;
        }
        metrics?.RecordImport(lines, rejectedCount);
        return new ImportReport(lines, imported, duplicates, rejectedCount, rejected) { RunId = run.Id };

        void Reject(int number, string reason)
        {
            rejectedCount++;
            if (rejected.Count < ImportReport.MaxListed)
                rejected.Add(new(number, reason));
        }
    }

    private async Task<ImportRun> StartRunAsync(string name, bool markValidated, CurrentUser user, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var run = new ImportRun
        {
            Status = ImportRunStatus.Running, FileName = name, MarkValidated = markValidated, StartedAt = clock.GetUtcNow(), StartedById = user.Id,
        };
        db.ImportRuns.Add(run);
        await db.SaveChangesAsync(ct);
        await audit.AddAsync(db, user, AuditActions.TrainingImport, AuditEntities.TrainingData, RunEntityId(run),
            $"Import of {name} started{(markValidated ? " (examples marked as validated)" : "")}",
            after: AuditLog.Json(new { run = run.Id, file = name, status = run.Status.ToString(), markValidated }), ct: ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        db.ChangeTracker.Clear();
        return run;
    }

    /// <summary>Marks a run failed with what its saved batches hold (read back: a batch whose save failed is not counted).</summary>
    private async Task StopRunAsync(int runId, int lines, Exception error, CurrentUser user)
    {
        var cancelled = error is OperationCanceledException;
        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        var run = await db.ImportRuns.SingleAsync(r => r.Id == runId, CancellationToken.None);
        run.Status = ImportRunStatus.Failed;
        run.FinishedAt = clock.GetUtcNow();
        var what = cancelled ? "Cancelled" : $"Stopped by an error ({error.Message})";
        run.Message = Clip($"{what} at line {lines}. {Stored(run)}", 1000);
        await audit.AddAsync(db, user, AuditActions.TrainingImport, AuditEntities.TrainingData, RunEntityId(run),
            $"Import of {run.FileName} {(cancelled ? "was cancelled" : "failed")} at line {lines}: {Stored(run)}",
            after: AuditLog.Json(new { run = run.Id, file = run.FileName, status = run.Status.ToString(), lines, stored = run.Stored, run.Duplicates, run.Rejected, error = error.Message }),
            ct: CancellationToken.None);
        await db.SaveChangesAsync(CancellationToken.None);
    }

    /// <summary>
    /// Runs still marked running that started before <paramref name="startedBefore"/> (this process's start) were cut off
    /// when their process stopped: each becomes interrupted, with what it stored, and is audited under the system user.
    /// </summary>
    public async Task<IReadOnlyList<ImportRun>> MarkInterruptedImportsAsync(DateTimeOffset startedBefore, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var runs = (await db.ImportRuns.Where(r => r.Status == ImportRunStatus.Running).ToListAsync(ct))
            .Where(r => r.StartedAt < startedBefore).ToList();
        foreach (var run in runs)
        {
            run.Status = ImportRunStatus.Interrupted;
            run.FinishedAt = clock.GetUtcNow();
            run.Message = $"The app stopped while this import ran. {Stored(run)}";
            await audit.AddAsync(db, SystemUser, AuditActions.TrainingImport, AuditEntities.TrainingData, RunEntityId(run),
                $"Import of {run.FileName} was interrupted when the app stopped: {Stored(run)}",
                after: AuditLog.Json(new { run = run.Id, file = run.FileName, status = run.Status.ToString(), lines = run.Lines, stored = run.Stored, run.Duplicates, run.Rejected, startedBy = run.StartedById }),
                ct: ct);
        }
        await db.SaveChangesAsync(ct);
        return runs;
    }

    /// <summary>The latest imports, newest first, with who started them and how many of their examples are still stored.</summary>
    public async Task<IReadOnlyList<ImportRunSummary>> RecentImportsAsync(int take = 10, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.ImportRuns.AsNoTracking()
            .OrderByDescending(r => r.Id).Take(Math.Clamp(take, 1, 100))
            .Select(r => new
            {
                Run = r,
                By = db.Users.Where(u => u.Id == r.StartedById).Select(u => u.Email).FirstOrDefault(),
                Held = db.TrainingExamples.Count(e => e.ImportRunId == r.Id),
            })
            .ToListAsync(ct);
        return rows.Select(r => new ImportRunSummary(r.Run, r.By ?? r.Run.StartedById, r.Held)).ToList();
    }

    /// <summary>
    /// Deletes what a partial (interrupted or failed) import stored, as far as that is safe: only examples nobody has
    /// touched since (still pending review, or validated by the import itself), none that another stored example is a
    /// duplicate of, and validated ones only while no fine-tuning job was created after the import started — a job may
    /// have trained on them, and the job's record would no longer match the data. What stays is reviewed in the queue.
    /// </summary>
    public async Task<ImportDiscardResult> DiscardImportAsync(int runId, CurrentUser user, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (!user.IsAdmin)
            return new(false, 0, 0, "Only admins discard imported examples.");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var run = await db.ImportRuns.SingleOrDefaultAsync(r => r.Id == runId, ct);
        if (run is null)
            return new(false, 0, 0, "That import no longer exists.");
        if (run.Status is not (ImportRunStatus.Interrupted or ImportRunStatus.Failed))
            return new(false, 0, 0, "Only an interrupted or failed import can be discarded; a finished one is reviewed in the queue.");

        var trainedSince = await db.FineTuneJobs.AnyAsync(j => j.CreatedAt >= run.StartedAt, ct);
        var examples = await db.TrainingExamples.AsNoTracking().Where(e => e.ImportRunId == runId)
            .Select(e => new { e.Id, e.Status, e.DuplicateOfId, e.EditedAt, e.ReviewedById, e.ReviewedAt, e.CreatedAt })
            .ToListAsync(ct);
        var untouched = examples.Where(e => e.EditedAt is null && (e.Status == ExampleStatus.PendingReview && e.ReviewedAt is null
                || (e.Status == ExampleStatus.Validated && !trainedSince && e.ReviewedById == run.StartedById && e.ReviewedAt == e.CreatedAt)))
            .Select(e => e.Id).ToHashSet();
        // Originals another example points at stay, unless every such example goes too.
        var referencing = await db.TrainingExamples.AsNoTracking()
            .Where(d => d.DuplicateOfId != null && db.TrainingExamples.Any(o => o.Id == d.DuplicateOfId && o.ImportRunId == runId))
            .Select(d => new { d.Id, Original = d.DuplicateOfId!.Value })
            .ToListAsync(ct);
        var pinned = referencing.Where(d => !untouched.Contains(d.Id)).Select(d => d.Original).ToHashSet();
        var doomed = untouched.Where(id => !pinned.Contains(id)).ToList();
        var duplicatesFirst = examples.Where(e => e.DuplicateOfId is not null).Select(e => e.Id).ToHashSet();
        // The duplicate-of key restricts deletes row by row, so duplicates go before their originals.
        foreach (var chunk in doomed.OrderBy(id => duplicatesFirst.Contains(id) ? 0 : 1).Chunk(500))
        {
            var ids = chunk.ToList();
            await db.TrainingExamples.Where(e => ids.Contains(e.Id)).ExecuteDeleteAsync(ct);
        }

        var kept = examples.Count - doomed.Count;
        var reasons = new List<string>();
        if (examples.Any(e => !untouched.Contains(e.Id)))
            reasons.Add(trainedSince && run.MarkValidated
                ? "reviewed or edited since, or validated and possibly trained on by a fine-tuning job created after the import"
                : "reviewed or edited since the import");
        if (pinned.Count > 0)
            reasons.Add("other examples are duplicates of them");
        var message = kept == 0
            ? $"Discarded all {doomed.Count} examples this import stored."
            : $"Discarded {doomed.Count} of the {examples.Count} examples this import stored; kept {kept} ({string.Join("; ", reasons)}): review them in the queue.";
        run.Message = Clip($"{run.Message} {message}".Trim(), 1000);
        await audit.AddAsync(db, user, AuditActions.TrainingImportDiscard, AuditEntities.TrainingData, RunEntityId(run),
            $"Discarded {doomed.Count} examples stored by the {run.Status.ToString().ToLowerInvariant()} import of {run.FileName}{(kept > 0 ? $"; kept {kept}" : "")}",
            before: AuditLog.Json(new { run = run.Id, file = run.FileName, status = run.Status.ToString(), held = examples.Count }),
            after: AuditLog.Json(new { run = run.Id, discarded = doomed.Count, kept }), ct: ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new(true, doomed.Count, kept, message);
    }

    private static string Stored(ImportRun run) => string.Create(CultureInfo.InvariantCulture,
        $"{run.Stored} example{(run.Stored == 1 ? "" : "s")} stored ({run.Duplicates} of them duplicates) from its first {run.Lines} lines, {run.Rejected} rejected.");

    private static string RunEntityId(ImportRun run) => $"import-{run.Id}";

    private static string FileNameOf(string? fileName)
    {
        var name = Path.GetFileName(fileName?.Trim() ?? "");
        return name.Length == 0 ? "an uploaded file" : Clip(name, FileNameMax);
    }

    private static string Clip(string value, int max) => value.Length > max ? value[..(max - 1)] + "…" : value;
}
