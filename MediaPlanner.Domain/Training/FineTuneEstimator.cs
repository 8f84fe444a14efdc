namespace MediaPlanner.Domain.Training;

/// <summary>OpenAI's fine-tuning arithmetic: default epochs, billed tokens and their cost.</summary>
public static class FineTuneEstimator
{
    private const int TargetMinExamplesSeen = 100;
    private const int TargetMaxExamplesSeen = 25_000;
    private const int MaxDefaultEpochs = 25;

    /// <summary>
    /// The epochs OpenAI picks when none are given: 3, raised so small sets are seen at least 100 times in total
    /// (at most 25 epochs) and lowered so large sets are seen at most 25,000 times (at least 1 epoch).
    /// </summary>
    public static int DefaultEpochs(int exampleCount)
    {
        if (exampleCount <= 0)
            return 0;
        var seen = 3L * exampleCount;
        if (seen < TargetMinExamplesSeen)
            return Math.Min(MaxDefaultEpochs, TargetMinExamplesSeen / exampleCount);
        if (seen > TargetMaxExamplesSeen)
            return Math.Max(1, TargetMaxExamplesSeen / exampleCount);
        return 3;
    }

    /// <summary>Tokens OpenAI bills: every example, cut to the model's maximum, once per epoch.</summary>
    public static long BilledTokens(IEnumerable<int> exampleTokenCounts, int epochs, int maxTokensPerExample)
    {
        ArgumentNullException.ThrowIfNull(exampleTokenCounts);
        ArgumentOutOfRangeException.ThrowIfNegative(epochs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxTokensPerExample);
        var perEpoch = 0L;
        foreach (var tokens in exampleTokenCounts)
            perEpoch += Math.Clamp(tokens, 0, maxTokensPerExample);
        return perEpoch * epochs;
    }

    /// <summary>The training cost of <paramref name="billedTokens"/> at a price per million tokens (unrounded).</summary>
    public static decimal Cost(long billedTokens, decimal pricePerMillion)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(billedTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(pricePerMillion);
        return billedTokens * pricePerMillion / 1_000_000m;
    }

    /// <inheritdoc cref="Readiness.Check"/>
    public static Readiness Check(int validatedCount, int blockingErrorCount) => Readiness.Check(validatedCount, blockingErrorCount);
}

/// <summary>Whether the validated examples are enough to fine-tune on, and why in plain words.</summary>
public sealed record Readiness(int Validated, bool Ready, bool Recommended, IReadOnlyList<string> Reasons)
{
    /// <summary>OpenAI rejects training files with fewer examples.</summary>
    public const int MinimumExamples = 10;

    /// <summary>OpenAI's guidance: clear gains usually show from 50 to 100 well-crafted examples.</summary>
    public const int RecommendedExamples = 50;

    public static Readiness Check(int validatedCount, int blockingErrorCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(validatedCount);
        ArgumentOutOfRangeException.ThrowIfNegative(blockingErrorCount);
        var reasons = new List<string>();
        if (validatedCount < MinimumExamples)
            reasons.Add($"{Examples(validatedCount)} validated; fine-tuning needs at least {MinimumExamples}. Validate {MinimumExamples - validatedCount} more.");
        if (blockingErrorCount > 0)
            reasons.Add($"{Examples(blockingErrorCount)} {(blockingErrorCount == 1 ? "has" : "have")} blocking errors. Fix or reject {(blockingErrorCount == 1 ? "it" : "them")} before exporting.");

        var ready = reasons.Count == 0;
        var recommended = ready && validatedCount >= RecommendedExamples;
        if (recommended)
            reasons.Add($"Ready: {Examples(validatedCount)} validated, enough for clear gains.");
        else if (ready)
            reasons.Add($"Ready: {Examples(validatedCount)} validated. {RecommendedExamples}–100 usually show clearer gains; validate {RecommendedExamples - validatedCount} more to reach {RecommendedExamples}.");
        return new Readiness(validatedCount, ready, recommended, reasons);
    }

    private static string Examples(int count) => count == 1 ? "1 example" : $"{count:N0} examples";
}
