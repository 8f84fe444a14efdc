using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Training;

namespace MediaPlanner.Domain.Planning;

/// <summary>One alternative a language model is asked for: its strategy name, and the line that steers it (none for Balanced).</summary>
public sealed record PlanAlternative(string Name, string? Steer);

/// <summary>
/// How a language model is asked for alternatives that differ. The first is the training prompt exactly
/// (<see cref="PromptRenderer.PromptMessages"/>), named Balanced; each other one adds a system line after the brief asking
/// to lean toward reach or toward response, named as the local engine names its alternatives. Against a deterministic
/// server identical requests return one plan N times; these return N plans, and a fine-tuned model still sees the
/// prompt it was trained on, plus one line, for the others.
/// </summary>
public static class PlanAlternatives
{
    public const string Balanced = "Balanced";
    public const string ReachLed = "Reach-led";
    public const string PerformanceLed = "Performance-led";
    public const string ReachLeaning = "Reach-leaning";
    public const string PerformanceLeaning = "Performance-leaning";

    private const string ReachTradeOff = "the channels and formats that reach the most of the audience at the lowest cost per person reached, " +
                                         "accepting fewer clicks and conversions";
    private const string ResponseTradeOff = "the channels and formats that drive the most clicks and conversions for the objective, accepting " +
                                            "lower reach";

    /// <summary>In the order they are asked for: the trained prompt first, then the two ends, then the steps between.</summary>
    private static readonly PlanAlternative[] All =
    [
        new(Balanced, null),
        new(ReachLed, Steer(ReachLed, $"Weight the budget toward {ReachTradeOff}.")),
        new(PerformanceLed, Steer(PerformanceLed, $"Weight the budget toward {ResponseTradeOff}.")),
        new(ReachLeaning, Steer(ReachLeaning, $"Compared with a balanced plan, move some budget toward {ReachTradeOff}.")),
        new(PerformanceLeaning, Steer(PerformanceLeaning, $"Compared with a balanced plan, move some budget toward {ResponseTradeOff}.")),
    ];

    private static readonly string[] TiltOrder = [ReachLed, ReachLeaning, Balanced, PerformanceLeaning, PerformanceLed];

    /// <summary>The names from most reach-led to most performance-led: the order the local engine shows its plans in.</summary>
    public static IReadOnlyList<string> ByTilt => TiltOrder;

    /// <summary>A name's place in <see cref="ByTilt"/>; -1 for a name that is not an alternative's.</summary>
    public static int TiltOf(string name) => Array.IndexOf(TiltOrder, name);

    /// <summary>As many as the local engine offers, one per name.</summary>
    public const int Max = 5;

    /// <summary>The first <paramref name="count"/> alternatives (1 to <see cref="Max"/>).</summary>
    public static IReadOnlyList<PlanAlternative> For(int count) => All[..Math.Clamp(count, 1, Max)];

    /// <summary>Plans in the order the local engine shows its own: reach-led first, performance-led last.</summary>
    public static IReadOnlyList<MediaPlan> InTiltOrder(IEnumerable<MediaPlan> plans) =>
        [.. plans.OrderBy(p => TiltOf(p.StrategyName) is var i and >= 0 ? i : TiltOrder.Length)];

    /// <summary>The messages for one alternative: the training prompt, then its steer line as a system message.</summary>
    public static IReadOnlyList<ChatMessage> Prompt(CampaignBrief brief, Market market, PlanAlternative alternative) =>
        Prompt(PromptRenderer.PromptMessages(brief, market), alternative);

    /// <summary>The messages for one alternative: <paramref name="prompt"/> (the training prompt), then its steer line as a system message.</summary>
    public static IReadOnlyList<ChatMessage> Prompt(IReadOnlyList<ChatMessage> prompt, PlanAlternative alternative)
    {
        ArgumentNullException.ThrowIfNull(alternative);
        return alternative.Steer is null ? prompt : [.. prompt, new(ChatRoles.System, alternative.Steer)];
    }

    private static string Steer(string name, string instruction) =>
        $"Plan this brief as the {name} alternative. {instruction} Keep every other rule. Set strategyName to \"{name}\".";
}
