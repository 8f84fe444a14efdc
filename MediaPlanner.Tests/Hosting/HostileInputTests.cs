using System.Net;
using System.Net.Http.Json;
using System.Text;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
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
public partial class HostileInputTests(MediaPlannerFactory factory, ITestOutputHelper output) : IClassFixture<MediaPlannerFactory>
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
