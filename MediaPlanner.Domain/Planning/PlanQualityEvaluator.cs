using System.Globalization;
using MediaPlanner.Domain.Briefs;

namespace MediaPlanner.Domain.Planning;

// Over 400 lines on purpose: the seven criteria and the findings that cap them read the same figures and thresholds,
// and a reader checking how a plan is scored wants them side by side.

/// <summary>
/// Scores a plan 0–100 on seven weighted criteria, judged against the brief rather than the plan's own claims: it
/// recomputes from the line items, measures reach, frequency and response with the reach model
/// (<see cref="PlanFigures.Of"/>), and compares brand, objective, flight, market, currency, budget, audience, channels
/// and KPIs with the brief. Failed checks are findings; an impossible figure caps the score at
/// <see cref="ImpossibleCeiling"/>, a contradiction of the brief at <see cref="MismatchCeiling"/>, a missed KPI or a
/// frequency too thin to be remembered at <see cref="ShortfallCeiling"/>, and the worst finding is the report's first reason.
/// </summary>
public sealed class PlanQualityEvaluator
{
    public const double BudgetWeight = 0.15, DiversityWeight = 0.10, RationaleWeight = 0.10, CompletenessWeight = 0.10, AccuracyWeight = 0.15,
        BriefFitWeight = 0.20, KpiFitWeight = 0.20;
    public const double ImpossibleCeiling = 40, MismatchCeiling = 60, ShortfallCeiling = 75;
    public const string KpiFitName = "KPI fit";

    // A CPM this far outside the benchmark range is treated as implausible, not just unusual.
    private const decimal CpmTolerance = 1.25m;
    // Spending less than this share of the budget leaves so much unplanned that the plan does not answer the brief.
    private const double FarUnderBudget = 0.90;
    // The plan's audience may round or re-estimate the brief's, but not by more than this.
    private const double AudienceTolerance = 0.05;
    // A stated reach this far from the reach model's for the same impressions is a guess, not an estimate.
    private const double ReachModelTolerance = 0.20;
    // Effective frequency: fewer than this share of the people reached seeing the ad the brief's effective number of
    // times is too thin to be remembered (at the default 3+, an average frequency below about 1.8).
    private const double ThinEffectiveShare = 0.20;
    // Below one exposure every two weeks on a multi-week flight, recency is lost even at a fair average.
    private const double MinWeeklyFrequency = 0.5, IdealWeeklyFrequency = 1;
    // Average frequency: full marks from the effective frequency up to IdealHigh; past MaxFrequency the extra exposures are waste.
    private const double IdealHigh = 10, MaxFrequency = 15;
    // A KPI within this share of its target counts as met (figures are rounded).
    private const double KpiTolerance = 0.01;

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    private sealed class Findings
    {
        private readonly List<(FindingSeverity Severity, string Reason)> _items = [];
        public void Add(FindingSeverity severity, string reason) => _items.Add((severity, reason));
        public double? Ceiling => _items.Count == 0 ? null : _items.Min(i => i.Severity) switch
        {
            FindingSeverity.Impossible => ImpossibleCeiling,
            FindingSeverity.Mismatch => MismatchCeiling,
            FindingSeverity.Shortfall => ShortfallCeiling,
            _ => null,
        };
        // OrderBy is stable, so findings of one severity keep the order the checks ran in.
        public IReadOnlyList<string> Ordered() => [.. _items.OrderBy(i => i.Severity).Select(i => i.Reason).Distinct()];
    }

    /// <summary>
    /// The weighted sum of the criteria; under a ceiling it is scaled into 0–ceiling (sum × ceiling / 100), so a capped
    /// plan never exceeds its ceiling and capped plans still rank among themselves.
    /// </summary>
    public static double Total(IReadOnlyList<QualityCriterion> criteria, double? ceiling)
    {
        var sum = criteria.Sum(c => c.Weight * c.Score) * 100;
        return Math.Round(ceiling is { } cap ? sum * cap / 100 : sum, 1);
    }

