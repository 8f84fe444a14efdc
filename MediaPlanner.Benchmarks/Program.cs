using System.Diagnostics;
using BenchmarkDotNet.Running;
using MediaPlanner.Benchmarks;
using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Training;

// dotnet run -c Release -- --filter '*' [--job short]
// dotnet run -c Release -- export-memory   (peak working set while exporting every example)
// dotnet run -c Release -- house-style [examples] [test briefs]   (the learning loop's effect on unseen briefs)
// dotnet run -c Release -- house-style-jsonl <file> [count]   (a synthetic agency's validated plans to import and try the loop)
// dotnet run -c Release -- alternatives-tokens   (tokens of one request for N plans vs one steered request per plan)
// dotnet run -c Release -- import-memory   (memory importing a file with one 150 MB line, against reading it as text lines)
// dotnet run -c Release -- capacity [count] [sqlite|postgres [connection string]]...   (import, export, summary and review queue at 100,000 examples)
if (args is ["capacity", ..])
{
    await Capacity.RunAsync(args);
    return;
}
// dotnet run -c Release -- circuit-memory [circuits] [port]   (managed heap per open Blazor circuit on /briefs/new, and what holds it)
if (args is ["circuit-memory", ..])
{
    await CircuitMemory.RunAsync(args);
    return;
}
if (args is ["import-memory", ..])
{
    await ImportMemory.RunAsync();
    return;
}
if (args is ["alternatives-tokens", ..])
{
    AlternativesTokens.Run();
    return;
}
if (args is ["house-style-jsonl", var file, ..])
{
    var count = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 300;
    await File.WriteAllLinesAsync(file, MediaPlanner.Domain.Demo.HouseStyleAgency.Distinct().Examples(0, count).Select(e => e.Line));
    Console.WriteLine($"Wrote {count} validated house-style examples to {file}: import them on /training (mark as validated), then start a local job.");
    return;
}
if (args is ["house-style", ..])
{
    await HouseStyleBenchmark.MainAsync(args);
    return;
}
if (args is ["export-memory", ..])
{
    TrainingDataStore.EnsureCreated();
    var process = Process.GetCurrentProcess();
    GC.Collect();
    process.Refresh();
    var before = process.WorkingSet64;
    var settings = new TrainingSettings(BenchmarkData.OpenAIBaseModel);
    var factory = TrainingDataStore.Factory();
    var service = new TrainingDataService(factory, new ExampleValidator(), settings, TimeProvider.System, new AuditLog(factory, TimeProvider.System));
    var watch = Stopwatch.StartNew();
    var lines = await service.ExportAsync(Stream.Null, new ExportOptions());
    watch.Stop();
    process.Refresh();
    Console.WriteLine($"Exported {lines:N0} examples in {watch.Elapsed.TotalSeconds:0.00} s; working set before {before / 1024 / 1024} MB, peak {process.PeakWorkingSet64 / 1024 / 1024} MB.");
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
