namespace MediaPlanner.Domain.Models;

/// <summary>How the app picks between the base and the deployed fine-tuned model for a call.</summary>
public enum SelectionStrategy
{
    /// <summary>By measured quality, success rate, latency and cost over a recent window (see <see cref="AutoThresholds"/>).</summary>
    Auto,
    BaseOnly,
    /// <summary>The fine-tuned model; the base model when none is deployed or the call fails.</summary>
    FineTunedOnly,
}

/// <summary>
/// The auto strategy's rule, in numbers. Over the last <see cref="Window"/> calls of each model: with fewer than
/// <see cref="MinSamples"/> for either, use the fine-tuned model (it needs calls to be measured). Otherwise use the
/// fine-tuned model unless its success rate is below <see cref="MinSuccessRate"/>, or its average quality is more than
/// <see cref="QualityTolerance"/> points below the base model's, or its p50 latency is more than
/// <see cref="MaxLatencyRatio"/> times the base model's, or its cost per call more than <see cref="MaxCostRatio"/> times.
/// Similar quality favours the fine-tuned model, as the seed's select_optimal_model does.
/// </summary>
public sealed record AutoThresholds(
    int Window = 50,
    int MinSamples = 10,
    double MinSuccessRate = 0.9,
    double QualityTolerance = 3.0,
    double MaxLatencyRatio = 2.0,
    double MaxCostRatio = 3.0,
    decimal DailyBudgetUsd = 50m)
{
    public static AutoThresholds Default { get; } = new();
}

public sealed record SelectionSettings(SelectionStrategy Strategy, AutoThresholds Thresholds)
{
    public static SelectionSettings Default { get; } = new(SelectionStrategy.Auto, AutoThresholds.Default);
}
