using System.ComponentModel.DataAnnotations;

namespace MediaPlanner.Domain.Providers;

/// <summary>Which API dialect a hosted provider speaks; all three take the OpenAI SDK's files and fine_tuning/jobs calls.</summary>
public enum ProviderKind
{
    /// <summary>api.openai.com: bearer key, <c>method.supervised</c> hyperparameters, <c>ft:</c> model names.</summary>
    OpenAI,
    /// <summary>Azure OpenAI v1 API: api-key header, a <c>trainingType</c>, inference through deployment names.</summary>
    [Display(Name = "Azure OpenAI")]
    AzureOpenAI,
    /// <summary>Another service with the OpenAI API shape (e.g. Nebius): its own hyperparameter names and model names.</summary>
    [Display(Name = "OpenAI-compatible")]
    OpenAICompatible,
}

/// <summary>Azure OpenAI's training tiers (the job body's <c>trainingType</c>).</summary>
public enum AzureTrainingType
{
    Standard,
    [Display(Name = "Global standard")]
    GlobalStandard,
    Developer,
}

/// <summary>
/// A hosted provider an admin added. The primary profile (key <c>openai</c>) keeps its endpoint, key and base model in
/// the settings rows and configuration as before (<see cref="Endpoint"/> and <see cref="ProtectedKey"/> stay null here);
/// its row carries only what is new: kind, training type, mapping, and the lifecycle state.
/// </summary>
public class ProviderProfileEntity
{
    /// <summary>Slug used as the provider name on jobs, deployments and calls ("openai", "azure-east"…).</summary>
    public required string Key { get; set; }
    public required string Name { get; set; }
    public ProviderKind Kind { get; set; }
    public string? Endpoint { get; set; }
    /// <summary>Data Protection payload of the key together with the endpoint it was entered for.</summary>
    public string? ProtectedKey { get; set; }
    /// <summary>JSON list of <see cref="ProviderBaseModel"/>: models to fine-tune and plan with (Azure: with deployment names).</summary>
    public string BaseModelsJson { get; set; } = "[]";
    public AzureTrainingType? TrainingType { get; set; }
    /// <summary>JSON <see cref="HyperparameterMapping"/> for compatible services; null means OpenAI's names.</summary>
    public string? HyperparametersJson { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string? UpdatedById { get; set; }

    // Lifecycle state, written by the model catalogue refresh and the fine-tuning backend.
    /// <summary>When the provider last refused a fine-tuning job for good (403 training_not_available).</summary>
    public DateTimeOffset? TrainingUnavailableAt { get; set; }
    public string? TrainingUnavailableMessage { get; set; }
    public DateTimeOffset? ModelsRefreshedAt { get; set; }
    /// <summary>Why the last model-list refresh failed; null after a successful one.</summary>
    public string? ModelsRefreshError { get; set; }
}

/// <summary>One model in a provider's <c>GET /v1/models</c> list, as last read.</summary>
public class ProviderModelEntity
{
    public long Id { get; set; }
    public required string ProviderKey { get; set; }
    public required string ModelId { get; set; }
    public string? OwnedBy { get; set; }
    public DateTimeOffset? CreatedAt { get; set; }
    /// <summary>The provider's <c>shutdown_date</c>: from this day on the model no longer answers.</summary>
    public DateOnly? ShutdownDate { get; set; }
    public DateTimeOffset FirstSeenAt { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }
    /// <summary>False when the latest list no longer carried it (removed at the provider).</summary>
    public bool Listed { get; set; } = true;
}
