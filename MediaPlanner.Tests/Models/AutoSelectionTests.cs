using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.FineTuning.Evaluation;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaPlanner.Tests.Models;

/// <summary>The auto strategy over real SQLite: held-out evaluation from the job, recorded calls and planners' choices, through ModelSelector.</summary>
public sealed class AutoSelectionTests : IAsyncLifetime
{
    private const string BaseModel = "local-mix-v1";
    private readonly MediaPlannerFactory _app = new();
    private CurrentUser _admin = default!;
    private CurrentUser _planner = default!;
    private int _briefId;

    public async Task InitializeAsync()
    {
        using var scope = _app.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        _admin = new CurrentUser((await users.FindByEmailAsync("admin@demo.local"))!.Id, true);
        _planner = new CurrentUser((await users.FindByEmailAsync("planner@demo.local"))!.Id, false);
        _briefId = (await scope.ServiceProvider.GetRequiredService<BriefService>().CreateAsync(TestBriefs.Input("Auto Co", campaign: "Spring", budget: 120_000m, objective: Objective.Consideration,
            start: new DateTime(2027, 4, 1), end: new DateTime(2027, 5, 15),
            text: "Bring young professionals to the new range in store and online over the spring."), _planner)).Value;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task<PlannerDbContext> DbAsync() => _app.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();

    private static HeldOutFigures Figures(double distance, double quality) => new(12, 12, distance, distance + 0.04, 1 - distance / 2, quality, 1);

    /// <summary>
    /// A succeeded local job whose evaluation (stored as the evaluator stores it) puts the model at <paramref name="distance"/>
    /// against the base model's 0.76, deployed as the live model (directly, as the deploy panel's confirmation is not the point).
    /// </summary>
    private async Task<string> DeployAsync(string suffix, double distance, bool overridden = false)
    {
        var model = $"local-mix:ft-{suffix}";
        var parameters = MediaMixParameters.Default with { Name = $"local-mix-ft-{suffix}" };
        var candidate = Figures(distance, 91);
        var baseFigures = Figures(0.76, 91);
        var recommended = JobEvaluation.Beats(candidate, baseFigures);
        var evaluation = new JobEvaluation(12, "80/20 by brief", baseFigures, [new CheckpointEvaluation(model, 3, 12, candidate)], model, candidate,
            recommended, JobEvaluation.VerdictFor(model, candidate, baseFigures));
        await using var db = await DbAsync();
        var job = new FineTuneJob
        {
            Provider = FineTuneProviders.Local, BaseModel = BaseModel, Status = FineTuneStatus.Succeeded, CreatedById = _admin.Id,
            CreatedAt = DateTimeOffset.UtcNow, FinishedAt = DateTimeOffset.UtcNow, NextAttemptAt = DateTimeOffset.MaxValue,
            FineTunedModel = model, ResultParametersJson = parameters.ToJson(),
            EvaluationJson = evaluation.ToJson(), Recommended = recommended, Verdict = evaluation.Verdict,
        };
        db.FineTuneJobs.Add(job);
        await db.SaveChangesAsync();
        foreach (var live in db.Deployments.Where(d => d.EndedAt == null))
            live.EndedAt = DateTimeOffset.UtcNow;
        db.Deployments.Add(new ModelDeployment
        {
            Provider = FineTuneProviders.Local, Model = model, BaseModel = BaseModel, JobId = job.Id, ParametersJson = job.ResultParametersJson,
            DeployedAt = DateTimeOffset.UtcNow, DeployedById = _admin.Id, Override = overridden, OverrideReason = overridden ? "Try it with the team" : null,
        });
        await db.SaveChangesAsync();
        return model;
    }

    /// <summary>
    /// <paramref name="runs"/> side-by-side runs in the last hours, oldest first: both models called in each, the
    /// failure codes from <paramref name="failures"/>; in the first <paramref name="fineTunedChosen"/> runs the planner
    /// chose the fine-tuned plan, in the next <paramref name="baseChosen"/> the base plan.
    /// </summary>
    private async Task RecordAsync(string model, int runs, Func<int, (string? Base, string? FineTuned)>? failures = null,
        int fineTunedChosen = 0, int baseChosen = 0, double baseQuality = 90, double fineTunedQuality = 91)
    {
        var start = DateTimeOffset.UtcNow.AddMinutes(-10 * runs - 60);
        await using var db = await DbAsync();
        for (var i = 0; i < runs; i++)
        {
            var run = Guid.NewGuid();
            var at = start.AddMinutes(10 * i);
            var (baseFailure, ftFailure) = failures?.Invoke(i) ?? (null, null);
            db.ModelCalls.Add(Call(BaseModel, ModelRole.Base, run, at, baseFailure, baseQuality));
            db.ModelCalls.Add(Call(model, ModelRole.FineTuned, run, at, ftFailure, fineTunedQuality));
            if (i >= fineTunedChosen + baseChosen)
                continue;
            db.Plans.Add(Plan(BaseModel, ModelRole.Base, run, at, chosen: i >= fineTunedChosen));
            db.Plans.Add(Plan(model, ModelRole.FineTuned, run, at, chosen: i < fineTunedChosen));
        }
        await db.SaveChangesAsync();
    }

    private ModelCall Call(string model, ModelRole role, Guid run, DateTimeOffset at, string? failure, double quality) => new()
    {
        CreatedAt = at, UserId = _planner.Id, BriefId = _briefId, RunId = run, Provider = FineTuneProviders.Local, Model = model, Role = role,
        Strategy = SelectionStrategy.Auto, Reason = "recorded", Succeeded = failure is null, FailureCode = failure,
        QualityScore = failure is null ? quality : null, LatencyMs = failure is null ? 40 : 30_000,
    };

    private GeneratedPlan Plan(string model, ModelRole role, Guid run, DateTimeOffset at, bool chosen) => new()
    {
        BriefId = _briefId, RunId = run, Ordinal = role == ModelRole.Base ? 0 : 100, Provider = FineTuneProviders.Local, Model = model, Role = role,
        StrategyName = "Balanced", PlanJson = "{}", QualityJson = "{}", QualityScore = 90, CreatedAt = at, CreatedById = _planner.Id,
        ChosenAt = chosen ? at.AddMinutes(2) : null,
    };

    private async Task<Selection> SelectAsync()
    {
        using var scope = _app.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<ModelSelector>().SelectAsync();
    }

    [Fact]
    public async Task A_recommended_model_with_a_good_record_plans_first_and_each_call_stores_the_figures_that_decided()
    {
        var model = await DeployAsync("good", distance: 0.21);
        await RecordAsync(model, 20, fineTunedChosen: 14, baseChosen: 6);

        var selection = await SelectAsync();
        using var scope = _app.Services.CreateScope();
        var run = await scope.ServiceProvider.GetRequiredService<PlanGenerator>().GenerateSideBySideAsync(_briefId, _planner);
        var primary = await run.Primary;
        await run.Comparison!;

        Assert.Equal((ModelRole.FineTuned, model), (selection.PrimaryRole, selection.Primary.Model));
        Assert.StartsWith("Auto: fine-tuned — held-out distance 0.21 vs base 0.76 (72 % closer, 12 briefs)", selection.Reason);
        Assert.Contains("planners chose it in 14 of 20 runs, quality 91.0 vs 90.0, success 100 % vs 100 % (20 vs 20 calls)", selection.Reason);
        Assert.Equal((ModelRole.FineTuned, selection.Reason), (primary.Role, primary.Reason));
        await using var db = await DbAsync();
        var stored = await db.ModelCalls.SingleAsync(c => c.RunId == run.RunId && c.Role == ModelRole.FineTuned);
        Assert.Equal(selection.Reason, stored.Reason);
    }

    [Fact]
    public async Task Rate_limits_that_hit_both_models_leave_the_fine_tuned_model_in_place_but_its_own_failures_move_auto_to_the_base_model()
    {
        var model = await DeployAsync("outage", distance: 0.30);
        await RecordAsync(model, 40, i => i < 6 ? ("rate_limited", "rate_limited") : (null, null), fineTunedChosen: 11, baseChosen: 9);

        var throughOutage = await SelectAsync();
        await RecordAsync(model, 6, _ => (null, "timeout"));
        var ownFailures = await SelectAsync();

        Assert.Equal(ModelRole.FineTuned, throughOutage.PrimaryRole);
        Assert.Contains("success 100 % vs 100 % (34 vs 34 calls)", throughOutage.Reason);
        Assert.Contains("(12 rate_limited failures hit both models and are not counted)", throughOutage.Reason);
        Assert.Equal(ModelRole.Base, ownFailures.PrimaryRole);
        Assert.StartsWith("Auto: base — fine-tuned success 85 % of 40 calls is below the 90 % floor (base 100 % of 40)", ownFailures.Reason);
        Assert.Equal(ModelRole.FineTuned, ownFailures.ComparisonRole);
    }

    [Fact]
    public async Task A_model_deployed_against_its_evaluation_stays_behind_the_base_model_until_planners_clearly_prefer_it()
    {
        var model = await DeployAsync("override", distance: 0.78, overridden: true);
        await RecordAsync(model, 20, fineTunedChosen: 12, baseChosen: 8);

        var undecided = await SelectAsync();
        await RecordAsync(model, 20, fineTunedChosen: 14, baseChosen: 0);
        var preferred = await SelectAsync();

        Assert.Equal(ModelRole.Base, undecided.PrimaryRole);
        Assert.StartsWith("Auto: base — fine-tuned not recommended on held-out briefs (distance 0.78 vs base 0.76, quality 91.0 vs 91.0), deployed by override", undecided.Reason);
        Assert.Contains("planners chose it in 12 of 20 runs", undecided.Reason);
        Assert.Equal(ModelRole.FineTuned, preferred.PrimaryRole);
        Assert.StartsWith("Auto: fine-tuned — planners chose it significantly more often (26 of 34 runs)", preferred.Reason);
    }

    [Fact]
    public async Task Choices_made_for_an_earlier_deployment_do_not_count_for_the_new_one()
    {
        var earlier = await DeployAsync("earlier", distance: 0.78);
        await RecordAsync(earlier, 20, fineTunedChosen: 20);
        var model = await DeployAsync("later", distance: 0.78);
        await RecordAsync(model, 20);

        var selection = await SelectAsync();

        Assert.Equal((ModelRole.Base, model), (selection.PrimaryRole, selection.FineTuned!.Model));
        Assert.Contains("no planner choices yet", selection.Reason);
    }
}
