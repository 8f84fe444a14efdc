using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers.Local;

namespace MediaPlanner.Tests.Fakes;

public sealed partial class FakeChatBehaviour
{
    /// <summary>
    /// Answers as a deterministic server does (a model at temperature 0, a caching gateway): the same request always gets
    /// the same plan, the engine's alternative the request asks for by name in a system message after the brief, else the
    /// engine's Balanced plan. Identical requests then get one plan, however many are sent.
    /// </summary>
    public bool Deterministic { get; set; }
}

public sealed partial class FakeOpenAIServer
{
    /// <summary>
    /// The engine's plan of the name asked for in a system message after the user's brief (else Balanced), as the engine
    /// plans it among three alternatives (or five, for the "-leaning" ones). The engine drops an alternative too close to
    /// one it kept, so a dropped name gets the kept plan nearest to it in tilt.
    /// </summary>
    private static MediaPlan AskedFor(FakeChatRequest request, LocalMediaMixEngine engine, PlanRequest planRequest)
    {
        var brief = request.Messages.ToList().FindLastIndex(m => m.Role == "user");
        var steer = string.Join("\n", request.Messages.Skip(brief + 1).Where(m => m.Role == "system").Select(m => m.Content));
        var asked = PlanAlternatives.ByTilt.FirstOrDefault(name => steer.Contains($"the {name} alternative", StringComparison.Ordinal)) ?? PlanAlternatives.Balanced;
        var tilt = PlanAlternatives.TiltOf(asked);
        var plans = engine.Generate(planRequest, tilt % 2 == 0 ? 3 : LocalMediaMixEngine.MaxAlternatives);
        return plans.MinBy(p => PlanAlternatives.TiltOf(p.StrategyName) is var i and >= 0 ? Math.Abs(i - tilt) : int.MaxValue)!;
    }
}
