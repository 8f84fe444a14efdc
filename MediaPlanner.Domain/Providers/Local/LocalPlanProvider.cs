using MediaPlanner.Domain.Planning;

namespace MediaPlanner.Domain.Providers.Local;

/// <summary>The offline planner behind the provider seam. Runs <see cref="LocalMediaMixEngine"/> with its parameter set.</summary>
public sealed class LocalPlanProvider(MediaMixParameters parameters) : IPlanProvider
{
    public const string ProviderName = "local";

    private readonly LocalMediaMixEngine _engine = new(parameters);

    public string Name => ProviderName;

    public Task<ProviderResult> GenerateAsync(PlanRequest request, int alternatives, CancellationToken cancellationToken) =>
        Task.FromResult(new ProviderResult(_engine.Parameters.ModelName, _engine.Generate(request, alternatives)));
}
