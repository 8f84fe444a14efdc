using System.Text;
using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Hosting;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace MediaPlanner.Tests.Training;

/// <summary>Imports as runs: audited at start and end, counts that match the stored rows, interrupted runs, the line cap and UTF-8.</summary>
public class ImportRunTests(MediaPlannerFactory factory, ITestOutputHelper output) : IClassFixture<MediaPlannerFactory>
{
    private static int _file;

    private async Task<PlannerDbContext> DbAsync() =>
        await factory.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();

    private async Task<T> WithTrainingAsync<T>(Func<TrainingDataService, Task<T>> action)
    {
        using var scope = factory.Services.CreateScope();
        return await action(scope.ServiceProvider.GetRequiredService<TrainingDataService>());
    }

    private async Task<List<AuditEntry>> RunEntriesAsync(int runId, string action = AuditActions.TrainingImport) =>
        [.. (await factory.Services.GetRequiredService<AuditLog>().QueryAsync(new AuditFilter(Action: action), 0, 200)).Items
            .Where(e => e.EntityId == $"import-{runId}").OrderBy(e => e.Id)];

    private static string Prefix() => $"Import run {Interlocked.Increment(ref _file)}";

    private async Task<ImportRun> RunAsync(int id)
    {
        await using var db = await DbAsync();
        return await db.ImportRuns.AsNoTracking().SingleAsync(r => r.Id == id);
    }

    private async Task<int> LatestRunIdAsync()
    {
        await using var db = await DbAsync();
        return await db.ImportRuns.MaxAsync(r => r.Id);
    }

    private async Task<int> StoredCountAsync(int runId)
    {
        await using var db = await DbAsync();
        return await db.TrainingExamples.CountAsync(e => e.ImportRunId == runId);
    }

