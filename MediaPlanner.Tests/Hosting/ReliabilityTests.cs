using System.Net;
using System.Text;
using System.Text.Json;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace MediaPlanner.Tests.Hosting;

/// <summary>
/// Faults against a database file in a temp folder, so what one app instance wrote is what the next one opens:
/// a dataset upload cut off mid-import, a runner that died holding a job, a database file that disappears.
/// </summary>
public sealed class ReliabilityTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mp-reliability-").FullName;

    private string DatabasePath => Path.Combine(_folder, "mediaplanner.db");

    private string ConnectionString => $"Data Source={DatabasePath}";

    public void Dispose()
    {
        // Pooled connections keep the file open; let go of them so the folder can be deleted.
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private MediaPlannerFactory App(params (string Key, string Value)[] settings)
    {
        var app = MediaPlannerFactory.ForDatabase(ConnectionString);
        foreach (var (key, value) in settings)
            app.Settings[key] = value;
        _ = app.Server;
        return app;
    }

    /// <summary>A query straight on the file, past the app and its pool.</summary>
    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync())!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<CurrentUser> AdminAsync(MediaPlannerFactory app)
    {
        using var scope = app.Services.CreateScope();
        var admin = await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync("admin@demo.local");
        return new CurrentUser(admin!.Id, true);
    }

    [Fact]
    public async Task The_database_file_is_in_wal_mode_after_start_up()
    {
        await using var app = App();

        Assert.Equal("wal", await ScalarAsync<string>("PRAGMA journal_mode"));
        Assert.True(File.Exists(DatabasePath + "-wal"), "WAL mode keeps a -wal file beside the database.");
    }

    [Fact]
    public async Task An_import_cut_off_mid_file_keeps_the_saved_batches_and_a_second_import_adds_exactly_the_rest()
    {
        const int total = 1_200;
        const int linesBeforeTheCut = 1_100;
        var lines = DistinctExampleLines("Cut-off", total);
        var file = Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n");
        var cut = Encoding.UTF8.GetByteCount(string.Join('\n', lines.Take(linesBeforeTheCut)) + "\n");

        await using (var first = App())
        {
            var admin = await AdminAsync(first);
            using var scope = first.Services.CreateScope();
            var training = scope.ServiceProvider.GetRequiredService<TrainingDataService>();
            var error = await Assert.ThrowsAsync<IOException>(() =>
                training.ImportAsync(new FailingStream(file, cut), markValidated: false, admin));
            output.WriteLine($"Fault 1: the upload failed after {linesBeforeTheCut} of {total} lines: {error.Message}");
        }

        // Batches of 500 are saved whole: the 1,000 lines of two full batches are kept, the 100 after them were never saved.
        Assert.Equal("ok", await ScalarAsync<string>("PRAGMA integrity_check"));
        Assert.Equal(1_000L, await ScalarAsync<long>("SELECT COUNT(*) FROM TrainingExamples"));

        await using var second = App();
        ImportReport report;
        using (var scope = second.Services.CreateScope())
            report = await scope.ServiceProvider.GetRequiredService<TrainingDataService>()
                .ImportAsync(new MemoryStream(file), markValidated: false, await AdminAsync(second));

        Assert.Equal((total, total - 1_000, 1_000, 0), (report.Lines, report.Imported, report.Duplicates, report.RejectedCount));
        await using var db = await second.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
        var originals = await db.TrainingExamples.Where(e => e.DuplicateOfId == null).Select(e => new { e.Id, e.ContentHash, e.Brand }).ToListAsync();
        var duplicates = await db.TrainingExamples.Where(e => e.DuplicateOfId != null).Select(e => new { e.ContentHash, e.DuplicateOfId }).ToListAsync();
        var expectedHashes = lines.Select(l => ContentHash.Of(ChatExample.Parse(l))).ToHashSet();
        Assert.Equal(total, originals.Count);
        Assert.True(expectedHashes.SetEquals(originals.Select(o => o.ContentHash)), "Every line of the file is stored once as an original.");
        Assert.Equal(1_000, duplicates.Count);
        var originalByHash = originals.ToDictionary(o => o.ContentHash, o => o.Id);
        Assert.All(duplicates, d => Assert.Equal(originalByHash[d.ContentHash], d.DuplicateOfId));
        output.WriteLine($"After the second import: {originals.Count} originals for {total} lines, {duplicates.Count} flagged duplicates; lost: {total - originals.Count}");
    }

    [Fact]
    public async Task A_job_left_running_by_a_crashed_process_is_finished_by_the_next_start_with_no_event_twice()
    {
        int jobId;
        // The first instance never claims work (concurrency 0), so the job stays exactly as the "crash" left it.
        await using (var crashed = App(("FineTuning:Runner:Concurrency", "0")))
        {
            var admin = await AdminAsync(crashed);
            await using var db = await crashed.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
            SeedValidated(db, 20);
            var job = new FineTuneJob
            {
                Provider = FineTuneProviders.Local, BaseModel = "local-mix-v1", Status = FineTuneStatus.Running, Seed = 5, Epochs = 2,
                BatchSize = 5, TrainingExamples = 20, CreatedAt = DateTimeOffset.UtcNow, StartedAt = DateTimeOffset.UtcNow.AddMinutes(-2),
                CreatedById = admin.Id, CompletedSteps = 1, TotalSteps = 2,
                LeaseOwner = "crashed-host:4242:dead", LeaseUntil = DateTimeOffset.UtcNow.AddSeconds(-30), NextAttemptAt = DateTimeOffset.UtcNow.AddSeconds(-30),
            };
            db.FineTuneJobs.Add(job);
            await db.SaveChangesAsync();
            jobId = job.Id;
            db.FineTuneEvents.Add(new FineTuneEvent { JobId = jobId, ExternalId = "epoch-1", CreatedAt = DateTimeOffset.UtcNow, Message = "Epoch 1 (before the crash)", Step = 1, TrainLoss = 0.4 });
            db.FineTuneEvents.Add(new FineTuneEvent { JobId = jobId, ExternalId = "start", CreatedAt = DateTimeOffset.UtcNow, Message = "Started (before the crash)" });
            db.FineTuneCheckpoints.Add(new FineTuneCheckpoint { JobId = jobId, ExternalId = "epoch-1", ModelName = "before-the-crash:ckpt-step-1", Step = 1, CreatedAt = DateTimeOffset.UtcNow, TrainLoss = 0.4 });
            await db.SaveChangesAsync();
        }
        output.WriteLine("Fault 2: the process holding a running job died; its lease ran out 30 s ago");

        await using var restarted = App(("FineTuning:Runner:IdlePoll", "00:00:00.100"));
        var detail = await WaitForJobAsync(restarted, jobId, j => j.IsFinished && j.LeaseOwner is null);

        Assert.Equal(FineTuneStatus.Succeeded, detail.Job.Status);
        Assert.Equal(detail.Job.TotalSteps, detail.Job.CompletedSteps);
        Assert.Equal(detail.Events.Count, detail.Events.Select(e => e.ExternalId).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, detail.Job.TotalSteps), detail.Events.Where(e => e.Step is not null).Select(e => e.Step!.Value).Order());
        // Trained again from step 0: the first run's reports are gone, and the first event of the new run says so.
        Assert.DoesNotContain(detail.Events, e => e.Message.Contains("before the crash", StringComparison.Ordinal));
        var restart = detail.Events.OrderBy(e => e.Id).First();
        Assert.Equal("Restarted after the app stopped at step 1 of 2; the first run's events were discarded.", restart.Message);
        Assert.Equal(detail.Checkpoints.Count, detail.Checkpoints.Select(c => c.ExternalId).Distinct().Count());
        Assert.DoesNotContain(detail.Checkpoints, c => c.ModelName.StartsWith("before-the-crash", StringComparison.Ordinal));
        Assert.Equal(detail.Job.Epochs, detail.Checkpoints.Count);
        output.WriteLine($"Job {jobId}: finished {detail.Job.Status} after the restart, {detail.Events.Count} events, none twice");
    }

    [Fact]
    public async Task Healthz_is_healthy_once_the_runner_loops_and_unhealthy_while_the_database_file_is_a_directory()
    {
        await using var app = App(("FineTuning:Runner:IdlePoll", "00:00:00.200"));
        var client = app.CreateBrowserlessClient();

        var healthy = await WaitForHealthAsync(client, HttpStatusCode.OK, h => h.Database == "Healthy" && h.Runner == "Healthy");
        Assert.Equal("Healthy", healthy.Status);

        // Swap the database file for a directory of the same name, as a bad volume mount would leave it.
        File.Move(DatabasePath, DatabasePath + ".aside");
        Directory.CreateDirectory(DatabasePath);
        output.WriteLine("Fault 3: the database file was replaced by a directory while the app ran");
        var broken = await WaitForHealthAsync(client, HttpStatusCode.ServiceUnavailable, h => h.Database == "Unhealthy");
        Assert.Equal("Unhealthy", broken.Status);

        Directory.Delete(DatabasePath);
        File.Move(DatabasePath + ".aside", DatabasePath);
        var recovered = await WaitForHealthAsync(client, HttpStatusCode.OK, h => h.Database == "Healthy");
        Assert.Equal("Healthy", recovered.Status);
        Assert.Equal("ok", await ScalarAsync<string>("PRAGMA integrity_check"));
    }

    [Fact]
    public void The_app_refuses_to_start_when_the_database_path_is_a_directory()
    {
        Directory.CreateDirectory(DatabasePath);
        using var app = MediaPlannerFactory.ForDatabase(ConnectionString);

        var error = Assert.ThrowsAny<Exception>(() => app.Server);

        output.WriteLine($"Fault 4: started over a directory: {error.GetType().Name}: {error.Message}");
        Assert.IsType<SqliteException>(error as SqliteException ?? error.InnerException);
    }

    private sealed record Health(HttpStatusCode Code, string Status, string? Database, string? Runner);

    private static async Task<Health> WaitForHealthAsync(HttpClient client, HttpStatusCode code, Func<Health, bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Health? last = null;
        while (!timeout.IsCancellationRequested)
        {
            var response = await client.GetAsync("/healthz");
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var checks = json.RootElement.GetProperty("checks");
            string? Check(string name) => checks.TryGetProperty(name, out var c) ? c.GetProperty("status").GetString() : null;
            last = new Health(response.StatusCode, json.RootElement.GetProperty("status").GetString()!, Check("database"), Check("fine-tuning-runner"));
            if (last.Code == code && condition(last))
                return last;
            await Task.Delay(100, CancellationToken.None);
        }
        throw new TimeoutException($"/healthz did not reach {(int)code} with the expected checks in 30 s; last: {last}");
    }

    private static async Task<JobDetail> WaitForJobAsync(MediaPlannerFactory app, int jobId, Func<FineTuneJob, bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            using var scope = app.Services.CreateScope();
            var detail = await scope.ServiceProvider.GetRequiredService<FineTuneService>().GetAsync(jobId);
            if (detail is not null && condition(detail.Job))
                return detail;
            await Task.Delay(50, timeout.Token);
        }
    }

    /// <summary>Valid examples that differ only in their brand, so each has its own content hash.</summary>
    internal static List<string> DistinctExampleLines(string prefix, int count)
    {
        var market = SeedReferenceData.Markets.Single(m => m.Code == "US");
        var brief = TestData.Brief();
        var plan = new LocalMediaMixEngine(MediaMixParameters.Default).Generate(TestData.Request(brief))[0];
        return [.. Enumerable.Range(1, count).Select(i =>
        {
            brief.Brand = $"{prefix} {i:0000}";
            return PromptRenderer.Example(brief, market, plan).ToJsonLine();
        })];
    }

    private static void SeedValidated(PlannerDbContext db, int count)
    {
        var market = SeedReferenceData.Markets.Single(m => m.Code == "US");
        var objectives = Enum.GetValues<Objective>();
        for (var i = 0; i < count; i++)
        {
            var brief = TestData.Brief(budget: 40_000m + 7_500m * i, objective: objectives[i % 3]);
            brief.Brand = $"Seeded {i}";
            var plan = new LocalMediaMixEngine(MediaMixParameters.Default).Generate(TestData.Request(brief))[i % 2];
            var example = PromptRenderer.Example(brief, market, plan);
            db.TrainingExamples.Add(new TrainingExample
            {
                Source = ExampleSource.Imported, Status = ExampleStatus.Validated, Brand = brief.Brand, Objective = brief.Objective,
                MarketCode = "US", MessagesJson = example.ToJsonLine(), ContentHash = ContentHash.Of(example), TokenCount = 1_100,
                CreatedAt = DateTimeOffset.UtcNow,
            });
        }
    }

    /// <summary>Hands out the data, then fails like a dropped connection when asked for bytes past <paramref name="failAt"/>.</summary>
    internal sealed class FailingStream(byte[] data, int failAt) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_position >= failAt)
                throw new IOException("The connection was reset by the peer (injected fault).");
            var n = Math.Min(buffer.Length, failAt - _position);
            data.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                return ValueTask.FromResult(Read(buffer.Span));
            }
            catch (IOException ex)
            {
                return ValueTask.FromException<int>(ex);
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
