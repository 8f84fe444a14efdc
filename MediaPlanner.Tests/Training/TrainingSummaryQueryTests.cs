using System.Collections.Concurrent;
using System.Data.Common;
using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Persistence.Postgres;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Domain.Text;
using MediaPlanner.Domain.Training;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace MediaPlanner.Tests.Training;

/// <summary>
/// The training summary at any size: its figures match a count over the rows themselves after any kind of write, and
/// its only read of the examples is answered from an index, never a row's messages.
/// </summary>
public class TrainingSummaryQueryTests : IAsyncLifetime
{
    private const string BaseModel = "gpt-4o-mini-2024-07-18";
    private readonly CommandLog _commands = new();
    private readonly TestEngine _engine;
    private readonly string _connection;
    private readonly Func<PlannerDbContext> _create;

    public TrainingSummaryQueryTests() : this(TestEngine.Sqlite) { }

    protected TrainingSummaryQueryTests(TestEngine engine)
    {
        _engine = engine;
        if (engine == TestEngine.Postgres)
        {
            _connection = TestServers.CreatePostgresDatabase();
            var options = new DbContextOptionsBuilder<PostgresPlannerDbContext>().UseNpgsql(_connection).AddInterceptors(_commands).Options;
            _create = () => new PostgresPlannerDbContext(options);
        }
        else
        {
            _connection = $"Data Source={Path.Combine(Path.GetTempPath(), $"mp-summary-{Guid.NewGuid():N}.db")}";
            var options = new DbContextOptionsBuilder<PlannerDbContext>().UseSqlite(_connection).AddInterceptors(_commands).Options;
            _create = () => new PlannerDbContext(options);
        }
    }

    public async Task InitializeAsync()
    {
        await using var db = _create();
        await db.Database.MigrateAsync();
    }

    public Task DisposeAsync()
    {
        if (_engine == TestEngine.Postgres)
        {
            TestServers.DropPostgresDatabase(_connection);
            return Task.CompletedTask;
        }
        SqliteConnection.ClearAllPools();
        File.Delete(new SqliteConnectionStringBuilder(_connection).DataSource);
        return Task.CompletedTask;
    }

    private TrainingDataService Service()
    {
        var factory = new ContextFactory(_create);
        return new TrainingDataService(factory, new ExampleValidator(), new TrainingSettings(BaseModel), TimeProvider.System, new AuditLog(factory, TimeProvider.System));
    }

    /// <summary>Every kind of row the summary tells apart: statuses, errors, missing brief fields, unrated, over-long, and duplicates.</summary>
    private async Task<List<TrainingExample>> SeedAsync()
    {
        var statuses = Enum.GetValues<ExampleStatus>();
        var objectives = new Objective?[] { Objective.Awareness, Objective.Consideration, null };
        var markets = new[] { "US", "GB", null };
        var models = new[] { "local-mix-v1", BaseModel, null };
        var rows = new List<TrainingExample>();
        for (var i = 0; i < 60; i++)
            rows.Add(new TrainingExample
            {
                Source = ExampleSource.Imported,
                Status = statuses[i % statuses.Length],
                HasErrors = i % 7 == 0,
                Objective = objectives[i % 4 % 3],
                MarketCode = markets[i % 5 % 3],
                Model = models[i % 2 == 0 ? 0 : i % 3],
                // One example over the model's 65,536-token cap: billed tokens are cut to it.
                TokenCount = i == 4 ? 70_000 : 300 + i * 17,
                QualityScore = i % 4 == 0 ? null : 50 + i % 45,
                MessagesJson = $$"""{"messages":[{"role":"user","content":"row {{i}}"}]}""",
                ContentHash = $"hash-{i}",
                CreatedAt = DateTimeOffset.UnixEpoch,
            });
        await using var db = _create();
        db.TrainingExamples.AddRange(rows);
        await db.SaveChangesAsync();
        var duplicates = rows.Take(9).Select(o => new TrainingExample
        {
            Source = ExampleSource.Imported,
            Status = o.Status,
            MessagesJson = o.MessagesJson,
            ContentHash = o.ContentHash,
            DuplicateOfId = o.Id,
            TokenCount = o.TokenCount,
            CreatedAt = DateTimeOffset.UnixEpoch,
        }).ToList();
        db.TrainingExamples.AddRange(duplicates);
        await db.SaveChangesAsync();
        return [.. rows, .. duplicates];
    }

    [SkippableFact]
    public async Task The_summary_counts_what_the_rows_hold()
    {
        var rows = await SeedAsync();

        await AssertSummaryMatchesAsync(rows);
    }