    [SkippableFact]
    public async Task A_finished_import_is_a_completed_run_audited_when_it_starts_and_when_it_ends_with_its_counts()
    {
        var admin = await factory.DemoUserAsync("admin@demo.local");
        var lines = ReliabilityTests.DistinctExampleLines(Prefix(), 3);
        var body = string.Join('\n', [lines[0], lines[1], "not json", lines[2], lines[0]]);

        var report = await WithTrainingAsync(t => t.ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(body)), "agency.jsonl", true, admin));

        var run = await RunAsync(report.RunId);
        Assert.Equal((ImportRunStatus.Completed, "agency.jsonl", true, admin.Id), (run.Status, run.FileName, run.MarkValidated, run.StartedById));
        Assert.Equal((5, 4, 1, 1), (run.Lines, run.Stored, run.Duplicates, run.Rejected));
        Assert.NotNull(run.FinishedAt);
        Assert.Equal(4, await StoredCountAsync(run.Id));
        var entries = await RunEntriesAsync(run.Id);
        Assert.Equal(2, entries.Count);
        Assert.Equal("Import of agency.jsonl started (examples marked as validated)", entries[0].Summary);
        Assert.Equal("Imported 3 examples as validated from 5 lines of agency.jsonl: 1 duplicates, 1 rejected", entries[1].Summary);
        Assert.All(entries, e => Assert.Equal("admin@demo.local", e.UserEmail));
        Assert.Contains("\"stored\":4", entries[1].After);
    }

    [SkippableFact]
    public async Task An_import_cut_off_mid_file_is_a_failed_run_whose_counts_match_the_stored_rows_and_whose_end_is_audited()
    {
        var admin = await factory.DemoUserAsync("admin@demo.local");
        var lines = ReliabilityTests.DistinctExampleLines(Prefix(), 1_200);
        var file = Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n");
        var cut = Encoding.UTF8.GetByteCount(string.Join('\n', lines.Take(1_100)) + "\n");

        await Assert.ThrowsAsync<IOException>(() =>
            WithTrainingAsync(t => t.ImportAsync(new ReliabilityTests.FailingStream(file, cut), "cut.jsonl", false, admin)));

        var run = await RunAsync(await LatestRunIdAsync());
        Assert.Equal(ImportRunStatus.Failed, run.Status);
        // Two whole batches of 500 were saved with their counts; the 100 lines after them never were.
        Assert.Equal((1_000, 1_000, 0), (run.Lines, run.Stored, run.Rejected));
        Assert.Equal(run.Stored, await StoredCountAsync(run.Id));
        Assert.StartsWith("Stopped by an error (The connection was reset by the peer (injected fault).) at line 1100.", run.Message, StringComparison.Ordinal);
        var entries = await RunEntriesAsync(run.Id);
        Assert.Equal(["Import of cut.jsonl started", "Import of cut.jsonl failed at line 1100: 1000 examples stored (0 of them duplicates) from its first 1000 lines, 0 rejected."],
            entries.Select(e => e.Summary));
        output.WriteLine($"Cut off at line 1,100 of 1,200: run {run.Id} {run.Status}, {run.Stored} stored = {await StoredCountAsync(run.Id)} rows");
    }

    [SkippableFact]
    public async Task A_150_MB_line_is_rejected_by_number_without_being_read_whole_and_the_lines_after_it_import()
    {
        var admin = await factory.DemoUserAsync("admin@demo.local");
        var lines = ReliabilityTests.DistinctExampleLines(Prefix(), 4);
        var before = Encoding.UTF8.GetBytes(string.Join('\n', lines.Take(2)) + "\n");
        var after = Encoding.UTF8.GetBytes("\n" + string.Join('\n', lines.Skip(2)) + "\n");

        var report = await WithTrainingAsync(t => t.ImportAsync(new LongLineStream(before, 150L * 1024 * 1024, after), "huge.jsonl", false, admin));

        var rejected = Assert.Single(report.Rejected);
        Assert.Equal(3, rejected.LineNumber);
        Assert.Equal("line_too_long: Line 3 is 150 MB; the limit is 1 MB (Training:MaxImportLineBytes).", rejected.Reason);
        Assert.Equal((5, 4, 1), (report.Lines, report.Imported, report.RejectedCount));
        Assert.Equal(4, await StoredCountAsync(report.RunId));
    }

    [SkippableFact]
    public async Task Invalid_utf8_inside_a_line_is_that_lines_error_and_a_byte_order_mark_at_the_start_is_accepted()
    {
        var admin = await factory.DemoUserAsync("admin@demo.local");
        var lines = ReliabilityTests.DistinctExampleLines(Prefix(), 2);
        var broken = Encoding.UTF8.GetBytes(lines[1]);
        var at = Array.IndexOf(broken, (byte)'B');
        broken[at] = 0xC3;
        broken[at + 1] = (byte)'(';
        byte[] body = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(lines[0] + "\n"), .. broken, (byte)'\n'];

        var report = await WithTrainingAsync(t => t.ImportAsync(new MemoryStream(body), "bom.jsonl", false, admin));

        Assert.Equal(1, report.Imported);
        var rejected = Assert.Single(report.Rejected);
        Assert.Equal($"invalid_encoding: Line 2 is not valid UTF-8 (byte 0xC3 at position {at + 1} of the line).", rejected.Reason);
        await using var db = await DbAsync();
        Assert.DoesNotContain(await db.TrainingExamples.Where(e => e.ImportRunId == report.RunId).Select(e => e.MessagesJson).ToListAsync(),
            json => json.Contains('\ufffd', StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task A_run_left_running_by_a_stopped_process_is_marked_interrupted_at_the_next_start_with_its_counts_and_a_system_audit_entry()
    {
        var admin = await factory.DemoUserAsync("admin@demo.local");
        int runId;
        await using (var db = await DbAsync())
        {
            var run = new ImportRun
            {
                Status = ImportRunStatus.Running, FileName = "killed.jsonl", StartedAt = DateTimeOffset.UtcNow.AddMinutes(-3), StartedById = admin.Id,
                Lines = 1_000, Stored = 2, Duplicates = 1, Rejected = 3,
            };
            db.ImportRuns.Add(run);
            await db.SaveChangesAsync();
            runId = run.Id;
            foreach (var (line, i) in ReliabilityTests.DistinctExampleLines(Prefix(), 2).Select((l, i) => (l, i)))
                db.TrainingExamples.Add(new TrainingExample
                {
                    Source = ExampleSource.Imported, Status = ExampleStatus.PendingReview, MessagesJson = line, ContentHash = $"killed-{runId}-{i}",
                    CreatedAt = run.StartedAt, CreatedById = admin.Id, ImportRunId = runId,
                });
            await db.SaveChangesAsync();
        }

        // A new app start over the same database, as after the kill.
        await using (var restarted = MediaPlannerFactory.ForDatabase(factory.ConnectionString, factory.Engine))
            _ = restarted.Server;

        var interrupted = await RunAsync(runId);
        Assert.Equal(ImportRunStatus.Interrupted, interrupted.Status);
        Assert.Equal((1_000, 2, 1, 3), (interrupted.Lines, interrupted.Stored, interrupted.Duplicates, interrupted.Rejected));
        Assert.Equal("The app stopped while this import ran. 2 examples stored (1 of them duplicates) from its first 1000 lines, 3 rejected.", interrupted.Message);
        var entry = Assert.Single(await RunEntriesAsync(runId));
        Assert.Equal("system", entry.UserId);
        Assert.Equal("Import of killed.jsonl was interrupted when the app stopped: 2 examples stored (1 of them duplicates) from its first 1000 lines, 3 rejected.", entry.Summary);
        var listed = (await WithTrainingAsync(t => t.RecentImportsAsync())).Single(i => i.Run.Id == runId);
        Assert.Equal(("admin@demo.local", 2, true), (listed.StartedBy, listed.Held, listed.CanDiscard));
    }

    [SkippableFact]
    public async Task Discarding_a_failed_import_deletes_its_untouched_examples_keeps_reviewed_and_referenced_ones_and_is_audited()
    {
        var admin = await factory.DemoUserAsync("admin@demo.local");
        var reviewer = await factory.DemoUserAsync("reviewer@demo.local");
        var lines = ReliabilityTests.DistinctExampleLines(Prefix(), 600);
        var file = Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n");
        await Assert.ThrowsAsync<IOException>(() =>
            WithTrainingAsync(t => t.ImportAsync(new ReliabilityTests.FailingStream(file, file.Length - 10), "partial.jsonl", false, admin)));
        var runId = await LatestRunIdAsync();
        int reviewed, referenced;
        await using (var db = await DbAsync())
        {
            var ids = await db.TrainingExamples.Where(e => e.ImportRunId == runId).OrderBy(e => e.Id).Select(e => e.Id).Take(2).ToListAsync();
            (reviewed, referenced) = (ids[0], ids[1]);
            await db.TrainingExamples.Where(e => e.Id == reviewed).ExecuteUpdateAsync(s => s
                .SetProperty(e => e.Status, ExampleStatus.Validated).SetProperty(e => e.ReviewedById, reviewer.Id).SetProperty(e => e.ReviewedAt, DateTimeOffset.UtcNow));
            db.TrainingExamples.Add(new TrainingExample
            {
                Source = ExampleSource.ChosenPlan, Status = ExampleStatus.PendingReview, MessagesJson = lines[1], ContentHash = $"elsewhere-{runId}",
                DuplicateOfId = referenced, CreatedAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync();
        }

        var refused = await WithTrainingAsync(t => t.DiscardImportAsync(runId, reviewer));
        var result = await WithTrainingAsync(t => t.DiscardImportAsync(runId, admin));

        Assert.False(refused.Succeeded);
        Assert.Equal((true, 498, 2), (result.Succeeded, result.Discarded, result.Kept));
        await using (var db = await DbAsync())
            Assert.Equal([reviewed, referenced], await db.TrainingExamples.Where(e => e.ImportRunId == runId).OrderBy(e => e.Id).Select(e => e.Id).ToListAsync());
        Assert.Contains("Discarded 498 of the 500 examples this import stored; kept 2", (await RunAsync(runId)).Message, StringComparison.Ordinal);
        var entry = Assert.Single(await RunEntriesAsync(runId, AuditActions.TrainingImportDiscard));
        Assert.Equal("admin@demo.local", entry.UserEmail);
        Assert.Equal("Discarded 498 examples stored by the failed import of partial.jsonl; kept 2", entry.Summary);
    }

    /// <summary>A file with one enormous line, produced as it is read: the test itself never holds it.</summary>
    private sealed class LongLineStream(byte[] before, long longLine, byte[] after) : Stream
    {
        private long _position;
        private long Length_ => before.Length + longLine + after.Length;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => Length_;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var written = 0;
            while (written < buffer.Length && _position < Length_)
            {
                int n;
                if (_position < before.Length)
                {
                    n = (int)Math.Min(buffer.Length - written, before.Length - _position);
                    before.AsSpan((int)_position, n).CopyTo(buffer[written..]);
                }
                else if (_position < before.Length + longLine)
                {
                    n = (int)Math.Min(buffer.Length - written, before.Length + longLine - _position);
                    buffer.Slice(written, n).Fill((byte)'a');
                }
                else
                {
                    var at = (int)(_position - before.Length - longLine);
                    n = Math.Min(buffer.Length - written, after.Length - at);
                    after.AsSpan(at, n).CopyTo(buffer[written..]);
                }
                written += n;
                _position += n;
            }
            return written;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>The same tests on PostgreSQL.</summary>
public sealed class ImportRunOnPostgresTests : ImportRunTests, IClassFixture<PostgresMediaPlannerFactory>
{
    public ImportRunOnPostgresTests(PostgresMediaPlannerFactory factory, ITestOutputHelper output) : base(factory, output) => TestServers.SkipUnlessPostgres();
}
