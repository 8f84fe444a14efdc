using System.ComponentModel.DataAnnotations;

namespace MediaPlanner.Domain.Models;

/// <summary>How the app picks between the base and the deployed fine-tuned model for a call.</summary>
public enum SelectionStrategy
{
    /// <summary>Fine-tuned or base by comparing the two: held-out evaluation, planners' choices, quality, success, latency, cost (see <see cref="AutoRule"/>).</summary>
    Auto,
    [Display(Name = "Base model only")]
    BaseOnly,
    /// <summary>The fine-tuned model; the base model when none is deployed or the call fails.</summary>
    [Display(Name = "Fine-tuned only")]
    FineTunedOnly,
}

/// <summary>
/// The auto strategy's numbers (the rule itself is <see cref="AutoRule"/>). Over the last <see cref="Window"/> calls
/// of each model (provider-wide failures that hit both left out): with fewer than <see cref="MinSamples"/> for either,
/// the held-out evaluation alone decides. Otherwise these are guard rails the fine-tuned model must stay within —
/// success rate at least <see cref="MinSuccessRate"/>, average quality no more than <see cref="QualityTolerance"/>
/// points below the base model's, p50 latency at most <see cref="MaxLatencyRatio"/> and cost per call at most
/// <see cref="MaxCostRatio"/> times the base model's — on top of the head-to-head comparison.
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
