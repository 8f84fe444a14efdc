using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.FineTuning.Evaluation;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers;
using MediaPlanner.Tests.Fakes;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaPlanner.Tests.FineTuning;

/// <summary>
/// Azure OpenAI serves a fine-tuned model only through a deployment: the real app, runner and database against the fake
/// server, which answers chat completions under /openai/v1 only for the deployments a test made there.
/// </summary>
public sealed class AzureDeploymentTests : IAsyncLifetime
{
    private const string Azure = "azure-east";
    private const string BaseModel = "gpt-4o-mini-2024-07-18";
    private const string BaseDeployment = "mini-base";
    private const string FineTuned = "gpt-4o-mini-2024-07-18.ft-abc123-spring";
    private const string FineTunedDeployment = "mini-spring";

    private readonly FakeOpenAIServer _openAI = new();
    private MediaPlannerFactory _app = default!;
    private CurrentUser _admin = default!;
    private CurrentUser _planner = default!;

    public async Task InitializeAsync()
    {
        await _openAI.InitializeAsync();
        // An Azure-only installation: OpenAI itself has no key.
        _app = new MediaPlannerFactory();
        _app.Settings["OpenAI:PollWhileQueued"] = "00:00:00.050";
        _app.Settings["OpenAI:PollWhileRunning"] = "00:00:00.050";
        _app.Settings["FineTuning:Runner:IdlePoll"] = "00:00:00.100";
        _admin = await _app.DemoUserAsync("admin@demo.local");
        _planner = await _app.DemoUserAsync("planner@demo.local");
        var saved = await _app.Services.GetRequiredService<ProviderProfileService>().SaveAsync(new ProviderProfileInput(
            Azure, "Azure East", ProviderKind.AzureOpenAI, new Uri(_openAI.Root, "/openai/v1").ToString(), _openAI.ApiKey, false,
            [new(BaseModel, BaseDeployment)], AzureTrainingType.Standard), _admin);
        Assert.True(saved.Succeeded, string.Join("; ", saved.Errors.Select(e => $"{e.Key}: {e.Value}")));
        _openAI.DeployOnAzure(BaseDeployment, BaseModel);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _openAI.DisposeAsync();
    }