    [SkippableFact]
    public async Task The_summary_follows_every_kind_of_write_to_the_examples()
    {
        var seeded = await SeedAsync();
        await using (var db = _create())
        {
            // Review: a status change, an edit that moves an example to another market, model and token count, a rating.
            var pending = await db.TrainingExamples.FirstAsync(e => e.Status == ExampleStatus.PendingReview && e.DuplicateOfId == null);
            pending.HasErrors = false;
            Assert.Null(pending.Validate("reviewer", DateTimeOffset.UnixEpoch));
            pending.MarketCode = "DE";
            pending.Model = "ft:gpt-4o-mini:agency::abc";
            pending.TokenCount += 90_000;
            pending.QualityScore = pending.QualityScore is null ? 77 : null;
            pending.HasErrors = true;
            await db.SaveChangesAsync();

            // Undoing a choice: a duplicate deleted; another promoted to an original when its original goes.
            var duplicate = await db.TrainingExamples.FirstAsync(e => e.DuplicateOfId != null);
            db.TrainingExamples.Remove(duplicate);
            await db.SaveChangesAsync();
            var promoted = await db.TrainingExamples.FirstAsync(e => e.DuplicateOfId != null);
            var original = await db.TrainingExamples.SingleAsync(e => e.Id == promoted.DuplicateOfId);
            foreach (var other in await db.TrainingExamples.Where(e => e.DuplicateOfId == original.Id && e.Id != promoted.Id).ToListAsync())
                other.DuplicateOfId = promoted.Id;
            promoted.DuplicateOfId = null;
            promoted.ContentHash += "-promoted"; // one original per content: the old original is still there until the next save
            await db.SaveChangesAsync();
            db.TrainingExamples.Remove(original);
            await db.SaveChangesAsync();
        }
        await using (var db = _create())
        {
            // Bulk statements that never load an entity, as a maintenance script or a bulk review would run.
            await db.TrainingExamples.Where(e => e.Status == ExampleStatus.Rejected && e.DuplicateOfId == null)
                .ExecuteUpdateAsync(u => u.SetProperty(e => e.Status, ExampleStatus.PendingReview).SetProperty(e => e.Objective, (Objective?)null));
            await db.TrainingExamples.Where(e => e.MarketCode == "GB" && e.DuplicateOfId == null && !db.TrainingExamples.Any(d => d.DuplicateOfId == e.Id))
                .ExecuteDeleteAsync();
        }

        List<TrainingExample> rows;
        await using (var db = _create())
            rows = await db.TrainingExamples.AsNoTracking().ToListAsync();
        Assert.NotEqual(seeded.Count, rows.Count);
        await AssertSummaryMatchesAsync(rows);
    }

    /// <summary>Every figure of the summary against the same figure counted over <paramref name="rows"/> themselves.</summary>
    private async Task AssertSummaryMatchesAsync(List<TrainingExample> rows)
    {
        var summary = await Service().SummaryAsync();

        var originals = rows.Where(e => e.DuplicateOfId is null).ToList();
        var validated = originals.Where(e => e.Status == ExampleStatus.Validated).ToList();
        Assert.Equal(originals.Count, summary.Total);
        Assert.Equal(rows.Count - originals.Count, summary.Duplicates);
        Assert.Equal(Counts(originals, e => e.Status.DisplayName()), summary.ByStatus);
        Assert.Equal(Counts(originals, e => e.Objective?.DisplayName() ?? "Unknown"), summary.ByObjective);
        Assert.Equal(Counts(originals, e => e.MarketCode ?? "Unknown"), summary.ByMarket);
        Assert.Equal(Counts(originals, e => e.Model ?? "Imported"), summary.ByModel);
        Assert.Equal(originals.Count(e => e.HasErrors), summary.WithErrors);
        Assert.Equal(validated.Sum(e => (long)e.TokenCount), summary.ValidatedTokens);
        Assert.Equal(originals.Sum(e => (long)e.TokenCount), summary.AllTokens);
        Assert.Equal(originals.Average(e => e.QualityScore)!.Value, summary.AverageQuality!.Value, 9);
        var epochs = FineTuneEstimator.DefaultEpochs(validated.Count);
        Assert.Equal(epochs, summary.Epochs);
        Assert.Equal(FineTuneEstimator.BilledTokens(validated.Select(e => e.TokenCount), epochs, 65_536), summary.BilledTokens);
        Assert.Equal(FineTuneEstimator.Check(validated.Count, validated.Count(e => e.HasErrors)), summary.Readiness, ReadinessComparer.Instance);
        Assert.Equal(validated.Count(e => !e.HasErrors), summary.Exportable);
        Assert.Equal(3.00m, summary.Price?.TrainingPerMillion);
        var exportable = validated.Where(e => !e.HasErrors).ToList();
        Assert.Equal((exportable.Count, exportable.Sum(e => (long)Math.Min(e.TokenCount, 65_536))), await ExportableTokensAsync());
    }

    [SkippableFact]
    public async Task An_empty_store_has_no_average_and_nothing_to_bill()
    {
        var summary = await Service().SummaryAsync();

        Assert.Equal(0, summary.Total);
        Assert.Null(summary.AverageQuality);
        Assert.Equal(0, summary.BilledTokens);
        Assert.Empty(summary.ByStatus);
        Assert.Equal((0, 0L), await ExportableTokensAsync());
    }

