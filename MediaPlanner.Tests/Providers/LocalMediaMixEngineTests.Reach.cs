using System.Text.Json.Nodes;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Tests.Infrastructure;

namespace MediaPlanner.Tests.Providers;

// Clicks, reach and frequency: the Goerg curve per line, combined reach, diminishing returns.
public partial class LocalMediaMixEngineTests
{
    // ---- per-line estimates ----

    public static TheoryData<string, string, Objective> Briefs => new()
    {
        { "US", "USD", Objective.Awareness },
        { "US", "USD", Objective.Conversion },
        { "DE", "EUR", Objective.Consideration },
        { "GB", "GBP", Objective.Awareness },
    };

    private static IEnumerable<MediaPlan> AllChannelPlans(string market, string currency, Objective objective) =>
        TestData.Plans(TestData.Request(TestData.Brief(objective: objective, currency: currency, market: market, channels: Enum.GetValues<Channel>())))
            .Concat(TestData.Plans(TestData.Request(TestData.Brief(objective: objective, currency: currency, market: market))));

    [Theory]
    [MemberData(nameof(Briefs))]
    public void Impressions_are_spend_divided_by_cpm_times_1000_rounded(string market, string currency, Objective objective)
    {
        foreach (var plan in AllChannelPlans(market, currency, objective))
            foreach (var i in plan.LineItems)
            {
                var exact = i.Spend / i.Cpm * 1000m;
                Assert.True(Math.Abs(i.Impressions - exact) <= 0.5m, $"{i.Format}: {i.Impressions} impressions for {exact} expected");
            }
    }

    [Theory]
    [MemberData(nameof(Briefs))]
    public void Clicks_are_impressions_times_the_benchmark_ctr(string market, string currency, Objective objective)
    {
        foreach (var plan in AllChannelPlans(market, currency, objective))
            foreach (var i in plan.LineItems)
            {
                var ctr = TestData.Benchmark(i).Ctr;
                if (ctr is null)
                    Assert.Equal(0, i.Clicks);
                else
                    Assert.True(Math.Abs(i.Clicks - i.Impressions * ctr.Value) <= 0.5 + 1e-6, $"{i.Format}: {i.Clicks} clicks for {i.Impressions * ctr.Value} expected");
            }
    }

    [Theory]
    [MemberData(nameof(Briefs))]
    public void Frequency_is_impressions_over_reach_and_reach_never_exceeds_audience_or_impressions(string market, string currency, Objective objective)
    {
        foreach (var plan in AllChannelPlans(market, currency, objective))
        {
            foreach (var i in plan.LineItems)
            {
                Assert.InRange(i.Reach, 1, plan.AudienceSize);
                Assert.True(i.Reach <= i.Impressions, $"{i.Format} reaches {i.Reach} people with {i.Impressions} impressions");
                Assert.Equal(i.Impressions / (double)i.Reach, i.Frequency, 0.005);
                Assert.True(i.Frequency >= 1);
            }
            Assert.InRange(plan.Totals.Reach, 1, plan.AudienceSize);
        }
    }

    [Fact]
    public void Reach_stays_within_the_audience_even_for_a_huge_budget()
    {
        var request = TestData.Request(TestData.Brief(budget: 5_000_000_000m, channels: Enum.GetValues<Channel>()));

        foreach (var plan in TestData.Plans(request))
        {
            Assert.All(plan.LineItems, i => Assert.True(i.Reach <= plan.AudienceSize));
            Assert.True(plan.Totals.Reach <= plan.AudienceSize);
            Assert.True(plan.Totals.ReachPercent <= 100);
        }
    }

    [Fact]
    public void Line_reach_follows_the_goerg_curve_calibrated_from_the_benchmark()
    {
        // Goerg (2014) one-point model: reach = ρI / (I + ρ) within the channel's universe, ρ = U·r₀ / (1 − r₀),
        // where U is the audience share the channel can reach and r₀ the reach at one impression per person.
        foreach (var plan in AllChannelPlans("US", "USD", Objective.Awareness))
            foreach (var i in plan.LineItems)
            {
                var b = TestData.Benchmark(i);
                var universe = plan.AudienceSize * b.UniverseShare;
                var rho = universe * b.ReachAtOneImpressionPerPerson / (1 - b.ReachAtOneImpressionPerPerson);
                var expected = Math.Min(universe, rho * i.Impressions / (i.Impressions + rho));
                Assert.True(Math.Abs(i.Reach - expected) <= 1, $"{i.Format}: reach {i.Reach}, Goerg curve gives {expected:F1}");
            }
    }

