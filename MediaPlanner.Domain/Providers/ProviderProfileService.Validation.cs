using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using MediaPlanner.Domain.Cluster;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Providers.OpenAI;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MediaPlanner.Domain.Providers;

// What a provider profile must be before it is saved: each problem at the field an admin fixes.
public sealed partial class ProviderProfileService
{
    private Dictionary<string, string> Validate(ProviderProfileInput input, string key, bool isPrimary, ProviderProfileEntity? existing)
    {
        var errors = new Dictionary<string, string>();
        if (!KeyPattern().IsMatch(key) || key == FineTuneProviders.Local)
            errors["Key"] = "Use 2–20 lower-case letters, digits or dashes, starting with a letter (e.g. azure-east); \"local\" is the built-in planner.";
        if (string.IsNullOrWhiteSpace(input.Name) || input.Name.Trim().Length > 100)
            errors["Name"] = "Give the provider a name of up to 100 characters, e.g. Azure OpenAI (East US).";
        if (!Enum.IsDefined(input.Kind))
            errors["Kind"] = "Choose OpenAI, Azure OpenAI or OpenAI-compatible.";
        if (OpenAIOptions.ValidateEndpoint(input.Endpoint) is { } endpointProblem)
            errors["Endpoint"] = endpointProblem.Replace("OpenAI:Endpoint", "The endpoint", StringComparison.Ordinal);
        else if (input.Kind == ProviderKind.AzureOpenAI && !input.Endpoint.Trim().TrimEnd('/').EndsWith("/openai/v1", StringComparison.OrdinalIgnoreCase))
            errors["Endpoint"] = $"Azure OpenAI's v1 API ends in /openai/v1: {OpenAIOptions.AzureEndpointExample}";

        var models = input.BaseModels ?? [];
        var named = models.Where(b => !string.IsNullOrWhiteSpace(b.Model)).ToList();
        if (named.Count > MaxBaseModels)
            errors["BaseModels"] = $"List at most {MaxBaseModels} base models.";
        for (var i = 0; i < models.Count; i++)
        {
            var m = models[i];
            if (string.IsNullOrWhiteSpace(m.Model))
            {
                if (!string.IsNullOrWhiteSpace(m.Deployment))
                    errors[$"BaseModels[{i}].Model"] = "Name the model this deployment serves.";
                continue;
            }
            var model = m.Model.Trim();
            if (model.Length > 200 || model.Any(char.IsWhiteSpace))
                errors[$"BaseModels[{i}].Model"] = "A model name has no spaces and at most 200 characters, e.g. gpt-4.1-mini-2025-04-14.";
            else if (named.Count(n => n.Model.Trim() == model) > 1)
                errors[$"BaseModels[{i}].Model"] = $"{model} is listed twice.";
            if (input.Kind == ProviderKind.AzureOpenAI)
            {
                if (string.IsNullOrWhiteSpace(m.Deployment))
                    errors[$"BaseModels[{i}].Deployment"] = "Azure OpenAI plans through a deployment: give the deployment name of this model.";
                else if (!DeploymentPattern().IsMatch(m.Deployment.Trim()))
                    errors[$"BaseModels[{i}].Deployment"] = "A deployment name has 2–64 letters, digits, dashes, underscores or dots.";
            }
        }
        if (input.Kind == ProviderKind.AzureOpenAI && input.TrainingType is { } t && !Enum.IsDefined(t))
            errors["TrainingType"] = "Choose standard, global standard or developer.";
        if (input.Kind == ProviderKind.OpenAICompatible && input.Hyperparameters is { } mapping)
            foreach (var (field, problem) in mapping.Validate())
                errors[field] = problem;

        var newKey = string.IsNullOrWhiteSpace(input.NewApiKey) ? null : input.NewApiKey.Trim();
        if (newKey is not null && input.ClearApiKey)
            errors["ApiKey"] = "Either remove the saved key or enter a new one, not both.";
        else if (newKey is not null && (newKey.Length > 1000 || newKey.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
            errors["ApiKey"] = "That does not look like an API key (it has spaces or line breaks, or is too long): paste it again.";
        // Putting the endpoint back to the one the key was entered for (after someone changed the row) needs no key.
        else if (!isPrimary && newKey is null && !input.ClearApiKey && existing?.ProtectedKey is not null
                 && !ProviderSettingsService.SameEndpoint(existing.Endpoint, input.Endpoint)
                 && !ProviderSettingsService.SameEndpoint(Unprotect(existing)?.Endpoint, input.Endpoint))
            errors["ApiKey"] = ProviderSettingsService.ReenterKeyForNewEndpoint;
        else if (!isPrimary && existing is null && newKey is null)
            errors["ApiKey"] = "Enter the provider's API key.";
        return errors;
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{1,19}$")]
    private static partial Regex KeyPattern();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")]
    internal static partial Regex DeploymentPattern();
}
