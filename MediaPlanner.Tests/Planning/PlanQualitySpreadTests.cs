using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Tests.Infrastructure;

namespace MediaPlanner.Tests.Planning;

/// <summary>
/// The score ranks plans: over a matrix of briefs (3 objectives × 4 channel sets × budgets 20k–5M × 4 markets and
/// currencies) the engine's alternatives spread, and plausible but mediocre hand-made plans stay below 94.
/// </summary>
public class PlanQualitySpreadTests
{
    private static readonly PlanQualityEvaluator Evaluator = new();

    public static readonly Channel[][] ChannelSets =
    [
        TestData.DefaultChannels,
        [Channel.Social, Channel.Display],
        [Channel.Search, Channel.Social, Channel.Display, Channel.OnlineVideo, Channel.ConnectedTv, Channel.Podcast],
        [Channel.LinearTv, Channel.ConnectedTv, Channel.OutOfHome, Channel.Radio],
    ];

    public static readonly decimal[] Budgets = [20_000m, 250_000m, 1_200_000m, 5_000_000m];

    public static readonly (string Currency, string Market)[] Markets = [("USD", "US"), ("EUR", "DE"), ("GBP", "GB"), ("AUD", "AU")];

    public static IEnumerable<CampaignBrief> Matrix() =>
        from objective in Enum.GetValues<Objective>()
        from channels in ChannelSets
        from budget in Budgets
        from market in Markets
        select TestData.Brief(budget, objective, channels, market.Currency, market.Market);

    /// <summary>
    /// Hand-made plans a hurried planner might hand in, recomputed with the reach model so their arithmetic is sound: an
    /// even split with a boilerplate rationale, and everything in the brief's dearest channel with a one-line reason.
    /// </summary>
    public static IEnumerable<MediaPlan> Mediocre(PlanRequest request, MediaPlan template)
    {
        var basis = PlanBasis.From(request);
        var budget = request.Brief.Budget;
        var formats = basis.Formats.Where(f => request.Brief.Channels.Contains(f.Channel)).GroupBy(f => f.Channel).Select(g => g.First()).ToList();
        MediaPlan Plan(string name, IEnumerable<(FormatBasis Format, decimal Spend)> lines, string rationale) => PlanMath.Recompute(template with
        {
            StrategyName = name,
            Rationale = rationale,
            LineItems = [.. lines.Select(l => new PlanLineItem(l.Format.Channel, l.Format.Format, l.Spend, 0, l.Format.Cpm, 0, 0, 0, 0,
                $"{l.Format.Channel.Display()} carries its share of the budget for its reach and price."))],
        }, basis);
        var even = decimal.Round(budget / formats.Count, 2);
        yield return Plan("Even split", formats.Select((f, i) => (f, i == 0 ? budget - even * (formats.Count - 1) : even)),
            "A balanced plan that meets the brief's goals efficiently.");
        var dearest = formats.MaxBy(f => f.Cpm)!;
        yield return Plan("All in the dearest channel", [(dearest, budget)],
            $"Puts 100% of the budget in {dearest.Channel.Display()} for its premium audience and one clear message.");
    }

    private static List<(Objective Objective, double Score, bool Mediocre)> Scores() =>
        Matrix().SelectMany(brief =>
        {
            var request = TestData.Request(brief);
            var context = PlanEvaluationContext.From(request);
            var engine = TestData.Plans(request);
            return engine.Select(p => (brief.Objective, Evaluator.Evaluate(p, context).Score, false))
                .Concat(Mediocre(request, engine[0]).Select(p => (brief.Objective, Evaluator.Evaluate(p, context).Score, true)));
        }).ToList();

    private static readonly Lazy<List<(Objective Objective, double Score, bool Mediocre)>> All = new(Scores);

    [Fact]
    public void No_arithmetically_sound_but_mediocre_plan_reaches_94()
    {
        var mediocre = All.Value.Where(s => s.Mediocre).Select(s => s.Score).ToList();

        Assert.Equal(Matrix().Count() * 2, mediocre.Count);
        Assert.True(mediocre.Max() < 94, $"a mediocre plan scored {mediocre.Max()}");
    }

    [Theory]
    [InlineData(Objective.Awareness)]
    [InlineData(Objective.Consideration)]
    [InlineData(Objective.Conversion)]
    public void The_engines_plans_spread_over_the_matrix_for_each_objective(Objective objective)
    {
        var scores = All.Value.Where(s => !s.Mediocre && s.Objective == objective).Select(s => s.Score).Order().ToList();
        var median = scores[scores.Count / 2];

        Assert.True(scores[^1] - scores[0] >= 30, $"{objective}: {scores[0]}–{scores[^1]}");
        // Plans the budget can serve score high; the ones it cannot are held down.
        Assert.True(scores[^1] >= 96, $"{objective}: best {scores[^1]}");
        Assert.InRange(median, 70, 95);
    }

    [Fact]
    public void The_engines_alternatives_for_one_brief_do_not_all_score_alike()
    {
        var request = TestData.Request(TestData.Brief(budget: 1_200_000m, objective: Objective.Conversion));
        var context = PlanEvaluationContext.From(request);

        var scores = TestData.Plans(request).Select(p => Evaluator.Evaluate(p, context).Score).ToList();

        Assert.True(scores.Max() - scores.Min() >= 10, string.Join(", ", scores));
    }
}
