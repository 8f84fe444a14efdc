using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.FineTuning.Evaluation;
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

namespace MediaPlanner.Tests.Models;

/// <summary>Registry, deployment, strategies, side-by-side generation, call tracking and insights over the real app.</summary>
public class ModelDeploymentTests : IAsyncLifetime
{
    private readonly MediaPlannerFactory _app;

    public ModelDeploymentTests() : this(TestEngine.Sqlite) { }

    protected ModelDeploymentTests(TestEngine engine) => _app = new() { Engine = engine, Settings = { ["OpenAI:BaseModel"] = "gpt-4o-mini-2024-07-18" } };
    private CurrentUser _admin = default!;
    private CurrentUser _planner = default!;

    public async Task InitializeAsync()
    {
        using var scope = _app.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        _admin = new CurrentUser((await users.FindByEmailAsync("admin@demo.local"))!.Id, true);
        _planner = new CurrentUser((await users.FindByEmailAsync("planner@demo.local"))!.Id, false);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private T Get<T>(IServiceScope scope) where T : notnull => scope.ServiceProvider.GetRequiredService<T>();

    /// <summary>
    /// A succeeded local job whose parameters prefer Social strongly, as a trained model would; recommended by its held-out
    /// evaluation unless <paramref name="evaluate"/> stores another (or none).
    /// </summary>
    private async Task<string> FineTunedLocalModelAsync(string suffix, double socialPreference = 4.0, Func<FineTuneJob, FineTuneJob>? evaluate = null)
    {
        var parameters = MediaMixParameters.Default with
        {
            Name = $"local-mix-ft-{suffix}",
            Channels = MediaMixParameters.Default.Channels.ToDictionary(c => c.Key, c => c.Key == Channel.Social
                ? c.Value with { Preference = Enum.GetValues<Objective>().ToDictionary(o => o, _ => socialPreference) }
                : c.Value),
        };
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
        var job = new FineTuneJob
        {
            Provider = FineTuneProviders.Local, BaseModel = "local-mix-v1", Status = FineTuneStatus.Succeeded, CreatedById = _admin.Id,
            CreatedAt = DateTimeOffset.UtcNow, FinishedAt = DateTimeOffset.UtcNow, NextAttemptAt = DateTimeOffset.MaxValue,
            FineTunedModel = $"local-mix:ft-{suffix}", ResultParametersJson = parameters.ToJson(),
        };
        job = (evaluate ?? (j => j.Recommended()))(job);
        db.FineTuneJobs.Add(job);
        await db.SaveChangesAsync();
        return job.FineTunedModel!;
    }

    private async Task<int> BriefAsync()
    {
        using var scope = _app.Services.CreateScope();
        return (await Get<BriefService>(scope).CreateAsync(TestBriefs.Input("Side by Side Co", budget: 150_000m, objective: Objective.Consideration, end: new DateTime(2027, 6, 15),
            text: "Make the new range known to young professionals and drive them to try it in store and online."), _planner)).Value;
    }

    [SkippableFact]
    public async Task The_registry_lists_base_models_fine_tuned_models_and_their_checkpoints()
    {
        var model = await FineTunedLocalModelAsync("reg");
        await using (var db = await _app.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync())
        {
            var job = await db.FineTuneJobs.SingleAsync(j => j.FineTunedModel == model);
            db.FineTuneCheckpoints.Add(new FineTuneCheckpoint { JobId = job.Id, ExternalId = "epoch-1", ModelName = $"{model}:ckpt-step-3", Step = 3, ParametersJson = job.ResultParametersJson, CreatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }

        var models = await _app.Services.GetRequiredService<ModelRegistry>().ListAsync();

        Assert.Contains(models, m => m is { Kind: ModelKind.Base, Provider: "local", Model: "local-mix-v1", Available: true });
        Assert.Contains(models, m => m is { Kind: ModelKind.Base, Provider: "openai", Available: false });
        Assert.Contains(models, m => m.Kind == ModelKind.FineTuned && m.Model == model && m.JobId is not null && m.ParametersJson is not null);
        Assert.Contains(models, m => m.Kind == ModelKind.Checkpoint && m.Model == $"{model}:ckpt-step-3");
    }

    [SkippableFact]
    public async Task Without_a_deployment_only_the_base_model_plans()
    {
        var briefId = await BriefAsync();
        using var scope = _app.Services.CreateScope();

        var run = await Get<PlanGenerator>(scope).GenerateSideBySideAsync(briefId, _planner);
        var primary = await run.Primary;

        Assert.Null(run.Comparison);
        Assert.Equal(ModelRole.Base, primary.Role);
        Assert.Equal("local-mix-v1", primary.Model);
        Assert.Contains("No fine-tuned model is deployed", primary.Reason);
    }

    [SkippableFact]
    public async Task A_deployed_model_plans_side_by_side_with_its_base_and_every_call_is_recorded_with_its_reason()
    {
        var model = await FineTunedLocalModelAsync("sbs");
        var registry = _app.Services.GetRequiredService<ModelRegistry>();
        Assert.True((await registry.DeployAsync(model, _admin)).Succeeded);
        var briefId = await BriefAsync();
        using var scope = _app.Services.CreateScope();

        var run = await Get<PlanGenerator>(scope).GenerateSideBySideAsync(briefId, _planner);
        var primary = await run.Primary;
        var comparison = await run.Comparison!;

        // The job's held-out evaluation recommends it and there are too few calls to compare yet: the held-out verdict decides,
        // so auto calls the fine-tuned model first and measures the base model alongside.
        Assert.Equal(ModelRole.FineTuned, primary.Role);
        Assert.Contains("too few calls to compare", primary.Reason);
        Assert.Contains("held-out verdict decides and the fine-tuned model gets measured", primary.Reason);
        Assert.Equal(model, primary.Model);
        Assert.Equal(ModelRole.Base, comparison.Role);
        Assert.NotEmpty(primary.Plans);
        Assert.NotEmpty(comparison.Plans);
        // The fine-tuned parameters prefer Social: its plans put more there than the base model's.
        static double Social(ColumnResult c) => c.Plans.Average(p => p.Plan.LineItems.Where(i => i.Channel == Channel.Social).Sum(i => i.Share));
        Assert.True(Social(primary) > Social(comparison), $"{Social(primary):P1} vs {Social(comparison):P1}");
        await using var db = await Get<IDbContextFactory<PlannerDbContext>>(scope).CreateDbContextAsync();
        var calls = await db.ModelCalls.Where(c => c.RunId == run.RunId).ToListAsync();
        Assert.Equal(2, calls.Count);
        Assert.All(calls, c => Assert.True(c.Succeeded && c.LatencyMs > 0 && c.QualityScore > 0));
        Assert.Contains(calls, c => c.Role == ModelRole.Base && c.Reason.Contains("Comparison"));
        Assert.Contains(calls, c => c.Role == ModelRole.FineTuned && c.Reason == primary.Reason);
        var latest = await Get<PlanGenerator>(scope).LatestPlansAsync(briefId, _planner);
        Assert.Equal([ModelRole.Base, ModelRole.FineTuned], latest.Select(p => p.Entity.Role).Distinct().Order());
    }

    [SkippableFact]
    public async Task Base_only_strategy_calls_the_base_model_first_and_the_choice_counts_for_the_ab_statistics()
    {
        var model = await FineTunedLocalModelAsync("strategy");
        await _app.Services.GetRequiredService<ModelRegistry>().DeployAsync(model, _admin);
        using var scope = _app.Services.CreateScope();
        var settings = Get<SelectionSettingsService>(scope);
        await settings.SaveSelectionAsync(SelectionSettings.Default with { Strategy = SelectionStrategy.BaseOnly }, _admin);
        var briefId = await BriefAsync();

        var run = await Get<PlanGenerator>(scope).GenerateSideBySideAsync(briefId, _planner);
        var primary = await run.Primary;
        var comparison = await run.Comparison!;
        var chosen = comparison.Plans[0];
        Assert.True((await Get<TrainingCollector>(scope).ChoosePlanAsync(chosen.Entity.Id, _planner)).Succeeded);
        var insights = await Get<InsightsService>(scope).GetAsync(_admin);

        Assert.Equal((ModelRole.Base, "Strategy is base only."), (primary.Role, primary.Reason));
        Assert.Equal(ModelRole.FineTuned, comparison.Role);
        Assert.Equal(1, insights.AB.Comparisons);
        Assert.Equal(1, insights.AB.FineTunedWins);
        Assert.Contains(insights.Models, m => m.Model == model && m.Calls >= 1);
        Assert.Contains(insights.Models, m => m.Model == "local-mix-v1" && m.SuccessRate == 1);
    }

    [SkippableFact]
    public async Task Rolling_back_redeploys_the_previous_model_and_the_history_keeps_every_step()
    {
        var first = await FineTunedLocalModelAsync("first");
        var second = await FineTunedLocalModelAsync("second", socialPreference: 2.0);
        var registry = _app.Services.GetRequiredService<ModelRegistry>();

        await registry.DeployAsync(first, _admin);
        await registry.DeployAsync(second, _admin);
        var again = await registry.DeployAsync(second, _admin);
        var rollback = await registry.RollbackAsync(_admin);
        var active = await registry.ActiveAsync();
        var history = await registry.HistoryAsync();

        Assert.False(again.Succeeded);
        Assert.True(rollback.Succeeded);
        Assert.Equal(first, active!.Model);
        Assert.Equal(3, history.Count);
        Assert.Equal([first, second, first], history.Select(h => h.Deployment.Model).Reverse());
        Assert.Single(history, h => h.Deployment.EndedAt is null);
        Assert.All(history, h => Assert.Equal("admin@demo.local", h.By));
        Assert.False((await registry.DeployAsync("local-mix-v1", _admin)).Succeeded);
    }

    [SkippableFact]
    public async Task Rolling_back_again_walks_back_through_the_deployments_to_none_instead_of_alternating()
    {
        var first = await FineTunedLocalModelAsync("first");
        var second = await FineTunedLocalModelAsync("second", socialPreference: 2.0);
        var third = await FineTunedLocalModelAsync("third", socialPreference: 3.0);
        var registry = _app.Services.GetRequiredService<ModelRegistry>();
        await registry.DeployAsync(first, _admin);
        await registry.DeployAsync(second, _admin);
        await registry.DeployAsync(third, _admin);

        var active = new List<string?>();
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await registry.RollbackAsync(_admin)).Succeeded);
            active.Add((await registry.ActiveAsync())?.Model);
        }
        var fourth = await registry.RollbackAsync(_admin);

        Assert.Equal([second, first, null], active);
        Assert.False(fourth.Succeeded);
        Assert.Equal("Nothing is deployed, so there is nothing to roll back.", fourth.Message);

        // Deploying after a rollback to none starts a new chain: rolling that back returns to none, not to a model rolled back before.
        Assert.True((await registry.DeployAsync(second, _admin)).Succeeded);
        Assert.True((await registry.RollbackAsync(_admin)).Succeeded);
        Assert.Null(await registry.ActiveAsync());
    }

