using MediaPlanner.Domain.Models;

namespace MediaPlanner.Tests.Models;

public class AutoRuleTests
{
    private static readonly AutoThresholds T = AutoThresholds.Default;

    /// <summary>A recorded history: n calls, the given share succeeding, with quality, latency and cost.</summary>
    private static List<ModelCall> History(int n, double success, double quality, double latencyMs, decimal cost) =>
        Enumerable.Range(0, n).Select(i => new ModelCall
        {
            UserId = "u", Provider = "openai", Model = "m", Reason = "r",
            Succeeded = i < Math.Round(n * success),
            QualityScore = i < Math.Round(n * success) ? quality : null,
            LatencyMs = latencyMs + i % 3,
            Cost = cost,
        }).ToList();

    private static (ModelRole, string) Decide(List<ModelCall> baseCalls, List<ModelCall> ftCalls) =>
        AutoRule.Decide(ModelStats.From(baseCalls), ModelStats.From(ftCalls), T);

    [Fact]
    public void Too_few_calls_send_traffic_to_the_fine_tuned_model_so_it_gets_measured()
    {
        var (role, reason) = Decide(History(50, 1, 90, 100, 0.002m), History(T.MinSamples - 1, 1, 70, 100, 0.001m));

        Assert.Equal(ModelRole.FineTuned, role);
        Assert.Contains("too few", reason);
    }

    [Fact]
    public void Similar_quality_prefers_the_fine_tuned_model()
    {
        var (role, reason) = Decide(History(50, 1, 90, 900, 0.002m), History(50, 1, 88, 700, 0.001m));

        Assert.Equal(ModelRole.FineTuned, role);
        Assert.Contains("preferred", reason);
    }

    [Fact]
    public void A_fine_tuned_model_that_fails_too_often_loses_to_the_base_model()
    {
        var (role, reason) = Decide(History(50, 1, 85, 900, 0.002m), History(50, 0.8, 95, 700, 0.001m));

        Assert.Equal(ModelRole.Base, role);
        Assert.Contains("succeeded in 80", reason);
    }

    [Fact]
    public void Clearly_lower_quality_loses_to_the_base_model()
    {
        var (role, reason) = Decide(History(50, 1, 92, 900, 0.002m), History(50, 1, 92 - T.QualityTolerance - 0.5, 700, 0.001m));

        Assert.Equal(ModelRole.Base, role);
        Assert.Contains("quality", reason);
    }

    [Fact]
    public void Much_slower_or_much_dearer_loses_to_the_base_model()
    {
        var slow = Decide(History(50, 1, 90, 500, 0.002m), History(50, 1, 90, 500 * T.MaxLatencyRatio + 50, 0.002m));
        var dear = Decide(History(50, 1, 90, 500, 0.002m), History(50, 1, 90, 500, 0.002m * (decimal)T.MaxCostRatio + 0.001m));

        Assert.Equal(ModelRole.Base, slow.Item1);
        Assert.Contains("latency", slow.Item2);
        Assert.Equal(ModelRole.Base, dear.Item1);
        Assert.Contains("cost", dear.Item2);
    }

    [Fact]
    public void Stats_compute_success_rate_average_quality_median_latency_and_cost_per_call()
    {
        var calls = new List<ModelCall>
        {
            new() { UserId = "u", Provider = "p", Model = "m", Reason = "r", Succeeded = true, QualityScore = 80, LatencyMs = 100, Cost = 0.01m },
            new() { UserId = "u", Provider = "p", Model = "m", Reason = "r", Succeeded = true, QualityScore = 90, LatencyMs = 300, Cost = 0.03m },
            new() { UserId = "u", Provider = "p", Model = "m", Reason = "r", Succeeded = false, LatencyMs = 200, Cost = 0m },
            new() { UserId = "u", Provider = "p", Model = "m", Reason = "r", Succeeded = true, QualityScore = 70, LatencyMs = 400, Cost = 0.02m },
        };

        var stats = ModelStats.From(calls);

        Assert.Equal(4, stats.Calls);
        Assert.Equal(0.75, stats.SuccessRate);
        Assert.Equal(80, stats.AverageQuality);
        Assert.Equal(200, stats.P50LatencyMs);
        Assert.Equal(0.015m, stats.CostPerCall);
        Assert.Equal(400, ModelStats.Percentile([100, 200, 300, 400], 0.95));
    }

    [Fact]
    public void Call_cost_is_tokens_times_the_price_per_million()
    {
        var price = new MediaPlanner.Domain.Training.ModelPrice { Model = "gpt-4o-mini-2024-07-18", InputPerMillion = 0.15m, OutputPerMillion = 0.60m, Source = "s" };

        Assert.Equal(0.00015m * 2 + 0.0006m * 3, MediaPlanner.Domain.Planning.ModelCost.Of(2_000, 3_000, price));
        Assert.Equal(0.15m + 0.60m, MediaPlanner.Domain.Planning.ModelCost.Of(1_000_000, 1_000_000, price));
    }
}
