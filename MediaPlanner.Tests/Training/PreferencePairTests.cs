using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MediaPlanner.Domain;

namespace MediaPlanner.Tests.Training;

/// <summary>Planners' choices stored as preference pairs, counted and exported as preference JSONL, over the real app.</summary>
public class PreferencePairTests(MediaPlannerFactory factory) : IClassFixture<MediaPlannerFactory>
{
    private static int _brandCounter;

    private static T Get<T>(IServiceScope scope) where T : notnull => scope.ServiceProvider.GetRequiredService<T>();

    private static async Task<CurrentUser> UserAsync(MediaPlannerFactory app, string email)
    {
        using var scope = app.Services.CreateScope();
        var users = Get<UserManager<ApplicationUser>>(scope);
        var user = (await users.FindByEmailAsync(email))!;
        return new CurrentUser(user.Id, await users.IsInRoleAsync(user, Roles.Admin));
    }

    private static string NewBrand() => $"PrefBrand{Interlocked.Increment(ref _brandCounter)}";

    private static async Task<int> BriefAsync(MediaPlannerFactory app, CurrentUser planner, string brand)
    {
        using var scope = app.Services.CreateScope();
        return (await Get<BriefService>(scope).CreateAsync(TestBriefs.Input(brand, campaign: "Autumn push", budget: 90_000m, objective: Objective.Consideration,
            start: new DateTime(2027, 9, 1), end: new DateTime(2027, 10, 31), channels: [Channel.Search, Channel.Social, Channel.Display],
            text: "Bring the new rain jacket to hikers before the autumn season and drive visits to the product page."), planner)).Value;
    }

    private async Task<IReadOnlyList<PlanView>> PlansAsync(CurrentUser planner, string brand, int alternatives = PlanGenerator.DefaultAlternatives)
    {
        var briefId = await BriefAsync(factory, planner, brand);
        using var scope = factory.Services.CreateScope();
        return await Get<PlanGenerator>(scope).GenerateAsync(briefId, planner, alternatives);
    }

    private static async Task<Result<int?>> ChooseAsync(MediaPlannerFactory app, int planId, CurrentUser planner)
    {
        using var scope = app.Services.CreateScope();
        return await Get<TrainingCollector>(scope).ChoosePlanAsync(planId, planner);
    }

