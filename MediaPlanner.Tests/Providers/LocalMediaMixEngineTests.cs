using System.Globalization;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Tests.Infrastructure;

namespace MediaPlanner.Tests.Providers;

public partial class LocalMediaMixEngineTests
{
    // ---- budget ----

    [Theory]
    [InlineData("250000.00", "USD", "US")]
    [InlineData("12345.67", "USD", "US")]
    [InlineData("10.00", "USD", "US")]
    [InlineData("0.01", "USD", "US")]
    [InlineData("3.99", "USD", "US")]
    [InlineData("9999999999.99", "USD", "US")]
    [InlineData("250000.00", "EUR", "DE")]
    [InlineData("98765.43", "EUR", "FR")]
    [InlineData("777.77", "GBP", "GB")]
    public void Line_spends_add_up_to_the_brief_budget_to_the_cent(string budgetText, string currency, string market)
    {
        var budget = decimal.Parse(budgetText, CultureInfo.InvariantCulture);
        var request = TestData.Request(TestData.Brief(budget: budget, currency: currency, market: market));

        var plans = TestData.Plans(request);

        Assert.NotEmpty(plans);
        foreach (var plan in plans)
        {
            Assert.Equal(budget, plan.LineItems.Sum(i => i.Spend));
            Assert.Equal(budget, plan.Totals.Spend);
            Assert.Equal(currency, plan.Currency);
            Assert.All(plan.LineItems, i => Assert.Equal(i.Spend, decimal.Round(i.Spend, 2)));
            Assert.All(plan.LineItems, i => Assert.True(i.Spend > 0, $"{i.Channel} has a line with no spend"));
            Assert.Equal(1.0, plan.LineItems.Sum(i => i.Share), 9);
        }
    }

    [Fact]
    public void Budget_is_conserved_when_share_caps_force_the_remainder_to_be_placed()
    {
        // Three channels capped at 30% sum to 90%, so the engine must lift the caps to place the whole budget.
        var parameters = TestData.WithShares((Channel.Search, null, 0.3), (Channel.Social, null, 0.3), (Channel.Display, null, 0.3));
        var request = TestData.Request(TestData.Brief(budget: 12_345.67m, channels: [Channel.Search, Channel.Social, Channel.Display]));

        foreach (var plan in TestData.Plans(request, parameters))
            Assert.Equal(12_345.67m, plan.LineItems.Sum(i => i.Spend));
    }

    [Fact]
    public void Non_usd_plans_price_lines_at_the_benchmark_cpm_converted_to_the_brief_currency()
    {
        var request = TestData.Request(TestData.Brief(currency: "EUR", market: "DE"));
        var rate = SeedReferenceData.Currencies.Single(c => c.Code == "EUR").UnitsPerUsd;

        foreach (var plan in TestData.Plans(request))
            Assert.All(plan.LineItems, i => Assert.Equal(decimal.Round(TestData.Benchmark(i).Cpm * rate, 2), i.Cpm));
    }

    // ---- share bounds ----

    [Theory]
    [InlineData("250000.00")]
    [InlineData("12345.67")]
    [InlineData("10.00")]
    public void Channel_minimum_and_maximum_shares_are_honoured(string budgetText)
    {
        var budget = decimal.Parse(budgetText, CultureInfo.InvariantCulture);
        var parameters = TestData.WithShares((Channel.Search, 0.2, null), (Channel.Social, null, 0.3));
        var request = TestData.Request(TestData.Brief(budget: budget));

        var plans = TestData.Plans(request, parameters);

        Assert.NotEmpty(plans);
        foreach (var plan in plans)
        {
            var shares = TestData.ChannelShares(plan);
            Assert.True(shares.GetValueOrDefault(Channel.Search) >= 0.2m, $"{plan.StrategyName}: Search has {shares.GetValueOrDefault(Channel.Search):P2}, below its 20% minimum");
            Assert.True(shares.GetValueOrDefault(Channel.Social) <= 0.3m, $"{plan.StrategyName}: Social has {shares.GetValueOrDefault(Channel.Social):P2}, above its 30% maximum");
            Assert.All(shares, s => Assert.True(s.Value <= 0.6m, $"{s.Key} exceeds the default 60% cap"));
        }
    }

    [Fact]
    public void Without_the_bounds_the_default_plans_break_them_so_the_bounds_test_is_meaningful()
    {
        // The default engine gives Social more than 30% and Search less than 20% somewhere; otherwise the test above proves nothing.
        var plans = TestData.Plans();

        Assert.Contains(plans, p => TestData.ChannelShares(p).GetValueOrDefault(Channel.Social) > 0.3m);
        Assert.Contains(plans, p => TestData.ChannelShares(p).GetValueOrDefault(Channel.Search) < 0.2m);
    }

    [Fact]
    public void No_line_is_a_sliver_below_the_minimum_line_share()
    {
        foreach (var channels in new[] { TestData.DefaultChannels, Enum.GetValues<Channel>() })
            foreach (var plan in TestData.Plans(TestData.Request(TestData.Brief(channels: channels))))
                Assert.All(plan.LineItems, i => Assert.True(i.Share >= LocalMediaMixEngine.MinLineShare, $"{i.Channel} has a {i.Share:P2} sliver"));
    }

