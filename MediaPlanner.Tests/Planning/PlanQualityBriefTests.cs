using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Tests.Infrastructure;

namespace MediaPlanner.Tests.Planning;

/// <summary>The evaluator judges a plan against the brief, caps impossible, contradicting or short plans, and names why first.</summary>
public class PlanQualityBriefTests
{
    private static readonly PlanQualityEvaluator Evaluator = new();

    /// <summary>A budget that buys the default audience an effective frequency over the six-week flight.</summary>
    private const decimal SoundBudget = 5_000_000m;

    /// <summary>A four-channel Consideration brief in the US, USD 5,000,000 over six weeks.</summary>
    private static CampaignBrief SoundBrief() => TestData.Brief(budget: SoundBudget, objective: Objective.Consideration);

    private static readonly PlanRequest Request = TestData.Request(SoundBrief());
    private static readonly PlanEvaluationContext Context = PlanEvaluationContext.From(Request);

    private static MediaPlan SoundPlan() => TestData.Plans(Request)[0];

    private static QualityReport Evaluate(MediaPlan plan) => Evaluator.Evaluate(plan, Context);

    private static MediaPlan Scaled(MediaPlan plan, decimal factor) => plan with
    {
        LineItems = [.. plan.LineItems.Select(i => i with
        {
            Spend = decimal.Round(i.Spend * factor, 2),
            Impressions = (long)Math.Round(decimal.Round(i.Spend * factor, 2) / i.Cpm * 1000m),
            Reach = (long)Math.Round(i.Reach * (double)factor),
        })],
    };

    /// <summary>The sound plan judged against the sound brief with these KPI targets written into it.</summary>
    private static PlanEvaluationContext WithKpis(Action<CampaignBrief> set)
    {
        var brief = SoundBrief();
        set(brief);
        return PlanEvaluationContext.From(TestData.Request(brief));
    }

    public static TheoryData<string, double, string> Inconsistencies => new()
    {
        { "budget 10x off", PlanQualityEvaluator.MismatchCeiling, "of the brief's budget of USD 5,000,000 unplanned" },
        { "reach 476,190,500% of audience", PlanQualityEvaluator.ImpossibleCeiling, "476,190,500% of 1" },
        { "reach above impressions", PlanQualityEvaluator.ImpossibleCeiling, "than it has impressions" },
        { "brand n/a", PlanQualityEvaluator.MismatchCeiling, "Brand \"n/a\" is not the brief's \"Northwind Running\"" },
        { "objective Awareness", PlanQualityEvaluator.MismatchCeiling, "Objective Awareness is not the brief's Consideration" },
        { "wrong currency", PlanQualityEvaluator.ImpossibleCeiling, "Plan is in EUR, the brief in USD" },
        { "overspend", PlanQualityEvaluator.ImpossibleCeiling, "Overspends the brief's budget of USD 5,000,000" },
        { "zero spend line", PlanQualityEvaluator.ImpossibleCeiling, "spends nothing or a negative amount" },
        { "flight moved", PlanQualityEvaluator.MismatchCeiling, "Flight 2027-05-01–2027-06-11 is not the brief's 2027-03-01–2027-04-11" },
        { "market GB", PlanQualityEvaluator.MismatchCeiling, "Market \"GB\" is not the brief's US" },
        { "channel not allowed", PlanQualityEvaluator.MismatchCeiling, "Podcast is not among the brief's channels" },
        { "audience 10x", PlanQualityEvaluator.MismatchCeiling, "is not the brief's" },
        { "reach KPI missed", PlanQualityEvaluator.ShortfallCeiling, "Misses the brief's reach KPI: reach 1+ 95.7% against the target 99%" },
        { "frequency KPI missed", PlanQualityEvaluator.ShortfallCeiling, "Misses the brief's frequency KPI: average frequency 7.1 against the target 12" },
        { "CPC KPI missed", PlanQualityEvaluator.ShortfallCeiling, "Misses the brief's CPC KPI: CPC USD 0.85 against the target USD 0.40" },
        { "CPA KPI missed", PlanQualityEvaluator.ShortfallCeiling, "Misses the brief's CPA KPI: CPA USD 21.52 against the target USD 5.00" },
        { "CTR KPI missed", PlanQualityEvaluator.ShortfallCeiling, "Misses the brief's CTR KPI: CTR 0.68% against the target 2.5%" },
        { "frequency 1.2 over six weeks", PlanQualityEvaluator.ShortfallCeiling, "over 6 weeks (0.20 a week): 0.6% of the audience (3% of those reached) see it 3+ times, too thin to be remembered." },
    };

