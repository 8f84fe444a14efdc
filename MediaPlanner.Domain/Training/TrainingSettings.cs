namespace MediaPlanner.Domain.Training;

/// <summary>The model training data is prepared for: it decides the tokenizer, the token limit and the training price.</summary>
public sealed record TrainingSettings(string BaseModel)
{
    public const string DefaultBaseModel = "gpt-4o-mini-2024-07-18";
}