    public QualityReport Evaluate(MediaPlan plan, PlanEvaluationContext context)
    {
        var findings = new Findings();
        var figures = context.Basis is { } basis && plan.LineItems.Count > 0 ? PlanFigures.Of(plan, basis) : null;
        QualityCriterion[] criteria =
        [
            BudgetAdherence(plan, context, findings),
            AllocationDiversity(plan, context),
            RationaleQuality(plan),
            AllocationCompleteness(plan, findings),
            EstimateAccuracy(plan, context, figures, findings),
            BriefFit(plan, context, figures, findings),
            KpiFit(plan, context, figures, findings),
        ];
        var ceiling = findings.Ceiling;
        return new QualityReport(Total(criteria, ceiling), criteria, ceiling, findings.Ordered());
    }

    private static QualityCriterion BudgetAdherence(MediaPlan plan, PlanEvaluationContext context, Findings findings)
    {
        const string name = "Budget adherence";
        var spent = plan.LineItems.Sum(i => i.Spend);
        if (context.Budget <= 0)
            return new(name, BudgetWeight, 0, "The brief has no budget to check against.");
        var ratio = (double)(spent / context.Budget);
        var budget = Money(context.CurrencyCode, context.Budget);
        if (spent > context.Budget + 0.005m)
        {
            var reason = string.Create(C, $"Overspends the brief's budget of {budget} by {spent - context.Budget:N2} ({ratio - 1:P1} over budget).");
            // More than a rounding over (a cent a line) is money the client did not give.
            findings.Add(spent > context.Budget + 0.01m * plan.LineItems.Count ? FindingSeverity.Impossible : FindingSeverity.Weak, reason);
            return new(name, BudgetWeight, Math.Max(0, 1 - (ratio - 1) * 10), reason);
        }
        if (ratio >= 0.98)
            return new(name, BudgetWeight, 1, string.Create(C, $"Spends {ratio:P1} of the budget."));
        var under = string.Create(C, $"Leaves {context.Budget - spent:N2} ({1 - ratio:P1}) of the brief's budget of {budget} unplanned: the lines spend {Money(context.CurrencyCode, spent)}.");
        findings.Add(ratio < FarUnderBudget ? FindingSeverity.Mismatch : FindingSeverity.Weak, under);
        return new(name, BudgetWeight, Math.Max(0, 1 - (0.98 - ratio) * 2), under);
    }

    private static string Money(string currency, decimal amount) =>
        string.Create(C, $"{(currency.Length > 0 ? currency + " " : "")}{amount:N0}");

    private static QualityCriterion AllocationDiversity(MediaPlan plan, PlanEvaluationContext context)
    {
        const string name = "Allocation diversity";
        var total = plan.LineItems.Sum(i => i.Spend);
        if (total <= 0)
            return new(name, DiversityWeight, 0, "Nothing is allocated.");
        var shares = plan.LineItems.GroupBy(i => i.Channel).Select(g => (double)(g.Sum(i => i.Spend) / total)).ToList();
        var hhi = shares.Sum(s => s * s);
        var effective = 1 / hhi;
        var formats = plan.LineItems.Select(i => (i.Channel, i.Format)).Distinct().Count();
        if (context.AllowedChannels <= 1)
            return new(name, DiversityWeight, 1, "Only one channel was allowed, so one channel is right.");
        // Reach builds on spreading across channels; conversions on concentrating in the few that convert.
        var target = Math.Min(context.Objective == Objective.Conversion ? 2 : 3, context.AllowedChannels);
        // Normalised Gini–Simpson diversity (1 − HHI over its value for an even split across the target): one channel
        // scores 0, an even split over the target number of channels 1. (effective / target would still give a
        // single-channel plan a third of the points.)
        var score = Math.Clamp((1 - hhi) / (1 - 1.0 / target), 0, 1);
        return new(name, DiversityWeight, score,
            string.Create(C, $"{shares.Count} channel{(shares.Count == 1 ? "" : "s")} and {formats} format{(formats == 1 ? "" : "s")}; spend spread like {effective:0.0} equal channels (target {target}{(context.Objective is { } o ? $" for {o}" : "")})."));
    }