    [Fact]
    public async Task A_trained_azure_job_waits_for_its_deployment_then_is_evaluated_through_it_even_after_azure_first_did_not_know_it()
    {
        await ValidatedExamples.SeedAsync(_app.Services, 20);
        var id = await CreateJobAsync();

        // Trained: the job waits, unevaluated and without a single plan request, and looks again only in an hour.
        var waiting = (await WaitForAsync(id, j => j.ErrorCode == AzureDeployment.AwaitingCode && j.LeaseOwner is null)).Job;
        Assert.Equal((FineTuneStatus.Running, FineTuned, null), (waiting.Status, waiting.FineTunedModel, waiting.Verdict));
        Assert.Equal(AzureDeployment.DeployFirst(FineTuned), waiting.ErrorMessage);
        Assert.Contains("deploy gpt-4o-mini-2024-07-18.ft-abc123-spring in your Azure resource", waiting.ErrorMessage, StringComparison.Ordinal);
        Assert.True(waiting.NextAttemptAt > DateTimeOffset.UtcNow.AddMinutes(50), $"next attempt at {waiting.NextAttemptAt:O}");
        Assert.Empty(_openAI.ChatRequests);

        // Entered before Azure has finished creating it: the base model is planned, the fine-tuned deployment answers 404.
        Assert.True((await SetDeploymentAsync(id, FineTunedDeployment, _admin)).Succeeded);
        var notFound = await WaitForAsync(id, j => j.ErrorCode == AzureDeployment.AwaitingCode && j.LeaseOwner is null && j.EvaluationJson is not null);
        Assert.Contains($"Azure East has no deployment {FineTunedDeployment} (404 DeploymentNotFound) for {FineTuned}", notFound.Job.ErrorMessage, StringComparison.Ordinal);
        Assert.Single(notFound.Events, e => e.ExternalId == $"openai-deployment-not-found-{FineTunedDeployment}");
        Assert.True(notFound.Job.NextAttemptAt > DateTimeOffset.UtcNow.AddMinutes(5), $"next attempt at {notFound.Job.NextAttemptAt:O}");
        var heldOut = JobEvaluation.FromJson(notFound.Job.EvaluationJson)!.HeldOutBriefs;
        Assert.Equal(heldOut, _openAI.ChatRequests.Count(c => c.Model == BaseDeployment));

        // Deployed now; entering the same name again evaluates at once, keeping the base model's figures.
        _openAI.DeployOnAzure(FineTunedDeployment, FineTuned);
        var (succeeded, message) = await SetDeploymentAsync(id, FineTunedDeployment, _admin);
        Assert.True(succeeded, message);
        Assert.Equal($"Evaluating {FineTuned} through the deployment {FineTunedDeployment}: the job carries on in a moment.", message);
        var detail = await WaitForAsync(id, j => j.IsFinished && j.LeaseOwner is null);

        var job = detail.Job;
        Assert.Equal((FineTuneStatus.Succeeded, null, null), (job.Status, job.ErrorCode, job.ErrorMessage));
        Assert.NotNull(job.Recommended);
        Assert.StartsWith($"{FineTuned} ", job.Verdict, StringComparison.Ordinal);
        var evaluation = JobEvaluation.FromJson(job.EvaluationJson)!;
        Assert.Equal(heldOut, evaluation.Base.Planned);
        Assert.Equal(FineTuned, Assert.Single(evaluation.Checkpoints).Model);
        Assert.Equal(heldOut, evaluation.Checkpoints[0].Figures.Planned);
        // Every call went through a deployment, never a raw model name; the base model was planned once per brief.
        var chats = _openAI.ChatRequests;
        Assert.Equal(heldOut, chats.Count(c => c.Model == BaseDeployment));
        Assert.Equal(heldOut + 1, chats.Count(c => c.Model == FineTunedDeployment));
        Assert.Equal(chats.Count, chats.Count(c => c.Model is BaseDeployment or FineTunedDeployment));
        OpenAIFineTuneBackendTests.AssertAzureShaped(_openAI.Requests);
        Assert.NotEmpty(detail.Checkpoints);
        Assert.Contains(detail.Events, e => e.ExternalId == "openai-eval-azure-checkpoints"
                                            && e.Message.EndsWith("only the base model and the fine-tuned model are compared.", StringComparison.Ordinal));
        Assert.Contains(detail.Events, e => e.ExternalId == "openai-eval-model" && e.Message.StartsWith(
            $"Fine-tuned model {FineTuned} (deployment {FineTunedDeployment}) on the held-out briefs", StringComparison.Ordinal));

        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
        var audit = await db.AuditEntries.Where(a => a.Action == AuditActions.FineTuneDeployment).OrderBy(a => a.Id).ToListAsync();
        Assert.Equal(2, audit.Count);
        Assert.All(audit, a => Assert.Equal((_admin.Id, FineTunedDeployment), (a.UserId, a.After)));
        Assert.Equal($"Entered the Azure deployment {FineTunedDeployment} for {FineTuned} of Azure East fine-tuning job #{id}, to evaluate it", audit[0].Summary);
    }

