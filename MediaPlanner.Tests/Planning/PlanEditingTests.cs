using MediaPlanner.Domain.Audit;
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

namespace MediaPlanner.Tests.Planning;

/// <summary>Plan versions, "Use this plan" on an edited version, and undoing a choice, over the real app and database.</summary>
public class PlanEditingTests(MediaPlannerFactory factory) : IClassFixture<MediaPlannerFactory>
{
    private static int _brandCounter;

    private T Get<T>(IServiceScope scope) where T : notnull => scope.ServiceProvider.GetRequiredService<T>();

    private async Task<CurrentUser> UserAsync(string email)
    {
        using var scope = factory.Services.CreateScope();
        var users = Get<UserManager<ApplicationUser>>(scope);
        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true };
            Assert.True((await users.CreateAsync(user, DatabaseInitializer.DemoPassword)).Succeeded);
            await users.AddToRoleAsync(user, Roles.Planner);
        }
        return new CurrentUser(user.Id, await users.IsInRoleAsync(user, Roles.Admin));
    }

    private Task<CurrentUser> PlannerAsync() => UserAsync("planner@demo.local");

    private async Task<(int BriefId, IReadOnlyList<PlanView> Plans)> PlannedAsync(CurrentUser planner)
    {
        using var scope = factory.Services.CreateScope();
        var id = (await Get<BriefService>(scope).CreateAsync(TestBriefs.Input($"EditBrand{Interlocked.Increment(ref _brandCounter)}", campaign: "Autumn push", budget: 120_000m, objective: Objective.Consideration,
            start: new DateTime(2027, 9, 1), end: new DateTime(2027, 10, 31),
            text: "Bring the new rain jacket to hikers before the autumn season and drive visits to the product page."), planner)).Value;
        return (id, await Get<PlanGenerator>(scope).GenerateAsync(id, planner));
    }

    private async Task<PlanEditResult> EditAsync(int planId, CurrentUser user, Func<IReadOnlyList<PlanEditLine>, IReadOnlyList<PlanEditLine>> change)
    {
        using var scope = factory.Services.CreateScope();
        await using var db = await Get<IDbContextFactory<PlannerDbContext>>(scope).CreateDbContextAsync();
        var plan = PlanJson.Deserialize((await db.Plans.AsNoTracking().SingleAsync(p => p.Id == planId)).PlanJson);
        return await Get<PlanEditService>(scope).SaveAsync(planId, change(PlanEdit.LinesOf(plan)), user);
    }

    private async Task<T> InDbAsync<T>(Func<PlannerDbContext, Task<T>> query)
    {
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
        return await query(db);
    }

    private async Task<Result<int?>> CollectorAsync(Func<TrainingCollector, Task<Result<int?>>> action)
    {
        using var scope = factory.Services.CreateScope();
        return await action(Get<TrainingCollector>(scope));
    }

    [SkippableFact]
    public async Task Edits_are_saved_as_versions_2_and_3_of_the_generated_plan_which_stays_untouched()
    {
        var planner = await PlannerAsync();
        var (briefId, plans) = await PlannedAsync(planner);
        var original = plans[1].Entity;

        var v2 = await EditAsync(original.Id, planner, lines => PlanEdit.WithShare(lines, 0, 0.5));
        Assert.True(v2.Succeeded, v2.Message);
        var v3 = await EditAsync(v2.Saved!.Entity.Id, planner, lines => lines.Take(lines.Count - 1).ToList());
        Assert.True(v3.Succeeded, v3.Message);

        var stored = await InDbAsync(db => db.Plans.AsNoTracking().Where(p => p.Id == original.Id || p.OriginalPlanId == original.Id).OrderBy(p => p.Version).ToListAsync());
        Assert.Equal([1, 2, 3], stored.Select(p => p.Version));
        Assert.Equal(original.PlanJson, stored[0].PlanJson);
        Assert.Equal(original.QualityScore, stored[0].QualityScore);
        Assert.All(stored.Skip(1), p =>
        {
            Assert.Equal(original.Id, p.OriginalPlanId);
            Assert.Equal((original.RunId, original.Ordinal, original.Role, original.Provider, original.Model), (p.RunId, p.Ordinal, p.Role, p.Provider, p.Model));
            Assert.Equal(planner.Id, p.CreatedById);
        });
        // Saved figures are PlanMath's and the score is the evaluator's for the saved plan.
        using (var scope = factory.Services.CreateScope())
        {
            var request = (await Get<PlanGenerator>(scope).RequestAsync(briefId, planner))!;
            var saved = PlanJson.Deserialize(stored[2].PlanJson);
            Assert.Equal(PlanMath.Recompute(saved, PlanBasis.From(request)).Totals, saved.Totals);
            Assert.Equal(Get<PlanQualityEvaluator>(scope).Evaluate(saved, PlanEvaluationContext.From(request)).Score, stored[2].QualityScore);
            Assert.Contains(saved.Assumptions, a => a.StartsWith(PlanEdit.EditNotePrefix, StringComparison.Ordinal) && a.Contains("removed", StringComparison.Ordinal));

            var latest = await Get<PlanGenerator>(scope).LatestPlansAsync(briefId, planner);
            Assert.Equal(plans.Select(p => p.Entity.Id == original.Id ? stored[2].Id : p.Entity.Id), latest.Select(p => p.Entity.Id));

            var history = await Get<PlanEditService>(scope).VersionsAsync(plans[1].Entity.Id, planner);
            Assert.Equal(stored.Select(p => (p.Id, p.Version, p.QualityScore)), history.Select(h => (h.PlanId, h.Version, h.QualityScore)));
            Assert.All(history, h => Assert.Equal("planner@demo.local", h.CreatedBy));
        }
        var audit = await InDbAsync(db => db.AuditEntries.AsNoTracking().Where(a => a.Action == AuditActions.PlanEdit && a.EntityId == original.Id.ToString()).ToListAsync());
        Assert.Equal(2, audit.Count);
    }

    [SkippableFact]
    public async Task Another_planner_cannot_edit_or_list_a_plan_of_someone_elses_brief_and_bad_lines_are_refused_at_the_line()
    {
        var planner = await PlannerAsync();
        var (_, plans) = await PlannedAsync(planner);
        var other = await UserAsync("other-editor@demo.local");

        var refused = await EditAsync(plans[0].Entity.Id, other, lines => lines);
        Assert.False(refused.Succeeded);
        Assert.Equal("That plan was not found.", refused.Message);
        using (var scope = factory.Services.CreateScope())
            Assert.Empty(await Get<PlanEditService>(scope).VersionsAsync(plans[0].Entity.Id, other));

        var invalid = await EditAsync(plans[0].Entity.Id, planner, lines => [lines[0] with { Spend = -5 }, .. lines.Skip(1)]);
        Assert.False(invalid.Succeeded);
        Assert.Equal(new PlanEditIssue(0, "Spend cannot be negative."), Assert.Single(invalid.Issues));

        var admin = await UserAsync("admin@demo.local");
        Assert.True((await EditAsync(plans[0].Entity.Id, admin, lines => PlanEdit.WithShare(lines, 0, 0.2))).Succeeded);
        var count = await InDbAsync(db => db.Plans.CountAsync(p => p.OriginalPlanId == plans[0].Entity.Id));
        Assert.Equal(1, count);
    }

    [SkippableFact]
    public async Task Using_an_edited_version_marks_the_example_edited_and_pairs_it_only_against_the_other_plans()
    {
        var planner = await PlannerAsync();
        var (_, plans) = await PlannedAsync(planner);
        var v2 = (await EditAsync(plans[0].Entity.Id, planner, lines => PlanEdit.WithShare(lines, 0, 0.6))).Saved!;
        var otherV2 = (await EditAsync(plans[2].Entity.Id, planner, lines => PlanEdit.WithShare(lines, 0, 0.1))).Saved!;

        var choice = await CollectorAsync(c => c.ChoosePlanAsync(v2.Entity.Id, planner));

        Assert.True(choice.Succeeded, choice.Message);
        Assert.DoesNotContain("training", choice.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Autumn push", choice.Message, StringComparison.Ordinal);
        var example = await InDbAsync(db => db.TrainingExamples.AsNoTracking().SingleAsync(e => e.Id == choice.Value));
        Assert.True(example.PlannerEdited);
        var pairs = await InDbAsync(db => db.PreferencePairs.AsNoTracking().Where(p => p.ChosenPlanId == v2.Entity.Id).ToListAsync());
        // The other plans as the planner last saw them; never the chosen plan's own original.
        Assert.Equal([plans[1].Entity.Id, otherV2.Entity.Id], pairs.Select(p => p.RejectedPlanId).Order());

        // One choice per run holds across versions: the generated original cannot be chosen as well.
        var second = await CollectorAsync(c => c.ChoosePlanAsync(plans[0].Entity.Id, planner));
        Assert.False(second.Succeeded);
        // And a run with a plan in use cannot be edited.
        Assert.False((await EditAsync(plans[1].Entity.Id, planner, lines => lines)).Succeeded);
    }

    [SkippableFact]
    public async Task Undo_before_review_deletes_the_example_and_its_pairs_and_frees_the_run()
    {
        var planner = await PlannerAsync();
        var (_, plans) = await PlannedAsync(planner);
        var choice = await CollectorAsync(c => c.ChoosePlanAsync(plans[1].Entity.Id, planner));
        using (var scope = factory.Services.CreateScope())
            Assert.Equal([plans[1].Entity.Id], await Get<TrainingCollector>(scope).UndoablePlansAsync(plans.Select(p => p.Entity.Id), planner));

        var undo = await CollectorAsync(c => c.UndoChoiceAsync(plans[1].Entity.Id, planner));

        Assert.True(undo.Succeeded, undo.Message);
        Assert.False(await InDbAsync(db => db.TrainingExamples.AnyAsync(e => e.Id == choice.Value)));
        Assert.False(await InDbAsync(db => db.PreferencePairs.AnyAsync(p => p.ExampleId == choice.Value || p.ChosenPlanId == plans[1].Entity.Id)));
        Assert.Null(await InDbAsync(db => db.Plans.Where(p => p.Id == plans[1].Entity.Id).Select(p => p.ChosenAt).SingleAsync()));
        Assert.True(await InDbAsync(db => db.AuditEntries.AnyAsync(a => a.Action == AuditActions.PlanChoiceUndo && a.EntityId == plans[1].Entity.Id.ToString())));
        // The run is free again: another plan can be chosen.
        Assert.True((await CollectorAsync(c => c.ChoosePlanAsync(plans[2].Entity.Id, planner))).Succeeded);
    }

    [SkippableTheory]
    [InlineData("validate")]
    [InlineData("reject")]
    [InlineData("edit")]
    public async Task Undo_is_refused_once_a_reviewer_has_acted(string action)
    {
        var planner = await PlannerAsync();
        var reviewer = await UserAsync("reviewer@demo.local");
        var (_, plans) = await PlannedAsync(planner);
        var exampleId = (await CollectorAsync(c => c.ChoosePlanAsync(plans[0].Entity.Id, planner))).Value!.Value;
        using (var scope = factory.Services.CreateScope())
        {
            var reviews = Get<ReviewService>(scope);
            var detail = (await reviews.GetAsync(exampleId))!;
            var result = action switch
            {
                "validate" => await reviews.ValidateAsync(exampleId, detail.Example.Version, reviewer),
                "reject" => await reviews.RejectAsync(exampleId, detail.Example.Version, "Too little search.", reviewer),
                _ => await reviews.EditPlanAsync(exampleId, detail.Example.Version, PlanJson.Serialize(detail.Plan! with { Rationale = "Reviewed." }), reviewer),
            };
            Assert.True(result.Succeeded, result.Message);
        }

        var undo = await CollectorAsync(c => c.UndoChoiceAsync(plans[0].Entity.Id, planner));

        Assert.False(undo.Succeeded);
        Assert.Contains("can no longer be undone", undo.Message, StringComparison.Ordinal);
        Assert.True(await InDbAsync(db => db.TrainingExamples.AnyAsync(e => e.Id == exampleId)));
        Assert.NotNull(await InDbAsync(db => db.Plans.Where(p => p.Id == plans[0].Entity.Id).Select(p => p.ChosenAt).SingleAsync()));
        using (var scope = factory.Services.CreateScope())
            Assert.Empty(await Get<TrainingCollector>(scope).UndoablePlansAsync(plans.Select(p => p.Entity.Id), planner));
    }

    [SkippableFact]
    public async Task The_reviewer_sees_the_generated_plan_beside_the_edited_one()
    {
        var planner = await PlannerAsync();
        var (_, plans) = await PlannedAsync(planner);
        var v2 = (await EditAsync(plans[0].Entity.Id, planner, lines => PlanEdit.WithShare(lines, 0, 0.55))).Saved!;
        var exampleId = (await CollectorAsync(c => c.ChoosePlanAsync(v2.Entity.Id, planner))).Value!.Value;

        using var scope = factory.Services.CreateScope();
        var reviews = Get<ReviewService>(scope);
        var detail = (await reviews.GetAsync(exampleId))!;
        Assert.NotNull(detail.Generated);
        Assert.Equal(plans[0].Plan.LineItems.Select(l => l.Spend), detail.Generated.Plan.LineItems.Select(l => l.Spend));
        Assert.Equal(plans[0].Entity.QualityScore, detail.Generated.QualityScore);
        var row = (await reviews.QueryAsync(new ExampleFilter(), 0, 200)).Items.Single(r => r.Id == exampleId);
        Assert.True(row.PlannerEdited);
    }
}

/// <summary>The same tests on PostgreSQL.</summary>
public sealed class PlanEditingOnPostgresTests : PlanEditingTests, IClassFixture<PostgresMediaPlannerFactory>
{
    public PlanEditingOnPostgresTests(PostgresMediaPlannerFactory factory) : base(factory) => TestServers.SkipUnlessPostgres();
}
