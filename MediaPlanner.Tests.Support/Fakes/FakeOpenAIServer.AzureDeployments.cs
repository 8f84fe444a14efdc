using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace MediaPlanner.Tests.Fakes;

/// <summary>
/// Azure OpenAI's deployments: under /openai/v1 the fake names fine-tunes as Azure does ({base}.ft-{id}[-{suffix}]), and
/// once a test has deployed anything there, a chat completion's "model" must be a deployment name, as Azure requires; an
/// unknown one (a raw model name, a typo, a deployment still being created) gets Azure's 404 DeploymentNotFound.
/// </summary>
public sealed partial class FakeOpenAIServer
{
    private const string AzureRequest = "azure";

    /// <summary>Deployment name → the model it serves.</summary>
    private readonly ConcurrentDictionary<string, string> _azureDeployments = new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<string, bool> _azureJobs = new(StringComparer.Ordinal);

    /// <summary>Serves <paramref name="model"/> under <paramref name="deployment"/> on the Azure paths, as an admin does in Azure AI Foundry.</summary>
    public void DeployOnAzure(string deployment, string model) => _azureDeployments[deployment] = model;

    private static void MarkAzure(HttpContext ctx) => ctx.Items[AzureRequest] = true;

    private static bool IsAzure(HttpContext ctx) => ctx.Items.ContainsKey(AzureRequest);

    /// <summary>
    /// The model a chat request reaches: on Azure with deployments, the one its deployment serves, or null when Azure
    /// does not know the deployment; everywhere else, the model it names.
    /// </summary>
    private string? ChatModel(HttpContext ctx, string requested) =>
        !IsAzure(ctx) || _azureDeployments.IsEmpty ? requested : _azureDeployments.GetValueOrDefault(requested);

    /// <summary>Azure's answer to a call of a deployment it does not have: its error body has a code and a message only.</summary>
    private static IResult DeploymentNotFoundAnswer() => Json(new JsonObject
    {
        ["error"] = new JsonObject
        {
            ["code"] = "DeploymentNotFound",
            ["message"] = "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.",
        },
    }, 404);

    private void RememberJob(HttpContext ctx, FakeJob job)
    {
        if (IsAzure(ctx))
            _azureJobs[job.Id] = true;
    }

    /// <summary>The name the provider gives the trained model: Azure's or OpenAI's.</summary>
    private string FineTunedName(FakeJob job) => _azureJobs.ContainsKey(job.Id)
        ? $"{job.Model}.ft-abc123{(job.Suffix is null ? "" : $"-{job.Suffix}")}"
        : $"ft:{job.Model}:{Organization}:{job.Suffix ?? "model"}:abc123";

    private void ResetAzureDeployments()
    {
        _azureDeployments.Clear();
        _azureJobs.Clear();
    }
}