    private static JobEvaluation NotBetter(string model) => HeldOutTestData.Evaluation(model, 0.78, 76.0);

    private async Task<List<AuditEntry>> DeployEntriesAsync(string model)
    {
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
        return await db.AuditEntries.Where(a => a.Action == AuditActions.ModelDeploy && a.EntityId == model).ToListAsync();
    }

    [SkippableFact]
    public async Task The_registry_carries_each_models_held_out_comparison_with_the_base_model()
    {
        var model = await FineTunedLocalModelAsync("eval");
        var unevaluated = await FineTunedLocalModelAsync("plain", evaluate: j => j);
        await using (var db = await _app.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync())
        {
            var job = await db.FineTuneJobs.SingleAsync(j => j.FineTunedModel == model);
            db.FineTuneCheckpoints.AddRange(
                new FineTuneCheckpoint { JobId = job.Id, ExternalId = "epoch-1", ModelName = $"{model}:ckpt-step-4", Step = 4, CreatedAt = DateTimeOffset.UtcNow },
                // Not in the job's evaluation, but its own figures on the same held-out briefs are.
                new FineTuneCheckpoint
                {
                    JobId = job.Id, ExternalId = "epoch-9", ModelName = $"{model}:ckpt-step-36", Step = 36, CreatedAt = DateTimeOffset.UtcNow,
                    EvaluationJson = JobEvaluation.FiguresToJson(HeldOutTestData.Figures(0.9)),
                });
            await db.SaveChangesAsync();
        }

        var models = await _app.Services.GetRequiredService<ModelRegistry>().ListAsync();

        var final = models.Single(m => m.Model == model);
        Assert.True(final.Recommended);
        Assert.Equal(0.21, final.Evaluation!.Candidate.MeanDistance);
        Assert.Equal(0.76, final.Evaluation.Base.MeanDistance);
        Assert.Equal(HeldOutTestData.Briefs, final.Evaluation.Briefs);
        var firstEpoch = models.Single(m => m.Model == $"{model}:ckpt-step-4");
        Assert.Equal(0.31, firstEpoch.Evaluation!.Candidate.MeanDistance, 6);
        var lateEpoch = models.Single(m => m.Model == $"{model}:ckpt-step-36");
        Assert.False(lateEpoch.Recommended);
        Assert.Contains("did not improve on the base model", lateEpoch.Evaluation!.Verdict);
        Assert.Null(models.Single(m => m.Model == unevaluated).Evaluation);
        Assert.False(models.Single(m => m.Model == unevaluated).Recommended);
        Assert.All(models.Where(m => m.Kind == ModelKind.Base), m => Assert.Null(m.Evaluation));
    }

