using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaPlanner.Tests.FineTuning;

/// <summary>The dataset the real runner hands a job's backend, read from the real database.</summary>
public class FineTuneDatasetTests : IAsyncLifetime
{
    private const string Provider = "recording";
    private readonly TestEngine _engine;
    private readonly RecordingBackend _backend = new();
    private BackendApp _app = default!;

    public FineTuneDatasetTests() : this(TestEngine.Sqlite) { }

    protected FineTuneDatasetTests(TestEngine engine) => _engine = engine;

    public Task InitializeAsync()
    {
        _app = new BackendApp(_backend, _engine);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private T Service<T>(IServiceScope scope) where T : notnull => scope.ServiceProvider.GetRequiredService<T>();

    [SkippableFact]
    public async Task A_jobs_dataset_is_the_stratified_split_with_each_lines_results_and_the_databases_reference_data()
    {
        await ValidatedExamples.SeedAsync(_app.Services, 30, "Dataset");
        var expected = new Dictionary<string, ExampleOutcome>
        {
            ["Dataset 3"] = new(0.012, null, null),
            ["Dataset 7"] = new(null, 0.034, null),
            ["Dataset 12"] = new(0.021, 0.05, 41_000.50m),
            ["Dataset 20"] = new(null, null, 9_999m),
            ["Dataset 26"] = new(0.004, 0.01, 80_000m),
        };
        int editedBenchmark;
        using (var scope = _app.Services.CreateScope())
        {
            await using var db = await Service<IDbContextFactory<PlannerDbContext>>(scope).CreateDbContextAsync();
            foreach (var (brand, outcome) in expected)
                await db.TrainingExamples.Where(e => e.Brand == brand).ExecuteUpdateAsync(s => s
                    .SetProperty(e => e.Ctr, outcome.Ctr)
                    .SetProperty(e => e.ConversionRate, outcome.ConversionRate)
                    .SetProperty(e => e.DeliveredSpend, outcome.DeliveredSpend)
                    .SetProperty(e => e.ResultsRecordedAt, DateTimeOffset.UtcNow));
            editedBenchmark = await db.Benchmarks.Where(b => b.Channel == Channel.Social).Select(b => b.Id).FirstAsync();
            await db.Benchmarks.Where(b => b.Id == editedBenchmark).ExecuteUpdateAsync(s => s.SetProperty(b => b.Cpm, 123.45m));
        }

        JobPreview preview;
        using (var scope = _app.Services.CreateScope())
        {
            var jobs = Service<FineTuneService>(scope);
            preview = await jobs.PreviewAsync(Provider, 20, null, 5);
            var admin = await Service<UserManager<ApplicationUser>>(scope).FindByEmailAsync("admin@demo.local");
            var created = await jobs.CreateAsync(new NewJobRequest(Provider, Seed: 5, ValidationPercent: 20), new CurrentUser(admin!.Id, true));
            Assert.True(created.Succeeded, string.Join("; ", created.Errors.Values));
        }
        var dataset = await _backend.Dataset.Task.WaitAsync(TimeSpan.FromSeconds(60));

        // 20 % of 30 is 6, two from each objective (the seeded briefs share one age band).
        Assert.Equal(24, dataset.TrainingLines.Count);
        Assert.Equal(6, dataset.ValidationLines.Count);
        Assert.Equal((24, 6), (preview.TrainingExamples, preview.ValidationExamples));
        Assert.All(Enum.GetValues<Objective>(), o => Assert.Equal(2, dataset.ValidationLines.Count(l => Brief(l).Objective == o)));

        Assert.Equal(dataset.TrainingLines.Count, dataset.TrainingOutcomes.Count);
        Assert.Equal(dataset.ValidationLines.Count, dataset.ValidationOutcomes.Count);
        var lines = dataset.TrainingLines.Zip(dataset.TrainingOutcomes).Concat(dataset.ValidationLines.Zip(dataset.ValidationOutcomes)).ToList();
        Assert.All(lines, pair => Assert.Equal(expected.GetValueOrDefault(Brief(pair.First).Brand), pair.Second));
        Assert.Equal(expected.Count, lines.Count(pair => pair.Second is not null));

        Assert.NotNull(dataset.Reference);
        Assert.Equal(123.45m, dataset.Reference.Benchmarks.Single(b => b.Id == editedBenchmark).Cpm);
        Assert.Equal(ReferenceSnapshot.Seeded.Markets.Count, dataset.Reference.Markets.Count);
        Assert.Equal(ReferenceSnapshot.Seeded.Currencies.Count, dataset.Reference.Currencies.Count);
        Assert.Empty(dataset.PreferenceLines);

        // The download for the same seed and share holds the same lines on each side, and together all of them.
        using (var scope = _app.Services.CreateScope())
        {
            var training = Service<TrainingDataService>(scope);
            var train = await ExportAsync(training, new ExportOptions(20, 5, ExportPart.Train));
            var validation = await ExportAsync(training, new ExportOptions(20, 5, ExportPart.Validation));
            var all = await ExportAsync(training, new ExportOptions(20, 5, ExportPart.All));

            Assert.Equal(dataset.TrainingLines, train);
            Assert.Equal(dataset.ValidationLines, validation);
            Assert.Empty(train.Intersect(validation));
            Assert.Equal(all.Order(StringComparer.Ordinal), train.Concat(validation).Order(StringComparer.Ordinal));
        }
    }

    [SkippableFact]
    public async Task Without_a_validation_share_every_line_trains_and_results_still_line_up()
    {
        await ValidatedExamples.SeedAsync(_app.Services, 12, "Whole");
        using (var scope = _app.Services.CreateScope())
        {
            await using var db = await Service<IDbContextFactory<PlannerDbContext>>(scope).CreateDbContextAsync();
            await db.TrainingExamples.Where(e => e.Brand == "Whole 4").ExecuteUpdateAsync(s => s.SetProperty(e => e.Ctr, 0.02));
        }

        SplitExport split;
        using (var scope = _app.Services.CreateScope())
            split = await Service<TrainingDataService>(scope).ExportSplitAsync(0, 42);

        Assert.Equal(12, split.TrainingLines.Count);
        Assert.Empty(split.ValidationLines);
        Assert.Empty(split.ValidationOutcomes);
        var withResults = Assert.Single(split.TrainingLines.Zip(split.TrainingOutcomes), pair => pair.Second is not null);
        Assert.Equal("Whole 4", Brief(withResults.First).Brand);
        Assert.Equal(new ExampleOutcome(0.02, null, null), withResults.Second);
    }

    private static CampaignBrief Brief(string line)
    {
        var user = ChatExample.Parse(line).Messages.First(m => m.Role == ChatRoles.User).Content;
        var parsed = BriefPrompt.Parse(user, out var error);
        Assert.True(parsed is not null, error);
        return parsed.Brief;
    }

    private static async Task<string[]> ExportAsync(TrainingDataService training, ExportOptions options)
    {
        using var stream = new MemoryStream();
        await training.ExportAsync(stream, options);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>A backend that takes the dataset the runner offers, keeps it, and ends the job.</summary>
    private sealed class RecordingBackend : IFineTuneBackend
    {
        public TaskCompletionSource<FineTuneDataset> Dataset { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Provider => FineTuneDatasetTests.Provider;

        public bool IsConfigured => true;

        public async Task<TimeSpan?> AdvanceAsync(FineTuneJob job, Func<CancellationToken, Task<FineTuneDataset>> dataset, IFineTuneSink sink, CancellationToken ct)
        {
            Dataset.TrySetResult(await dataset(ct));
            job.Cancel(DateTimeOffset.UtcNow);
            await sink.JobChangedAsync(job, ct);
            return null;
        }

        public Task CancelAsync(FineTuneJob job, IFineTuneSink sink, CancellationToken ct) => Task.CompletedTask;
    }
}

/// <summary>The same tests on PostgreSQL.</summary>
public sealed class FineTuneDatasetOnPostgresTests : FineTuneDatasetTests
{
    public FineTuneDatasetOnPostgresTests() : base(TestEngine.Postgres) => TestServers.SkipUnlessPostgres();
}
