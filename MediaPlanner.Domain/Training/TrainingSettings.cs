using MediaPlanner.Domain.Providers.OpenAI;
using Microsoft.Extensions.Options;

namespace MediaPlanner.Domain.Training;

/// <summary>
/// The model training data is prepared for: it decides the tokenizer, the token limit and the training price. Read live
/// from the OpenAI settings on every use, so a base model saved in settings applies at once, also on pages already open.
/// </summary>
public sealed class TrainingSettings
{
    private readonly Func<string> _baseModel;

    /// <summary>Live: the base model saved in settings (or configured), read each time.</summary>
    public TrainingSettings(IOptionsMonitor<OpenAIOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _baseModel = () => options.CurrentValue.BaseModel;
    }

    /// <summary>Live: whatever <paramref name="baseModel"/> says each time (an empty answer means none is chosen yet).</summary>
    public TrainingSettings(Func<string> baseModel)
    {
        ArgumentNullException.ThrowIfNull(baseModel);
        _baseModel = baseModel;
    }

    /// <summary>A fixed base model, for tools and tests.</summary>
    public TrainingSettings(string baseModel)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(baseModel);
        _baseModel = () => baseModel;
    }

    public string BaseModel => _baseModel().Trim();

    public override string ToString() => $"TrainingSettings {{ BaseModel = {BaseModel} }}";
}