    private static (MediaPlan Plan, PlanEvaluationContext Context) Distort(string inconsistency)
    {
        var plan = SoundPlan();
        return inconsistency switch
        {
            // As in issue 12: the card read "Allocation · USD 25,000" against a USD 250,000 brief.
            "budget 10x off" => (Scaled(plan, 0.1m) with { Budget = SoundBudget / 10 }, Context),
            // The model's audience of 1 turned a line reach of 4,761,905 into 476,190,500 %.
            "reach 476,190,500% of audience" => (plan with
            {
                AudienceSize = 1,
                LineItems = [plan.LineItems[0] with { Reach = 4_761_905, Frequency = Math.Round(plan.LineItems[0].Impressions / 4_761_905.0, 2) }, .. plan.LineItems.Skip(1)],
            }, Context),
            "reach above impressions" => (plan with { LineItems = [plan.LineItems[0] with { Reach = plan.LineItems[0].Impressions + 1 }, .. plan.LineItems.Skip(1)] }, Context),
            "brand n/a" => (plan with { Brand = "n/a" }, Context),
            "objective Awareness" => (plan with { Objective = Objective.Awareness }, Context),
            "wrong currency" => (plan with { Currency = "EUR" }, Context),
            "overspend" => (Scaled(plan, 1.1m), Context),
            "zero spend line" => (plan with { LineItems = [plan.LineItems[0] with { Spend = 0 }, .. plan.LineItems.Skip(1)] }, Context),
            "flight moved" => (plan with { FlightStart = new DateOnly(2027, 5, 1), FlightEnd = new DateOnly(2027, 6, 11) }, Context),
            "market GB" => (plan with { Market = "GB" }, Context),
            "channel not allowed" => (plan with { LineItems = [plan.LineItems[0] with { Channel = Channel.Podcast }, .. plan.LineItems.Skip(1)] }, Context),
            "audience 10x" => (plan with { AudienceSize = Context.AudienceSize * 10 }, Context),
            "reach KPI missed" => (plan, WithKpis(b => b.KpiReachPercent = 99)),
            "frequency KPI missed" => (plan, WithKpis(b => b.KpiFrequency = 12)),
            "CPC KPI missed" => (plan, WithKpis(b => b.KpiCpc = 0.40m)),
            "CPA KPI missed" => (plan, WithKpis(b => b.KpiCpa = 5m)),
            "CTR KPI missed" => (plan, WithKpis(b => b.KpiCtrPercent = 2.5)),
            // As in issue 12: USD 250,000 over 128 million adults for six weeks buys a frequency of about 1.2.
            "frequency 1.2 over six weeks" => ThinPlan(),
            _ => throw new ArgumentOutOfRangeException(nameof(inconsistency)),
        };
    }

    /// <summary>The engine's balanced plan for the default budget of USD 250,000: sound arithmetic, frequency 1.2 over six weeks.</summary>
    private static (MediaPlan Plan, PlanEvaluationContext Context) ThinPlan()
    {
        var request = TestData.Request(TestData.Brief(objective: Objective.Consideration));
        return (TestData.Plans(request).Single(p => p.StrategyName == "Balanced"), PlanEvaluationContext.From(request));
    }

