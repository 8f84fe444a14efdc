namespace MediaPlanner.Domain.Planning;

/// <summary>A source of media plans: the local engine, or a language model.</summary>
public interface IPlanProvider
{
    /// <summary>Provider key, e.g. "local" or "openai".</summary>
    string Name { get; }

    Task<ProviderResult> GenerateAsync(PlanRequest request, int alternatives, CancellationToken cancellationToken);
}

public sealed record ProviderResult(string Model, IReadOnlyList<MediaPlan> Plans);