    private static QualityCriterion RationaleQuality(MediaPlan plan)
    {
        const string name = "Rationale quality";
        var text = plan.Rationale?.Trim() ?? "";
        if (text.Length == 0)
            return new(name, RationaleWeight, 0, "No rationale.");
        var lengthScore = Math.Min(1, text.Length / 150.0);
        var hasNumbers = text.Any(char.IsDigit);
        var channels = plan.LineItems.Select(i => i.Channel).Distinct().ToList();
        var named = channels.Count(c => text.Contains(c.Display(), StringComparison.OrdinalIgnoreCase)
                                        || text.Contains(c.ToString(), StringComparison.OrdinalIgnoreCase));
        var namedShare = channels.Count == 0 ? 0 : named / (double)channels.Count;
        var explainedLines = plan.LineItems.Count == 0 ? 0 : plan.LineItems.Count(i => (i.Rationale?.Trim().Length ?? 0) >= 30) / (double)plan.LineItems.Count;
        var score = 0.3 * lengthScore + 0.2 * (hasNumbers ? 1 : 0) + 0.2 * Math.Min(1, namedShare * 2) + 0.3 * explainedLines;
        var gaps = new List<string>();
        if (lengthScore < 1) gaps.Add("short");
        if (!hasNumbers) gaps.Add("cites no figures");
        if (namedShare < 0.5) gaps.Add("names few of its channels");
        if (explainedLines < 1) gaps.Add(string.Create(C, $"{1 - explainedLines:P0} of line items unexplained"));
        return new(name, RationaleWeight, score, gaps.Count == 0
            ? "Explains the plan with figures and a reason for every line."
            : $"Rationale {string.Join(", ", gaps)}.");
    }

    private static QualityCriterion AllocationCompleteness(MediaPlan plan, Findings findings)
    {
        const string name = "Allocation completeness";
        if (plan.LineItems.Count == 0)
            return new(name, CompletenessWeight, 0, "The plan has no line items.");
        var checks = 0;
        var passed = 0;
        var missing = new SortedSet<string>(StringComparer.Ordinal);
        void Check(bool ok, string what)
        {
            checks++;
            if (ok) passed++;
            else missing.Add(what);
        }
        foreach (var i in plan.LineItems)
        {
            Check(!string.IsNullOrWhiteSpace(i.Format), "format");
            Check(i.Spend > 0, "spend");
            Check(i.Share is > 0 and <= 1, "share");
            Check(i.Cpm > 0, "CPM");
            Check(i.Impressions > 0, "impressions");
            Check(i.Reach > 0, "reach");
            Check(i.Frequency > 0, "frequency");
            Check(!string.IsNullOrWhiteSpace(i.Rationale), "line rationale");
        }
        Check(Math.Abs(plan.LineItems.Sum(i => i.Share) - 1) <= 0.01, "shares adding to 100%");
        Check(plan.Totals.Spend == plan.LineItems.Sum(i => i.Spend), "total spend");
        Check(plan.Totals.Impressions == plan.LineItems.Sum(i => i.Impressions), "total impressions");
        Check(plan.Totals.Reach > 0 && plan.Totals.AverageFrequency > 0, "total reach and frequency");
        if (plan.LineItems.Any(i => i.Spend <= 0))
            findings.Add(FindingSeverity.Impossible, "A line item spends nothing or a negative amount.");
        var score = passed / (double)checks;
        return new(name, CompletenessWeight, score, missing.Count == 0
            ? string.Create(C, $"All {plan.LineItems.Count} line items carry spend, share, CPM, impressions, reach, frequency and a reason.")
            : $"Missing or inconsistent: {string.Join(", ", missing)}.");
    }

