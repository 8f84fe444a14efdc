namespace MediaPlanner.Domain.Models;

/// <summary>One admin-editable setting, stored as text (JSON for structured values; the API key encrypted).</summary>
public class AppSetting
{
    public required string Key { get; set; }
    public required string Value { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string? UpdatedById { get; set; }
}

/// <summary>A deployment of a fine-tuned model (or checkpoint) as the active one; the newest active row is live.</summary>
public class ModelDeployment
{
    public int Id { get; set; }
    public required string Provider { get; set; }
    public required string Model { get; set; }
    public required string BaseModel { get; set; }
    public int? JobId { get; set; }
    public long? CheckpointId { get; set; }
    /// <summary>For local models: the parameter set the engine runs with.</summary>
    public string? ParametersJson { get; set; }
    public DateTimeOffset DeployedAt { get; set; }
    public required string DeployedById { get; set; }
    /// <summary>Set when this deployment was replaced or rolled back.</summary>
    public DateTimeOffset? EndedAt { get; set; }
    public string? EndedById { get; set; }
    public string? Note { get; set; }
    /// <summary>Set when an admin deployed a model its held-out evaluation did not recommend, with their reason (audited).</summary>
    public bool Override { get; set; }
    public string? OverrideReason { get; set; }
    /// <summary>Azure OpenAI (and services with a deploy step): the deployment name inference calls use as the model.</summary>
    public string? DeploymentName { get; set; }
    /// <summary>Why the deployment ended when nobody ended it: e.g. the provider shut the model down (an admin alert).</summary>
    public string? EndReason { get; set; }
}

public enum ModelRole
{
    Base,
    FineTuned,
}

/// <summary>One provider call: which model, why it was chosen, how it went, what it cost.</summary>
public class ModelCall
{
    public long Id { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public required string UserId { get; set; }
    public int? BriefId { get; set; }
    public Guid? RunId { get; set; }
    public required string Provider { get; set; }
    public required string Model { get; set; }
    public ModelRole Role { get; set; }
    public SelectionStrategy Strategy { get; set; }
    /// <summary>Why this model was called: the selection rule's reason, or "comparison" for the side-by-side column.</summary>
    public required string Reason { get; set; }
    public double LatencyMs { get; set; }
    public bool Succeeded { get; set; }
    public string? FailureCode { get; set; }
    public string? FailureReason { get; set; }
    public double? QualityScore { get; set; }
    public int InputTokens { get; set; }
    public int OutputTokens { get; set; }
    public decimal Cost { get; set; }
    /// <summary>True when the model had no price row of its own and the cost was estimated at its base model's price.</summary>
    public bool PriceEstimated { get; set; }
}