    [Fact]
    public async Task Only_an_admin_sets_the_deployment_and_only_a_name_azure_takes_for_a_trained_azure_job()
    {
        var waiting = await SeedJobAsync(FineTuneStatus.Running, Azure, j => j.AwaitDeployment(AzureDeployment.DeployFirst(FineTuned)));
        var training = await SeedJobAsync(FineTuneStatus.Running, Azure, j => j.FineTunedModel = null);
        var openai = await SeedJobAsync(FineTuneStatus.Running, FineTuneProviders.OpenAI);

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => SetDeploymentAsync(waiting, FineTunedDeployment, _planner));
        Assert.Equal((false, "Enter the name the model is deployed under in Azure."), await SetDeploymentAsync(waiting, "  ", _admin));
        Assert.Equal((false, "A deployment name has 2–64 letters, digits, dashes, underscores or dots, and starts with a letter or digit."),
            await SetDeploymentAsync(waiting, "mini spring!", _admin));
        Assert.False((await SetDeploymentAsync(waiting, new string('a', 65), _admin)).Succeeded);
        Assert.StartsWith("The model is not trained yet", (await SetDeploymentAsync(training, FineTunedDeployment, _admin)).Message, StringComparison.Ordinal);
        Assert.Equal((false, "OpenAI serves fine-tuned models by their own name: only Azure OpenAI jobs need a deployment."),
            await SetDeploymentAsync(openai, FineTunedDeployment, _admin));

        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
        Assert.All(await db.FineTuneJobs.ToListAsync(), j => Assert.Null(j.FineTunedDeployment));
        Assert.Empty(await db.AuditEntries.Where(a => a.Action == AuditActions.FineTuneDeployment).ToListAsync());
    }

    [Fact]
    public async Task Deploying_the_model_uses_its_jobs_deployment_and_planners_then_reach_it_through_that_name()
    {
        var id = await SeedJobAsync(FineTuneStatus.Succeeded, Azure, j =>
        {
            j.FineTunedDeployment = FineTunedDeployment;
            j.Recommended();
        });
        _openAI.DeployOnAzure(FineTunedDeployment, FineTuned);
        var registry = _app.Services.GetRequiredService<ModelRegistry>();

        var listed = (await registry.ListAsync()).Single(m => m.Model == FineTuned);
        Assert.Equal((FineTunedDeployment, FineTunedDeployment), (listed.Deployment, listed.Target.RequestModel));
        Assert.Equal((false, "A deployment name has 2–64 letters, digits, dashes, underscores or dots, and starts with a letter or digit."),
            (await registry.DeployAsync(FineTuned, _admin, deploymentName: "no spaces")).Outcome());
        Assert.True((await registry.DeployAsync(FineTuned, _admin)).Succeeded);
        Assert.Equal(FineTunedDeployment, (await registry.ActiveAsync())!.DeploymentName);

        using var scope = _app.Services.CreateScope();
        var run = await scope.ServiceProvider.GetRequiredService<PlanGenerator>().GenerateSideBySideAsync(await BriefAsync(), _planner);
        var results = await Task.WhenAll(run.Primary, run.Comparison!);

        Assert.All(results, r => Assert.True(r.Succeeded, r.Error));
        var models = _openAI.ChatRequests.Select(c => c.Model).Distinct().Order().ToList();
        Assert.Equal([BaseDeployment, FineTunedDeployment], models);
        // The call is recorded, and priced, under the model's name; only the request carries the deployment.
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
        Assert.Contains(await db.ModelCalls.Select(c => c.Model).ToListAsync(), m => m == FineTuned);
        Assert.DoesNotContain(await db.ModelCalls.Select(c => c.Model).ToListAsync(), m => m == FineTunedDeployment);

        // Correcting the name on the succeeded job is what the next deployment uses.
        Assert.Equal((true, $"{FineTuned} is served under the deployment mini-spring-2: deploying it from the model registry uses that name."),
            await SetDeploymentAsync(id, "mini-spring-2", _admin));
        Assert.Equal("mini-spring-2", (await registry.ListAsync()).Single(m => m.Model == FineTuned).Deployment);
    }

    private async Task<int> CreateJobAsync()
    {
        using var scope = _app.Services.CreateScope();
        var result = await scope.ServiceProvider.GetRequiredService<FineTuneService>()
            .CreateAsync(new NewJobRequest(Azure, Suffix: "spring", Seed: 1, ValidationPercent: 20), _admin);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => $"{e.Key}: {e.Value}")));
        return result.Value;
    }

    private async Task<int> SeedJobAsync(FineTuneStatus status, string provider, Action<FineTuneJob>? change = null)
    {
        var job = new FineTuneJob
        {
            Provider = provider, BaseModel = BaseModel, Status = status, FineTunedModel = provider == Azure ? FineTuned : $"ft:{BaseModel}:mediaplanner:x:abc123",
            CreatedById = _admin.Id, CreatedAt = DateTimeOffset.UtcNow, FinishedAt = status == FineTuneStatus.Succeeded ? DateTimeOffset.UtcNow : null,
            NextAttemptAt = DateTimeOffset.MaxValue,
        };
        change?.Invoke(job);
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
        db.FineTuneJobs.Add(job);
        await db.SaveChangesAsync();
        return job.Id;
    }

    private async Task<(bool Succeeded, string Message)> SetDeploymentAsync(int id, string name, CurrentUser user)
    {
        using var scope = _app.Services.CreateScope();
        return (await scope.ServiceProvider.GetRequiredService<FineTuneService>().SetFineTunedDeploymentAsync(id, name, user)).Outcome();
    }

    private Task<JobDetail> WaitForAsync(int jobId, Func<FineTuneJob, bool> condition) => _app.Services.WaitForJobAsync(jobId, condition);

    private async Task<int> BriefAsync()
    {
        using var scope = _app.Services.CreateScope();
        return (await scope.ServiceProvider.GetRequiredService<BriefService>().CreateAsync(TestBriefs.Input("Fake Co", channels: [Channel.Search, Channel.Social, Channel.Display]), _planner)).Value;
    }
}