    private static QualityCriterion EstimateAccuracy(MediaPlan plan, PlanEvaluationContext context, PlanFigures? figures, Findings findings)
    {
        const string name = "Estimate accuracy";
        if (plan.LineItems.Count == 0)
            return new(name, AccuracyWeight, 0, "No estimates to check.");
        var checks = 0;
        var problems = new List<string>();
        void Check(bool ok, string problem, FindingSeverity severity = FindingSeverity.Weak)
        {
            checks++;
            if (ok) return;
            problems.Add(problem);
            findings.Add(severity, problem[..1].ToUpperInvariant() + problem[1..] + ".");
        }
        // A line reaching more people than the plan itself says the audience has is as impossible as one reaching
        // more than the brief's audience: it is what shows as a reach of millions of per cent.
        var audience = Math.Min(context.AudienceSize, plan.AudienceSize > 0 ? plan.AudienceSize : context.AudienceSize);
        foreach (var i in plan.LineItems)
        {
            var label = i.Channel.Display();
            var expected = i.Cpm > 0 ? (double)(i.Spend / i.Cpm * 1000m) : double.NaN;
            Check(i.Cpm > 0 && Math.Abs(i.Impressions - expected) <= Math.Max(1, expected * 0.01),
                $"{label} impressions do not match spend / CPM × 1000");
            if (context.CpmRanges.TryGetValue(i.Channel, out var range))
                Check(i.Cpm >= range.Low / CpmTolerance && i.Cpm <= range.High * CpmTolerance,
                    string.Create(C, $"{label} CPM {i.Cpm:N2} is outside its benchmark range {range.Low:N2}–{range.High:N2}"));
            Check(i.Reach <= audience,
                string.Create(C, $"{label} reaches more people than the audience has ({i.Reach:N0}, {i.Reach * 100.0 / Math.Max(1, audience):N0}% of {audience:N0})"),
                FindingSeverity.Impossible);
            Check(i.Reach <= i.Impressions, string.Create(C, $"{label} reaches more people ({i.Reach:N0}) than it has impressions ({i.Impressions:N0})"),
                FindingSeverity.Impossible);
            Check(i.Frequency >= 1, $"{label} frequency is below 1");
            Check(i.Reach > 0 && Math.Abs(i.Frequency - i.Impressions / (double)i.Reach) <= Math.Max(0.05, i.Frequency * 0.02),
                $"{label} frequency is not impressions / reach");
            if (context.Basis is { } basis && basis.For(i.Channel, i.Format, i.Cpm) is not null && i.Spend > 0)
            {
                var modelled = PlanMath.Line(basis, i, i.Spend).Reach;
                Check(Near(i.Reach, modelled),
                    string.Create(C, $"{label} reach {i.Reach:N0} is not the reach model's {modelled:N0} for its spend and CPM"));
            }
        }
        if (figures is not null)
            Check(Near(plan.Totals.Reach, figures.Reach),
                string.Create(C, $"total reach {plan.Totals.Reach:N0} is not the reach model's {figures.Reach:N0} (random duplication of the lines)"));
        Check(plan.Totals.Reach <= audience, "total reach exceeds the audience", FindingSeverity.Impossible);
        Check(plan.Totals.Reach <= plan.LineItems.Sum(i => i.Reach), "total reach exceeds the sum of channel reach");
        Check(plan.Totals.AverageFrequency >= 1, "average frequency is below 1");
        var score = 1 - problems.Count / (double)checks;
        static bool Near(long stated, long modelled) => Math.Abs(stated - modelled) <= Math.Max(1, modelled * ReachModelTolerance);
        return new(name, AccuracyWeight, Math.Max(0, score), problems.Count == 0
            ? "Impressions, CPMs, reach and frequency are consistent, plausible and match the reach model."
            : $"{string.Join("; ", problems.Take(3))}{(problems.Count > 3 ? $" (+{problems.Count - 3} more)" : "")}.");
    }

