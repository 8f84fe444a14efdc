using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace MediaPlanner.Tests.Hosting;

/// <summary>
/// The outside test's load and cross-origin checks, re-run as tests: many requests at once from every identity
/// against a real database file (SQLite serialises writers, so this is where "database is locked" would show), and
/// requests a page on another origin could make with the victim's cookie.
/// </summary>
public sealed class OutsideTestTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"mp-outside-{Guid.NewGuid():N}");
    private readonly MediaPlannerFactory _factory;
    private readonly ITestOutputHelper _output;

    public OutsideTestTests(ITestOutputHelper output)
    {
        _output = output;
        Directory.CreateDirectory(_folder);
        _factory = MediaPlannerFactory.ForDatabase($"Data Source={Path.Combine(_folder, "outside.db")}");
    }

    [Fact]
    public async Task Two_hundred_concurrent_requests_from_four_identities_and_parallel_imports_all_answer_as_they_should()
    {
        var anonymous = _factory.CreateBrowserlessClient();
        var planner = await _factory.SignInAsync("planner@demo.local");
        var reviewer = await _factory.SignInAsync("reviewer@demo.local");
        var admin = await _factory.SignInAsync("admin@demo.local");
        var examples = ValidatedExamples.Lines(40);
        const int imports = 8;
        var requests = new List<(string What, Func<Task<HttpResponseMessage>> Send, HttpStatusCode Expected)>();
        for (var i = 0; i < 24; i++)
        {
            requests.Add(("anonymous /Account/Login", () => anonymous.GetAsync("/Account/Login"), HttpStatusCode.OK));
            requests.Add(("anonymous /review", () => anonymous.GetAsync("/review"), HttpStatusCode.Redirect));
            requests.Add(("planner /briefs", () => planner.GetAsync("/briefs"), HttpStatusCode.OK));
            requests.Add(("planner /training", () => planner.GetAsync("/training"), HttpStatusCode.Redirect));
            requests.Add(("reviewer /review", () => reviewer.GetAsync("/review"), HttpStatusCode.OK));
            requests.Add(("reviewer export", () => reviewer.GetAsync("/api/training-data/export"), HttpStatusCode.OK));
            requests.Add(("admin /admin/audit", () => admin.GetAsync("/admin/audit"), HttpStatusCode.OK));
            requests.Add(("healthz", () => anonymous.GetAsync("/healthz"), HttpStatusCode.OK));
        }
        // Writers at the same time as the readers: each import stores its own slice of examples.
        for (var i = 0; i < imports; i++)
        {
            var slice = string.Join('\n', examples.Skip(i * 5).Take(5));
            requests.Add(($"admin import {i + 1}", () => admin.PostAsync("/api/training-data/import?validated=true", JsonLines(slice)), HttpStatusCode.OK));
        }
        Assert.Equal(200, requests.Count);

        var responses = await Task.WhenAll(requests.Select(async r => (r.What, r.Expected, Response: await r.Send())));

        var wrong = responses.Where(r => r.Response.StatusCode != r.Expected)
            .Select(r => $"{r.What}: expected {(int)r.Expected}, got {(int)r.Response.StatusCode}").ToList();
        _output.WriteLine($"{responses.Length} concurrent requests: {responses.Length - wrong.Count} as expected, {wrong.Count} not; " +
            $"{responses.Count(r => (int)r.Response.StatusCode >= 500)} server errors");
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        var stored = 0;
        foreach (var (what, _, response) in responses.Where(r => r.What.StartsWith("admin import", StringComparison.Ordinal)))
            stored += (await response.Content.ReadFromJsonAsync<ImportReport>())!.Imported;
        Assert.Equal(imports * 5, stored);
        await using var db = await _factory.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
        Assert.Equal(imports * 5, await db.TrainingExamples.CountAsync(e => e.Source == ExampleSource.Imported && e.Status == ExampleStatus.Validated));
    }

    [Fact]
    public async Task Requests_another_origin_could_make_with_a_signed_in_users_cookie_change_nothing()
    {
        var admin = await _factory.SignInAsync("admin@demo.local");
        var checks = 0;

        // A form on another site posts without this app's antiforgery token: refused, still signed in.
        foreach (var path in new[] { "/Account/Logout", "/Account/Login", "/Account/Manage/ChangePassword" })
        {
            var request = new HttpRequestMessage(HttpMethod.Post, path)
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["ReturnUrl"] = "/", ["Input.Email"] = "x@evil.example" }),
            };
            request.Headers.Add("Origin", "https://evil.example");
            var response = await admin.SendAsync(request);
            checks++;
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"POST {path} without a token: {(int)response.StatusCode}");
        }
        checks++;
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/admin/users")).StatusCode);

        // The only content types a cross-site page can post without a preflight are refused by the import endpoint.
        foreach (var type in new[] { "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x" })
        {
            var content = new StringContent(ValidatedExamples.Lines(1)[0], Encoding.UTF8);
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/training-data/import?validated=true") { Content = content };
            request.Headers.Add("Origin", "https://evil.example");
            checks++;
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await admin.SendAsync(request)).StatusCode);
        }

        // A preflight for the JSON-lines upload gets no CORS grant, so the browser never sends it.
        var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/training-data/import");
        preflight.Headers.Add("Origin", "https://evil.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type");
        var answer = await admin.SendAsync(preflight);
        checks++;
        Assert.False(answer.Headers.Contains("Access-Control-Allow-Origin"), "The app must not grant CORS to another origin.");

        await using var db = await _factory.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
        Assert.Equal(0, await db.TrainingExamples.CountAsync());
        _output.WriteLine($"{checks} cross-origin requests tried, none changed anything");
    }

    private static ByteArrayContent JsonLines(string text)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/jsonl");
        return content;
    }

    public void Dispose()
    {
        _factory.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