    // ---- alternatives ----

    [Fact]
    public void The_default_brief_gets_three_distinct_alternatives_named_by_strategy()
    {
        var plans = TestData.Plans();

        Assert.Equal(["Reach-led", "Balanced", "Performance-led"], plans.Select(p => p.StrategyName));
        var lines = plans.SelectMany(p => p.LineItems).Select(i => (i.Channel, i.Format)).Distinct().ToList();
        double[] Vector(MediaPlan p) => lines.Select(l => p.LineItems.Where(i => (i.Channel, i.Format) == l).Sum(i => i.Share)).ToArray();
        for (var a = 0; a < plans.Count; a++)
            for (var b = a + 1; b < plans.Count; b++)
            {
                var gap = Vector(plans[a]).Zip(Vector(plans[b]), (x, y) => Math.Abs(x - y)).Max();
                Assert.True(gap >= 0.02, $"{plans[a].StrategyName} and {plans[b].StrategyName} differ by only {gap:P2} on any line");
            }
    }

    [Theory]
    [InlineData(1, new[] { "Balanced" })]
    [InlineData(5, new[] { "Reach-led", "Reach-leaning", "Balanced", "Performance-leaning", "Performance-led" })]
    public void Asking_for_a_different_number_of_alternatives_names_them_along_the_reach_to_performance_scale(int count, string[] expectedNames)
    {
        var plans = TestData.Plans(TestData.Request(TestData.Brief(channels: Enum.GetValues<Channel>())), alternatives: count);

        // Near-identical alternatives are dropped, so only names in the scale's order may appear.
        var names = plans.Select(p => p.StrategyName).ToList();
        Assert.NotEmpty(names);
        Assert.All(names, n => Assert.Contains(n, expectedNames));
        Assert.Equal(names.OrderBy(n => Array.IndexOf(expectedNames, n)), names);
        if (count == 1)
            Assert.Single(plans);
    }

    [Theory]
    [MemberData(nameof(Briefs))]
    public void Reach_led_plan_reaches_more_people_than_the_performance_led_plan(string market, string currency, Objective objective)
    {
        var plans = TestData.Plans(TestData.Request(TestData.Brief(objective: objective, currency: currency, market: market)));
        var reachLed = plans.Single(p => p.StrategyName == "Reach-led");
        var performanceLed = plans.Single(p => p.StrategyName == "Performance-led");

        Assert.True(reachLed.Totals.Reach > performanceLed.Totals.Reach, $"{reachLed.Totals.Reach} vs {performanceLed.Totals.Reach}");
    }

    [Theory]
    [MemberData(nameof(Briefs))]
    public void Performance_led_plan_expects_more_conversions_than_the_reach_led_plan(string market, string currency, Objective objective)
    {
        // The engine weighs response as conversions (clicks × benchmark conversion rate), not raw clicks, so that is
        // what the performance-led plan must win on. (It does not necessarily win on clicks: cheap display clicks
        // convert poorly.)
        var plans = TestData.Plans(TestData.Request(TestData.Brief(objective: objective, currency: currency, market: market)));
        var reachLed = plans.Single(p => p.StrategyName == "Reach-led");
        var performanceLed = plans.Single(p => p.StrategyName == "Performance-led");

        Assert.True(TestData.Conversions(performanceLed) > TestData.Conversions(reachLed),
            $"{TestData.Conversions(performanceLed):F0} vs {TestData.Conversions(reachLed):F0} conversions");
    }

    [Fact]
    public void The_same_input_gives_the_same_plans()
    {
        var request = TestData.Request(TestData.Brief(budget: 12_345.67m, channels: Enum.GetValues<Channel>()));

        var first = TestData.Plans(request).Select(p => PlanJson.Serialize(p)).ToList();
        var second = TestData.Plans(TestData.Request(TestData.Brief(budget: 12_345.67m, channels: Enum.GetValues<Channel>()))).Select(p => PlanJson.Serialize(p)).ToList();

        Assert.Equal(first, second);
    }

    [Fact]
    public void The_objective_changes_the_allocation_on_the_same_channels()
    {
        var awareness = TestData.Plans(TestData.Request(TestData.Brief(objective: Objective.Awareness)));
        var conversion = TestData.Plans(TestData.Request(TestData.Brief(objective: Objective.Conversion)));

        var awarenessBalanced = TestData.ChannelShares(awareness.Single(p => p.StrategyName == "Balanced"));
        var conversionBalanced = TestData.ChannelShares(conversion.Single(p => p.StrategyName == "Balanced"));
        var gap = Enum.GetValues<Channel>().Max(c => Math.Abs(awarenessBalanced.GetValueOrDefault(c) - conversionBalanced.GetValueOrDefault(c)));

        Assert.True(gap >= 0.02m, $"balanced plans differ by only {gap:P2}");
        // Search is where intent is: a conversion brief leans on it more.
        Assert.True(conversionBalanced.GetValueOrDefault(Channel.Search) > awarenessBalanced.GetValueOrDefault(Channel.Search));
        Assert.True(TestData.Conversions(conversion.Single(p => p.StrategyName == "Balanced"))
                    > TestData.Conversions(awareness.Single(p => p.StrategyName == "Balanced")));
    }