    /// <summary>
    /// Does the plan answer this brief: half the points for agreeing with it (brand, campaign, objective, market,
    /// flight, currency, budget, audience, channels), half for a frequency over the flight that is remembered but not wasted.
    /// </summary>
    private static QualityCriterion BriefFit(MediaPlan plan, PlanEvaluationContext context, PlanFigures? figures, Findings findings)
    {
        const string name = "Brief fit";
        if (plan.LineItems.Count == 0)
        {
            findings.Add(FindingSeverity.Impossible, "The plan has no line items.");
            return new(name, BriefFitWeight, 0, "Nothing is planned, so nothing fits the brief.");
        }
        var problems = new List<string>();
        var checks = 0;
        void Check(bool ok, string problem, FindingSeverity severity)
        {
            checks++;
            if (ok) return;
            problems.Add(problem);
            findings.Add(severity, problem);
        }
        static bool Same(string a, string b) => string.Equals(a.Trim(), b.Trim(), StringComparison.OrdinalIgnoreCase);

        Check(Same(plan.Brand ?? "", context.Brand), $"Brand \"{plan.Brand}\" is not the brief's \"{context.Brand}\".", FindingSeverity.Mismatch);
        // A model may shorten a campaign name; a wrong one costs points but is not a contradiction of the brief.
        Check(Same(plan.CampaignName ?? "", context.CampaignName), $"Campaign \"{plan.CampaignName}\" is not the brief's \"{context.CampaignName}\".", FindingSeverity.Weak);
        Check(context.Objective is null || plan.Objective == context.Objective, $"Objective {plan.Objective} is not the brief's {context.Objective}.", FindingSeverity.Mismatch);
        Check(Same(plan.Market ?? "", context.MarketCode), $"Market \"{plan.Market}\" is not the brief's {context.MarketCode}.", FindingSeverity.Mismatch);
        Check((context.FlightStart is null || plan.FlightStart == context.FlightStart) && (context.FlightEnd is null || plan.FlightEnd == context.FlightEnd),
            string.Create(C, $"Flight {plan.FlightStart:yyyy-MM-dd}–{plan.FlightEnd:yyyy-MM-dd} is not the brief's {context.FlightStart:yyyy-MM-dd}–{context.FlightEnd:yyyy-MM-dd}."),
            FindingSeverity.Mismatch);
        Check(Same(plan.Currency ?? "", context.CurrencyCode), $"Plan is in {plan.Currency}, the brief in {context.CurrencyCode}.", FindingSeverity.Impossible);
        Check(Math.Abs(plan.Budget - context.Budget) < 0.01m,
            string.Create(C, $"Plan budget {Money(plan.Currency ?? "", plan.Budget)} is not the brief's {Money(context.CurrencyCode, context.Budget)}."), FindingSeverity.Mismatch);
        Check(context.AudienceSize <= 0 || Math.Abs(plan.AudienceSize - context.AudienceSize) <= context.AudienceSize * AudienceTolerance,
            string.Create(C, $"Plan audience {plan.AudienceSize:N0} is not the brief's {context.AudienceSize:N0} in {context.MarketCode}."), FindingSeverity.Mismatch);
        var outside = plan.LineItems.Select(i => i.Channel).Distinct().Where(c => context.Channels.Count > 0 && !context.Channels.Contains(c)).ToList();
        Check(outside.Count == 0, $"{string.Join(", ", outside.Select(c => c.Display()))} {(outside.Count == 1 ? "is" : "are")} not among the brief's channels.", FindingSeverity.Mismatch);
        var agreement = 1 - problems.Count / (double)checks;

        var (frequencyScore, frequencyReason) = FrequencyFit(plan, context, figures, findings);
        var reason = problems.Count == 0
            ? $"Brand, objective, market, flight, currency, budget, audience and channels match the brief. {frequencyReason}"
            : $"{string.Join(" ", problems.Take(3))}{(problems.Count > 3 ? $" (+{problems.Count - 3} more)" : "")} {frequencyReason}";
        return new(name, BriefFitWeight, 0.5 * agreement + 0.5 * frequencyScore, reason);
    }

