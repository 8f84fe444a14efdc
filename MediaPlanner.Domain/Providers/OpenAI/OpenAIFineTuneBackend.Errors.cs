using System.Globalization;
using MediaPlanner.Domain.FineTuning;

namespace MediaPlanner.Domain.Providers.OpenAI;

// The provider side of the backend: which profile a job runs on, whether it is usable, and how a failed call is worded for
// an admin and sorted into retry-later or fail-now.
public sealed partial class OpenAIFineTuneBackend
{
    /// <summary>
    /// Runs one provider call and words its failure for the job (see <see cref="ProviderErrorClassifier"/>): what is worth
    /// retrying becomes a <see cref="TransientFineTuneException"/>, anything refused for good a <see cref="ProviderRejectedException"/>.
    /// </summary>
    private async Task<T> CallAsync<T>(FineTuneJob job, string action, Func<CancellationToken, Task<T>> call, CancellationToken ct)
    {
        try
        {
            return await call(ct);
        }
        catch (Exception ex) when (ProviderErrorClassifier.Classify(ex, clock.GetUtcNow(), ct) is { } error)
        {
            var message = ErrorMessage(ProfileOf(job.Provider), error, action);
            if (error.IsTransient)
                throw new TransientFineTuneException(message, error.RetryAfter, ex);
            throw new ProviderRejectedException(error, message, ex);
        }
    }

    /// <summary>A failure in an admin's words; for a 401 never the server's text, which quotes part of the key.</summary>
    private string ErrorMessage(ProviderProfileSummary profile, ProviderError error, string action)
    {
        var name = profile.Name;
        return error switch
        {
            { Kind: ProviderErrorKind.TrainingUnavailable } => TrainingUnavailableMessage(profile),
            { Code: "rate_limited" } => $"{name} is limiting the request rate (429) while {action}" +
                                        (error.RetryAfter is { } wait ? string.Create(CultureInfo.InvariantCulture, $"; it asks to wait {wait.TotalSeconds:0.#} s.") : "."),
            { Code: "timeout" } => string.Create(CultureInfo.InvariantCulture,
                $"{name} did not answer within {clients.Options.NetworkTimeout.TotalSeconds:0.#} s while {action}."),
            { Code: "unreachable" } => $"{name} could not be reached while {action} (network error: {error.Detail ?? "no answer"}).",
            { Code: "unreadable" } => $"{name}'s answer could not be read while {action}: it is not the JSON the API documents ({error.Detail}).",
            { IsTransient: true } => $"{name} could not be reached while {action} (HTTP {error.Status}).",
            { Status: 401 } => $"{name} rejected the API key (401 Unauthorized) while {action}. Check the {name} API key in settings, then start a new job.",
            { Status: 403 } => $"{name} refused access (403 Forbidden) while {action}: the API key, its project or organisation may not be allowed to fine-tune this model. Check the {name} API key and its permissions in settings.",
            { Code: "insufficient_quota" } => $"{name} refused the request while {action}: the account has run out of quota. Check the plan and billing details of the {name} account.",
            _ => $"{name} rejected the request while {action} ({error.Status}): {error.Detail ?? "no reason given."}",
        };
    }

    /// <summary>What an admin reads when the provider no longer fine-tunes for this account, and what to do instead.</summary>
    private static string TrainingUnavailableMessage(ProviderProfileSummary profile)
    {
        var (account, others) = profile.Kind switch
        {
            ProviderKind.AzureOpenAI => ("resource", "another provider"),
            ProviderKind.OpenAICompatible => ("account", "another provider"),
            _ => ("organisation", "an Azure OpenAI or OpenAI-compatible provider"),
        };
        return $"{profile.Name} no longer accepts fine-tuning jobs for this {account} (403 training_not_available). " +
               $"Fine-tune with {others} instead (add one in settings), or with the local planner; models already trained keep working until they retire.";
    }

    private string MayStillRun(FineTuneJob job, string message, int status) =>
        job.ExternalId is null || status == 404
            ? message
            : $"{message} The job {job.ExternalId} may still be running at {ProfileOf(job.Provider).Name}.";

    /// <summary>Name, kind and job settings of a provider; without the profile service, the primary profile from its options.</summary>
    private ProviderProfileSummary ProfileOf(string provider)
    {
        if (profiles?.Get(provider) is { } p)
            return new(p.Name, p.Kind, p.TrainingType, p.Hyperparameters);
        var azure = provider == Provider && clients.Options.IsAzure;
        return new(ProviderOutage.ProviderName(provider), azure ? ProviderKind.AzureOpenAI : ProviderKind.OpenAI,
            azure ? AzureTrainingType.Standard : null, HyperparameterMapping.OpenAI);
    }

    private (string Code, string Message)? ConfigurationProblem(string provider)
    {
        if (provider != Provider)
        {
            var connection = profiles?.Connection(provider);
            if (connection is null)
                return ("not_configured", $"There is no provider {provider} any more. Add it in settings, then start a new job.");
            if (connection.ApiKey is null)
                return ("not_configured", $"The provider {provider} has no API key for {connection.Endpoint}. Enter it in settings, then start a new job.");
            return OpenAIOptions.ValidateEndpoint(connection.Endpoint) is { } problem ? ("invalid_configuration", problem) : null;
        }
        var settings = clients.Options;
        if (!settings.IsConfigured)
            return ("not_configured", "No OpenAI API key is configured. Add one in settings, then start a new job.");
        if (settings.Validate() is [var first, ..])
            return ("invalid_configuration", first);
        return null;
    }

    private sealed record ProviderProfileSummary(string Name, ProviderKind Kind, AzureTrainingType? TrainingType, HyperparameterMapping Mapping);

    /// <summary>The provider said no for good (bad key, bad request, no longer training): the job fails with this message.</summary>
    private sealed class ProviderRejectedException(ProviderError error, string message, Exception inner) : Exception(message, inner)
    {
        public ProviderError Error { get; } = error;

        /// <summary>The job's error code: ours for refused keys and access, the provider's own for a refused request.</summary>
        public string Code => Error.Code;
    }
}
