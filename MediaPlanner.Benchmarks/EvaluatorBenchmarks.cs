using BenchmarkDotNet.Attributes;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers.Local;

namespace MediaPlanner.Benchmarks;

/// <summary>How long scoring one plan takes (the app scores every plan it generates).</summary>
[MemoryDiagnoser]
public class EvaluatorBenchmarks
{
    private readonly PlanQualityEvaluator _evaluator = new();
    private MediaPlan _plan = null!;
    private PlanEvaluationContext _context = null!;

    [GlobalSetup]
    public void Setup()
    {
        var request = BenchmarkData.Request(Enum.GetValues<Channel>());
        _plan = new LocalMediaMixEngine(MediaMixParameters.Default).Generate(request)[0];
        _context = PlanEvaluationContext.From(request);
    }

    [Benchmark(Description = "Evaluate one plan")]
    public QualityReport EvaluateOnePlan() => _evaluator.Evaluate(_plan, _context);
}
