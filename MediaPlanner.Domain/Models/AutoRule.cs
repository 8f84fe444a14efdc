using System.Globalization;
using MediaPlanner.Domain.FineTuning.Evaluation;

namespace MediaPlanner.Domain.Models;

/// <summary>
/// What the auto strategy decides on: the deployed model's held-out evaluation (null when its job was never
/// evaluated), whether an admin deployed it against that evaluation, each model's recent calls, and the planners'
/// choices in runs that showed both models.
/// </summary>
public sealed record AutoEvidence(
    HeldOutComparison? HeldOut,
    bool Override,
    IReadOnlyList<ModelCall> BaseCalls,
    IReadOnlyList<ModelCall> FineTunedCalls,
    ABResult Choices);

/// <summary>The model the auto strategy calls first, and the figures that decided it in words.</summary>
public sealed record AutoDecision(ModelRole Role, string Reason);

/// <summary>
/// Failures that say something about the provider or the account rather than the model. One of them hits a model
/// through no fault of its own when the other model failed for such a reason at the same time.
/// </summary>
public static class SharedFailures
{
    /// <summary>Codes from <see cref="Planning.PlanProviderException"/>: rate limits, exhausted quota, timeouts, no connection, 5xx, no provider.</summary>
    public static readonly IReadOnlySet<string> ProviderWideCodes =
        new HashSet<string>(["rate_limited", "insufficient_quota", "timeout", "unreachable", "server_error", "not_configured"], StringComparer.Ordinal);

    /// <summary>Outages and rate limits come in bursts: failures this close together count as the same trouble.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    public static bool IsProviderWide(ModelCall call) =>
        !call.Succeeded && call.FailureCode is { } code && ProviderWideCodes.Contains(code);

    /// <summary>
    /// Splits <paramref name="calls"/> into those that count against the model and those excused. A provider-wide
    /// failure is excused when the other model also failed provider-wide in the same run; when the other model had
    /// no call in that run, when it failed provider-wide within <see cref="Window"/>. A run in which the other model
    /// succeeded never excuses: the provider was answering.
    /// </summary>
    public static (List<ModelCall> Counted, List<ModelCall> Excused) Split(IReadOnlyList<ModelCall> calls, IReadOnlyList<ModelCall> other)
    {
        var otherByRun = other.Where(c => c.RunId is not null).ToLookup(c => c.RunId!.Value);
        var otherFailures = other.Where(IsProviderWide).ToList();
        var counted = new List<ModelCall>(calls.Count);
        var excused = new List<ModelCall>();
        foreach (var call in calls)
        {
            var shared = IsProviderWide(call) && (call.RunId is { } run && otherByRun[run].Any()
                ? otherByRun[run].Any(IsProviderWide)
                : otherFailures.Any(o => (o.CreatedAt - call.CreatedAt).Duration() <= Window));
            (shared ? excused : counted).Add(call);
        }
        return (counted, excused);
    }
}

/// <summary>
/// The auto strategy's rule, as a pure function of <see cref="AutoEvidence"/>. It compares the fine-tuned model with
/// its base model, and a model that was never shown to be better does not get the traffic:
/// <list type="number">
/// <item>Provider-wide failures that hit both models (<see cref="SharedFailures"/>) are left out of both records.</item>
/// <item>Too few counted calls of either model (<see cref="AutoThresholds.MinSamples"/>): the held-out evaluation
/// alone decides — recommended: fine-tuned, so it gets measured; not recommended or never evaluated: base.</item>
/// <item>Otherwise the fine-tuned model loses to the base model when it breaks a guard rail (success below
/// <see cref="AutoThresholds.MinSuccessRate"/>, quality more than <see cref="AutoThresholds.QualityTolerance"/> below
/// the base model's, median latency or cost per call over their ratios) or when the record shows it clearly worse:
/// a lower success rate or a lower mean quality (at least <see cref="MinQualityGap"/> points) by two standard errors
/// or more, or planners choosing the base model's plan significantly more often than half the time.</item>
/// <item>Not worse: fine-tuned when the held-out evaluation recommends it; without that recommendation only when
/// planners chose it significantly more often than half the time in at least <see cref="AutoThresholds.MinSamples"/>
/// runs; else base.</item>
/// </list>
/// "Significantly" is two standard errors (about 95 %), so a handful of calls cannot swing the decision.
/// </summary>
public static class AutoRule
{
    /// <summary>Standard errors a difference must reach before the rule believes it.</summary>
    public const double Significance = 2.0;

    /// <summary>Quality points below which a difference is too small to matter, however consistent.</summary>
    public const double MinQualityGap = 1.0;

