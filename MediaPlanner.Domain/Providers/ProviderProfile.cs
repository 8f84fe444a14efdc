using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Text;

namespace MediaPlanner.Domain.Providers;

/// <summary>A model a provider fine-tunes and plans with; on Azure OpenAI, with the deployment name inference uses.</summary>
public sealed record ProviderBaseModel(string Model, string? Deployment = null);

/// <summary>
/// How a provider names the job's hyperparameters. OpenAI and Azure take <c>method.supervised.hyperparameters</c> with
/// OpenAI's names; an OpenAI-compatible service takes a top-level <c>hyperparameters</c> object with names of its own
/// (Nebius: <c>learning_rate</c> as an absolute rate, <c>lora</c>, <c>lora_r</c>…). The learning-rate multiplier the
/// admin enters is sent times <see cref="LearningRateScale"/>; <see cref="ExtraJson"/> is a JSON object of fixed values
/// sent with every job.
/// </summary>
public sealed record HyperparameterMapping(
    string Epochs = "n_epochs",
    string BatchSize = "batch_size",
    string LearningRate = "learning_rate_multiplier",
    double LearningRateScale = 1,
    string? ExtraJson = null)
{
    public static HyperparameterMapping OpenAI { get; } = new();

    /// <summary>The hyperparameters object for a job; auto values are left out (compatible) or sent as "auto" (OpenAI).</summary>
    public JsonObject Build(FineTuneHyperparameters h, bool autoAsString)
    {
        var o = new JsonObject();
        if (ExtraJson is { Length: > 0 } && JsonNode.Parse(ExtraJson) is JsonObject extra)
            foreach (var (name, value) in extra)
                o[name] = value?.DeepClone();
        void Put(string name, JsonNode? value)
        {
            if (value is not null)
                o[name] = value;
            else if (autoAsString)
                o[name] = "auto";
        }
        Put(Epochs, h.Epochs is { } e ? JsonValue.Create(e) : null);
        Put(BatchSize, h.BatchSize is { } b ? JsonValue.Create(b) : null);
        Put(LearningRate, h.LearningRateMultiplier is { } lr ? JsonValue.Create(lr * LearningRateScale) : null);
        return o;
    }

    /// <summary>Problems keyed by field, for the settings form.</summary>
    public IReadOnlyDictionary<string, string> Validate()
    {
        var errors = new Dictionary<string, string>();
        foreach (var (field, name) in new[] { ("Epochs", Epochs), ("BatchSize", BatchSize), ("LearningRate", LearningRate) })
            if (string.IsNullOrWhiteSpace(name) || name.Length > 60 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
                errors[$"Hyperparameters.{field}"] = "Use the provider's parameter name: letters, digits, _ - or ., up to 60 characters.";
        if (!(LearningRateScale > 0) || double.IsInfinity(LearningRateScale))
            errors["Hyperparameters.LearningRateScale"] = "The learning-rate scale must be above 0 (1 sends the multiplier as it is).";
        if (ExtraJson is { Length: > 0 })
        {
            try
            {
                if (JsonNode.Parse(ExtraJson) is not JsonObject)
                    errors["Hyperparameters.ExtraJson"] = "Fixed values are a JSON object, e.g. {\"lora\": true, \"lora_r\": 8}.";
            }
            catch (JsonException ex)
            {
                errors["Hyperparameters.ExtraJson"] = string.Create(CultureInfo.InvariantCulture,
                    $"Not valid JSON (line {(ex.LineNumber ?? 0) + 1}, position {(ex.BytePositionInLine ?? 0) + 1}): write an object such as {{\"lora\": true}}.");
            }
        }
        return errors;
    }
}

/// <summary>What the app last learned about a provider: whether it still trains, and when its model list was read.</summary>
public sealed record ProviderState(
    DateTimeOffset? TrainingUnavailableAt = null,
    string? TrainingUnavailableMessage = null,
    DateTimeOffset? ModelsRefreshedAt = null,
    string? ModelsRefreshError = null)
{
    public static ProviderState None { get; } = new();
}

/// <summary>
/// A hosted provider as the app uses and shows it — never with its key, only a hint. <see cref="Key"/> is what jobs,
/// deployments, calls and prices name as their provider. <see cref="IsPrimary"/> marks the profile configured through
/// OpenAI:* settings and the settings page's first section (key "openai").
/// </summary>
public sealed record ProviderProfile(
    string Key,
    string Name,
    ProviderKind Kind,
    string Endpoint,
    bool IsPrimary,
    bool HasKey,
    string? KeyHint,
    string? KeyWithheld,
    IReadOnlyList<ProviderBaseModel> BaseModels,
    AzureTrainingType? TrainingType,
    HyperparameterMapping Hyperparameters,
    ProviderState State)
{
    public const string PrimaryKey = FineTuneProviders.OpenAI;

    public bool IsConfigured => HasKey;

    /// <summary>The deployment inference uses for <paramref name="model"/> on Azure; null elsewhere or when none is named.</summary>
    public string? DeploymentFor(string model) =>
        Kind == ProviderKind.AzureOpenAI
            ? BaseModels.FirstOrDefault(b => string.Equals(b.Model, model, StringComparison.Ordinal))?.Deployment
            : null;

    /// <summary>The admin's first base model, if any; the lifecycle catalogue decides when it no longer exists.</summary>
    public string? FirstBaseModel => BaseModels.Count > 0 ? BaseModels[0].Model : null;

    public string KindLabel => Kind.DisplayName();
}

/// <summary>What the settings form sends to add or change a provider. A blank <see cref="NewApiKey"/> keeps the saved key.</summary>
public sealed record ProviderProfileInput(
    string Key,
    string Name,
    ProviderKind Kind,
    string Endpoint,
    string? NewApiKey,
    bool ClearApiKey,
    IReadOnlyList<ProviderBaseModel> BaseModels,
    AzureTrainingType? TrainingType = null,
    HyperparameterMapping? Hyperparameters = null);

/// <summary>Where a provider's calls go and with which key. Internal: only the client factory sees the key.</summary>
internal sealed class ProviderConnection(string key, ProviderKind kind, string endpoint, string? apiKey)
{
    public string Key { get; } = key;
    public ProviderKind Kind { get; } = kind;
    public string Endpoint { get; } = endpoint;
    public string? ApiKey { get; } = apiKey;

    public override string ToString() => $"ProviderConnection {{ Key = {Key}, Kind = {Kind}, Endpoint = {Endpoint}, ApiKey = {(ApiKey is null ? "(none)" : "(set)")} }}";
}