    [SkippableFact]
    public async Task The_exportable_tokens_are_cut_to_the_models_cap_per_example()
    {
        var rows = await SeedAsync();

        var exportable = rows.Where(e => e.DuplicateOfId is null && e.Status == ExampleStatus.Validated && !e.HasErrors).ToList();
        Assert.Equal((exportable.Count, exportable.Sum(e => (long)Math.Min(e.TokenCount, 4_096))), await ExportableTokensAsync(4_096));
    }

    [SkippableFact]
    public async Task The_summary_never_reads_a_rows_messages_and_its_reads_of_examples_are_answered_from_an_index()
    {
        await SeedAsync();
        _commands.Clear();

        await Service().SummaryAsync();
        await ExportableTokensAsync();

        var reads = _commands.Commands.Where(c => c.Text.Contains("\"TrainingExamples\"", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(reads);
        Assert.All(_commands.Texts, t => Assert.DoesNotContain("MessagesJson", t, StringComparison.Ordinal));
        foreach (var (text, parameters) in reads)
        {
            var plan = await PlanAsync(text, parameters);
            // SQLite says whether a read touched the table's rows; PostgreSQL, told to avoid full scans, still makes
            // one when no index can answer the read.
            var scansRows = _engine == TestEngine.Postgres
                ? plan.Any(p => p.Contains("Seq Scan on \"TrainingExamples\"", StringComparison.Ordinal))
                : plan.Where(p => p.Contains("TrainingExamples", StringComparison.Ordinal)).Any(p => !p.Contains("COVERING INDEX", StringComparison.Ordinal));
            Assert.False(scansRows, $"A summary read goes to the table's rows:\n{text}\n{string.Join("\n", plan)}");
        }
    }

    private async Task<List<string>> PlanAsync(string text, (string Name, object? Value)[] parameters)
    {
        await using var db = _create();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        if (_engine == TestEngine.Postgres)
        {
            await using var off = connection.CreateCommand();
            off.CommandText = "SET enable_seqscan = off";
            await off.ExecuteNonQueryAsync();
        }
        await using var explain = connection.CreateCommand();
        explain.CommandText = (_engine == TestEngine.Postgres ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + text;
        foreach (var (name, value) in parameters)
        {
            var parameter = explain.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            explain.Parameters.Add(parameter);
        }
        var plan = new List<string>();
        await using var reader = await explain.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            plan.Add(reader.GetString(_engine == TestEngine.Postgres ? 0 : 3));
        return plan;
    }

    private async Task<(int, long)> ExportableTokensAsync(int maxTokens = 65_536)
    {
        await using var db = _create();
        return await TrainingDataService.ExportableTokensAsync(db, maxTokens, CancellationToken.None);
    }

    private static List<CountBy> Counts(IEnumerable<TrainingExample> rows, Func<TrainingExample, string> key) =>
        [.. rows.GroupBy(key).Select(g => new CountBy(g.Key, g.Count())).OrderByDescending(c => c.Count).ThenBy(c => c.Key, StringComparer.Ordinal)];

    private sealed class ReadinessComparer : IEqualityComparer<Readiness>
    {
        public static readonly ReadinessComparer Instance = new();

        public bool Equals(Readiness? x, Readiness? y) =>
            x is not null && y is not null && x.Validated == y.Validated && x.Ready == y.Ready && x.Recommended == y.Recommended && x.Reasons.SequenceEqual(y.Reasons);

        public int GetHashCode(Readiness obj) => obj.Validated;
    }

    private sealed class ContextFactory(Func<PlannerDbContext> create) : IDbContextFactory<PlannerDbContext>
    {
        public PlannerDbContext CreateDbContext() => create();
    }

    /// <summary>Every command the contexts run, with its parameters, so a test can see what was read and ask SQLite how.</summary>
    private sealed class CommandLog : DbCommandInterceptor
    {
        private readonly ConcurrentQueue<(string Text, (string Name, object? Value)[] Parameters)> _commands = new();

        public IReadOnlyList<(string Text, (string Name, object? Value)[] Parameters)> Commands => [.. _commands];

        public IEnumerable<string> Texts => _commands.Select(c => c.Text);

        public void Clear() => _commands.Clear();

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            _commands.Enqueue((command.CommandText, [.. command.Parameters.Cast<DbParameter>().Select(p => (p.ParameterName, (object?)p.Value))]));
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            _commands.Enqueue((command.CommandText, [.. command.Parameters.Cast<DbParameter>().Select(p => (p.ParameterName, (object?)p.Value))]));
            return base.ScalarExecutingAsync(command, eventData, result, cancellationToken);
        }
    }
}

/// <summary>The same tests on PostgreSQL, whose triggers are written apart from SQLite's.</summary>
public sealed class TrainingSummaryQueryOnPostgresTests : TrainingSummaryQueryTests
{
    public TrainingSummaryQueryOnPostgresTests() : base(TestEngine.Postgres) { }
}