    public const int MaxReasonLength = 500;

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static AutoDecision Decide(AutoEvidence evidence, AutoThresholds t)
    {
        var (baseCounted, baseExcused) = SharedFailures.Split(evidence.BaseCalls, evidence.FineTunedCalls);
        var (ftCounted, ftExcused) = SharedFailures.Split(evidence.FineTunedCalls, evidence.BaseCalls);
        var b = ModelStats.From(baseCounted);
        var f = ModelStats.From(ftCounted);
        var heldOut = evidence.HeldOut;
        var recommended = heldOut?.Recommended == true;
        var shared = SharedNote(baseExcused, ftExcused);

        if (f.Calls < t.MinSamples || b.Calls < t.MinSamples)
        {
            var few = string.Create(C, $"too few calls to compare ({f.Calls} fine-tuned, {b.Calls} base; {t.MinSamples} needed each)");
            return recommended
                ? Done(ModelRole.FineTuned, $"{HeldOutPhrase(heldOut, evidence.Override)}; {few}, so the held-out verdict decides and the fine-tuned model gets measured{shared}.")
                : Done(ModelRole.Base, $"{HeldOutPhrase(heldOut, evidence.Override)}; {few}, so the held-out verdict decides{shared}.");
        }

        var measured = Measured(b, f, evidence.Choices);
        if (Loss(b, f, ftCounted, baseCounted, evidence.Choices, t) is { } loss)
            return Done(ModelRole.Base, $"{loss}; {HeldOutPhrase(heldOut, evidence.Override)}; {measured}{shared}.");
        if (recommended)
            return Done(ModelRole.FineTuned, $"{HeldOutPhrase(heldOut, evidence.Override)}; {measured}{shared}.");
        if (evidence.Choices.Comparisons >= t.MinSamples && ChoiceZ(evidence.Choices) >= Significance)
            return Done(ModelRole.FineTuned, string.Create(C,
                $"planners chose it significantly more often ({evidence.Choices.FineTunedWins} of {evidence.Choices.Comparisons} runs) although {HeldOutPhrase(heldOut, evidence.Override)}; {measured}{shared}."));
        return Done(ModelRole.Base, $"{HeldOutPhrase(heldOut, evidence.Override)}, and the record does not show it winning: {measured}{shared}.");
    }

    /// <summary>The first way the fine-tuned model is worse than the base model, in words, or null when it is not.</summary>
    private static string? Loss(ModelStats b, ModelStats f, List<ModelCall> ftCalls, List<ModelCall> baseCalls, ABResult choices, AutoThresholds t)
    {
        if (f.SuccessRate < t.MinSuccessRate)
            return string.Create(C, $"fine-tuned success {f.SuccessRate:P0} of {f.Calls} calls is below the {t.MinSuccessRate:P0} floor (base {b.SuccessRate:P0} of {b.Calls})");
        if (ProportionZ(b.SuccessRate, b.Calls, f.SuccessRate, f.Calls) >= Significance)
            return string.Create(C, $"fine-tuned success {f.SuccessRate:P0} of {f.Calls} calls is clearly below base {b.SuccessRate:P0} of {b.Calls}");
        if (f.AverageQuality is { } fq && b.AverageQuality is { } bq)
        {
            var ftScores = Scores(ftCalls);
            var baseScores = Scores(baseCalls);
            if (fq < bq - t.QualityTolerance)
                return string.Create(C, $"fine-tuned quality {fq:0.0} is more than {t.QualityTolerance:0.#} points below base {bq:0.0} ({ftScores.Count} vs {baseScores.Count} calls)");
            if (bq - fq >= MinQualityGap && MeanZ(baseScores, ftScores) >= Significance)
                return string.Create(C, $"fine-tuned quality {fq:0.0} is clearly below base {bq:0.0} ({ftScores.Count} vs {baseScores.Count} calls)");
        }
        if (choices.Comparisons >= t.MinSamples && -ChoiceZ(choices) >= Significance)
            return string.Create(C, $"planners chose the base model's plan in {choices.BaseWins} of {choices.Comparisons} runs");
        if (f.P50LatencyMs is { } fl && b.P50LatencyMs is { } bl && bl > 0 && fl > bl * t.MaxLatencyRatio)
            return string.Create(C, $"fine-tuned median latency {fl:0} ms is over {t.MaxLatencyRatio:0.#}× base {bl:0} ms");
        if (b.CostPerCall > 0 && f.CostPerCall > b.CostPerCall * (decimal)t.MaxCostRatio)
            return string.Create(C, $"fine-tuned cost per call {f.CostPerCall:0.####} is over {t.MaxCostRatio:0.#}× base {b.CostPerCall:0.####}");
        return null;
    }

