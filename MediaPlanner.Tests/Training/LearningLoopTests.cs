using System.Text;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Demo;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.FineTuning.Evaluation;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace MediaPlanner.Tests.Training;

/// <summary>
/// The product's promise end to end over the real app and SQLite: an agency's validated plans are imported, a local job
/// trains and evaluates on held-out briefs, the model is deployed, and a planner's new brief is planned in the house style.
/// </summary>
public class LearningLoopTests : IAsyncLifetime
{
    private readonly MediaPlannerFactory _app;

    public LearningLoopTests() : this(TestEngine.Sqlite) { }

    protected LearningLoopTests(TestEngine engine) => _app = new() { Engine = engine };
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

    private async Task ImportAsync(IEnumerable<HouseStyleExample> examples)
    {
        using var scope = _app.Services.CreateScope();
        var jsonl = string.Join('\n', examples.Select(e => e.Line)) + "\n";
        var report = await scope.ServiceProvider.GetRequiredService<TrainingDataService>()
            .ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(jsonl)), markValidated: true, _admin);
        Assert.Equal(0, report.RejectedCount);
    }

    private async Task<FineTuneJob> TrainAsync()
    {
        int id;
        using (var scope = _app.Services.CreateScope())
        {
            var result = await scope.ServiceProvider.GetRequiredService<FineTuneService>().CreateAsync(
                new NewJobRequest(FineTuneProviders.Local, Suffix: "house", Seed: 5, Epochs: 4, ValidationPercent: 20), _admin);
            Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => $"{e.Key}: {e.Value}")));
            id = result.Value;
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (true)
        {
            using var scope = _app.Services.CreateScope();
            var detail = await scope.ServiceProvider.GetRequiredService<FineTuneService>().GetAsync(id);
            if (detail is { Job.IsFinished: true, Job.LeaseOwner: null })
                return detail.Job;
            await Task.Delay(50, timeout.Token);
        }
    }

    [SkippableFact]
    public async Task Validated_house_style_plans_train_a_model_that_plans_unseen_briefs_in_that_style()
    {
        var agency = HouseStyleAgency.Distinct();
        await ImportAsync(agency.Examples(0, 80));

        var job = await TrainAsync();

        Assert.Equal(FineTuneStatus.Succeeded, job.Status);
        Assert.Equal(16, job.ValidationExamples);
        var evaluation = JobEvaluation.FromJson(job.EvaluationJson)!;
        Assert.Equal(16, evaluation.HeldOutBriefs);
        Assert.True(job.Recommended, job.Verdict);
        Assert.True(evaluation.Best!.MeanDistance < evaluation.Base.MeanDistance * 0.6, job.Verdict);

        using var scope = _app.Services.CreateScope();
        var registry = scope.ServiceProvider.GetRequiredService<ModelRegistry>();
        var listed = (await registry.ListAsync()).Single(m => m.Model == job.FineTunedModel);
        Assert.Equal(evaluation.Best, listed.Evaluation!.Candidate);
        var deployed = await registry.DeployAsync(job.FineTunedModel!, _admin);
        Assert.True(deployed.Succeeded, deployed.Message);

        // A planner's new brief, never seen in training or evaluation, planned by base and fine-tuned side by side.
        var unseen = agency.Example(2_000_000);
        var brief = unseen.Brief;
        var saved = await scope.ServiceProvider.GetRequiredService<BriefService>().CreateAsync(TestBriefs.From(brief), _planner);
        Assert.True(saved.Succeeded, string.Join("; ", saved.Errors.Select(e => $"{e.Key}: {e.Value}")));
        var run = await scope.ServiceProvider.GetRequiredService<PlanGenerator>().GenerateSideBySideAsync(saved.Value, _planner);
        var columns = new[] { await run.Primary, await run.Comparison! };
        var baseColumn = columns.Single(c => c.Role == ModelRole.Base);
        var fineTuned = columns.Single(c => c.Role == ModelRole.FineTuned);

        double Distance(ColumnResult column) =>
            HeldOutEvaluator.Distance(HeldOutEvaluator.Shares(HeldOutEvaluator.Balanced([.. column.Plans.Select(p => p.Plan)])), unseen.Target);
        Assert.Equal(job.FineTunedModel, fineTuned.Model);
        Assert.True(Distance(fineTuned) < Distance(baseColumn) * 0.6,
            $"distance to the house style: base {Distance(baseColumn):0.000}, fine-tuned {Distance(fineTuned):0.000}");
        Assert.All(fineTuned.Plans, p => Assert.Equal(brief.Budget, p.Plan.LineItems.Sum(i => i.Spend)));
    }
}

/// <summary>The same tests on PostgreSQL.</summary>
public sealed class LearningLoopOnPostgresTests : LearningLoopTests
{
    public LearningLoopOnPostgresTests() : base(TestEngine.Postgres) => TestServers.SkipUnlessPostgres();
}