    /// <summary>
    /// Frequency over the brief's flight, measured by the reach model: the average (full marks from the brief's effective
    /// frequency to 10 exposures, thin below, wasteful above), scaled for flights of two weeks or more by recency (one
    /// exposure a week keeps it all, none halves it). Too few of the reached seeing it the effective number of times is a
    /// shortfall that caps the score.
    /// </summary>
    private static (double Score, string Reason) FrequencyFit(MediaPlan plan, PlanEvaluationContext context, PlanFigures? figures, Findings findings)
    {
        var effective = context.EffectiveFrequency;
        var (reachPercent, effectivePercent, frequency) = figures is not null
            ? (figures.ReachPercent, figures.EffectiveReachPercent, figures.AverageFrequency)
            : StatedExposure(plan, context, effective);
        if (reachPercent <= 0 || frequency <= 0)
            return (0, "No frequency to judge.");
        var days = context.FlightStart is { } start && context.FlightEnd is { } end ? end.DayNumber - start.DayNumber + 1 : 7;
        var weeks = Math.Max(1, days / 7.0);
        var weekly = frequency / weeks;
        var idealLow = Math.Max(1, effective);
        var idealHigh = Math.Max(IdealHigh, 2.0 * effective);
        var maxFrequency = idealHigh + (MaxFrequency - IdealHigh);
        var average = frequency switch
        {
            < 1 => 0,
            _ when frequency < idealLow => (frequency - 1) / (idealLow - 1),
            _ when frequency <= idealHigh => 1,
            _ when frequency <= maxFrequency => 1 - 0.5 * (frequency - idealHigh) / (maxFrequency - idealHigh),
            _ => Math.Max(0, 0.5 - (frequency - maxFrequency) / 20),
        };
        // Recency only takes away: a high weekly frequency does not redeem a wasteful average.
        var score = weeks >= 2 ? average * (0.5 + 0.5 * Math.Min(1, weekly / IdealWeeklyFrequency)) : average;
        var effectiveShare = effectivePercent / reachPercent;
        var said = string.Create(C,
            $"Average frequency {frequency:0.0} over {weeks:0.#} week{(weeks == 1 ? "" : "s")} ({weekly:0.00} a week): {effectivePercent:0.#}% of the audience ({effectiveShare * 100:0}% of those reached) see it {effective}+ times");
        if (effective > 1 && effectiveShare < ThinEffectiveShare)
        {
            var thin = $"{said}, too thin to be remembered.";
            findings.Add(FindingSeverity.Shortfall, thin);
            return (score, thin);
        }
        if (weeks >= 2 && weekly < MinWeeklyFrequency)
        {
            var rare = $"{said}; under one exposure every two weeks, too rare to be remembered.";
            findings.Add(FindingSeverity.Weak, rare);
            return (score, rare);
        }
        if (frequency > maxFrequency)
        {
            var waste = string.Create(C, $"{said}, wasteful: past {maxFrequency:0} exposures more buys little.");
            findings.Add(FindingSeverity.Weak, waste);
            return (score, waste);
        }
        return (score, $"{said}.");
    }

    /// <summary>Without the reach model: reach, effective reach and frequency from the plan's own lines (duplicated at random).</summary>
    private static (double ReachPercent, double EffectivePercent, double Frequency) StatedExposure(MediaPlan plan, PlanEvaluationContext context, int effective)
    {
        var audience = (double)Math.Max(1, context.AudienceSize);
        var impressions = plan.LineItems.Where(i => i.Impressions > 0).Sum(i => i.Impressions);
        var distribution = ReachModel.ExposureDistribution(plan.LineItems.Where(i => i.Reach > 0 && i.Impressions > 0)
            .Select(i => (i.Reach / audience, i.Impressions / (double)i.Reach)));
        var reach = plan.Totals.Reach;
        return (reach * 100 / audience, ReachModel.AtLeast(distribution, effective) * 100, reach > 0 ? impressions / (double)reach : 0);
    }

