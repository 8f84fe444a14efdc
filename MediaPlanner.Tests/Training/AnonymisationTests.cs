using System.Text.Json;
using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaPlanner.Tests.Training;

/// <summary>The anonymisation setting through the running app: the export endpoint, a hosted model planning a brief, the audit trail.</summary>
public sealed class AnonymisationTests : FakeOpenAIAppTests
{
    private const string FineTuned = "ft:gpt-4o-mini-2024-07-18:mediaplanner:anon:abc123";
    private const string Brand = "Contoso Outdoor";

    private PrivacySettingsService Settings => App.Services.GetRequiredService<PrivacySettingsService>();

    private async Task<List<AuditEntry>> AuditAsync(string action)
    {
        await using var db = await App.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
        return await db.AuditEntries.Where(a => a.Action == action).OrderBy(a => a.Id).ToListAsync();
    }

    [Fact]
    public async Task The_export_with_anonymisation_on_names_no_brand_and_its_audit_entry_says_which_mode_was_used()
    {
        await ValidatedExamples.SeedAsync(App.Services, 6, Brand);
        var reviewer = await App.SignInAsync("reviewer@demo.local");
        var asWritten = await reviewer.GetStringAsync("/api/training-data/export");
        await Settings.SaveAnonymiseOutboundAsync(true, Admin);

        var body = await reviewer.GetStringAsync("/api/training-data/export");

        Assert.Contains(Brand, asWritten);
        var lines = body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(6, lines.Length);
        Assert.DoesNotContain("contoso", body, StringComparison.OrdinalIgnoreCase);
        Assert.All(lines, line =>
        {
            var messages = ChatExample.Parse(line).Messages;
            Assert.StartsWith("Brand: [BRAND-1]\nCampaign: [CAMPAIGN-1]\n", messages[1].Content);
            Assert.Equal("[BRAND-1]", PlanJson.Deserialize(messages[2].Content!).Brand);
        });
        var exports = await AuditAsync(AuditActions.TrainingExport);
        Assert.Equal(2, exports.Count);
        Assert.EndsWith("client names as written", exports[0].Summary);
        Assert.EndsWith("client names replaced by placeholders", exports[1].Summary);
        Assert.True(JsonDocument.Parse(exports[1].After!).RootElement.GetProperty("anonymised").GetBoolean());
    }

    [Fact]
    public async Task Turning_anonymisation_on_and_off_is_audited_with_the_value_before_and_after_and_only_admins_may()
    {
        Assert.False(Settings.AnonymiseOutbound);
        var planner = await App.DemoUserAsync("planner@demo.local");

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Settings.SaveAnonymiseOutboundAsync(true, planner));
        await Settings.SaveAnonymiseOutboundAsync(true, Admin);
        await Settings.SaveAnonymiseOutboundAsync(true, Admin);
        await Settings.SaveAnonymiseOutboundAsync(false, Admin);

        Assert.False(Settings.AnonymiseOutbound);
        var entries = await AuditAsync(AuditActions.SettingsPrivacy);
        Assert.Equal(2, entries.Count);
        Assert.All(entries, e => Assert.Equal(Admin.Id, e.UserId));
        Assert.Equal(("{\"anonymiseOutbound\":false}", "{\"anonymiseOutbound\":true}"), (entries[0].Before, entries[0].After));
        Assert.Equal(("{\"anonymiseOutbound\":true}", "{\"anonymiseOutbound\":false}"), (entries[1].Before, entries[1].After));
        Assert.StartsWith("Turned on anonymisation", entries[0].Summary);
        Assert.StartsWith("Turned off anonymisation", entries[1].Summary);
    }

    [Fact]
    public async Task A_hosted_fine_tuned_model_receives_placeholders_and_the_planner_sees_the_briefs_names_in_its_plans()
    {
        await DeployFineTunedAsync(FineTuned);
        await App.Services.GetRequiredService<SelectionSettingsService>().SaveSelectionAsync(SelectionSettings.Default with { Strategy = SelectionStrategy.FineTunedOnly }, Admin);
        await Settings.SaveAnonymiseOutboundAsync(true, Admin);
        var planner = await App.DemoUserAsync("planner@demo.local");
        using var scope = App.Services.CreateScope();
        var briefId = (await scope.ServiceProvider.GetRequiredService<BriefService>().CreateAsync(TestBriefs.Input(Brand, campaign: "Trail Week", channels: [Channel.Search, Channel.Social, Channel.Display],
            text: "Contoso outdoor wants Trail Week to reach hikers before summer; CONTOSO OUTDOOR has never advertised on video."), planner)).Value;
        // The model writes the names as it was trained to: as placeholders, in the plan's fields and its prose.
        FakeServer.Chat.EditPlan = p => p with { Rationale = $"Built for {p.Brand}'s {p.CampaignName}. {p.Rationale}" };

        var plans = await scope.ServiceProvider.GetRequiredService<PlanGenerator>().GenerateAsync(briefId, planner);

        var sent = FakeServer.ChatRequests;
        Assert.NotEmpty(sent);
        Assert.All(sent, request =>
        {
            Assert.Equal(FineTuned, request.Model);
            Assert.DoesNotContain("contoso", request.Body.ToJsonString(), StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("trail week", request.Body.ToJsonString(), StringComparison.OrdinalIgnoreCase);
            var user = request.Messages.Single(m => m.Role == "user").Content;
            Assert.StartsWith("Brand: [BRAND-1]\nCampaign: [CAMPAIGN-1]\n", user);
            Assert.EndsWith("[BRAND-1] wants [CAMPAIGN-1] to reach hikers before summer; [BRAND-1] has never advertised on video.", user);
        });
        Assert.NotEmpty(plans);
        Assert.All(plans, p =>
        {
            Assert.Equal((ModelRole.FineTuned, FineTuned), (p.Entity.Role, p.Entity.Model));
            Assert.Equal((Brand, "Trail Week"), (p.Plan.Brand, p.Plan.CampaignName));
            Assert.StartsWith($"Built for {Brand}'s Trail Week.", p.Plan.Rationale);
            Assert.DoesNotContain("[BRAND-", p.Entity.PlanJson);
            Assert.Contains(Brand, p.Entity.PlanJson);
        });
    }
}