    private static async Task<List<PreferencePair>> PairsAsync(MediaPlannerFactory app, Func<IQueryable<PreferencePair>, IQueryable<PreferencePair>> filter)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
        return await filter(db.PreferencePairs.AsNoTracking()).OrderBy(p => p.Id).ToListAsync();
    }

    private async Task<TrainingExample> ExampleAsync(int id)
    {
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
        return await db.TrainingExamples.AsNoTracking().SingleAsync(e => e.Id == id);
    }

    /// <summary>A brief planned three ways with one plan chosen; returns the choice's example id.</summary>
    private async Task<int> ChosenAsync(CurrentUser planner, string brand)
    {
        var plans = await PlansAsync(planner, brand);
        var result = await ChooseAsync(factory, plans[0].Entity.Id, planner);
        Assert.True(result.Succeeded, result.Message);
        return result.Value!.Value;
    }

    private async Task ReviewAsync(int exampleId, bool validate)
    {
        var reviewer = await UserAsync(factory, "reviewer@demo.local");
        using var scope = factory.Services.CreateScope();
        var reviews = Get<ReviewService>(scope);
        var version = (await ExampleAsync(exampleId)).Version;
        var result = validate
            ? await reviews.ValidateAsync(exampleId, version, reviewer)
            : await reviews.RejectAsync(exampleId, version, "The split ignores the KPI.", reviewer);
        Assert.True(result.Succeeded, result.Message);
    }

    private static string Brand(string line) =>
        TrainingDataService.UserFields(ChatExample.FromElement(JsonDocument.Parse(line).RootElement.GetProperty("input"))).Brand!;

    [SkippableFact]
    public async Task Choosing_one_of_three_plans_stores_two_pairs_against_the_plans_passed_over()
    {
        var planner = await UserAsync(factory, "planner@demo.local");
        var plans = await PlansAsync(planner, NewBrand());
        Assert.Equal(3, plans.Count);

        var result = await ChooseAsync(factory, plans[1].Entity.Id, planner);

        Assert.True(result.Succeeded, result.Message);
        Assert.Contains("A reviewer checks it next", result.Message);
        var example = ChatExample.Parse((await ExampleAsync(result.Value!.Value)).MessagesJson);
        var pairs = await PairsAsync(factory, q => q.Where(p => p.ChosenPlanId == plans[1].Entity.Id));
        Assert.Equal([plans[0].Entity.Id, plans[2].Entity.Id], pairs.Select(p => p.RejectedPlanId).Order());
        Assert.All(pairs, pair =>
        {
            var passedOver = plans.Single(p => p.Entity.Id == pair.RejectedPlanId);
            Assert.Equal(result.Value, pair.ExampleId);
            Assert.Equal((plans[1].Entity.RunId, plans[1].Entity.BriefId), (pair.RunId, pair.BriefId));
            Assert.Equal(PlanJson.Serialize(plans[1].Plan), pair.PreferredContent);
            Assert.Equal(example.Messages[2].Content, pair.PreferredContent);
            Assert.Equal(PlanJson.Serialize(passedOver.Plan), pair.NonPreferredContent);
            Assert.Equal(example.Messages.Take(2), ChatExample.Parse(pair.InputJson).Messages);
            Assert.Equal(["system", "user"], ChatExample.Parse(pair.InputJson).Messages.Select(m => m.Role));
            Assert.Equal(("local-mix-v1", "local-mix-v1"), (pair.ChosenModel, pair.RejectedModel));
            Assert.Equal((plans[1].Plan.StrategyName, passedOver.Plan.StrategyName), (pair.ChosenStrategy, pair.RejectedStrategy));
            Assert.Equal(planner.Id, pair.CreatedById);
        });
    }

    [SkippableFact]
    public async Task A_second_choice_in_the_run_is_refused_and_adds_no_pairs()
    {
        var planner = await UserAsync(factory, "planner@demo.local");
        var plans = await PlansAsync(planner, NewBrand());
        Assert.True((await ChooseAsync(factory, plans[0].Entity.Id, planner)).Succeeded);

        var second = await ChooseAsync(factory, plans[2].Entity.Id, planner);
        var again = await ChooseAsync(factory, plans[0].Entity.Id, planner);

        Assert.False(second.Succeeded);
        Assert.Contains("already chose", second.Message);
        Assert.True(again.Succeeded);
        var pairs = await PairsAsync(factory, q => q.Where(p => p.RunId == plans[0].Entity.RunId));
        Assert.Equal(2, pairs.Count);
        Assert.All(pairs, p => Assert.Equal(plans[0].Entity.Id, p.ChosenPlanId));
    }

    [SkippableFact]
    public async Task A_run_with_a_single_plan_makes_no_pairs()
    {
        var planner = await UserAsync(factory, "planner@demo.local");
        var plans = await PlansAsync(planner, NewBrand(), alternatives: 1);
        Assert.Single(plans);

        var result = await ChooseAsync(factory, plans[0].Entity.Id, planner);

        Assert.True(result.Succeeded, result.Message);
        Assert.DoesNotContain("preference pair", result.Message);
        Assert.Empty(await PairsAsync(factory, q => q.Where(p => p.RunId == plans[0].Entity.RunId)));
    }

    [SkippableFact]
    public async Task A_side_by_side_run_pairs_the_chosen_plan_with_plans_of_both_columns()
    {
        await using var app = new MediaPlannerFactory { Engine = factory.Engine };
        var admin = await UserAsync(app, "admin@demo.local");
        var planner = await UserAsync(app, "planner@demo.local");
        var model = "local-mix:ft-prefs";
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync())
        {
            db.FineTuneJobs.Add(new FineTuneJob
            {
                Provider = FineTuneProviders.Local, BaseModel = "local-mix-v1", Status = FineTuneStatus.Succeeded, CreatedById = admin.Id,
                CreatedAt = DateTimeOffset.UtcNow, FinishedAt = DateTimeOffset.UtcNow, NextAttemptAt = DateTimeOffset.MaxValue,
                FineTunedModel = model, ResultParametersJson = (MediaMixParameters.Default with { Name = "local-mix-ft-prefs" }).ToJson(),
            }.Recommended());
            await db.SaveChangesAsync();
        }
        Assert.True((await app.Services.GetRequiredService<ModelRegistry>().DeployAsync(model, admin)).Succeeded);
        var briefId = await BriefAsync(app, planner, NewBrand());
        using var scope = app.Services.CreateScope();
        var run = await Get<PlanGenerator>(scope).GenerateSideBySideAsync(briefId, planner);
        var primary = await run.Primary;
        var comparison = await run.Comparison!;
        Assert.Equal((ModelRole.FineTuned, ModelRole.Base), (primary.Role, comparison.Role));
        var chosen = primary.Plans[0];

        var result = await ChooseAsync(app, chosen.Entity.Id, planner);

        var others = primary.Plans.Skip(1).Concat(comparison.Plans).ToList();
        Assert.True(result.Succeeded, result.Message);
        var pairs = await PairsAsync(app, q => q.Where(p => p.ChosenPlanId == chosen.Entity.Id));
        Assert.Equal(others.Select(p => p.Entity.Id).Order(), pairs.Select(p => p.RejectedPlanId).Order());
        Assert.All(pairs, p => Assert.Equal(model, p.ChosenModel));
        Assert.Equal(comparison.Plans.Count, pairs.Count(p => p.RejectedModel == "local-mix-v1"));
        Assert.Equal(primary.Plans.Count - 1, pairs.Count(p => p.RejectedModel == model));
        Assert.All(pairs, p => Assert.Equal(PlanJson.Serialize(others.Single(o => o.Entity.Id == p.RejectedPlanId).Plan), p.NonPreferredContent));
    }

    [SkippableFact]
    public async Task Only_pairs_whose_chosen_example_a_reviewer_validated_are_counted_usable_and_exported()
    {
        var planner = await UserAsync(factory, "planner@demo.local");
        using var scope = factory.Services.CreateScope();
        var preferences = Get<PreferencePairService>(scope);
        var before = await preferences.CountsAsync();
        var (validated, rejected, pending) = (NewBrand(), NewBrand(), NewBrand());
        await ReviewAsync(await ChosenAsync(planner, validated), validate: true);
        await ReviewAsync(await ChosenAsync(planner, rejected), validate: false);
        await ChosenAsync(planner, pending);

        var counts = await preferences.CountsAsync();
        var brands = (await preferences.ExportLinesAsync()).Select(Brand).ToList();

        Assert.Equal(new PreferencePairCounts(6, 2, 2, 2),
            new PreferencePairCounts(counts.Total - before.Total, counts.Usable - before.Usable, counts.Pending - before.Pending, counts.Excluded - before.Excluded));
        Assert.Equal(2, brands.Count(b => b == validated));
        Assert.DoesNotContain(rejected, brands);
        Assert.DoesNotContain(pending, brands);
    }

    [SkippableFact]
    public async Task Each_export_line_has_exactly_the_prompt_the_preferred_and_the_passed_over_plan()
    {
        var planner = await UserAsync(factory, "planner@demo.local");
        var brand = NewBrand();
        var exampleId = await ChosenAsync(planner, brand);
        await ReviewAsync(exampleId, validate: true);
        var example = ChatExample.Parse((await ExampleAsync(exampleId)).MessagesJson);
        var client = await factory.SignInAsync("reviewer@demo.local");

        var response = await client.GetAsync("/api/training-data/preference-pairs");
        var body = await response.Content.ReadAsStringAsync();
        var lines = body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        using var scope = factory.Services.CreateScope();
        var direct = await Get<PreferencePairService>(scope).ExportLinesAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/jsonl", response.Content.Headers.ContentType!.MediaType);
        var disposition = response.Content.Headers.ContentDisposition!;
        Assert.Matches(new Regex(@"^preference-pairs-\d{8}\.jsonl$"), (disposition.FileNameStar ?? disposition.FileName)!.Trim('"'));
        Assert.EndsWith("\n", body);
        Assert.Equal(direct, lines);
        Assert.All(lines, line =>
        {
            var root = JsonDocument.Parse(line).RootElement;
            Assert.Equal(["input", "preferred_output", "non_preferred_output"], root.EnumerateObject().Select(p => p.Name));
            Assert.Equal(["messages"], root.GetProperty("input").EnumerateObject().Select(p => p.Name));
            Assert.Equal(["system", "user"], root.GetProperty("input").GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("role").GetString()));
            foreach (var side in new[] { "preferred_output", "non_preferred_output" })
            {
                var answer = Assert.Single(root.GetProperty(side).EnumerateArray());
                Assert.Equal(["role", "content"], answer.EnumerateObject().Select(p => p.Name));
                Assert.Equal("assistant", answer.GetProperty("role").GetString());
                Assert.NotNull(PlanJson.Deserialize(answer.GetProperty("content").GetString()!));
            }
        });
        var mine = lines.Where(l => Brand(l) == brand).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, mine.Count);
        Assert.All(mine, root =>
        {
            Assert.Equal(example.Messages.Take(2), ChatExample.FromElement(root.GetProperty("input")).Messages);
            Assert.Equal(example.Messages[2].Content, root.GetProperty("preferred_output")[0].GetProperty("content").GetString());
            Assert.NotEqual(example.Messages[2].Content, root.GetProperty("non_preferred_output")[0].GetProperty("content").GetString());
        });
    }

    private async Task<List<AuditEntry>> PreferenceExportEntriesAsync() =>
        (await factory.Services.GetRequiredService<AuditLog>().QueryAsync(new AuditFilter(Action: AuditActions.TrainingExport), 0, 200)).Items
            .Where(e => e.Summary.Contains("preference pairs", StringComparison.Ordinal)).ToList();

    [SkippableFact]
    public async Task The_preference_export_is_for_reviewers_and_admins_and_each_download_is_audited()
    {
        const string url = "/api/training-data/preference-pairs";
        var before = await PreferenceExportEntriesAsync();
        var anonymous = await factory.CreateBrowserlessClient().GetAsync(url);
        var planner = await (await factory.SignInAsync("planner@demo.local")).GetAsync(url);
        var reviewer = await (await factory.SignInAsync("reviewer@demo.local")).GetAsync(url);
        var reviewerLines = (await reviewer.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        var admin = await (await factory.SignInAsync("admin@demo.local")).GetAsync(url);
        await admin.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.StartsWith("/Account/Login", anonymous.Headers.Location!.AbsolutePath);
        Assert.Equal("/Account/AccessDenied", planner.Headers.Location!.AbsolutePath);
        Assert.Equal(HttpStatusCode.OK, reviewer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        var added = (await PreferenceExportEntriesAsync()).ExceptBy(before.Select(e => e.Id), e => e.Id).ToList();
        Assert.Equal(["admin@demo.local", "reviewer@demo.local"], added.Select(e => e.UserEmail));
        var audited = added.Single(e => e.UserEmail == "reviewer@demo.local");
        Assert.Equal(AuditEntities.TrainingData, audited.EntityType);
        Assert.Matches(new Regex($@"^Exported {reviewerLines} preference pairs as preference-pairs-\d{{8}}\.jsonl, client names as written$"), audited.Summary);
        Assert.Contains("\"format\":\"preference\"", audited.After);
    }
}

/// <summary>The same tests on PostgreSQL.</summary>
public sealed class PreferencePairOnPostgresTests : PreferencePairTests, IClassFixture<PostgresMediaPlannerFactory>
{
    public PreferencePairOnPostgresTests(PostgresMediaPlannerFactory factory) : base(factory) => TestServers.SkipUnlessPostgres();
}
