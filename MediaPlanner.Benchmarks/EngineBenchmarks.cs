using BenchmarkDotNet.Attributes;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers.Local;

namespace MediaPlanner.Benchmarks;

/// <summary>How long the offline engine takes to make the three alternatives the app asks for.</summary>
[MemoryDiagnoser]
public class EngineBenchmarks
{
    private readonly LocalMediaMixEngine _engine = new(MediaMixParameters.Default);
    private PlanRequest _defaultBrief = null!;
    private PlanRequest _allChannels = null!;

    [GlobalSetup]
    public void Setup()
    {
        _defaultBrief = BenchmarkData.Request(BenchmarkData.DefaultChannels);
        _allChannels = BenchmarkData.Request(Enum.GetValues<Channel>());
    }

    [Benchmark(Baseline = true, Description = "3 plans, default 4-channel brief")]
    public IReadOnlyList<MediaPlan> ThreePlansDefaultBrief() => _engine.Generate(_defaultBrief, 3);

    [Benchmark(Description = "3 plans, all 10 channels")]
    public IReadOnlyList<MediaPlan> ThreePlansAllChannels() => _engine.Generate(_allChannels, 3);
}
