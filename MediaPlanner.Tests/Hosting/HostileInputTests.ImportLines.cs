using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MediaPlanner.Domain;

namespace MediaPlanner.Tests.Hosting;

// Hostile JSONL: lines rejected by number, huge and broken text counted safely, hostile request bodies refused.
public partial class HostileInputTests
{
    /// <summary>Three valid, distinct JSONL examples from real engine plans.</summary>
    private static string[] GoodLines(string prefix)
    {
        var market = SeedReferenceData.Markets.Single(m => m.Code == "US");
        return [.. Enumerable.Range(1, 3).Select(i =>
        {
            var brief = TestData.Brief(budget: 90_000m + 10_000m * i);
            brief.Brand = $"{prefix} {i}";
            var plan = new LocalMediaMixEngine(MediaMixParameters.Default).Generate(TestData.Request(brief))[0];
            return PromptRenderer.Example(brief, market, plan).ToJsonLine();
        })];
    }

    /// <summary>A hostile import line and what must become of it.</summary>
    private sealed record LineCase(string Name, byte[] Bytes, LineOutcome Outcome);

    private enum LineOutcome { Rejected, Skipped, ImportedOrRejected }

    private static LineCase[] HostileLines()
    {
        static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
        var messages = string.Join(",", Enumerable.Range(0, 10_000).Select(i => i % 2 == 0
            ? "{\"role\":\"user\",\"content\":\"Brand: B\"}"
            : "{\"role\":\"assistant\",\"content\":\"ok\"}"));
        return
        [
            new("a 2 MB line that is not JSON", Utf8(new string('A', 2 * 1024 * 1024)), LineOutcome.Rejected),
            new("a 2 MB JSON example", Utf8($$"""{"messages":[{"role":"user","content":"{{new string('z', 2 * 1024 * 1024)}}"},{"role":"assistant","content":"x"}]}"""), LineOutcome.Rejected),
            new("NUL bytes", [0, 0, 0, (byte)'{', 0, (byte)'}'], LineOutcome.Rejected),
            new("a raw NUL inside a JSON string", Utf8("{\"messages\":[{\"role\":\"user\",\"content\":\"a\u0000b\"}]}"), LineOutcome.Rejected),
            new("invalid UTF-8 bytes", [0xC3, 0x28, 0xFF, 0xFE, 0xED, 0xA0, 0x80, 0xF8, 0x88, 0x80, 0x80, 0x80], LineOutcome.Rejected),
            new("invalid UTF-8 inside a JSON string", [.. Utf8("{\"messages\":[{\"role\":\"user\",\"content\":\""), 0xC0, 0xAF, 0xFF, .. Utf8("\"},{\"role\":\"assistant\",\"content\":\"x\"}]}")], LineOutcome.Rejected),
            new("10,000 nested arrays", Utf8(new string('[', 10_000) + new string(']', 10_000)), LineOutcome.Rejected),
            new("10,000 nested objects", Utf8(string.Concat(Enumerable.Repeat("{\"a\":", 10_000)) + "1" + new string('}', 10_000)), LineOutcome.Rejected),
            new("deep nesting inside a message", Utf8("{\"messages\":[{\"role\":\"user\",\"content\":\"x\",\"name\":" + new string('[', 5_000) + new string(']', 5_000) + "}]}"), LineOutcome.Rejected),
            new("only spaces and tabs", Utf8(" \t \t  "), LineOutcome.Skipped),
            new("only Unicode spaces", Utf8("\u00a0\u2003\u3000"), LineOutcome.Skipped),
            new("only a zero-width space", Utf8("\u200b"), LineOutcome.Rejected),
            new("a JSON example with 10,000 messages", Utf8($$"""{"messages":[{{messages}}]}"""), LineOutcome.ImportedOrRejected),
            new("an escaped lone surrogate in content", Utf8("""{"messages":[{"role":"user","content":"\ud800"},{"role":"assistant","content":"x"}]}"""), LineOutcome.Rejected),
            new("an escaped lone surrogate as a key", Utf8("""{"messages":[{"role":"user","content":"x","\udfff":1},{"role":"assistant","content":"x"}]}"""), LineOutcome.Rejected),
            new("an escaped lone surrogate as the role", Utf8("""{"messages":[{"role":"\ud83d","content":"x"},{"role":"assistant","content":"x"}]}"""), LineOutcome.Rejected),
            new("JSON null", Utf8("null"), LineOutcome.Rejected),
            new("a JSON string", Utf8("\"messages\""), LineOutcome.Rejected),
            new("messages is null", Utf8("{\"messages\":null}"), LineOutcome.Rejected),
            new("messages is an object", Utf8("{\"messages\":{\"role\":\"user\"}}"), LineOutcome.Rejected),
            new("messages holds nulls", Utf8("{\"messages\":[null,null]}"), LineOutcome.Rejected),
            new("role and content are numbers", Utf8("{\"messages\":[{\"role\":1,\"content\":2},{\"role\":\"assistant\",\"content\":3}]}"), LineOutcome.Rejected),
            new("a huge weight", Utf8("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"},{\"role\":\"assistant\",\"content\":\"y\",\"weight\":1e999999}]}"), LineOutcome.Rejected),
            new("a byte order mark mid-file", Utf8("\ufeff{\"messages\":[]}"), LineOutcome.Rejected),
            new("script tags as the content", Utf8($$"""{"messages":[{"role":"user","content":"{{Markup.Replace("\"", "\\\"", StringComparison.Ordinal)}}"},{"role":"assistant","content":"{{Markup}}"}]}"""), LineOutcome.Rejected),
            new("a truncated example", Utf8("{\"messages\":[{\"role\":\"user\",\"content\":\"Brand: X"), LineOutcome.Rejected),
        ];
    }

