using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.FineTuning.Evaluation;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Tests.Infrastructure;

namespace MediaPlanner.Tests.Providers;

/// <summary>The engine planning at a learned mix: the shares are the model's, every figure is still the engine's arithmetic.</summary>
public class LearnedMixEngineTests
{
    private static MediaMixParameters WithMix(Dictionary<string, IReadOnlyDictionary<Channel, double>> weights, double engineWeight = 1) =>
        MediaMixParameters.Default with { Name = "learned", Version = 2, Mix = new ShareModel { Weights = weights, EngineWeight = engineWeight, TrainedOn = 120 } };

    private static readonly MediaMixParameters SocialHeavy = WithMix(new()
    {
        ["bias"] = new Dictionary<Channel, double> { [Channel.Social] = 2.5, [Channel.Display] = -1 },
        ["objective:Awareness"] = new Dictionary<Channel, double> { [Channel.OnlineVideo] = 1 },
    });

    [Fact]
    public void The_balanced_plan_spends_the_learned_shares_to_the_cent()
    {
        var request = TestData.Request();
        var engine = new LocalMediaMixEngine(SocialHeavy);
        var predicted = SocialHeavy.Mix!.Predict(request, engine.EngineShares(request));

        var balanced = engine.Generate(request).Single(p => p.StrategyName == "Balanced");
        var shares = HeldOutEvaluator.Shares(balanced);

        Assert.Equal(request.Brief.Budget, balanced.LineItems.Sum(i => i.Spend));
        foreach (var (channel, share) in predicted.Where(p => p.Value >= LocalMediaMixEngine.MinLineShare))
            Assert.Equal(share / predicted.Where(p => p.Value >= LocalMediaMixEngine.MinLineShare).Sum(p => p.Value), shares[channel], 6);
        Assert.True(shares[Channel.Social] > 0.5, $"Social {shares[Channel.Social]:P1}");
    }

    [Fact]
    public void Every_learned_plan_keeps_the_engines_arithmetic()
    {
        var request = TestData.Request(TestData.Brief(budget: 123_456.78m, channels: [Channel.Search, Channel.Social, Channel.OnlineVideo, Channel.Display, Channel.OutOfHome]));

        foreach (var plan in new LocalMediaMixEngine(SocialHeavy).Generate(request))
        {
            Assert.Equal(123_456.78m, plan.LineItems.Sum(i => i.Spend));
            Assert.Equal(plan.LineItems.Sum(i => i.Spend), plan.Totals.Spend);
            foreach (var item in plan.LineItems)
            {
                Assert.Equal((long)Math.Round((double)item.Spend / (double)item.Cpm * 1000), item.Impressions);
                Assert.True(item.Reach <= request.AudienceSize);
                Assert.Equal(Math.Round(item.Impressions / (double)item.Reach, 2), item.Frequency);
                Assert.Equal((double)item.Spend / (double)plan.Budget, item.Share, 9);
            }
            Assert.Equal(plan.LineItems.Sum(i => i.Impressions), plan.Totals.Impressions);
        }
    }

    [Fact]
    public void The_alternatives_stay_distinct_and_lean_as_their_names_say()
    {
        var request = TestData.Request(TestData.Brief(objective: Objective.Consideration));

        var plans = new LocalMediaMixEngine(SocialHeavy).Generate(request);

        Assert.Equal(["Reach-led", "Balanced", "Performance-led"], plans.Select(p => p.StrategyName));
        Assert.True(plans[0].Totals.ReachPercent > plans[2].Totals.ReachPercent);
        Assert.True(TestData.Conversions(plans[2]) > TestData.Conversions(plans[0]));
        for (var i = 0; i < plans.Count; i++)
            for (var j = i + 1; j < plans.Count; j++)
                Assert.True(HeldOutEvaluator.Distance(HeldOutEvaluator.Shares(plans[i]), HeldOutEvaluator.Shares(plans[j])) > 0.02);
    }

    [Fact]
    public void The_rationale_and_assumptions_say_where_the_split_came_from()
    {
        var balanced = new LocalMediaMixEngine(SocialHeavy).Generate(TestData.Request()).Single(p => p.StrategyName == "Balanced");

        Assert.Contains("learned-v2 learned from 120 validated plans for briefs like this one (awareness, audience aged 35–54)", balanced.Rationale, StringComparison.Ordinal);
        Assert.DoesNotContain("each funded until its next", balanced.Rationale, StringComparison.Ordinal);
        Assert.Contains(balanced.Assumptions, a => a.StartsWith("Channel shares: learned-v2's mix, learned from 120 validated plans", StringComparison.Ordinal));
    }

    [Fact]
    public void A_model_with_no_weights_plans_the_engines_own_mix()
    {
        var empty = WithMix([]);
        foreach (var objective in Enum.GetValues<Objective>())
        {
            var request = TestData.Request(TestData.Brief(objective: objective));
            var own = HeldOutEvaluator.Shares(new LocalMediaMixEngine(MediaMixParameters.Default).Generate(request).Single(p => p.StrategyName == "Balanced"));
            var learned = HeldOutEvaluator.Shares(new LocalMediaMixEngine(empty).Generate(request).Single(p => p.StrategyName == "Balanced"));

            Assert.True(HeldOutEvaluator.Distance(own, learned) < 0.01, $"{objective}: {HeldOutEvaluator.Distance(own, learned):0.0000}");
        }
    }

    [Fact]
    public void A_parameter_set_with_an_unusable_mix_is_refused()
    {
        var broken = WithMix(new() { ["bias"] = new Dictionary<Channel, double> { [Channel.Social] = 99 } });

        var error = Assert.Throws<ArgumentException>(() => MediaMixParameters.FromJson(broken.ToJson()));
        Assert.Contains("mix model", error.Message, StringComparison.Ordinal);
    }
}
