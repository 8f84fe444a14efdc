using System.Diagnostics;
using System.Globalization;
using MediaPlanner.Domain.Demo;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.FineTuning.Evaluation;
using MediaPlanner.Domain.Providers.Local;

namespace MediaPlanner.Benchmarks;

/// <summary>
/// The learning loop's effect on briefs the model never saw: a synthetic agency's validated plans (house style by
/// objective × age band, gender and budget, with noise) train the local learner; base engine and fine-tuned model then
/// plan unseen briefs, and the report compares their distance to the agency's style, quality and budget adherence.
/// A control agency whose style is the engine's own shows training does not make things worse.
/// Run: dotnet run -c Release --project MediaPlanner.Benchmarks -- house-style [training examples] [test briefs]
/// </summary>
public static class HouseStyleBenchmark
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public sealed record Report(string Agency, int Trained, int HeldOut, int Unseen, HeldOutFigures Base, HeldOutFigures FineTuned, string Verdict, double TrainSeconds, bool AllWithinBudget)
    {
        public double BalancedCloser => 1 - FineTuned.MeanDistance / Base.MeanDistance;
        public double AlternativesCloser => 1 - FineTuned.MeanDistanceAllAlternatives / Base.MeanDistanceAllAlternatives;
    }

    public static async Task<Report> RunAsync(HouseStyleAgency agency, int training, int unseen, int seed = 1)
    {
        // Validated examples: 80 % trained on, 20 % held out by the job (checkpoint choice); the unseen test briefs are
        // separate again, never seen by training or checkpoint selection.
        var examples = agency.Examples(0, training, seed);
        var heldOutCount = Math.Max(1, training / 5);
        var data = new FineTuneDataset([.. examples.Skip(heldOutCount).Select(e => e.Line)], [.. examples.Take(heldOutCount).Select(e => e.Line)]);
        var sink = new MemorySink();
        var job = new FineTuneJob { Id = 1, Provider = FineTuneProviders.Local, BaseModel = MediaMixParameters.Default.ModelName, CreatedById = "benchmark", Seed = seed };
        var backend = new LocalFineTuneBackend(MediaMixParameters.Default, TimeProvider.System);
        var watch = Stopwatch.StartNew();
        await backend.AdvanceAsync(job, _ => Task.FromResult(data), sink, CancellationToken.None);
        watch.Stop();
        if (job.Status != FineTuneStatus.Succeeded)
            throw new InvalidOperationException($"The job ended {job.Status}: {job.ErrorMessage}");

        var tests = agency.Examples(1_000_000, unseen, seed).Select(e => e.HeldOut()).ToList();
        var trained = MediaMixParameters.FromJson(job.ResultParametersJson!);
        var baseFigures = HeldOutEvaluator.Evaluate(MediaMixParameters.Default, tests);
        var fineTuned = HeldOutEvaluator.Evaluate(trained, tests);
        return new Report(agency.Name, training - heldOutCount, heldOutCount, unseen, baseFigures, fineTuned, job.Verdict ?? "", watch.Elapsed.TotalSeconds,
            baseFigures.WithinBudgetRate == 1 && fineTuned.WithinBudgetRate == 1);
    }

    public static async Task MainAsync(string[] args)
    {
        var training = args.Length > 1 ? int.Parse(args[1], C) : 400;
        var unseen = args.Length > 2 ? int.Parse(args[2], C) : 300;
        Console.WriteLine($"House-style benchmark: {training} validated examples per agency, {unseen} unseen test briefs.");
        Console.WriteLine("| agency | distance, Balanced (base → fine-tuned) | closer | distance, mean of alternatives | closer | quality (base → fine-tuned; the agency's own plans) | on budget to the cent | train time | verdict |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var agency in new[] { HouseStyleAgency.Distinct(), HouseStyleAgency.Control() })
        {
            var r = await RunAsync(agency, training, unseen);
            Console.WriteLine(string.Create(C,
                $"| {r.Agency} | {r.Base.MeanDistance:0.000} → {r.FineTuned.MeanDistance:0.000} | {r.BalancedCloser:P0} | {r.Base.MeanDistanceAllAlternatives:0.000} → {r.FineTuned.MeanDistanceAllAlternatives:0.000} | {r.AlternativesCloser:P0} | {r.Base.MeanQuality:0.0} → {r.FineTuned.MeanQuality:0.0}; {r.Base.ValidatedQuality:0.0} | {(r.AllWithinBudget ? "all" : "NOT ALL")} | {r.TrainSeconds:0.00} s | {r.Verdict} |"));
        }
        var timing = await RunAsync(HouseStyleAgency.Distinct(), 1_250, 10);
        Console.WriteLine(string.Create(C, $"Training on {timing.Trained:N0} examples (+{timing.HeldOut} held out, evaluated every epoch): {timing.TrainSeconds:0.00} s."));
    }

    private sealed class MemorySink : IFineTuneSink
    {
        public Task EventAsync(FineTuneEvent e, CancellationToken ct) => Task.CompletedTask;
        public Task CheckpointAsync(FineTuneCheckpoint checkpoint, CancellationToken ct) => Task.CompletedTask;
        public Task JobChangedAsync(FineTuneJob job, CancellationToken ct) => Task.CompletedTask;
        public Task<bool> CancelRequestedAsync(CancellationToken ct) => Task.FromResult(false);
        public Task DiscardReportsAsync(CancellationToken ct) => Task.CompletedTask;
    }
}
