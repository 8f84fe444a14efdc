using System.Globalization;

namespace MediaPlanner.Domain.Training;

/// <summary>
/// What training all validated examples would cost at one hosted provider that bills per trained token (the local
/// trainer never bills, so it has none). <paramref name="Cost"/> is null when the price book has no training price.
/// </summary>
public sealed record TrainingCostEstimate(string Provider, string ProviderName, string BaseModel, int Epochs, long BilledTokens,
    ModelPrice? Price, decimal? Cost)
{
    public string CostText => Cost is { } cost ? FineTuneEstimator.Money(cost) : "unknown (no training price for this model)";
}

/// <summary>OpenAI's fine-tuning arithmetic: default epochs, billed tokens and their cost.</summary>
public static class FineTuneEstimator
{
    /// <summary>Every price in the price book is in US dollars, and so is every cost worked out from one.</summary>
    public const string Currency = "USD";

    /// <summary>What the local trainer costs, said wherever a hosted provider would show a bill.</summary>
    public const string LocalNoCharge = "Runs on this machine at no charge (no billed tokens).";

    /// <summary>The same, where a table cell has room for a few words.</summary>
    public const string LocalNoChargeShort = "No charge (this machine)";

    /// <summary>An amount with its currency: "USD 1,234.56".</summary>
    public static string Money(decimal amount) => $"{Currency} {amount.ToString("N2", CultureInfo.InvariantCulture)}";

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

    /// <summary>OpenAI's guidance: start with 50 to 100 well-crafted examples. What a job achieves is measured on held-out briefs, not assumed.</summary>
    public const int RecommendedExamples = 50;

    /// <summary>
    /// <paramref name="heldOut"/>, when known (a job preview), is how many validated examples the job would hold out to
    /// compare its model with the base model.
    /// </summary>
    public static Readiness Check(int validatedCount, int blockingErrorCount, int? heldOut = null)
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
            reasons.Add($"Ready: {Examples(validatedCount)} validated.");
        else if (ready)
            reasons.Add($"Ready: {Examples(validatedCount)} validated. OpenAI suggests starting with {RecommendedExamples}–100; validate {RecommendedExamples - validatedCount} more to reach {RecommendedExamples}.");
        if (ready)
            reasons.Add(Measured(validatedCount, heldOut));
        return new Readiness(validatedCount, ready, recommended, reasons);
    }

    // States what will be measured, never what will be gained: a job may well not beat the base model.
    private static string Measured(int validatedCount, int? heldOut) => heldOut switch
    {
        null => "A job's model is recommended for deployment only if it plans held-out briefs closer to the validated plans than the base model does; otherwise deploying it takes an admin's recorded reason.",
        0 => "With no examples held out, the job's model cannot be compared with the base model: deploying it will take an admin's recorded reason.",
        _ => $"A job's model is recommended for deployment only if it plans held-out briefs closer to the validated plans than the base model does; of {Examples(validatedCount)} validated, {heldOut} {(heldOut == 1 ? "is" : "are")} held out for that comparison.",
    };

    private static string Examples(int count) => count == 1 ? "1 example" : $"{count:N0} examples";
}