    /// <summary>One KPI judged: partial credit in proportion to how close the measured figure comes to its target.</summary>
    private sealed record KpiResult(string Kpi, double Score, string Text)
    {
        public bool Met => Score >= 1 - KpiTolerance;
    }

    private static KpiResult AtLeast(string kpi, double measured, double target, string text) =>
        new(kpi, target <= 0 ? 1 : Math.Clamp(measured / target, 0, 1), text);

    private static KpiResult AtMost(string kpi, decimal? measured, decimal target, string text) =>
        new(kpi, measured is > 0 ? Math.Clamp((double)(target / measured.Value), 0, 1) : 0, text);

    private static string Cost(string currency, decimal? amount) =>
        amount is { } a ? string.Create(C, $"{(currency.Length > 0 ? currency + " " : "")}{a:N2}") : "none (no clicks or conversions)";

    /// <summary>
    /// The brief's stated KPIs, each measured by the reach model (never the plan's claims); a missed one is a shortfall.
    /// With none stated, the objective's own KPI against the benchmark-weighted split (<see cref="DefaultKpi"/>).
    /// </summary>
    private static QualityCriterion KpiFit(MediaPlan plan, PlanEvaluationContext context, PlanFigures? figures, Findings findings)
    {
        if (plan.LineItems.Count == 0)
            return new(KpiFitName, KpiFitWeight, 0, "Nothing is planned, so no KPI is met.");
        if (figures is null || context.Basis is null)
            return new(KpiFitName, KpiFitWeight, 0, "The KPIs cannot be measured without the brief's benchmarks.");
        if (!context.Kpis.Any)
            return DefaultKpi(plan, context, context.Basis, figures, findings);

        var cur = context.CurrencyCode;
        var t = context.Kpis;
        var results = new List<KpiResult>();
        if (t.ReachPercent is > 0 and var reach)
            results.Add(AtLeast("reach", figures.ReachPercent, reach, string.Create(C, $"reach 1+ {figures.ReachPercent:0.#}% against the target {reach:0.#}%")));
        if (t.Frequency is > 0 and var frequency)
            results.Add(AtLeast("frequency", figures.AverageFrequency, frequency, string.Create(C, $"average frequency {figures.AverageFrequency:0.0} against the target {frequency:0.#}")));
        if (t.Cpc is > 0 and var cpc)
            results.Add(AtMost("CPC", figures.Cpc, cpc, $"CPC {Cost(cur, figures.Cpc)} against the target {Cost(cur, cpc)}"));
        if (t.Cpa is > 0 and var cpa)
            results.Add(AtMost("CPA", figures.Cpa, cpa, $"CPA {Cost(cur, figures.Cpa)} against the target {Cost(cur, cpa)}"));
        if (t.CtrPercent is > 0 and var ctr)
            results.Add(AtLeast("CTR", figures.CtrPercent ?? 0, ctr, string.Create(C, $"CTR {figures.CtrPercent ?? 0:0.00}% against the target {ctr:0.##}%")));

        var missed = results.Where(r => !r.Met).ToList();
        foreach (var miss in missed)
            findings.Add(FindingSeverity.Shortfall, string.Create(C, $"Misses the brief's {miss.Kpi} KPI: {miss.Text} ({miss.Score * 100:0}% of the target)."));
        var score = results.Average(r => r.Score);
        var reason = missed.Count == 0
            ? $"Meets the brief's KPIs: {string.Join("; ", results.Select(r => r.Text))}."
            : $"Misses {missed.Count} of {results.Count} KPI{(results.Count == 1 ? "" : "s")}: {string.Join("; ", missed.Select(r => r.Text))}."
              + (missed.Count < results.Count ? $" Meets {string.Join("; ", results.Where(r => r.Met).Select(r => r.Text))}." : "");
        return new(KpiFitName, KpiFitWeight, score, reason);
    }