    [Theory]
    [MemberData(nameof(Inconsistencies))]
    public void Each_inconsistency_with_the_brief_is_capped_and_named_first(string inconsistency, double ceiling, string reason)
    {
        var (plan, context) = Distort(inconsistency);

        var report = Evaluator.Evaluate(plan, context);

        Assert.True(report.Score <= ceiling, $"{inconsistency} scored {report.Score}, above its ceiling {ceiling}");
        Assert.Equal(ceiling, report.Ceiling);
        Assert.Contains(reason, report.Headline, StringComparison.Ordinal);
    }

    [Fact]
    public void The_sound_plan_the_inconsistencies_start_from_is_not_capped()
    {
        var report = Evaluate(SoundPlan());

        Assert.Null(report.Ceiling);
        Assert.True(report.Score >= 90, $"sound plan scored {report.Score}: {string.Join(" | ", report.Reasons!)}");
    }

    [Fact]
    public void An_impossible_figure_is_named_before_a_contradiction_of_the_brief()
    {
        var plan = SoundPlan() with { Brand = "n/a", Currency = "EUR" };

        var report = Evaluate(plan);

        Assert.Equal(PlanQualityEvaluator.ImpossibleCeiling, report.Ceiling);
        Assert.StartsWith("Plan is in EUR", report.Headline, StringComparison.Ordinal);
        Assert.Contains(report.Reasons!, r => r.StartsWith("Brand \"n/a\"", StringComparison.Ordinal));
    }

    [Fact]
    public void A_thin_plan_loses_brief_fit_points_and_scores_well_below_the_same_channels_with_a_budget_that_buys_frequency()
    {
        var (thin, thinContext) = ThinPlan();
        var sound = TestData.Plans(Request).Single(p => p.StrategyName == "Balanced");

        var thinReport = Evaluator.Evaluate(thin, thinContext);
        var soundReport = Evaluate(sound);

        Assert.StartsWith("Average frequency 1.2 over 6 weeks", thinReport.Headline, StringComparison.Ordinal);
        Assert.Contains("too thin", thinReport.Criteria.Single(c => c.Name == "Brief fit").Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(soundReport.Reasons!, r => r.Contains("too thin", StringComparison.Ordinal));
        Assert.True(thinReport.Score <= soundReport.Score - 20, $"thin {thinReport.Score}, sound {soundReport.Score}");
    }

    [Fact]
    public void The_brief_effective_frequency_sets_the_threshold_for_thin()
    {
        var (thin, _) = ThinPlan();
        var brief = TestData.Brief(objective: Objective.Consideration);
        brief.EffectiveFrequency = 1;

        var report = Evaluator.Evaluate(thin, PlanEvaluationContext.From(TestData.Request(brief)));

        // Everyone reached is reached once: at a threshold of 1 nobody reached is "thin", though recency still suffers.
        Assert.DoesNotContain(report.Reasons!, r => r.Contains("too thin", StringComparison.Ordinal));
        Assert.Contains(report.Reasons!, r => r.Contains("see it 1+ times", StringComparison.Ordinal));
    }

    [Fact]
    public void A_frequency_above_15_is_flagged_as_waste()
    {
        // EUR 5,000,000 over 34 million adults in Germany buys a frequency of about 25.
        var request = TestData.Request(TestData.Brief(budget: 5_000_000m, currency: "EUR", market: "DE"));
        var plan = TestData.Plans(request)[0];

        var report = Evaluator.Evaluate(plan, PlanEvaluationContext.From(request));

        Assert.StartsWith("Average frequency 2", report.Headline, StringComparison.Ordinal);
        Assert.Contains("wasteful", report.Headline, StringComparison.Ordinal);
        Assert.True(report.Criteria.Single(c => c.Name == "Brief fit").Score <= 0.6);
    }

    [Fact]
    public void A_report_saved_before_ceilings_and_reasons_existed_still_loads()
    {
        var report = System.Text.Json.JsonSerializer.Deserialize<QualityReport>("""{"score":90,"criteria":[]}""", PlanJson.Options)!;

        Assert.Equal(90, report.Score);
        Assert.Null(report.Ceiling);
        Assert.Null(report.Headline);
    }
}