    [SkippableFact]
    public async Task A_recommended_model_deploys_without_a_reason_and_the_audit_entry_states_its_figures()
    {
        var model = await FineTunedLocalModelAsync("good");
        var registry = _app.Services.GetRequiredService<ModelRegistry>();

        var result = await registry.DeployAsync(model, _admin);

        Assert.True(result.Succeeded, result.Message);
        var active = await registry.ActiveAsync();
        Assert.Equal(model, active!.Model);
        Assert.False(active.Override);
        Assert.Null(active.OverrideReason);
        var entry = Assert.Single(await DeployEntriesAsync(model));
        Assert.Contains("held-out distance 0.21 vs base 0.76", entry.Summary);
        Assert.Equal(model, entry.After);
    }

    [SkippableFact]
    public async Task A_model_that_did_not_beat_the_base_model_is_refused_without_a_reason_and_nothing_is_deployed_or_audited()
    {
        var model = await FineTunedLocalModelAsync("worse", evaluate: j => j.Evaluated(NotBetter(j.FineTunedModel!)));
        var registry = _app.Services.GetRequiredService<ModelRegistry>();

        var withoutReason = await registry.DeployAsync(model, _admin);
        var blankReason = await registry.DeployAsync(model, _admin, "   ");
        var longReason = await registry.DeployAsync(model, _admin, new string('x', ModelRegistry.OverrideReasonMax + 1));

        Assert.False(withoutReason.Succeeded);
        Assert.Contains("did not improve on the base model: held-out distance to the validated plans 0.78 vs the base model's 0.76", withoutReason.Message);
        Assert.Contains("give a reason", withoutReason.Message);
        Assert.False(blankReason.Succeeded);
        Assert.False(longReason.Succeeded);
        Assert.Contains("500 characters", longReason.Message);
        Assert.Null(await registry.ActiveAsync());
        Assert.Empty(await registry.HistoryAsync());
        Assert.Empty(await DeployEntriesAsync(model));
    }

