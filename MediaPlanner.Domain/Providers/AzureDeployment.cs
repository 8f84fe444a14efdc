namespace MediaPlanner.Domain.Providers;

/// <summary>
/// Azure OpenAI serves a model only through a deployment, created in Azure's control plane (outside this app), and
/// inference sends the deployment's name as the model. A fine-tuned model is no exception: until an admin has deployed
/// it in Azure and entered the deployment's name on the job (<see cref="FineTuning.FineTuneJob.FineTunedDeployment"/>),
/// the job waits before its held-out evaluation, with <see cref="AwaitingCode"/> as its code and the reason as its message.
/// </summary>
public static class AzureDeployment
{
    /// <summary>The code of a trained job waiting for a deployment before its evaluation; the job is still running.</summary>
    public const string AwaitingCode = "awaiting_deployment";

    /// <summary>Azure's limit on a deployment name's length.</summary>
    public const int MaxNameLength = 64;

    /// <summary>Why Azure would not take <paramref name="name"/> as a deployment name, or null when it would.</summary>
    public static string? ValidateName(string? name)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length == 0)
            return "Enter the name the model is deployed under in Azure.";
        return ProviderProfileService.DeploymentPattern().IsMatch(trimmed)
            ? null
            : "A deployment name has 2–64 letters, digits, dashes, underscores or dots, and starts with a letter or digit.";
    }

    /// <summary>What an admin has to do before a fine-tuned model on Azure can be compared with its base model.</summary>
    public static string DeployFirst(string model) =>
        $"Azure OpenAI serves a fine-tuned model only through a deployment: deploy {model} in your Azure resource (Azure AI Foundry or the control-plane API), then enter the deployment name here to compare it with the base model.";

    /// <summary>The profile names no deployment for the base model, so the base model cannot be called either.</summary>
    public static string NoBaseDeployment(string provider, string baseModel) =>
        $"{provider} names no deployment for the base model {baseModel}: add it to {provider}'s base models in settings, so the base model can be compared too.";
}
