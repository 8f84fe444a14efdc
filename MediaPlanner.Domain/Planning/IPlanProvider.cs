namespace MediaPlanner.Domain.Planning;

/// <summary>
/// Which model a call goes to: the provider (profile key), the model name, for local fine-tuned models their parameters,
/// and where the provider serves models by deployment (Azure OpenAI) the deployment name the call uses instead of the model.
/// </summary>
public sealed record ModelTarget(string Provider, string Model, string? ParametersJson = null, string? Deployment = null)
{
    public Models.ModelName Name => Models.ModelName.Parse(Model);

    /// <summary>What the request's "model" field carries.</summary>
    public string RequestModel => string.IsNullOrWhiteSpace(Deployment) ? Model : Deployment;
}

/// <summary>A source of media plans: the local engine, or a language model.</summary>
public interface IPlanProvider
{
    /// <summary>Provider key, e.g. "local" or "openai".</summary>
    string Name { get; }

    /// <summary>False when the provider cannot be called (e.g. no OpenAI key).</summary>
    bool IsConfigured { get; }

    /// <summary>True when calls for <paramref name="provider"/> (a profile key) go through this provider.</summary>
    bool Handles(string provider) => provider == Name;

    /// <summary>Whether <paramref name="provider"/>'s profile can be called now (it has a key).</summary>
    bool IsConfiguredFor(string provider) => IsConfigured;

    /// <exception cref="PlanProviderException">The call failed; the message says why in plain words.</exception>
    Task<ProviderResult> GenerateAsync(PlanRequest request, ModelTarget target, int alternatives, CancellationToken cancellationToken);
}

/// <summary>The plans a call produced, with its token usage (zero where the provider reports none).</summary>
public sealed record ProviderResult(string Model, IReadOnlyList<MediaPlan> Plans, int InputTokens = 0, int OutputTokens = 0);

/// <summary>A provider call that failed after its own retries: refused, unparseable output, rate limit, timeout.</summary>
public sealed class PlanProviderException(string message, string code, Exception? inner = null) : Exception(message, inner)
{
    public string Code { get; } = code;

    /// <summary>Tokens of the answers that came back before the call failed (unusable ones, retried ones): they are billed too.</summary>
    public int InputTokens { get; init; }

    public int OutputTokens { get; init; }
}
