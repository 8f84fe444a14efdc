using System.Diagnostics;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Training;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace MediaPlanner.Benchmarks;

/// <summary>
/// A SQLite file with 100,000 typical validated training examples (about 4 KB each), built once and reused, for the
/// export and review-queue measurements.
/// </summary>
internal static class TrainingDataStore
{
    public const int Count = 100_000;
    public static readonly string Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"mediaplanner-bench-{Count}.db");
    public static string ConnectionString => $"Data Source={Path}";

    public static IDbContextFactory<PlannerDbContext> Factory() => new Factory(new DbContextOptionsBuilder<PlannerDbContext>().UseSqlite(ConnectionString).Options);

    public static void EnsureCreated()
    {
        using (var db = new PlannerDbContext(new DbContextOptionsBuilder<PlannerDbContext>().UseSqlite(ConnectionString).Options))
        {
            db.Database.Migrate();
            if (db.TrainingExamples.Count() >= Count)
                return;
        }
        var watch = Stopwatch.StartNew();
        var market = SeedReferenceData.Markets[0];
        var templates = BenchmarkData.Templates();

        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var tx = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = """
            INSERT INTO TrainingExamples (Source, Status, Objective, MarketCode, Brand, Model, MessagesJson, ContentHash, TokenCount, HasErrors, IssuesJson, QualityScore, CreatedAt, CreatedById, Version)
            VALUES ('ChosenPlan', $status, $objective, 'US', $brand, 'local-mix-v1', $json, $hash, $tokens, 0, '[]', $quality, $created, 'bench', $version)
            """;
        var parameters = new[] { "$status", "$objective", "$brand", "$json", "$hash", "$tokens", "$quality", "$created", "$version" }
            .ToDictionary(n => n, n => insert.Parameters.Add(new SqliteParameter(n, null)));
        var tokens = TokenCounter.ForModel(BenchmarkData.OpenAIBaseModel);
        var start = DateTimeOffset.UtcNow.AddDays(-365);
        for (var i = 0; i < Count; i++)
        {
            var (brief, plan) = templates[i % templates.Count];
            brief.Brand = $"Brand {i:000000}";
            var example = PromptRenderer.Example(brief, market, plan with { Brand = brief.Brand });
            parameters["$status"].Value = "Validated";
            parameters["$objective"].Value = brief.Objective.ToString();
            parameters["$brand"].Value = brief.Brand;
            parameters["$json"].Value = example.ToJsonLine();
            parameters["$hash"].Value = ContentHash.Of(example);
            parameters["$tokens"].Value = tokens.CountExample(example);
            parameters["$quality"].Value = 80 + i % 20;
            // Stored the way EF's DateTimeOffsetToBinaryConverter stores it, so the app's queries see real dates.
            parameters["$created"].Value = new Microsoft.EntityFrameworkCore.Storage.ValueConversion.DateTimeOffsetToBinaryConverter()
                .ConvertToProvider(start.AddMinutes(i * 5));
            parameters["$version"].Value = Guid.NewGuid();
            insert.ExecuteNonQuery();
        }
        tx.Commit();
        Console.WriteLine($"Seeded {Count:N0} training examples into {Path} in {watch.Elapsed.TotalSeconds:0.0} s ({new FileInfo(Path).Length / 1024 / 1024} MB).");
    }
}

internal sealed class Factory(DbContextOptions<PlannerDbContext> options) : IDbContextFactory<PlannerDbContext>
{
    public PlannerDbContext CreateDbContext() => new(options);
}
