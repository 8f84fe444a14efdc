using System.Diagnostics;
using System.Text;
using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Domain.Training;
using Microsoft.EntityFrameworkCore;

namespace MediaPlanner.Benchmarks;

/// <summary>
/// Memory for a JSONL file with one 150 MB line between four good ones: the import (bytes, capped lines) against
/// the line-by-line text reading it replaced. Bytes allocated are this process's own count; the peak is the working set.
/// </summary>
internal static class ImportMemory
{
    public static async Task RunAsync()
    {
        const long longLine = 150L * 1024 * 1024;
        var folder = Directory.CreateTempSubdirectory("mp-import-memory-").FullName;
        try
        {
            var file = Path.Combine(folder, "huge-line.jsonl");
            await WriteFileAsync(file, longLine);
            var options = new DbContextOptionsBuilder<PlannerDbContext>().UseSqlite($"Data Source={Path.Combine(folder, "import.db")}").Options;
            await using (var db = new PlannerDbContext(options))
                await db.Database.MigrateAsync();
            var factory = new Factory(options);
            var service = new TrainingDataService(factory, new ExampleValidator(), new TrainingSettings(BenchmarkData.OpenAIBaseModel),
                TimeProvider.System, new AuditLog(factory, TimeProvider.System));

            // Warm up first (tokenizer vocabulary, EF's model), so the figure is the file's own cost.
            await using (var small = new MemoryStream(Encoding.UTF8.GetBytes(File.ReadLines(file).First())))
                await service.ImportAsync(small, "warm-up.jsonl", false, new CurrentUser("bench", true));
            var (report, importAllocated, importPeak) = await MeasureAsync(async () =>
            {
                await using var input = File.OpenRead(file);
                return await service.ImportAsync(input, "huge-line.jsonl", false, new CurrentUser("bench", true));
            });
            Console.WriteLine($"Import (after a warm-up): {report.Imported} imported, rejected {string.Join("; ", report.Rejected.Select(r => r.Reason))}");
            Console.WriteLine($"  allocated {importAllocated / 1024 / 1024:N0} MB, peak working set {importPeak / 1024 / 1024:N0} MB");

            var (longest, textAllocated, textPeak) = await MeasureAsync(async () =>
            {
                using var reader = new StreamReader(File.OpenRead(file), Encoding.UTF8);
                var max = 0;
                while (await reader.ReadLineAsync() is { } line)
                    max = Math.Max(max, line.Length);
                return max;
            });
            Console.WriteLine($"StreamReader.ReadLineAsync (the old import's reading): longest line {longest:N0} chars");
            Console.WriteLine($"  allocated {textAllocated / 1024 / 1024:N0} MB, peak working set {textPeak / 1024 / 1024:N0} MB");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<(T Result, long Allocated, long PeakWorkingSet)> MeasureAsync<T>(Func<Task<T>> action)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var result = await action();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        using var process = Process.GetCurrentProcess();
        return (result, allocated, process.PeakWorkingSet64);
    }

    private static async Task WriteFileAsync(string path, long longLine)
    {
        var market = SeedReferenceData.Markets[0];
        var request = BenchmarkData.Request(BenchmarkData.DefaultChannels, Objective.Awareness, 250_000m);
        var plan = new LocalMediaMixEngine(MediaMixParameters.Default).Generate(request)[0];
        string Line(int i)
        {
            request.Brief.Brand = $"Memory Brand {i}";
            return PromptRenderer.Example(request.Brief, market, plan with { Brand = request.Brief.Brand }).ToJsonLine() + "\n";
        }
        await using var output = File.Create(path);
        await output.WriteAsync(Encoding.UTF8.GetBytes(Line(1) + Line(2)));
        var chunk = new byte[1024 * 1024];
        Array.Fill(chunk, (byte)'a');
        for (long written = 0; written < longLine; written += chunk.Length)
            await output.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, longLine - written)));
        await output.WriteAsync(Encoding.UTF8.GetBytes("\n" + Line(3) + Line(4)));
    }
}
