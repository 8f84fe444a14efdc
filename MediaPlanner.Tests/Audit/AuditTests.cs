using System.Data.Common;
using System.Net;
using System.Text;
using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Tests.Training;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MediaPlanner.Domain;

namespace MediaPlanner.Tests.Audit;

/// <summary>The audit trail over the real app: what each action records, that it cannot be rewritten, and who may read it.</summary>
public class AuditTests(MediaPlannerFactory factory) : IClassFixture<MediaPlannerFactory>
{
    private static int _counter;

    private T Get<T>(IServiceScope scope) where T : notnull => scope.ServiceProvider.GetRequiredService<T>();

    private async Task<CurrentUser> UserAsync(string email)
    {
        using var scope = factory.Services.CreateScope();
        var users = Get<UserManager<ApplicationUser>>(scope);
        var user = await users.FindByEmailAsync(email);
        return new CurrentUser(user!.Id, await users.IsInRoleAsync(user, Roles.Admin));
    }

    private Task<CurrentUser> AdminAsync() => UserAsync("admin@demo.local");

    private Task<CurrentUser> ReviewerAsync() => UserAsync("reviewer@demo.local");

    private async Task<IReadOnlyList<AuditEntry>> EntriesAsync(string action, string? entityId = null) =>
        (await factory.Services.GetRequiredService<AuditLog>().QueryAsync(new AuditFilter(Action: action), 0, 200)).Items
        .Where(e => entityId is null || e.EntityId == entityId).ToList();

    private static ChatExample Example(out CampaignBriefInfo info)
    {
        var n = Interlocked.Increment(ref _counter);
        var brief = TestData.Brief(budget: 50_000m + 1_000m * n);
        brief.Brand = $"Audit Brand {n}";
        info = new CampaignBriefInfo(brief.Brand, TestData.Plans(TestData.Request(brief))[1]);
        return TrainingTestData.Example(brief);
    }

    private sealed record CampaignBriefInfo(string Brand, MediaPlan OtherPlan);

    /// <summary>A pending example stored directly, as collection would store it.</summary>
    private async Task<(int Id, Guid Version, CampaignBriefInfo Info)> PendingExampleAsync()
    {
        var example = Example(out var info);
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
        var entity = new TrainingExample
        {
            Source = ExampleSource.Imported, Status = ExampleStatus.PendingReview, Brand = info.Brand, MarketCode = "US",
            MessagesJson = example.ToJsonLine(), ContentHash = ContentHash.Of(example), TokenCount = 1_000, CreatedAt = DateTimeOffset.UtcNow,
        };
        db.TrainingExamples.Add(entity);
        await db.SaveChangesAsync();
        return (entity.Id, entity.Version, info);
    }

    private async Task<Guid> VersionAsync(int id)
    {
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
        return await db.TrainingExamples.Where(e => e.Id == id).Select(e => e.Version).SingleAsync();
    }

    [SkippableFact]
    public async Task Validating_rejecting_and_editing_are_recorded_with_who_and_the_status_before_and_after()
    {
        var reviewer = await ReviewerAsync();
        var (validateId, validateVersion, validateInfo) = await PendingExampleAsync();
        var (rejectId, rejectVersion, _) = await PendingExampleAsync();
        var (editId, editVersion, editInfo) = await PendingExampleAsync();
        using var scope = factory.Services.CreateScope();
        var reviews = Get<ReviewService>(scope);

        Assert.True((await reviews.ValidateAsync(validateId, validateVersion, reviewer)).Succeeded);
        Assert.True((await reviews.RejectAsync(rejectId, rejectVersion, "Budget split ignores the brief", reviewer)).Succeeded);
        Assert.True((await reviews.EditPlanAsync(editId, editVersion, PlanJson.Serialize(editInfo.OtherPlan), reviewer)).Succeeded);

        var validated = Assert.Single(await EntriesAsync(AuditActions.ExampleValidate, validateId.ToString()));
        Assert.Equal("reviewer@demo.local", validated.UserEmail);
        Assert.Equal(reviewer.Id, validated.UserId);
        Assert.Equal(AuditEntities.TrainingExample, validated.EntityType);
        Assert.Contains(validateInfo.Brand, validated.Summary);
        Assert.Contains("\"status\":\"PendingReview\"", validated.Before);
        Assert.Contains("\"status\":\"Validated\"", validated.After);
        var rejected = Assert.Single(await EntriesAsync(AuditActions.ExampleReject, rejectId.ToString()));
        Assert.Contains("Budget split ignores the brief", rejected.Summary);
        Assert.Contains("\"rejectionReason\":\"Budget split ignores the brief\"", rejected.After);
        var edited = Assert.Single(await EntriesAsync(AuditActions.ExampleEdit, editId.ToString()));
        Assert.Contains("Edited the plan", edited.Summary);
        Assert.NotEqual(edited.Before, edited.After);
    }

