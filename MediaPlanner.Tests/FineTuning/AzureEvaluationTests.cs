using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.FineTuning.Evaluation;
using MediaPlanner.Domain.Providers;
using MediaPlanner.Domain.Providers.OpenAI;
using MediaPlanner.Tests.Fakes;
using static MediaPlanner.Tests.FineTuning.OpenAIEvaluationTests;

namespace MediaPlanner.Tests.FineTuning;

/// <summary>
/// The held-out evaluation of an Azure OpenAI job, against the fake server answering only for deployments: it waits for
/// what is not deployed, and compares through the deployments what is.
/// </summary>
public sealed class AzureEvaluationTests(FakeOpenAIServer server) : HostedProviderTests(server, TimeSpan.FromSeconds(60))
{
    private const string BaseModel = "gpt-4o-mini-2024-07-18";
    private const string FineTuned = "gpt-4o-mini-2024-07-18.ft-abc123-media-plans";

    [Fact]
    public async Task A_base_model_the_profile_names_no_deployment_for_is_said_too_and_the_job_waits_an_hour_without_a_plan_request()
    {
        await Host.AddAsync("azure-east", "Azure East", ProviderKind.AzureOpenAI, [new("gpt-4o-2024-08-06", "big-base")]);
        var job = NewJob(j => j.Provider = "azure-east");
        var sink = new RecordingSink();
        var backend = Host.Backend();

        var next = await AdvanceUntilAsync(backend, job, sink, j => j.ErrorCode == AzureDeployment.AwaitingCode);

        Assert.Equal(OpenAIFineTuneBackend.AwaitDeploymentRecheck, next);
        Assert.Equal((FineTuneStatus.Running, FineTuned, null), (job.Status, job.FineTunedModel, job.Recommended));
        Assert.Equal($"{AzureDeployment.DeployFirst(FineTuned)} Azure East names no deployment for the base model {BaseModel}: add it to Azure East's base models in settings, so the base model can be compared too.",
            job.ErrorMessage);
        Assert.Equal(["openai-awaiting-deployment", "openai-awaiting-base-deployment"],
            sink.Events.Where(e => e.ExternalId.StartsWith("openai-awaiting", StringComparison.Ordinal)).Select(e => e.ExternalId));
        Assert.All(sink.Events.Where(e => e.ExternalId.StartsWith("openai-awaiting", StringComparison.Ordinal)), e => Assert.Equal("warn", e.Level));

        // With the fine-tuned deployment entered, the base model's is still missing: the job keeps waiting, saying only that.
        job.FineTunedDeployment = "mini-ft";
        next = await backend.AdvanceAsync(job, From(Data.Value), sink, Ct);

        Assert.Equal(OpenAIFineTuneBackend.AwaitDeploymentRecheck, next);
        Assert.Equal(AzureDeployment.NoBaseDeployment("Azure East", BaseModel), job.ErrorMessage);
        Assert.Equal(AzureDeployment.AwaitingCode, sink.Saved!.ErrorCode);
        Assert.Empty(Server.ChatRequests);
    }

    [Fact]
    public async Task With_both_deployments_the_base_and_fine_tuned_models_are_compared_through_them_and_the_checkpoints_are_left_out()
    {
        await Host.AddAsync("azure-east", "Azure East", ProviderKind.AzureOpenAI, [new(BaseModel, "mini-base")]);
        Server.DeployOnAzure("mini-base", BaseModel);
        Server.DeployOnAzure("mini-ft", FineTuned);
        // The fake plans by the model a deployment serves: the fine-tuned one in the house style it was trained on.
        Server.Chat.ParametersFor = model => model == FineTuned ? HouseStyle.Value : null;
        var job = NewJob(j => j.Provider = "azure-east");
        var sink = new RecordingSink();
        var backend = Host.Backend();
        await AdvanceUntilAsync(backend, job, sink, j => j.ErrorCode == AzureDeployment.AwaitingCode);
        job.FineTunedDeployment = "mini-ft";

        var next = await AdvanceUntilAsync(backend, job, sink, j => j.IsFinished);

        Assert.Null(next);
        Assert.Equal((FineTuneStatus.Succeeded, true, null), (job.Status, job.Recommended, job.ErrorCode));
        Assert.StartsWith($"{FineTuned} is ", job.Verdict, StringComparison.Ordinal);
        var evaluation = JobEvaluation.FromJson(job.EvaluationJson)!;
        Assert.Equal(FineTuned, Assert.Single(evaluation.Checkpoints).Model);
        Assert.Equal(HeldOut, evaluation.Base.Planned);
        Assert.Equal(["mini-base", "mini-ft"], Server.ChatRequests.Select(c => c.Model).Distinct().Order());
        Assert.Equal(2 * HeldOut, Server.ChatRequests.Count);
        Assert.Equal(2, sink.Checkpoints.Count);
        Assert.All(sink.Checkpoints, c => Assert.Null(c.EvaluationJson));
        Assert.Equal("Azure OpenAI serves a checkpoint only through a deployment of its own, so the job's 2 checkpoints are not evaluated: only the base model and the fine-tuned model are compared.",
            sink.Events.Single(e => e.ExternalId == "openai-eval-azure-checkpoints").Message);
        Assert.StartsWith($"Evaluating on {HeldOut} held-out briefs: the base model, the fine-tuned model and 0 checkpoints each plan every brief through Azure East",
            sink.Events.Single(e => e.ExternalId == "openai-eval-start").Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_deployment_answer_for_the_base_model_asks_for_the_settings_and_keeps_no_figures()
    {
        await Host.AddAsync("azure-east", "Azure East", ProviderKind.AzureOpenAI, [new(BaseModel, "mini-typo")]);
        Server.DeployOnAzure("mini-base", BaseModel);
        var job = NewJob(j => { j.Provider = "azure-east"; j.FineTunedDeployment = "mini-ft"; });
        var sink = new RecordingSink();

        var next = await AdvanceUntilAsync(Host.Backend(), job, sink, j => j.ErrorCode == AzureDeployment.AwaitingCode);

        Assert.Equal(OpenAIFineTuneBackend.DeploymentNotFoundRecheck, next);
        Assert.Equal($"Azure East has no deployment mini-typo (404 DeploymentNotFound) for the base model {BaseModel}: correct its deployment name in Azure East's base models in settings. The evaluation tries again in 10 minutes.",
            job.ErrorMessage);
        Assert.Null(job.EvaluationJson);
        Assert.Equal(FineTuneStatus.Running, job.Status);
        // One call told it: a deployment Azure does not know is not asked again for every brief.
        Assert.Equal("mini-typo", Assert.Single(Server.ChatRequests).Model);
    }

    /// <summary>Advances the job until <paramref name="done"/> holds; returns the delay the backend asked for last.</summary>
    private async Task<TimeSpan?> AdvanceUntilAsync(OpenAIFineTuneBackend backend, FineTuneJob job, RecordingSink sink, Func<FineTuneJob, bool> done)
    {
        for (var round = 0; round < 40; round++)
        {
            var next = await backend.AdvanceAsync(job, From(Data.Value), sink, Ct);
            if (done(job))
                return next;
        }
        Assert.Fail($"The job did not get there in 40 rounds; it is {job.Status} ({job.ErrorCode}).");
        return null;
    }
}