    // ---- channels ----

    public static TheoryData<Channel[]> ChannelSets => new()
    {
        new[] { Channel.Search, Channel.Social },
        new[] { Channel.Radio, Channel.Podcast, Channel.Print },
        new[] { Channel.OutOfHome, Channel.LinearTv, Channel.ConnectedTv },
        new[] { Channel.Display, Channel.OnlineVideo, Channel.Radio, Channel.Search },
    };

    [Theory]
    [MemberData(nameof(ChannelSets))]
    public void Only_the_briefs_channels_appear_in_its_plans(Channel[] channels)
    {
        foreach (var objective in Enum.GetValues<Objective>())
            foreach (var plan in TestData.Plans(TestData.Request(TestData.Brief(objective: objective, channels: channels))))
                Assert.All(plan.LineItems, i => Assert.Contains(i.Channel, channels));
    }

    [Theory]
    [InlineData(Channel.Search)]
    [InlineData(Channel.Display)]
    [InlineData(Channel.ConnectedTv)]
    [InlineData(Channel.OutOfHome)]
    [InlineData(Channel.LinearTv)]
    [InlineData(Channel.Print)]
    public void A_single_allowed_channel_gets_the_whole_budget(Channel channel)
    {
        // Print is capped at 30% and every channel at 60% by default: with nothing else allowed the cap must give way.
        var plans = TestData.Plans(TestData.Request(TestData.Brief(budget: 50_000m, channels: [channel])));

        Assert.NotEmpty(plans);
        foreach (var plan in plans)
        {
            Assert.All(plan.LineItems, i => Assert.Equal(channel, i.Channel));
            Assert.Equal(50_000m, plan.LineItems.Sum(i => i.Spend));
            Assert.Equal(1.0, plan.LineItems.Sum(i => i.Share), 9);
        }
    }

    [Fact]
    public void A_brief_whose_channels_have_no_benchmarks_cannot_be_planned()
    {
        var benchmarks = SeedReferenceData.Benchmarks.Where(b => b.Channel is not (Channel.Radio or Channel.Podcast)).ToList();
        var request = TestData.Request(TestData.Brief(channels: [Channel.Radio, Channel.Podcast]), benchmarks);

        Assert.Throws<InvalidOperationException>(() => TestData.Engine().Generate(request));
    }

    [Fact]
    public void A_channel_without_benchmarks_is_left_out_and_named_in_the_assumptions()
    {
        var benchmarks = SeedReferenceData.Benchmarks.Where(b => b.Channel != Channel.Radio).ToList();
        var request = TestData.Request(TestData.Brief(channels: [Channel.Radio, Channel.Social, Channel.Display]), benchmarks);

        foreach (var plan in TestData.Engine().Generate(request))
        {
            Assert.DoesNotContain(plan.LineItems, i => i.Channel == Channel.Radio);
            Assert.Contains(plan.Assumptions, a => a.Contains("Radio", StringComparison.Ordinal) && a.Contains("No benchmark", StringComparison.Ordinal));
        }
    }

    // ---- rationale ----

    [Fact]
    public void The_rationale_names_every_channel_and_quotes_the_plans_figures()
    {
        foreach (var plan in TestData.Plans(TestData.Request(TestData.Brief(channels: Enum.GetValues<Channel>()))).Concat(TestData.Plans()))
        {
            var c = CultureInfo.InvariantCulture;
            Assert.All(plan.LineItems, i => Assert.Contains(i.Channel.Display(), plan.Rationale, StringComparison.Ordinal));
            Assert.Contains(plan.Totals.Spend.ToString("N0", c), plan.Rationale, StringComparison.Ordinal);
            Assert.Contains(plan.Totals.ReachPercent.ToString("0.0", c) + "%", plan.Rationale, StringComparison.Ordinal);
            Assert.Contains(plan.Totals.Impressions.ToString("N0", c), plan.Rationale, StringComparison.Ordinal);
            Assert.All(plan.LineItems, i =>
            {
                Assert.Contains(i.Impressions.ToString("N0", c), i.Rationale, StringComparison.Ordinal);
                Assert.Contains(i.Cpm.ToString("N2", c), i.Rationale, StringComparison.Ordinal);
            });
        }
    }

    [Fact]
    public void Each_plan_compares_itself_with_the_other_alternatives()
    {
        var plans = TestData.Plans();

        foreach (var plan in plans)
            foreach (var other in plans.Where(p => p != plan))
                Assert.Contains($"Against the {other.StrategyName} plan", plan.Rationale, StringComparison.Ordinal);
    }
}
