using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using MediaPlanner.Domain;

namespace MediaPlanner.Tests.Hosting;

/// <summary>
/// Input nobody should send: each is refused with a reason at the field or line, or stored exactly as sent —
/// never an exception, a 500 or a half-saved row.
/// </summary>
public class HostileInputTests(MediaPlannerFactory factory, ITestOutputHelper output) : IClassFixture<MediaPlannerFactory>
{
    public const string Markup = HostileText.Markup;
    private const string Planner = "planner@demo.local";

    /// <summary>A hostile brief: what to change in a valid one, and the field that must refuse it (null: it must save verbatim).</summary>
    private sealed record BriefCase(string Name, Action<BriefInput> Change, string? ErrorField);

    private static readonly string OneMegabyte = new('x', 1024 * 1024);
    private const string LongEnoughText = "Launch the spring range to commuters in the city, building awareness before the season starts. ";

    private static BriefCase[] BriefCases() =>
    [
        new("negative budget", b => b.Budget = -250_000m, nameof(BriefInput.Budget)),
        new("zero budget", b => b.Budget = 0m, nameof(BriefInput.Budget)),
        new("budget of 1e28", b => b.Budget = 1e28m, nameof(BriefInput.Budget)),
        new("budget at decimal.MaxValue", b => b.Budget = decimal.MaxValue, nameof(BriefInput.Budget)),
        new("budget at decimal.MinValue", b => b.Budget = decimal.MinValue, nameof(BriefInput.Budget)),
        new("budget with a thousandth", b => b.Budget = 1000.001m, nameof(BriefInput.Budget)),
        new("1 MB brief text", b => b.BriefText = OneMegabyte, nameof(BriefInput.BriefText)),
        new("1 MB brand", b => b.Brand = OneMegabyte, nameof(BriefInput.Brand)),
        new("1 MB campaign name", b => b.CampaignName = OneMegabyte, nameof(BriefInput.CampaignName)),
        new("1 MB interests", b => b.Interests = OneMegabyte, nameof(BriefInput.Interests)),
        new("1 MB KPIs", b => b.Kpis = OneMegabyte, nameof(BriefInput.Kpis)),
        new("NUL in the brand", b => b.Brand = "North\u0000wind", nameof(BriefInput.Brand)),
        new("ESC sequence in the campaign name", b => b.CampaignName = "Spring \u001b[31mlaunch", nameof(BriefInput.CampaignName)),
        new("a lone surrogate in the brief text", b => b.BriefText = LongEnoughText + "\ud800", nameof(BriefInput.BriefText)),
        new("a swapped surrogate pair in the brand", b => b.Brand = "Brand \udc00\ud83d", nameof(BriefInput.Brand)),
        new("whitespace-only brand", b => b.Brand = " \t\u00a0 ", nameof(BriefInput.Brand)),
        new("nothing at all", b => { b.Brand = null; b.CampaignName = null; b.Budget = null; b.BriefText = null; b.MarketCode = null; }, nameof(BriefInput.Brand)),
        new("ages at int.MinValue and int.MaxValue", b => { b.AgeMin = int.MinValue; b.AgeMax = int.MaxValue; }, nameof(BriefInput.AgeMin)),
        new("a flight from year 1 to 9999", b => { b.FlightStart = DateTime.MinValue; b.FlightEnd = DateTime.MaxValue; }, nameof(BriefInput.FlightEnd)),
        new("an injected market code", b => b.MarketCode = "US' OR '1'='1", nameof(BriefInput.MarketCode)),
        new("markup as the currency", b => b.Currency = "<b>$</b>", nameof(BriefInput.Currency)),
        new("an undefined objective", b => b.Objective = (Objective)99, nameof(BriefInput.Objective)),
        new("an undefined audience gender", b => b.Gender = (AudienceGender)(-1), nameof(BriefInput.Gender)),
        new("an undefined channel", b => b.Channels = [Channel.Search, (Channel)999], nameof(BriefInput.Channels)),
        // Saved exactly as typed. Long text keeps control characters (only the brand and campaign name, shown in
        // titles and file names, refuse them); SQLite stores a NUL inside text and gives it back.
        new("NUL in the brief text", b => b.BriefText = LongEnoughText + "\u0000 and more", null),
        new("ESC sequence in the brief text", b => b.BriefText = LongEnoughText + "\u001b[2J\u001b[H", null),
        new("NUL in the interests", b => b.Interests = "running\u0000cycling", null),
        new("ESC in the KPIs", b => b.Kpis = "CTR \u001b[1m2%", null),
        new("right-to-left brand and campaign", b => { b.Brand = "شركة الأمل للرياضة"; b.CampaignName = "\u202Eהשקת אביב\u202C"; }, null),
        new("emoji everywhere", b => { b.Brand = "🏃‍♀️ Runners 🇺🇸"; b.CampaignName = "Spring 🌸 launch"; b.BriefText = LongEnoughText + "👩🏽‍💻🧪🔥 👨‍👩‍👧‍👦"; }, null),
        new("combining marks and zero-width characters", b => { b.Brand = "Cafe\u0301 Zero\u200BWidth"; b.Interests = "e\u0301\u0301\u0301"; }, null),
        new("script tags in every text field", b => { b.Brand = Markup; b.CampaignName = Markup; b.BriefText = LongEnoughText + Markup; b.Interests = Markup; b.Kpis = Markup; }, null),
        new("SQL in the brand and KPIs", b => { b.Brand = "Robert'); DROP TABLE Briefs;--"; b.Kpis = "1; DELETE FROM AspNetUsers; --"; }, null),
        new("tabs and newlines in the brief text", b => b.BriefText = LongEnoughText + "\r\n\tline two\n\n\tline three", null),
        new("the smallest budget", b => b.Budget = 0.01m, null),
        new("the largest plausible budget", b => b.Budget = BriefLimits.MaxBudget, null),
    ];

