using System.Net;
using System.Net.Http.Json;
using System.Text;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Hosting;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Tests.Models;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MediaPlanner.Tests.Training;

/// <summary>The app on a real loopback port (Kestrel enforces the body limit) with a 16 KB import limit (three examples) and every log line recorded.</summary>
public sealed class SmallImportLimitFixture : IAsyncLifetime
{
    public const long Limit = 16 * 1024;

    public MediaPlannerFactory Factory { get; } = new() { Settings = { ["Training:MaxImportBytes"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture) } };

    public LogRecorder Logs { get; } = new();

    public WebApplicationFactory<Program> App { get; private set; } = default!;

    public HttpClient Admin { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        App = Factory.WithWebHostBuilder(b => b.ConfigureLogging(logging =>
        {
            logging.AddProvider(Logs);
            logging.AddFilter<LogRecorder>(null, LogLevel.Trace);
        }));
        App.UseKestrel(0);
        App.StartServer();
        var address = new Uri(App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First().Replace("[::1]", "127.0.0.1", StringComparison.Ordinal));
        Admin = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = address };
        var signIn = await MediaPlannerFactory.PostLoginAsync(Admin, "admin@demo.local", MediaPlanner.Domain.Identity.DatabaseInitializer.DemoPassword);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
    }

    public async Task DisposeAsync()
    {
        Admin.Dispose();
        await App.DisposeAsync();
        await Factory.DisposeAsync();
    }
}

/// <summary>An import over the configured size is a clear 413 naming the limit, logged as a warning without a stack trace.</summary>
public sealed class ImportLimitTests(SmallImportLimitFixture fixture) : IClassFixture<SmallImportLimitFixture>
{
    private static byte[] Body(long bytes, string prefix)
    {
        var lines = new StringBuilder();
        var i = 0;
        while (lines.Length < bytes)
            lines.Append(ReliabilityTests.DistinctExampleLines($"{prefix} {i++}", 1)[0]).Append('\n');
        return Encoding.UTF8.GetBytes(lines.ToString())[..(int)bytes];
    }

    private async Task<int> ExamplesAsync()
    {
        await using var db = await fixture.App.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
        return await db.TrainingExamples.CountAsync();
    }

    [Fact]
    public async Task A_file_one_byte_over_the_limit_is_refused_with_the_limit_named_before_anything_is_read()
    {
        var before = await ExamplesAsync();
        var logged = fixture.Logs.Lines.Count;
        using var content = new ByteArrayContent(Body(SmallImportLimitFixture.Limit + 1, "Over the limit"));
        content.Headers.ContentType = new("application/jsonl");

        var response = await fixture.Admin.PostAsync("/api/training-data/import?file=big.jsonl", content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.Equal("The file is 16 KB; it is over the import limit of 16 KB (Training:MaxImportBytes). Split it into smaller files, or ask an admin to raise the limit.", problem!.Detail);
        Assert.Equal(before, await ExamplesAsync());
        AssertWarnedWithoutException(logged);
    }

    [Fact]
    public async Task A_file_sent_without_a_length_is_stopped_at_the_limit_and_says_what_was_kept()
    {
        var logged = fixture.Logs.Lines.Count;
        using var content = new UnsizedContent(Body(3 * SmallImportLimitFixture.Limit, "Streamed past the limit"));
        content.Headers.ContentType = new("application/jsonl");

        var response = await fixture.Admin.PostAsync("/api/training-data/import?file=streamed.jsonl", content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.StartsWith("The file is over the import limit of 16 KB (Training:MaxImportBytes).", problem!.Detail, StringComparison.Ordinal);
        Assert.EndsWith("The import stopped there: Recent imports on the training page lists what it stored.", problem.Detail, StringComparison.Ordinal);
        await using var db = await fixture.App.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
        var run = await db.ImportRuns.AsNoTracking().SingleAsync(r => r.FileName == "streamed.jsonl");
        Assert.Equal(ImportRunStatus.Failed, run.Status);
        Assert.Equal(run.Stored, await db.TrainingExamples.CountAsync(e => e.ImportRunId == run.Id));
        AssertWarnedWithoutException(logged);
    }

    [Fact]
    public async Task A_file_within_the_limit_imports()
    {
        var lines = ReliabilityTests.DistinctExampleLines("Within the limit", 1);
        using var content = new StringContent(lines[0] + "\n", Encoding.UTF8, "application/jsonl");

        var response = await fixture.Admin.PostAsync("/api/training-data/import?file=small.jsonl", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, (await response.Content.ReadFromJsonAsync<ImportReport>())!.Imported);
    }

    /// <summary>
    /// What an operator's log shows (Information and up): the refusal as a warning, and no error or exception. Kestrel's
    /// own Debug lines about the connection it closes after an unread body are below every configured level.
    /// </summary>
    private void AssertWarnedWithoutException(int from)
    {
        var lines = fixture.Logs.Lines.Skip(from).Where(l => !l.StartsWith("Debug", StringComparison.Ordinal) && !l.StartsWith("Trace", StringComparison.Ordinal)).ToList();
        Assert.Contains(lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("Import refused", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("BadHttpRequestException", StringComparison.Ordinal) || l.StartsWith("Error", StringComparison.Ordinal)
            || l.StartsWith("Critical", StringComparison.Ordinal));
    }

    /// <summary>A body whose length is not sent up front (chunked), as a streaming client sends it.</summary>
    private sealed class UnsizedContent(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