    [SkippableFact]
    public async Task With_a_reason_a_model_that_did_not_beat_the_base_model_deploys_as_an_audited_override()
    {
        var model = await FineTunedLocalModelAsync("override", evaluate: j => j.Evaluated(NotBetter(j.FineTunedModel!)));
        var registry = _app.Services.GetRequiredService<ModelRegistry>();
        const string Reason = "Planners asked for this mix while the Q3 briefs are collected; revisit in October.";

        var result = await registry.DeployAsync(model, _admin, $"  {Reason} ");

        Assert.True(result.Succeeded, result.Message);
        Assert.Contains("override", result.Message);
        var active = await registry.ActiveAsync();
        Assert.Equal(model, active!.Model);
        Assert.True(active.Override);
        Assert.Equal(Reason, active.OverrideReason);
        var entry = Assert.Single(await DeployEntriesAsync(model));
        Assert.Contains("against its held-out evaluation", entry.Summary);
        Assert.Contains("held-out distance 0.78 vs base 0.76, quality 76.0 vs 78.0, on 24 held-out briefs", entry.Summary);
        Assert.Contains(Reason, entry.Summary);
        Assert.Contains(Reason, entry.After);
        Assert.Contains("\"override\":true", entry.After);
        Assert.Equal("admin@demo.local", entry.UserEmail);
    }

