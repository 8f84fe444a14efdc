using BenchmarkDotNet.Attributes;
using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Training;

namespace MediaPlanner.Benchmarks;

/// <summary>Export of 100,000 examples and the review queue's first page over them.</summary>
[MemoryDiagnoser]
public class TrainingDataBenchmarks
{
    private TrainingDataService _training = default!;
    private ReviewService _reviews = default!;

    [GlobalSetup]
    public void Setup()
    {
        TrainingDataStore.EnsureCreated();
        var factory = TrainingDataStore.Factory();
        var settings = new TrainingSettings(BenchmarkData.OpenAIBaseModel);
        var audit = new AuditLog(factory, TimeProvider.System);
        _training = new TrainingDataService(factory, new ExampleValidator(), settings, TimeProvider.System, audit);
        _reviews = new ReviewService(factory, new ExampleValidator(), settings, TimeProvider.System, audit);
    }

    /// <summary>All 100,000 validated examples streamed as JSONL.</summary>
    [Benchmark]
    public Task<int> ExportValidated() => _training.ExportAsync(Stream.Null, new ExportOptions());

    [Benchmark]
    public Task<MediaPlanner.Domain.Briefs.PagedResult<ExampleRow>> QueueFirstPageValidatedByBrand() =>
        _reviews.QueryAsync(new ExampleFilter(Status: ExampleStatus.Validated), 0, 25, ExampleSort.Brand);

    [Benchmark]
    public Task<MediaPlanner.Domain.Briefs.PagedResult<ExampleRow>> QueueFirstPageAll() =>
        _reviews.QueryAsync(new ExampleFilter(), 0, 25);
}