    [SkippableFact]
    public async Task Refused_or_conflicting_review_actions_leave_no_entry_and_bulk_actions_record_each_example()
    {
        var reviewer = await ReviewerAsync();
        var (id, version, _) = await PendingExampleAsync();
        var (bulk1, version1, _) = await PendingExampleAsync();
        var (bulk2, version2, _) = await PendingExampleAsync();
        using var scope = factory.Services.CreateScope();
        var reviews = Get<ReviewService>(scope);

        Assert.False((await reviews.RejectAsync(id, version, "  ", reviewer)).Succeeded);
        Assert.Equal(ResultStatus.Conflict, (await reviews.ValidateAsync(id, Guid.NewGuid(), reviewer)).Status);
        var bulk = await reviews.BulkValidateAsync([(bulk1, version1), (bulk2, version2), (id, Guid.NewGuid())], reviewer);

        Assert.Empty(await EntriesAsync(AuditActions.ExampleReject, id.ToString()));
        Assert.Empty(await EntriesAsync(AuditActions.ExampleValidate, id.ToString()));
        Assert.Equal(2, bulk.Succeeded);
        Assert.Single(await EntriesAsync(AuditActions.ExampleValidate, bulk1.ToString()));
        Assert.Single(await EntriesAsync(AuditActions.ExampleValidate, bulk2.ToString()));
    }

