using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MediaPlanner.Domain;

namespace MediaPlanner.Tests.Training;

/// <summary>Collection, review, export and import of training data against the real app and database.</summary>
public class TrainingWorkflowTests : IClassFixture<MediaPlannerFactory>
{
    private readonly MediaPlannerFactory _factory;
    private static int _brandCounter;

    public TrainingWorkflowTests(MediaPlannerFactory factory) => _factory = factory;

    private T Service<T>(IServiceScope scope) where T : notnull => scope.ServiceProvider.GetRequiredService<T>();

    private async Task<CurrentUser> UserAsync(string email, string role)
    {
        using var scope = _factory.Services.CreateScope();
        var users = Service<UserManager<ApplicationUser>>(scope);
        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true };
            Assert.True((await users.CreateAsync(user, DatabaseInitializer.DemoPassword)).Succeeded);
            await users.AddToRoleAsync(user, role);
        }
        return new CurrentUser(user.Id, role == Roles.Admin);
    }

    private static BriefInput Input(string brand) => TestBriefs.Input(brand, campaign: "Spring launch", budget: 80_000m, objective: Objective.Consideration,
        start: new DateTime(2027, 3, 1), end: new DateTime(2027, 4, 30), channels: [Channel.Search, Channel.Social, Channel.Display],
        text: "Introduce the new trail shoe to runners before the spring racing season, driving visits to the product page.");

    /// <summary>A brief with generated plans; returns the plans.</summary>
    private async Task<IReadOnlyList<PlanView>> PlansAsync(CurrentUser planner, string? brand = null)
    {
        using var scope = _factory.Services.CreateScope();
        var id = (await Service<BriefService>(scope).CreateAsync(Input(brand ?? $"Brand{Interlocked.Increment(ref _brandCounter)}"), planner)).Value;
        return await Service<PlanGenerator>(scope).GenerateAsync(id, planner);
    }

    private async Task<int> ChosenExampleAsync(CurrentUser planner, string? brand = null)
    {
        var plans = await PlansAsync(planner, brand);
        using var scope = _factory.Services.CreateScope();
        var result = await Service<TrainingCollector>(scope).ChoosePlanAsync(plans[1].Entity.Id, planner);
        Assert.True(result.Succeeded, result.Message);
        return result.Value!.Value;
    }

    private async Task<TrainingExample> ExampleAsync(int id)
    {
        using var scope = _factory.Services.CreateScope();
        await using var db = await Service<IDbContextFactory<PlannerDbContext>>(scope).CreateDbContextAsync();
        return await db.TrainingExamples.AsNoTracking().SingleAsync(e => e.Id == id);
    }

    [SkippableFact]
    public async Task Choosing_a_plan_collects_it_as_a_pending_example_and_only_that_plan()
    {
        var planner = await UserAsync("collect@test.local", Roles.Planner);
        var plans = await PlansAsync(planner);
        using var scope = _factory.Services.CreateScope();
        var collector = Service<TrainingCollector>(scope);

        var result = await collector.ChoosePlanAsync(plans[0].Entity.Id, planner);
        var second = await collector.ChoosePlanAsync(plans[2].Entity.Id, planner);

        Assert.True(result.Succeeded);
        Assert.False(second.Succeeded);
        Assert.Contains("already chose", second.Message);
        var example = await ExampleAsync(result.Value!.Value);
        Assert.Equal(ExampleStatus.PendingReview, example.Status);
        Assert.Equal(plans[0].Entity.Id, example.PlanId);
        Assert.Equal("local-mix-v1", example.Model);
        Assert.False(example.HasErrors, example.IssuesJson);
        var messages = ChatExample.Parse(example.MessagesJson).Messages;
        Assert.Equal(["system", "user", "assistant"], messages.Select(m => m.Role));
        Assert.Equal(PlanJson.Serialize(plans[0].Plan), messages[2].Content);
        Assert.Contains("Brand: ", messages[1].Content);
        await using var db = await Service<IDbContextFactory<PlannerDbContext>>(scope).CreateDbContextAsync();
        Assert.Equal(1, await db.TrainingExamples.CountAsync(e => e.BriefId == plans[0].Entity.BriefId));
    }

    [SkippableFact]
    public async Task A_repeated_example_is_flagged_and_linked_to_its_original_not_dropped()
    {
        var planner = await UserAsync("dup@test.local", Roles.Planner);
        var first = await ChosenExampleAsync(planner, "TwinBrand");
        var second = await ChosenExampleAsync(planner, "TwinBrand");

        var duplicate = await ExampleAsync(second);

        Assert.Equal(first, duplicate.DuplicateOfId);
        Assert.Equal((await ExampleAsync(first)).ContentHash, duplicate.ContentHash);
        using var scope = _factory.Services.CreateScope();
        var validate = await Service<ReviewService>(scope).ValidateAsync(second, duplicate.Version, await UserAsync("reviewer@demo.local", Roles.Reviewer));
        Assert.Equal(ResultStatus.Blocked, validate.Status);
    }

    [SkippableFact]
    public async Task Campaign_results_are_stored_with_the_chosen_example()
    {
        var planner = await UserAsync("results@test.local", Roles.Planner);
        var plans = await PlansAsync(planner);
        using var scope = _factory.Services.CreateScope();
        var collector = Service<TrainingCollector>(scope);
        Assert.False((await collector.RecordResultsAsync(plans[0].Entity.Id, 0.02, 0.01, 5000m, planner)).Succeeded);
        var id = (await collector.ChoosePlanAsync(plans[0].Entity.Id, planner)).Value!.Value;

        Assert.False((await collector.RecordResultsAsync(plans[0].Entity.Id, 1.5, null, null, planner)).Succeeded);
        Assert.True((await collector.RecordResultsAsync(plans[0].Entity.Id, 0.021, 0.034, 79_500m, planner)).Succeeded);

        var example = await ExampleAsync(id);
        Assert.Equal(0.021, example.Ctr);
        Assert.Equal(0.034, example.ConversionRate);
        Assert.Equal(79_500m, example.DeliveredSpend);
    }

    [SkippableFact]
    public async Task A_reviewer_validates_rejects_with_a_reason_and_who_and_when_are_kept()
    {
        var planner = await UserAsync("review-flow@test.local", Roles.Planner);
        var reviewer = await UserAsync("reviewer@demo.local", Roles.Reviewer);
        var a = await ChosenExampleAsync(planner);
        var b = await ChosenExampleAsync(planner);
        using var scope = _factory.Services.CreateScope();
        var reviews = Service<ReviewService>(scope);

        var validated = await reviews.ValidateAsync(a, (await ExampleAsync(a)).Version, reviewer);
        var noReason = await reviews.RejectAsync(b, (await ExampleAsync(b)).Version, "  ", reviewer);
        var rejected = await reviews.RejectAsync(b, (await ExampleAsync(b)).Version, "Budget split ignores the KPI.", reviewer);

        Assert.True(validated.Succeeded);
        Assert.Equal(ResultStatus.Blocked, noReason.Status);
        Assert.True(rejected.Succeeded);
        var ea = await ExampleAsync(a);
        var eb = await ExampleAsync(b);
        Assert.Equal((ExampleStatus.Validated, reviewer.Id), (ea.Status, ea.ReviewedById));
        Assert.NotNull(ea.ReviewedAt);
        Assert.Equal((ExampleStatus.Rejected, "Budget split ignores the KPI."), (eb.Status, eb.RejectionReason));
    }

    [SkippableFact]
    public async Task Editing_the_plan_revalidates_it_and_an_overspending_plan_cannot_be_validated()
    {
        var planner = await UserAsync("edit@test.local", Roles.Planner);
        var reviewer = await UserAsync("reviewer@demo.local", Roles.Reviewer);
        var id = await ChosenExampleAsync(planner);
        using var scope = _factory.Services.CreateScope();
        var reviews = Service<ReviewService>(scope);
        var original = await ExampleAsync(id);
        var plan = PlanJson.Deserialize(ChatExample.Parse(original.MessagesJson).Messages[2].Content!);
        var overspent = plan with { LineItems = [.. plan.LineItems.Select(i => i with { Spend = i.Spend * 2 })] };

        var notJson = await reviews.EditPlanAsync(id, original.Version, "{ not json", reviewer);
        var saved = await reviews.EditPlanAsync(id, original.Version, PlanJson.Serialize(overspent), reviewer);
        var edited = await ExampleAsync(id);
        var blocked = await reviews.ValidateAsync(id, edited.Version, reviewer);

        Assert.Equal(ResultStatus.Blocked, notJson.Status);
        Assert.True(saved.Succeeded);
        Assert.True(edited.HasErrors);
        Assert.Contains("over_budget", edited.IssuesJson);
        Assert.Equal(reviewer.Id, edited.EditedById);
        Assert.NotEqual(original.ContentHash, edited.ContentHash);
        Assert.Equal(ResultStatus.Blocked, blocked.Status);
        Assert.Equal(ExampleStatus.PendingReview, (await ExampleAsync(id)).Status);
    }

    [SkippableFact]
    public async Task Two_reviewers_on_one_example_the_second_gets_a_conflict_and_nothing_is_overwritten()
    {
        var planner = await UserAsync("conflict@test.local", Roles.Planner);
        var first = await UserAsync("reviewer@demo.local", Roles.Reviewer);
        var second = await UserAsync("reviewer2@test.local", Roles.Reviewer);
        var id = await ChosenExampleAsync(planner);
        var seenByBoth = (await ExampleAsync(id)).Version;
        using var scope = _factory.Services.CreateScope();
        var reviews = Service<ReviewService>(scope);

        var winner = await reviews.ValidateAsync(id, seenByBoth, first);
        var loser = await reviews.RejectAsync(id, seenByBoth, "Looks wrong", second);
        var loserEdit = await reviews.EditPlanAsync(id, seenByBoth, ChatExample.Parse((await ExampleAsync(id)).MessagesJson).Messages[2].Content!, second);

        Assert.True(winner.Succeeded);
        Assert.Equal(ResultStatus.Conflict, loser.Status);
        Assert.Equal(ResultStatus.Conflict, loserEdit.Status);
        Assert.Contains("Someone else changed this example", loser.Message);
        var stored = await ExampleAsync(id);
        Assert.Equal(ExampleStatus.Validated, stored.Status);
        Assert.Equal(first.Id, stored.ReviewedById);
        Assert.Null(stored.RejectionReason);
    }

    [SkippableFact]
    public async Task Bulk_validation_reports_what_it_skipped()
    {
        var planner = await UserAsync("bulk@test.local", Roles.Planner);
        var reviewer = await UserAsync("reviewer@demo.local", Roles.Reviewer);
        var ids = new[] { await ChosenExampleAsync(planner), await ChosenExampleAsync(planner), await ChosenExampleAsync(planner) };
        var rows = new List<(int, Guid)>();
        foreach (var id in ids)
            rows.Add((id, (await ExampleAsync(id)).Version));
        rows[2] = (ids[2], Guid.NewGuid()); // a version nobody saw: someone changed it meanwhile
        using var scope = _factory.Services.CreateScope();

        var result = await Service<ReviewService>(scope).BulkValidateAsync(rows, reviewer);

        Assert.Equal(2, result.Succeeded);
        Assert.Single(result.Skipped);
        Assert.Contains($"#{ids[2]}", result.Skipped[0]);
        Assert.Equal(ExampleStatus.PendingReview, (await ExampleAsync(ids[2])).Status);
    }

    [SkippableFact]
    public async Task The_queue_filters_sorts_and_pages_in_the_database()
    {
        var planner = await UserAsync("queue@test.local", Roles.Planner);
        var reviewer = await UserAsync("reviewer@demo.local", Roles.Reviewer);
        var ids = new List<int>();
        for (var i = 0; i < 4; i++)
            ids.Add(await ChosenExampleAsync(planner, $"QueueBrand{i}"));
        using var scope = _factory.Services.CreateScope();
        var reviews = Service<ReviewService>(scope);
        await reviews.ValidateAsync(ids[0], (await ExampleAsync(ids[0])).Version, reviewer);

        var search = new ExampleFilter(Search: "QueueBrand");
        var pending = await reviews.QueryAsync(search with { Status = ExampleStatus.PendingReview }, 0, 2, ExampleSort.Brand);
        var page2 = await reviews.QueryAsync(search with { Status = ExampleStatus.PendingReview }, 1, 2, ExampleSort.Brand);
        var validated = await reviews.QueryAsync(search with { Status = ExampleStatus.Validated, Objective = Objective.Consideration, Market = "US" }, 0, 10);
        var wrongMarket = await reviews.QueryAsync(search with { Market = "GB" }, 0, 10);

        Assert.Equal(3, pending.Total);
        Assert.Equal(["QueueBrand1", "QueueBrand2"], pending.Items.Select(r => r.Brand));
        Assert.Equal(["QueueBrand3"], page2.Items.Select(r => r.Brand));
        Assert.Equal([ids[0]], validated.Items.Select(r => r.Id));
        Assert.Equal(0, wrongMarket.Total);
    }

    [SkippableFact]
    public async Task Export_then_import_into_a_fresh_database_then_export_again_is_byte_identical()
    {
        var planner = await UserAsync("roundtrip@test.local", Roles.Planner);
        var reviewer = await UserAsync("reviewer@demo.local", Roles.Reviewer);
        for (var i = 0; i < 3; i++)
        {
            var id = await ChosenExampleAsync(planner);
            using var s = _factory.Services.CreateScope();
            Assert.True((await Service<ReviewService>(s).ValidateAsync(id, (await ExampleAsync(id)).Version, reviewer)).Succeeded);
        }
        var exporter = await _factory.SignInAsync("reviewer@demo.local");
        var first = await exporter.GetByteArrayAsync("/api/training-data/export");

        await using var fresh = new MediaPlannerFactory { Engine = _factory.Engine };
        var admin = await fresh.SignInAsync("admin@demo.local");
        var content = new ByteArrayContent(first);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/jsonl");
        var import = await admin.PostAsync("/api/training-data/import?validated=true", content);
        var report = await import.Content.ReadFromJsonAsync<ImportReport>();
        var second = await admin.GetByteArrayAsync("/api/training-data/export");

        Assert.Equal(HttpStatusCode.OK, import.StatusCode);
        Assert.Equal(0, report!.RejectedCount);
        Assert.True(first.Length > 0);
        Assert.Equal(Encoding.UTF8.GetString(first).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length, report.Imported);
        Assert.Equal(first, second);
    }

    [SkippableFact]
    public async Task An_import_with_bad_lines_reports_each_by_number_and_keeps_the_good_ones()
    {
        var planner = await UserAsync("import-mix@test.local", Roles.Planner);
        var admin = await UserAsync("admin@demo.local", Roles.Admin);
        var good = (await ExampleAsync(await ChosenExampleAsync(planner, "ImportedBrand"))).MessagesJson;
        var other = ChatExample.Parse(good);
        var goodTwo = new ChatExample([.. other.Messages.Select(m => m.Role == "user" ? m with { Content = m.Content!.Replace("ImportedBrand", "SecondBrand") } : m)]).ToJsonLine();
        var lines = new[]
        {
            goodTwo,                                          // 1: new, imported
            "{ this is not json",                             // 2: invalid_json
            "[1, 2, 3]",                                      // 3: data_type
            """{"messages":[{"role":"user","content":"hi"}]}""", // 4: no assistant
            "",                                               // 5: blank, skipped
            good,                                             // 6: duplicate of the collected example
            goodTwo,                                          // 7: duplicate within the file
            """{"messages":[{"role":"wizard","content":"x"},{"role":"assistant","content":"y"}]}""", // 8: unrecognized_role
        };
        using var scope = _factory.Services.CreateScope();
        var training = Service<TrainingDataService>(scope);

        var report = await training.ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', lines))), markValidated: false, admin);

        Assert.Equal(8, report.Lines);
        Assert.Equal(1, report.Imported);
        Assert.Equal(2, report.Duplicates);
        Assert.Equal([2, 3, 4, 8], report.Rejected.Select(r => r.LineNumber));
        Assert.Contains("invalid_json", report.Rejected[0].Reason);
        Assert.Contains("data_type", report.Rejected[1].Reason);
        Assert.Contains("example_missing_assistant_message", report.Rejected[2].Reason);
        Assert.Contains("unrecognized_role", report.Rejected[3].Reason);
        await using var db = await Service<IDbContextFactory<PlannerDbContext>>(scope).CreateDbContextAsync();
        var imported = await db.TrainingExamples.Where(e => e.Source == ExampleSource.Imported && e.Brand == "SecondBrand").ToListAsync();
        Assert.Equal(2, imported.Count);
        Assert.Single(imported, e => e.DuplicateOfId is null && e.Status == ExampleStatus.PendingReview);
        Assert.Single(imported, e => e.DuplicateOfId == imported.Single(o => o.DuplicateOfId is null).Id);
    }

    [SkippableFact]
    public async Task Export_and_import_endpoints_refuse_the_wrong_people()
    {
        var anonymous = await _factory.CreateBrowserlessClient().GetAsync("/api/training-data/export");
        var planner = await (await _factory.SignInAsync("planner@demo.local")).GetAsync("/api/training-data/export");
        var reviewer = await _factory.SignInAsync("reviewer@demo.local");
        var reviewerExport = await reviewer.GetAsync("/api/training-data/export");
        var body = new StringContent("", Encoding.UTF8, "application/jsonl");
        var reviewerImport = await reviewer.PostAsync("/api/training-data/import", body);
        var admin = await _factory.SignInAsync("admin@demo.local");
        var wrongType = await admin.PostAsync("/api/training-data/import", new StringContent("{}", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.StartsWith("/Account/Login", anonymous.Headers.Location!.AbsolutePath);
        Assert.Equal("/Account/AccessDenied", planner.Headers.Location!.AbsolutePath);
        Assert.Equal(HttpStatusCode.OK, reviewerExport.StatusCode);
        Assert.Equal("application/jsonl", reviewerExport.Content.Headers.ContentType!.MediaType);
        Assert.Equal("/Account/AccessDenied", reviewerImport.Headers.Location!.AbsolutePath);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrongType.StatusCode);
    }

    [SkippableFact]
    public async Task A_split_export_puts_every_validated_example_on_exactly_one_side()
    {
        var planner = await UserAsync("split@test.local", Roles.Planner);
        var reviewer = await UserAsync("reviewer@demo.local", Roles.Reviewer);
        for (var i = 0; i < 6; i++)
        {
            var id = await ChosenExampleAsync(planner);
            using var s = _factory.Services.CreateScope();
            await Service<ReviewService>(s).ValidateAsync(id, (await ExampleAsync(id)).Version, reviewer);
        }
        var client = await _factory.SignInAsync("reviewer@demo.local");

        static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var all = Lines(await client.GetStringAsync("/api/training-data/export"));
        var train = Lines(await client.GetStringAsync("/api/training-data/export?validationPercent=30&seed=7&part=train"));
        var validation = Lines(await client.GetStringAsync("/api/training-data/export?validationPercent=30&seed=7&part=validation"));
        var trainAgain = Lines(await client.GetStringAsync("/api/training-data/export?validationPercent=30&seed=7&part=train"));

        Assert.Equal(all.Order(), train.Concat(validation).Order());
        Assert.Empty(train.Intersect(validation));
        Assert.Equal(StratifiedSplit.HeldOutCount(all.Length, 30), validation.Length);
        Assert.Equal(train, trainAgain);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/training-data/export?part=bogus")).StatusCode);
    }

    [SkippableFact]
    public async Task The_summary_counts_examples_and_applies_openai_readiness_and_epoch_rules()
    {
        using var scope = _factory.Services.CreateScope();
        // No base model is configured here (the provider's list would decide): the rules are checked for a named one.
        var summary = await ActivatorUtilities.CreateInstance<TrainingDataService>(scope.ServiceProvider, new TrainingSettings("gpt-4o-mini-2024-07-18")).SummaryAsync();

        Assert.Equal(summary.ByStatus.Sum(c => c.Count), summary.Total);
        var validated = summary.ByStatus.SingleOrDefault(c => c.Key == nameof(ExampleStatus.Validated))?.Count ?? 0;
        Assert.Equal(validated, summary.Readiness.Validated);
        Assert.Equal(validated >= 10, summary.Readiness.Ready);
        Assert.Equal(FineTuneEstimator.DefaultEpochs(validated), summary.Epochs);
        Assert.Equal("gpt-4o-mini-2024-07-18", summary.BaseModel);
        Assert.Equal(3.00m, summary.Price!.TrainingPerMillion);
        Assert.Equal(FineTuneEstimator.Cost(summary.BilledTokens, 3.00m), summary.EstimatedCost);
    }
}

/// <summary>The same tests on PostgreSQL.</summary>
public sealed class TrainingWorkflowOnPostgresTests : TrainingWorkflowTests, IClassFixture<PostgresMediaPlannerFactory>
{
    public TrainingWorkflowOnPostgresTests(PostgresMediaPlannerFactory factory) : base(factory) => TestServers.SkipUnlessPostgres();
}
