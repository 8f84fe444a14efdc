using MediaPlanner.Domain.Planning;

namespace MediaPlanner.Domain.Providers.Local;

/// <summary>
/// The offline planner behind the provider seam. Runs <see cref="LocalMediaMixEngine"/> with the default parameter
/// set, or with a fine-tuned one when the target carries it.
/// </summary>
public sealed class LocalPlanProvider(MediaMixParameters parameters) : IPlanProvider
{
    public const string ProviderName = "local";

    private readonly LocalMediaMixEngine _engine = new(parameters);
    // One reference, swapped whole: concurrent calls (one singleton serves every circuit) each see a parameter set and the
    // engine built from it, never one set's JSON with another's engine.
    private FineTunedEngine? _fineTuned;

    public string Name => ProviderName;

    public bool IsConfigured => true;

    public string BaseModel => _engine.Parameters.ModelName;

    public Task<ProviderResult> GenerateAsync(PlanRequest request, ModelTarget target, int alternatives, CancellationToken cancellationToken)
    {
        LocalMediaMixEngine engine;
        try
        {
            engine = EngineFor(target);
        }
        catch (ArgumentException ex)
        {
            throw new PlanProviderException($"The deployed model {target.Model} has an unusable parameter set: {ex.Message}", "invalid_model", ex);
        }
        try
        {
            return Task.FromResult(new ProviderResult(target.ParametersJson is null ? engine.Parameters.ModelName : target.Model,
                engine.Generate(request, alternatives)));
        }
        catch (InvalidOperationException ex)
        {
            throw new PlanProviderException(ex.Message, "no_benchmarks", ex);
        }
    }

    private LocalMediaMixEngine EngineFor(ModelTarget target)
    {
        if (target.ParametersJson is null)
            return _engine;
        // Keep the last parameter set parsed: it is the deployed model, asked for again and again.
        if (Volatile.Read(ref _fineTuned) is { } cached && cached.Json == target.ParametersJson)
            return cached.Engine;
        var engine = new LocalMediaMixEngine(MediaMixParameters.FromJson(target.ParametersJson));
        Volatile.Write(ref _fineTuned, new FineTunedEngine(target.ParametersJson, engine));
        return engine;
    }

    private sealed record FineTunedEngine(string Json, LocalMediaMixEngine Engine);
}
