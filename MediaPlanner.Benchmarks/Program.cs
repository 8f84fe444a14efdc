using System.Diagnostics;
using BenchmarkDotNet.Running;
using MediaPlanner.Benchmarks;
using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Training;

// dotnet run -c Release -- --filter '*' [--job short]
// dotnet run -c Release -- export-memory   (peak working set while exporting every example)
// dotnet run -c Release -- house-style [examples] [test briefs]   (the learning loop's effect on unseen briefs)
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
    var settings = new TrainingSettings(TrainingSettings.DefaultBaseModel);
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