    [Fact]
    public async Task Hostile_import_lines_are_each_rejected_by_line_number_and_the_good_lines_around_them_still_import()
    {
        var admin = await UserAsync("admin@demo.local");
        var good = GoodLines("Hostile Neighbour");
        var hostile = HostileLines();
        // good, hostile..., good, hostile..., good: each hostile line sits between good ones.
        var body = new MemoryStream();
        var lineOf = new Dictionary<LineCase, int>();
        var line = 0;
        void Write(byte[] bytes)
        {
            body.Write(bytes);
            body.WriteByte((byte)'\n');
            line++;
        }
        Write(Encoding.UTF8.GetBytes(good[0]));
        for (var i = 0; i < hostile.Length; i++)
        {
            Write(hostile[i].Bytes);
            lineOf[hostile[i]] = line;
            if (i == hostile.Length / 2)
                Write(Encoding.UTF8.GetBytes(good[1]));
        }
        Write(Encoding.UTF8.GetBytes(good[2]));
        body.Position = 0;
        var before = await ExampleCountAsync();

        ImportReport report;
        using (var scope = factory.Services.CreateScope())
            report = await scope.ServiceProvider.GetRequiredService<TrainingDataService>().ImportAsync(body, markValidated: false, admin);

        var problems = new List<string>();
        var rejectedAt = report.Rejected.ToDictionary(r => r.LineNumber, r => r.Reason);
        foreach (var c in hostile)
        {
            var n = lineOf[c];
            var outcome = rejectedAt.TryGetValue(n, out var reason) ? $"rejected: {Truncate(reason)}" : "not rejected";
            output.WriteLine($"line {n,2} {c.Name}: {outcome}");
            if (c.Outcome == LineOutcome.Rejected && reason is null)
                problems.Add($"line {n} ({c.Name}) was not rejected");
            if (c.Outcome == LineOutcome.Skipped && reason is not null)
                problems.Add($"line {n} ({c.Name}) was rejected, expected skipped as blank: {reason}");
            if (reason is not null && !System.Text.RegularExpressions.Regex.IsMatch(reason, "^[a-z_]+: "))
                problems.Add($"line {n} ({c.Name}) has no issue code in its reason: {reason}");
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Equal(line, report.Lines);
        var mayImport = hostile.Count(c => c.Outcome == LineOutcome.ImportedOrRejected && !rejectedAt.ContainsKey(lineOf[c]));
        Assert.Equal(good.Length + mayImport, report.Imported);
        Assert.Equal(hostile.Count(c => c.Outcome != LineOutcome.Skipped) - mayImport, report.RejectedCount);
        Assert.Equal(before + good.Length + mayImport, await ExampleCountAsync());
        await using var db = await DbAsync();
        var brands = await db.TrainingExamples.Where(e => e.Brand != null && e.Brand.StartsWith("Hostile Neighbour")).Select(e => e.Brand).ToListAsync();
        Assert.Equal(["Hostile Neighbour 1", "Hostile Neighbour 2", "Hostile Neighbour 3"], brands.Order());
        output.WriteLine($"{hostile.Length} hostile import lines tried between {good.Length} good ones");
    }

    [Fact]
    public void Two_megabytes_of_one_character_are_counted_chunk_by_chunk_not_as_one_quadratic_piece()
    {
        var counter = TokenCounter.ForModel("gpt-4o-mini-2024-07-18");
        const int length = 2 * 1024 * 1024;

        // Byte-pair merging is quadratic in a piece's length: unchunked, each of these took minutes. Chunked, a run counts
        // exactly as its chunks do, which is what bounds the work (no wall-clock assertion: the effect is the chunking).
        foreach (var c in "zé! ")
        {
            var count = counter.CountTokens(new string(c, length));
            var chunks = length / TokenCounter.LongPiece;
            var rest = length % TokenCounter.LongPiece;
            var expected = chunks * counter.CountTokens(new string(c, TokenCounter.LongPiece)) + counter.CountTokens(new string(c, rest));
            output.WriteLine($"2 MB of '{c}': {count:N0} tokens");
            Assert.Equal(expected, count);
            Assert.True(count > TokenCounter.DefaultMaxTokensPerExample / 4);
        }
    }

    [Fact]
    public void Text_that_is_not_valid_unicode_is_reported_as_invalid_json_not_thrown()
    {
        var validator = new ExampleValidator();
        var lines = new[]
        {
            "{\"messages\":\"\ud800\"}",                                                 // a raw lone surrogate, as a caller's string can hold
            "\udc00",
            """{"messages":[{"role":"user","content":"\udbff"},{"role":"assistant","content":"x"}]}""", // escaped, as a file can hold
            """{"messages":[{"role":"user","content":"x","name":"\ud800\ud800"},{"role":"assistant","content":"x"}]}""",
        };

        foreach (var line in lines)
            Assert.Contains(validator.ValidateLine(line, "gpt-4o-mini-2024-07-18").Errors, e => e.Code == IssueCodes.InvalidJson);
    }

    [Fact]
    public async Task Garbage_posted_to_the_import_endpoint_gets_a_report_or_a_4xx_never_a_500()
    {
        var admin = await factory.SignInAsync("admin@demo.local");
        var random = new Random(20270301);
        var noise = new byte[256 * 1024];
        random.NextBytes(noise);
        var binaryWithNewlines = (byte[])noise.Clone();
        for (var i = 0; i < binaryWithNewlines.Length; i += 97)
            binaryWithNewlines[i] = (byte)'\n';
        var bodies = new (string Name, byte[] Bytes, string ContentType, HttpStatusCode Expected)[]
        {
            ("256 KB of random bytes", noise, "application/jsonl", HttpStatusCode.OK),
            ("random bytes cut into 2,700 lines", binaryWithNewlines, "application/x-ndjson", HttpStatusCode.OK),
            ("a UTF-16 byte order mark then noise", [0xFF, 0xFE, .. noise.AsSpan(0, 4096)], "application/jsonl", HttpStatusCode.OK),
            ("a UTF-8 byte order mark then NULs", [0xEF, 0xBB, 0xBF, .. new byte[4096]], "application/jsonl", HttpStatusCode.OK),
            ("an empty body", [], "application/jsonl", HttpStatusCode.OK),
            ("a JSON array instead of lines", Encoding.UTF8.GetBytes("[{\"messages\":[]},{\"messages\":[]}]"), "application/jsonl", HttpStatusCode.OK),
            ("gzip bytes sent as JSON lines", [0x1F, 0x8B, 0x08, 0x00, .. noise.AsSpan(0, 2048)], "application/jsonl", HttpStatusCode.OK),
            ("a multipart form", Encoding.UTF8.GetBytes("--x\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n{}\r\n--x--"), "multipart/form-data; boundary=x", HttpStatusCode.UnsupportedMediaType),
            ("noise as text/plain", noise, "text/plain", HttpStatusCode.UnsupportedMediaType),
        };
        var before = await ExampleCountAsync();

        foreach (var (name, bytes, contentType, expected) in bodies)
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            var response = await admin.PostAsync("/api/training-data/import", content);
            var text = await response.Content.ReadAsStringAsync();
            output.WriteLine($"{name}: {(int)response.StatusCode} {Truncate(text)}");
            Assert.True(response.StatusCode == expected, $"{name}: {(int)response.StatusCode} {Truncate(text)}");
            if (expected == HttpStatusCode.OK)
            {
                var report = await response.Content.ReadFromJsonAsync<ImportReport>();
                Assert.NotNull(report);
                Assert.Equal(0, report.Imported);
                Assert.Equal(Math.Min(report.RejectedCount, ImportReport.MaxListed), report.Rejected.Count);
                Assert.All(report.Rejected, r => Assert.InRange(r.LineNumber, 1, report.Lines));
            }
            else
                Assert.Contains("application/jsonl", text);
        }
        Assert.Equal(before, await ExampleCountAsync());
        output.WriteLine($"{bodies.Length} hostile request bodies tried");
    }
}