    private static BriefInput ValidBrief() => TestBriefs.Input("Northwind Running", campaign: "Spring launch", budget: 250_000m,
        start: new DateTime(2027, 3, 1), end: new DateTime(2027, 4, 11), channels: [Channel.Search, Channel.Social, Channel.OnlineVideo],
        text: LongEnoughText, change: i => { i.Interests = "running"; });

    [Fact]
    public async Task Hostile_briefs_are_refused_at_a_field_or_saved_verbatim_and_never_half_saved()
    {
        var planner = await UserAsync(Planner);
        var cases = BriefCases();
        var problems = new List<string>();
        var saved = new List<int>();

        foreach (var c in cases)
        {
            var input = ValidBrief();
            c.Change(input);
            var before = await BriefCountAsync();
            Result<int> result;
            using (var scope = factory.Services.CreateScope())
            {
                try
                {
                    result = await scope.ServiceProvider.GetRequiredService<BriefService>().CreateAsync(input, planner);
                }
                catch (Exception ex)
                {
                    problems.Add($"{c.Name}: threw {ex.GetType().Name}: {ex.Message}");
                    continue;
                }
            }
            var after = await BriefCountAsync();
            if (c.ErrorField is { } field)
            {
                if (result.Succeeded)
                    problems.Add($"{c.Name}: saved as brief {result.Value}, expected a {field} error");
                else if (!result.Errors.TryGetValue(field, out var messages) || string.IsNullOrWhiteSpace(messages))
                    problems.Add($"{c.Name}: no message at {field}; errors were {string.Join("; ", result.Errors.Select(e => $"{e.Key}: {e.Value}"))}");
                if (after != before)
                    problems.Add($"{c.Name}: refused, yet the brief count went from {before} to {after}");
                output.WriteLine($"refused  {c.Name}: {(result.Errors.TryGetValue(field, out var shown) ? shown : "-")}");
                continue;
            }
            if (!result.Succeeded)
            {
                problems.Add($"{c.Name}: refused ({string.Join("; ", result.Errors.Values)}), expected it saved verbatim");
                continue;
            }
            if (after != before + 1)
                problems.Add($"{c.Name}: saved, but the brief count went from {before} to {after}");
            var stored = await StoredBriefAsync(result.Value);
            foreach (var (name, expected, actual) in new[]
            {
                ("Brand", input.Brand!.Trim(), stored.Brand),
                ("CampaignName", input.CampaignName!.Trim(), stored.CampaignName),
                ("BriefText", input.BriefText!.Trim(), stored.BriefText),
                ("Interests", input.Interests?.Trim() ?? "", stored.Interests),
                ("Kpis", input.Kpis?.Trim() ?? "", stored.Kpis),
                ("Budget", input.Budget!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), stored.Budget.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            })
            {
                if (!string.Equals(expected, actual, StringComparison.Ordinal))
                    problems.Add($"{c.Name}: {name} stored as \"{Escape(actual)}\", sent \"{Escape(expected)}\"");
            }
            saved.Add(result.Value);
            output.WriteLine($"saved    {c.Name}: brief {result.Value}");
        }

        // What was saved must also render: the brief page of each, and the list, answer 200 with the brief on it.
        var client = await factory.SignInAsync(Planner);
        foreach (var id in saved)
        {
            var page = await client.GetAsync($"/briefs/{id}");
            if (page.StatusCode != HttpStatusCode.OK || (await page.Content.ReadAsStringAsync()).Contains("Brief not found", StringComparison.Ordinal))
                problems.Add($"/briefs/{id} answered {(int)page.StatusCode}");
        }
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/briefs")).StatusCode);

        output.WriteLine($"{cases.Length} hostile briefs tried: {cases.Count(c => c.ErrorField is not null)} refused at a field, {saved.Count} saved verbatim");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task Hostile_searches_of_the_brief_list_never_fail_or_reach_other_users_briefs()
    {
        var planner = await UserAsync(Planner);
        using var scope = factory.Services.CreateScope();
        var briefs = scope.ServiceProvider.GetRequiredService<BriefService>();
        foreach (var (brand, owner) in new[] { ("Search Target 100%_done", planner), ($"Search {Markup}", planner), ("Admin's 100% brief", await UserAsync("admin@demo.local")) })
        {
            var input = ValidBrief();
            input.Brand = brand;
            Assert.True((await briefs.CreateAsync(input, owner)).Succeeded);
        }
        var searches = new[] { "%", "_", "' OR 1=1 --", "\u0000", "[a-z]", new string('%', 10_000), Markup };

        var results = new List<PagedResult<BriefSummary>>();
        foreach (var search in searches)
            results.Add(await briefs.ListAsync(planner, 0, 100, BriefSort.Newest, search));

        Assert.All(results, r => Assert.All(r.Items, b => Assert.Equal(Planner, b.OwnerEmail)));
        // % and _ are searched for literally (escaped in the LIKE pattern), not as wildcards.
        Assert.Contains(results[0].Items, b => b.Brand == "Search Target 100%_done");
        Assert.All(results[0].Items, b => Assert.Contains("%", b.Brand + b.CampaignName, StringComparison.Ordinal));
        Assert.All(results[1].Items, b => Assert.Contains("_", b.Brand + b.CampaignName, StringComparison.Ordinal));
        Assert.Empty(results[2].Items);
        Assert.NotEmpty(results[6].Items);
        Assert.All(results[6].Items, b => Assert.Contains(Markup, b.Brand + b.CampaignName, StringComparison.Ordinal));
        output.WriteLine($"{searches.Length} hostile searches tried");
    }

    [Fact]
    public async Task A_brief_full_of_markup_is_rendered_as_text_on_its_page()
    {
        var planner = await UserAsync(Planner);
        var input = ValidBrief();
        input.Brand = Markup;
        input.BriefText = LongEnoughText + Markup;
        int id;
        using (var scope = factory.Services.CreateScope())
            id = (await scope.ServiceProvider.GetRequiredService<BriefService>().CreateAsync(input, planner)).Value;

        var html = await (await factory.SignInAsync(Planner)).GetStringAsync($"/briefs/{id}");

        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;", html);
        Assert.DoesNotContain("<script>alert(1)", html);
        Assert.DoesNotContain("<img src=x", html);
    }

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

    private async Task<CurrentUser> UserAsync(string email)
    {
        using var scope = factory.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = (await users.FindByEmailAsync(email))!;
        return new CurrentUser(user.Id, await users.IsInRoleAsync(user, Roles.Admin));
    }

    private Task<PlannerDbContext> DbAsync() =>
        factory.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();

    private async Task<int> BriefCountAsync()
    {
        await using var db = await DbAsync();
        return await db.Briefs.CountAsync();
    }

    private async Task<int> ExampleCountAsync()
    {
        await using var db = await DbAsync();
        return await db.TrainingExamples.CountAsync();
    }

    private async Task<CampaignBrief> StoredBriefAsync(int id)
    {
        await using var db = await DbAsync();
        return await db.Briefs.AsNoTracking().SingleAsync(b => b.Id == id);
    }

    private static string Escape(string value) =>
        string.Concat(value.Take(80).Select(ch => char.IsControl(ch) || char.IsSurrogate(ch) ? $"\\u{(int)ch:x4}" : ch.ToString()));

    private static string Truncate(string value) => value.Length <= 160 ? value : value[..160] + "…";
}