    /// <summary>
    /// No KPI stated: the objective's own — Awareness effective reach at the brief's threshold, Consideration CPC,
    /// Conversion CPA — against the benchmark-weighted split of the budget, which gives each of the brief's formats money
    /// in proportion to its benchmark efficiency for that KPI (reach bought with the whole budget, clicks or conversions per
    /// unit of money). A channel set with no click or conversion benchmark is judged on effective reach. A miss costs
    /// points in proportion but does not cap: the brief did not ask for it.
    /// </summary>
    private static QualityCriterion DefaultKpi(MediaPlan plan, PlanEvaluationContext context, PlanBasis basis, PlanFigures figures, Findings findings)
    {
        var objective = context.Objective ?? plan.Objective;
        var budget = (double)context.Budget;
        KpiResult? result = null;
        if (objective == Objective.Conversion
            && BenchmarkSplit(plan, context, basis, f => f.Ctr * f.ConversionRate / (double)f.Cpm ?? 0) is { Cpa: { } cpa })
            result = AtMost("CPA", figures.Cpa, cpa,
                $"CPA {Cost(context.CurrencyCode, figures.Cpa)} against {Cost(context.CurrencyCode, cpa)} for the benchmark-weighted split");
        else if (objective is Objective.Consideration or Objective.Conversion
                 && BenchmarkSplit(plan, context, basis, f => f.Ctr / (double)f.Cpm ?? 0) is { Cpc: { } cpc })
            result = AtMost("CPC", figures.Cpc, cpc,
                $"CPC {Cost(context.CurrencyCode, figures.Cpc)} against {Cost(context.CurrencyCode, cpc)} for the benchmark-weighted split");
        else if (budget > 0 && BenchmarkSplit(plan, context, basis, f => f.ReachPeople(budget / (double)f.Cpm * 1000) / budget) is { } split)
            // A point of the audience either way is noise, not a miss: it keeps tiny budgets from swinging the ratio.
            result = new KpiResult($"{context.EffectiveFrequency}+ reach",
                Math.Clamp((figures.EffectiveReachPercent + 1) / (split.EffectiveReachPercent + 1), 0, 1),
                string.Create(C, $"effective reach ({context.EffectiveFrequency}+) {figures.EffectiveReachPercent:0.#}% against {split.EffectiveReachPercent:0.#}% for the benchmark-weighted split"));
        if (result is null)
            return new(KpiFitName, KpiFitWeight, 0, "No KPI stated, and the brief's channels have no benchmarks to judge the objective's KPI by.");
        var said = $"No KPI stated, so judged on {objective}'s {result.Kpi}: {result.Text}";
        if (!result.Met)
            findings.Add(FindingSeverity.Weak, string.Create(C, $"{said} ({result.Score * 100:0}% of it)."));
        return new(KpiFitName, KpiFitWeight, result.Score, $"{said}.");
    }

    /// <summary>The budget split across the brief's benchmarked formats in proportion to <paramref name="efficiency"/>, measured like the plan.</summary>
    private static PlanFigures? BenchmarkSplit(MediaPlan plan, PlanEvaluationContext context, PlanBasis basis, Func<FormatBasis, double> efficiency)
    {
        var formats = basis.Formats
            .Where(f => context.Channels.Count == 0 || context.Channels.Contains(f.Channel))
            .Select(f => (Format: f, Weight: efficiency(f)))
            .Where(f => f.Weight > 0)
            .ToList();
        var total = formats.Sum(f => f.Weight);
        if (total <= 0 || context.Budget <= 0)
            return null;
        var lines = formats.Select(f => new PlanLineItem(f.Format.Channel, f.Format.Format,
            decimal.Round(context.Budget * (decimal)(f.Weight / total), 2), 0, f.Format.Cpm, 0, 0, 0, 0, "")).ToList();
        return PlanFigures.Of(plan with { LineItems = lines }, basis);
    }
}