    // ---- totals ----

    [Theory]
    [MemberData(nameof(Briefs))]
    public void Combined_reach_is_one_minus_the_product_of_line_non_reach_shares(string market, string currency, Objective objective)
    {
        foreach (var plan in AllChannelPlans(market, currency, objective))
        {
            var notReached = plan.LineItems.Aggregate(1.0, (p, i) => p * (1 - i.Reach / (double)plan.AudienceSize));
            var combined = 1 - notReached;

            Assert.True(Math.Abs(plan.Totals.Reach - combined * plan.AudienceSize) <= 1, $"{plan.Totals.Reach} vs {combined * plan.AudienceSize}");
            Assert.Equal(combined * 100, plan.Totals.ReachPercent, 0.005);
            // Random duplication: more than the largest line alone, less than the sum of lines.
            Assert.True(plan.Totals.Reach >= plan.LineItems.Max(i => i.Reach));
            if (plan.LineItems.Count > 1)
                Assert.True(plan.Totals.Reach < plan.LineItems.Sum(i => i.Reach));
        }
    }

    [Theory]
    [MemberData(nameof(Briefs))]
    public void Totals_add_up_the_lines_and_ecpm_is_spend_over_impressions_times_1000(string market, string currency, Objective objective)
    {
        foreach (var plan in AllChannelPlans(market, currency, objective))
        {
            var t = plan.Totals;
            Assert.Equal(plan.LineItems.Sum(i => i.Spend), t.Spend);
            Assert.Equal(plan.LineItems.Sum(i => i.Impressions), t.Impressions);
            Assert.Equal(plan.LineItems.Sum(i => i.Clicks), t.Clicks);
            Assert.True(Math.Abs(t.Ecpm - t.Spend / t.Impressions * 1000m) <= 0.005m, $"eCPM {t.Ecpm} vs {t.Spend / t.Impressions * 1000m}");
            Assert.Equal(t.Impressions / (double)t.Reach, t.AverageFrequency, 0.005);
            // GRPs = reach % × average frequency = impressions per 100 people in the audience.
            Assert.Equal(t.Impressions * 100.0 / plan.AudienceSize, t.Grp, 0.06);
        }
    }

    // ---- response curves ----

    [Theory]
    [InlineData(Channel.Social)]
    [InlineData(Channel.Display)]
    [InlineData(Channel.LinearTv)]
    public void Doubling_a_single_channel_budget_less_than_doubles_reach(Channel channel)
    {
        long Reach(decimal budget) => TestData.Plans(TestData.Request(TestData.Brief(budget: budget, channels: [channel])))[0].Totals.Reach;

        var single = Reach(100_000m);
        var doubled = Reach(200_000m);

        Assert.True(doubled > single, "more budget must buy more reach");
        Assert.True(doubled < 2 * single, $"reach went from {single} to {doubled} for double the budget");
    }

    [Theory]
    [InlineData(Channel.Social)]
    [InlineData(Channel.OnlineVideo)]
    public void Marginal_reach_per_dollar_falls_as_the_budget_grows(Channel channel)
    {
        decimal[] budgets = [50_000m, 100_000m, 200_000m, 400_000m, 800_000m];
        var reach = budgets.Select(b => TestData.Plans(TestData.Request(TestData.Brief(budget: b, channels: [channel])))[0].Totals.Reach).ToArray();

        var marginal = Enumerable.Range(1, budgets.Length - 1)
            .Select(k => (reach[k] - reach[k - 1]) / (double)(budgets[k] - budgets[k - 1]))
            .ToArray();

        Assert.All(marginal, m => Assert.True(m > 0));
        for (var k = 1; k < marginal.Length; k++)
            Assert.True(marginal[k] < marginal[k - 1], $"marginal reach per dollar rose from {marginal[k - 1]} to {marginal[k]}");
    }
}
