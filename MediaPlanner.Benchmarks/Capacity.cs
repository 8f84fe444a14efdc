using System.Diagnostics;
using System.Globalization;
using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Training;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace MediaPlanner.Benchmarks;

/// <summary>A database the capacity run fills from empty: how to open it, and how to remove it afterwards.</summary>
internal sealed record CapacityDatabase(string Name, Func<PlannerDbContext> Open, Func<Task> DropAsync);

/// <summary>
/// One node at scale: writes N realistic examples (~4.9 KB each) as a JSONL file, imports it into an empty database
/// through the app's import, then times the export of all of them, the training page's summary and the review queue's
/// first page and model list. Wall-clock figures for notes and the README, never asserted in tests.
/// </summary>
internal static class Capacity
{
    private const int Repeats = 7;

    /// <summary>The databases a run can use, by name; a provider is one entry here.</summary>
    private static readonly Dictionary<string, Func<string, CapacityDatabase>> Providers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sqlite"] = Sqlite,
        ["postgres"] = Postgres,
    };

    // dotnet run -c Release -- capacity [count] [provider connection-string]...   (default: 100000 sqlite)
    public static async Task RunAsync(string[] args)
    {
        var count = 100_000;
        var i = 1;
        if (args.Length > 1 && int.TryParse(args[1], CultureInfo.InvariantCulture, out var n))
        {
            count = n;
            i = 2;
        }
        var targets = new List<CapacityDatabase>();
        while (i < args.Length)
        {
            if (!Providers.TryGetValue(args[i], out var make))
                throw new ArgumentException($"Unknown provider {args[i]}: one of {string.Join(", ", Providers.Keys)}.");
            var connection = i + 1 < args.Length && !Providers.ContainsKey(args[i + 1]) ? args[i + 1] : "";
            targets.Add(make(connection));
            i += connection.Length > 0 ? 2 : 1;
        }
        if (targets.Count == 0)
            targets.Add(Sqlite(""));

        var folder = Directory.CreateTempSubdirectory("mp-capacity-").FullName;
        try
        {
            var file = Path.Combine(folder, "examples.jsonl");
            var bytes = await WriteExamplesAsync(file, count);
            Console.WriteLine($"{count:N0} examples, {bytes / 1024.0 / 1024:N0} MB ({bytes / count:N0} bytes per example), {Environment.ProcessorCount} cores");
            foreach (var target in targets)
            {
                try
                {
                    await MeasureAsync(target, file, count);
                }
                finally
                {
                    await target.DropAsync();
                }
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static CapacityDatabase Sqlite(string connectionString)
    {
        var path = connectionString.Length > 0 ? null : Path.Combine(Path.GetTempPath(), $"mp-capacity-{Guid.NewGuid():N}.db");
        var options = new DbContextOptionsBuilder<PlannerDbContext>().UseSqlite(path is null ? connectionString : $"Data Source={path}").Options;
        return new("SQLite", () => new PlannerDbContext(options), () =>
        {
            SqliteConnection.ClearAllPools();
            if (path is not null)
                File.Delete(path);
            return Task.CompletedTask;
        });
    }

    /// <summary>
    /// A new database on the given server (a role that may create databases; default: the test servers' role on
    /// loopback), dropped at the end.
    /// </summary>
    private static CapacityDatabase Postgres(string connectionString)
    {
        var server = new Npgsql.NpgsqlConnectionStringBuilder(connectionString.Length > 0
            ? connectionString
            : "Host=127.0.0.1;Port=5432;Username=mediaplanner;Password=mediaplanner");
        var name = $"mp_capacity_{Guid.NewGuid():N}";
        var admin = new Npgsql.NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;
        async Task RunAsync(string sql)
        {
            await using var connection = new Npgsql.NpgsqlConnection(admin);
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
        RunAsync($"CREATE DATABASE \"{name}\"").GetAwaiter().GetResult();
        var options = new DbContextOptionsBuilder<MediaPlanner.Domain.Persistence.Postgres.PostgresPlannerDbContext>()
            .UseNpgsql(new Npgsql.NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = name }.ConnectionString).Options;
        return new("PostgreSQL", () => new MediaPlanner.Domain.Persistence.Postgres.PostgresPlannerDbContext(options), async () =>
        {
            Npgsql.NpgsqlConnection.ClearAllPools();
            await RunAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        });
    }

    private static async Task MeasureAsync(CapacityDatabase target, string file, int count)
    {
        await using (var db = target.Open())
            await db.Database.MigrateAsync();
        var factory = new OpeningFactory(target.Open);
        var settings = new TrainingSettings(BenchmarkData.OpenAIBaseModel);
        var audit = new AuditLog(factory, TimeProvider.System);
        var training = new TrainingDataService(factory, new ExampleValidator(), settings, TimeProvider.System, audit);
        var reviews = new ReviewService(factory, new ExampleValidator(), settings, TimeProvider.System, audit);

        var watch = Stopwatch.StartNew();
        ImportReport report;
        await using (var input = File.OpenRead(file))
            report = await training.ImportAsync(input, "capacity.jsonl", markValidated: true, new CurrentUser("capacity", true));
        watch.Stop();
        Console.WriteLine($"[{target.Name}] import: {report.Imported:N0} of {report.Lines:N0} lines in {watch.Elapsed.TotalSeconds:N1} s = {report.Imported / watch.Elapsed.TotalSeconds:N0} examples/s ({report.RejectedCount} rejected)");

        // Chosen plans carry the model that made them (imports do not): give every row one, as the review filter lists them.
        await using (var db = target.Open())
            await db.TrainingExamples.ExecuteUpdateAsync(s => s.SetProperty(e => e.Model, e => e.Id % 3 == 0 ? "gpt-4o-mini-2024-07-18" : "local-mix-v1"));
        // On PostgreSQL, what autovacuum does shortly after a bulk write: planner statistics, and the visibility map that lets
        // index-only scans (the summary's covering index, the queue's counts) skip the table. Measured in that steady state.
        await using (var db = target.Open())
            if (db.Database.IsNpgsql())
            {
                watch.Restart();
                await db.Database.ExecuteSqlRawAsync("VACUUM (ANALYZE) \"TrainingExamples\"");
                Console.WriteLine($"[{target.Name}] VACUUM (ANALYZE) after the import, as autovacuum would: {watch.Elapsed.TotalSeconds:N1} s");
            }

        watch.Restart();
        var exported = await training.ExportAsync(Stream.Null, new ExportOptions());
        watch.Stop();
        Console.WriteLine($"[{target.Name}] export: {exported:N0} examples in {watch.Elapsed.TotalSeconds:N2} s = {exported / watch.Elapsed.TotalSeconds:N0} examples/s");

        await TimeAsync(target, "training summary (SummaryAsync)", () => training.SummaryAsync(), s => $"{s.Total:N0} examples");
        await TimeAsync(target, "review queue first page (all, newest)", () => reviews.QueryAsync(new ExampleFilter(), 0, 25), p => $"{p.Total:N0} rows");
        await TimeAsync(target, "review queue first page (validated, by brand)",
            () => reviews.QueryAsync(new ExampleFilter(Status: ExampleStatus.Validated), 0, 25, ExampleSort.Brand), p => $"{p.Total:N0} rows");
        await TimeAsync(target, "review model list (ModelsAsync)", () => reviews.ModelsAsync(), m => $"{m.Count} models");
    }

    /// <summary>The median of <see cref="Repeats"/> runs after one warm-up (EF's compiled queries, the page cache).</summary>
    private static async Task TimeAsync<T>(CapacityDatabase target, string what, Func<Task<T>> action, Func<T, string> describe)
    {
        var result = await action();
        var times = new List<double>();
        for (var i = 0; i < Repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            await action();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        Console.WriteLine($"[{target.Name}] {what}: median {times[Repeats / 2]:N1} ms, max {times[^1]:N1} ms ({describe(result)})");
    }

    /// <summary>Realistic examples: the local engine's plans for every objective at three budgets, each under its own brand.</summary>
    private static async Task<long> WriteExamplesAsync(string path, int count)
    {
        var market = SeedReferenceData.Markets.Single(m => m.Code == "US");
        var templates = BenchmarkData.Templates();
        await using (var output = new StreamWriter(path, append: false, new System.Text.UTF8Encoding(false)))
        {
            for (var i = 0; i < count; i++)
            {
                var (brief, plan) = templates[i % templates.Count];
                brief.Brand = $"Capacity Brand {i:000000}";
                await output.WriteAsync(PromptRenderer.Example(brief, market, plan with { Brand = brief.Brand }).ToJsonLine());
                await output.WriteAsync('\n');
            }
        }
        return new FileInfo(path).Length;
    }

    private sealed class OpeningFactory(Func<PlannerDbContext> open) : IDbContextFactory<PlannerDbContext>
    {
        public PlannerDbContext CreateDbContext() => open();
    }
}