    [SkippableFact]
    public async Task Import_export_and_fine_tuning_start_and_cancel_are_recorded()
    {
        var admin = await AdminAsync();
        var lines = Enumerable.Range(0, 12).Select(i => Example(out _).ToJsonLine()).Append("not json").ToList();
        using var scope = factory.Services.CreateScope();

        var report = await Get<TrainingDataService>(scope).ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(string.Join("\n", lines))), true, admin);
        Assert.Equal(12, report.Imported);
        var import = (await EntriesAsync(AuditActions.TrainingImport)).First(e => e.UserId == admin.Id);
        Assert.Contains("Imported 12 examples as validated from 13 lines", import.Summary);
        Assert.Contains("\"rejected\":1", import.After);

        var reviewer = await factory.SignInAsync("reviewer@demo.local");
        var body = await reviewer.GetStringAsync("/api/training-data/export");
        var exported = body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        var export = (await EntriesAsync(AuditActions.TrainingExport)).First();
        Assert.Equal("reviewer@demo.local", export.UserEmail);
        Assert.Contains($"Exported {exported} validated examples as training-data.jsonl", export.Summary);

        var jobs = Get<FineTuneService>(scope);
        var created = await jobs.CreateAsync(new NewJobRequest(FineTuneProviders.Local), admin);
        Assert.True(created.Succeeded, string.Join(" ", created.Errors.Values));
        var start = Assert.Single(await EntriesAsync(AuditActions.FineTuneStart, created.Value.ToString()));
        Assert.Equal("admin@demo.local", start.UserEmail);
        Assert.Contains("\"provider\":\"local\"", start.After);

        // A job another runner holds, so nothing here finishes it before the cancel.
        int heldId;
        await using (var db = await Get<IDbContextFactory<PlannerDbContext>>(scope).CreateDbContextAsync())
        {
            var held = new FineTuneJob
            {
                Provider = FineTuneProviders.Local, BaseModel = "local-mix-v1", Status = FineTuneStatus.Running, CreatedById = admin.Id,
                CreatedAt = DateTimeOffset.UtcNow, NextAttemptAt = DateTimeOffset.MaxValue, LeaseOwner = "elsewhere",
                LeaseUntil = DateTimeOffset.UtcNow.AddHours(1), TrainingExamples = 10,
            };
            db.FineTuneJobs.Add(held);
            await db.SaveChangesAsync();
            heldId = held.Id;
        }
        Assert.StartsWith("Cancelling", (await jobs.CancelAsync(heldId, admin)).Message);
        var cancel = Assert.Single(await EntriesAsync(AuditActions.FineTuneCancel, heldId.ToString()));
        Assert.Equal("Running", cancel.Before);
        Assert.Equal("cancel requested", cancel.After);
    }

    [SkippableFact]
    public async Task Deploying_and_rolling_back_are_recorded()
    {
        var admin = await AdminAsync();
        var first = await FineTunedModelAsync("audit-a", admin);
        var second = await FineTunedModelAsync("audit-b", admin);
        var registry = factory.Services.GetRequiredService<ModelRegistry>();

        Assert.True((await registry.DeployAsync(first, admin)).Succeeded);
        Assert.True((await registry.DeployAsync(second, admin)).Succeeded);
        Assert.False((await registry.DeployAsync(second, admin)).Succeeded);
        Assert.True((await registry.RollbackAsync(admin)).Succeeded);

        Assert.Single(await EntriesAsync(AuditActions.ModelDeploy, first));
        var replace = Assert.Single(await EntriesAsync(AuditActions.ModelDeploy, second));
        Assert.Equal(first, replace.Before);
        Assert.Equal(second, replace.After);
        Assert.Equal("admin@demo.local", replace.UserEmail);
        var rollback = Assert.Single(await EntriesAsync(AuditActions.ModelRollback, second));
        Assert.Equal(first, rollback.After);
        Assert.Contains($"{first} is active again", rollback.Summary);
    }

    private async Task<string> FineTunedModelAsync(string suffix, CurrentUser admin)
    {
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
        var job = new FineTuneJob
        {
            Provider = FineTuneProviders.Local, BaseModel = "local-mix-v1", Status = FineTuneStatus.Succeeded, CreatedById = admin.Id,
            CreatedAt = DateTimeOffset.UtcNow, FinishedAt = DateTimeOffset.UtcNow, NextAttemptAt = DateTimeOffset.MaxValue,
            FineTunedModel = $"local-mix:ft-{suffix}", ResultParametersJson = (MediaMixParameters.Default with { Name = $"local-mix-ft-{suffix}" }).ToJson(),
        }.Recommended();
        db.FineTuneJobs.Add(job);
        await db.SaveChangesAsync();
        return job.FineTunedModel!;
    }

    [SkippableFact]
    public async Task Settings_changes_are_recorded_and_the_api_key_never_reaches_the_trail()
    {
        const string Key = "sk-proj-AUDITSECRET0123456789abcdefWXYZ";
        var admin = await AdminAsync();
        var selectionSettings = factory.Services.GetRequiredService<SelectionSettingsService>();
        var providerSettings = factory.Services.GetRequiredService<ProviderSettingsService>();
        var priceSettings = factory.Services.GetRequiredService<PriceSettingsService>();

        var selection = selectionSettings.GetSelection();
        Assert.True((await selectionSettings.SaveSelectionAsync(selection with
        {
            Strategy = SelectionStrategy.BaseOnly,
            Thresholds = selection.Thresholds with { Window = 40 },
        }, admin)).Succeeded);
        Assert.True((await providerSettings.SaveProviderAsync(null, "gpt-4o-mini-2024-07-18", Key, false, admin)).Succeeded);
        Assert.True((await providerSettings.SaveProviderAsync(null, null, null, clearApiKey: true, admin)).Succeeded);
        Assert.True((await selectionSettings.SaveSelectionAsync(selection, admin)).Succeeded);
        var price = new ModelPrice { Model = "ft:audit-price", InputPerMillion = 1.5m, OutputPerMillion = 6m, Source = "Test sheet", AsOf = new DateOnly(2026, 1, 2) };
        Assert.True((await priceSettings.SavePriceAsync(price, admin)).Succeeded);
        price.InputPerMillion = 2m;
        Assert.True((await priceSettings.SavePriceAsync(price, admin)).Succeeded);
        Assert.True(await priceSettings.DeletePriceAsync("ft:audit-price", admin));
        Assert.False(await priceSettings.DeletePriceAsync("ft:audit-price", admin));

        var selectionEntry = (await EntriesAsync(AuditActions.SettingsSelection)).Last();
        Assert.Contains("strategy Auto → BaseOnly", selectionEntry.Summary);
        Assert.Contains("Window 50 → 40", selectionEntry.Summary);
        Assert.Contains("\"strategy\":\"BaseOnly\"", selectionEntry.After);
        var provider = await EntriesAsync(AuditActions.SettingsProvider);
        Assert.Contains(provider, e => e.After!.Contains("\"apiKey\":\"key changed\"") && e.Summary.Contains("key changed"));
        Assert.Contains(provider, e => e.After!.Contains("\"apiKey\":\"key removed\""));
        var everything = (await factory.Services.GetRequiredService<AuditLog>().QueryAsync(new AuditFilter(), 0, 200)).Items;
        Assert.All(everything, e =>
        {
            foreach (var text in new[] { e.Summary, e.Before, e.After })
            {
                Assert.DoesNotContain("AUDITSECRET", text ?? "");
                Assert.DoesNotContain("WXYZ", text ?? "");
            }
        });
        var prices = await EntriesAsync(AuditActions.SettingsPrice, "ft:audit-price");
        Assert.Equal(2, prices.Count);
        var changed = prices.Single(p => p.Before is not null);
        Assert.Contains("\"input\":1.5", changed.Before);
        Assert.Contains("\"input\":2", changed.After);
        var deleted = Assert.Single(await EntriesAsync(AuditActions.SettingsPriceDelete, "ft:audit-price"));
        Assert.Contains("\"input\":2", deleted.Before);
        Assert.Null(deleted.After);
    }

    [SkippableFact]
    public async Task Audit_entries_cannot_be_changed_or_deleted()
    {
        var admin = await AdminAsync();
        var marker = $"append-only {Guid.NewGuid():N}";
        await factory.Services.GetRequiredService<AuditLog>().RecordAsync(admin, "test.append", "Test", "1", marker);
        var dbFactory = factory.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>();

        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            var entry = await db.AuditEntries.SingleAsync(a => a.Summary == marker);
            entry.Summary = "rewritten";
            Assert.Throws<InvalidOperationException>(() => db.SaveChanges());
            await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync());
        }
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            db.AuditEntries.Remove(await db.AuditEntries.SingleAsync(a => a.Summary == marker));
            await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync());
        }
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            // Bulk statements skip the context's check; the database refuses them.
            var delete = await Assert.ThrowsAnyAsync<DbException>(() => db.AuditEntries.Where(a => a.Summary == marker).ExecuteDeleteAsync());
            Assert.Contains("append-only", delete.Message, StringComparison.Ordinal);
            var update = await Assert.ThrowsAnyAsync<DbException>(() =>
                db.AuditEntries.Where(a => a.Summary == marker).ExecuteUpdateAsync(s => s.SetProperty(a => a.Summary, "rewritten")));
            Assert.Contains("append-only", update.Message, StringComparison.Ordinal);
        }
        await using (var db = await dbFactory.CreateDbContextAsync())
            Assert.Equal("admin@demo.local", (await db.AuditEntries.SingleAsync(a => a.Summary == marker)).UserEmail);
    }

    [SkippableFact]
    public async Task The_query_filters_by_action_user_entity_type_text_and_date_in_the_database()
    {
        var admin = await AdminAsync();
        var reviewer = await ReviewerAsync();
        var log = factory.Services.GetRequiredService<AuditLog>();
        var marker = $"filter-{Guid.NewGuid():N}";
        await log.RecordAsync(admin, "test.filter", "Widget", "w-1", $"{marker} by admin", after: "{\"colour\":\"teal_100%\"}");
        await log.RecordAsync(reviewer, "test.filter", "Gadget", "g-1", $"{marker} by reviewer");
        await log.RecordAsync(reviewer, "test.other", "Widget", "w-2", $"{marker} other");

        async Task<IReadOnlyList<string>> Query(AuditFilter f) => (await log.QueryAsync(f with { Text = f.Text ?? marker }, 0, 50)).Items.Select(e => e.Summary).ToList();

        Assert.Equal(3, (await Query(new AuditFilter())).Count);
        Assert.Equal([$"{marker} by reviewer", $"{marker} by admin"], await Query(new AuditFilter(Action: "test.filter")));
        Assert.Equal([$"{marker} other", $"{marker} by reviewer"], await Query(new AuditFilter(User: "reviewer@demo")));
        Assert.Equal([$"{marker} by reviewer"], await Query(new AuditFilter(User: reviewer.Id, EntityType: "Gadget")));
        Assert.Equal([$"{marker} other", $"{marker} by admin"], await Query(new AuditFilter(EntityType: "Widget")));
        Assert.Equal([$"{marker} by admin"], (await log.QueryAsync(new AuditFilter(Text: "teal_100%"), 0, 50)).Items.Select(e => e.Summary));
        Assert.Empty((await log.QueryAsync(new AuditFilter(Text: "teal%100"), 0, 50)).Items);
        Assert.Empty(await Query(new AuditFilter(From: DateTimeOffset.UtcNow.AddDays(1))));
        Assert.Equal(3, (await Query(new AuditFilter(From: DateTimeOffset.UtcNow.AddHours(-1), To: DateTimeOffset.UtcNow.AddHours(1)))).Count);
        var page = await log.QueryAsync(new AuditFilter(Text: marker), 1, 2);
        Assert.Equal(3, page.Total);
        Assert.Equal($"{marker} by admin", Assert.Single(page.Items).Summary);
    }

    [SkippableTheory]
    [InlineData("planner@demo.local", "/admin/users")]
    [InlineData("planner@demo.local", "/admin/audit")]
    [InlineData("reviewer@demo.local", "/admin/users")]
    [InlineData("reviewer@demo.local", "/admin/audit")]
    public async Task Planners_and_reviewers_are_denied_the_admin_pages(string email, string path)
    {
        var client = await factory.SignInAsync(email);

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Account/AccessDenied", response.Headers.Location!.AbsolutePath);
    }

    [SkippableFact]
    public async Task The_admin_opens_the_audit_page()
    {
        var client = await factory.SignInAsync("admin@demo.local");

        var response = await client.GetAsync("/admin/audit");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Audit trail", html);
        Assert.Contains("id=\"audit-text\"", html);
    }
}

/// <summary>The same tests on PostgreSQL.</summary>
public sealed class AuditOnPostgresTests : AuditTests, IClassFixture<PostgresMediaPlannerFactory>
{
    public AuditOnPostgresTests(PostgresMediaPlannerFactory factory) : base(factory) => TestServers.SkipUnlessPostgres();
}