    private static List<double> Scores(List<ModelCall> calls) =>
        calls.Where(c => c.Succeeded && c.QualityScore is not null).Select(c => c.QualityScore!.Value).ToList();

    /// <summary>How many standard errors the first rate is above the second (pooled two-proportion test); 0 when both are the same certainty.</summary>
    internal static double ProportionZ(double p1, int n1, double p2, int n2)
    {
        if (n1 == 0 || n2 == 0)
            return 0;
        var pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
        var se = Math.Sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2));
        return se == 0 ? 0 : (p1 - p2) / se;
    }

    /// <summary>How many standard errors the first mean is above the second (Welch); identical scores on each side give an exact difference.</summary>
    internal static double MeanZ(IReadOnlyList<double> first, IReadOnlyList<double> second)
    {
        if (first.Count == 0 || second.Count == 0)
            return 0;
        var difference = first.Average() - second.Average();
        var se = Math.Sqrt(Variance(first) / first.Count + Variance(second) / second.Count);
        return se == 0 ? (difference == 0 ? 0 : Math.Sign(difference) * double.PositiveInfinity) : difference / se;
    }

    private static double Variance(IReadOnlyList<double> values)
    {
        if (values.Count < 2)
            return 0;
        var mean = values.Average();
        return values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1);
    }

    /// <summary>How many standard errors the fine-tuned model's share of planners' choices is above one half.</summary>
    internal static double ChoiceZ(ABResult choices) =>
        choices.Comparisons == 0 ? 0 : (2.0 * choices.FineTunedWins - choices.Comparisons) / Math.Sqrt(choices.Comparisons);

    private static string HeldOutPhrase(HeldOutComparison? heldOut, bool overridden)
    {
        if (heldOut is null)
            return "no held-out evaluation shows the fine-tuned model better";
        if (heldOut.Candidate.Planned == 0)
            return $"fine-tuned could not plan the held-out briefs{(overridden ? ", deployed by override" : "")}";
        var figures = string.Create(C, $"distance {heldOut.Candidate.MeanDistance:0.00} vs base {heldOut.Base.MeanDistance:0.00}");
        if (heldOut.Recommended)
            return string.Create(C, $"held-out {figures} ({heldOut.Improvement:P0} closer, {heldOut.Briefs} briefs)");
        return string.Create(C,
            $"fine-tuned not recommended on held-out briefs ({figures}, quality {heldOut.Candidate.MeanQuality:0.0} vs {heldOut.Base.MeanQuality:0.0}){(overridden ? ", deployed by override" : "")}");
    }

    /// <summary>The measured figures side by side, fine-tuned first.</summary>
    private static string Measured(ModelStats b, ModelStats f, ABResult choices)
    {
        var chosen = choices.Comparisons == 0
            ? "no planner choices yet"
            : string.Create(C, $"planners chose it in {choices.FineTunedWins} of {choices.Comparisons} runs");
        var quality = f.AverageQuality is { } fq && b.AverageQuality is { } bq ? string.Create(C, $", quality {fq:0.0} vs {bq:0.0}") : "";
        var latency = f.P50LatencyMs is { } fl && b.P50LatencyMs is { } bl && bl > 0 ? string.Create(C, $", median latency {fl / bl:0.0#}×") : "";
        var cost = b.CostPerCall > 0 ? string.Create(C, $", cost per call {f.CostPerCall / b.CostPerCall:0.0#}×") : "";
        return string.Create(C, $"{chosen}{quality}, success {f.SuccessRate:P0} vs {b.SuccessRate:P0} ({f.Calls} vs {b.Calls} calls){latency}{cost}");
    }

    private static string SharedNote(List<ModelCall> baseExcused, List<ModelCall> ftExcused)
    {
        var excused = baseExcused.Concat(ftExcused).ToList();
        if (excused.Count == 0)
            return "";
        var codes = string.Join(", ", excused.GroupBy(c => c.FailureCode).OrderByDescending(g => g.Count()).Select(g => $"{g.Count()} {g.Key}"));
        return $" ({codes} failures hit both models and are not counted)";
    }

    private static AutoDecision Done(ModelRole role, string detail)
    {
        var reason = $"Auto: {(role == ModelRole.FineTuned ? "fine-tuned" : "base")} — {detail}";
        return new(role, reason.Length <= MaxReasonLength ? reason : reason[..(MaxReasonLength - 1)] + "…");
    }
}