    [SkippableFact]
    public async Task A_model_that_was_never_evaluated_needs_the_override_too()
    {
        var model = await FineTunedLocalModelAsync("unevaluated", evaluate: j => j);
        var registry = _app.Services.GetRequiredService<ModelRegistry>();

        var refused = await registry.DeployAsync(model, _admin);
        var deployed = await registry.DeployAsync(model, _admin, "OpenAI-era model kept for the spring comparison.");

        Assert.False(refused.Succeeded);
        Assert.Contains("was not compared with the base model", refused.Message);
        Assert.True(deployed.Succeeded, deployed.Message);
        Assert.True((await registry.ActiveAsync())!.Override);
        var entry = Assert.Single(await DeployEntriesAsync(model));
        Assert.Contains("without a held-out evaluation", entry.Summary);
        Assert.Contains("OpenAI-era model kept for the spring comparison.", entry.Summary);
    }

    [SkippableFact]
    public async Task Rolling_back_to_an_override_keeps_it_an_override_with_its_reason()
    {
        var overridden = await FineTunedLocalModelAsync("ovr-first", evaluate: j => j.Evaluated(NotBetter(j.FineTunedModel!)));
        var recommended = await FineTunedLocalModelAsync("ovr-second");
        var registry = _app.Services.GetRequiredService<ModelRegistry>();

        Assert.True((await registry.DeployAsync(overridden, _admin, "Needed for the pilot.")).Succeeded);
        Assert.True((await registry.DeployAsync(recommended, _admin)).Succeeded);
        Assert.False((await registry.ActiveAsync())!.Override);
        var rollback = await registry.RollbackAsync(_admin);

        Assert.True(rollback.Succeeded, rollback.Message);
        var active = await registry.ActiveAsync();
        Assert.Equal(overridden, active!.Model);
        Assert.True(active.Override);
        Assert.Equal("Needed for the pilot.", active.OverrideReason);
    }
}

/// <summary>The same tests on PostgreSQL.</summary>
public sealed class ModelDeploymentOnPostgresTests : ModelDeploymentTests
{
    public ModelDeploymentOnPostgresTests() : base(TestEngine.Postgres) => TestServers.SkipUnlessPostgres();
}
