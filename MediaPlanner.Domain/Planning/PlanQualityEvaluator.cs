using System.Globalization;
using System.Text.Json.Serialization;
using MediaPlanner.Domain.Briefs;

namespace MediaPlanner.Domain.Planning;

public sealed record QualityCriterion(string Name, double Weight, double Score, string Reason)
{
    /// <summary>What this criterion adds to the 0–100 total.</summary>
    public double Points => Math.Round(Weight * Score * 100, 1);
}

/// <summary>
/// A plan's score, its criteria, and what is wrong with it worst first. <see cref="Ceiling"/> is the cap the worst
/// finding put on the score (null when nothing capped it); <see cref="Reasons"/> lists every failed check, the one
/// that set the ceiling first. Both default so reports saved before they existed still load.
/// </summary>
public sealed record QualityReport(double Score, IReadOnlyList<QualityCriterion> Criteria, double? Ceiling = null, IReadOnlyList<string>? Reasons = null)
{
    [JsonIgnore]
    public string? Headline => Reasons is { Count: > 0 } reasons ? reasons[0] : null;
}

/// <summary>How bad a failed check is: the first two cap the score (<see cref="PlanQualityEvaluator.ImpossibleCeiling"/>, <see cref="PlanQualityEvaluator.MismatchCeiling"/>).</summary>
public enum FindingSeverity { Impossible, Mismatch, Weak }

/// <summary>What a plan is judged against: the brief as written and the audience, benchmarks and currency resolved for it.</summary>
public sealed record PlanEvaluationContext(
    decimal Budget,
    int AllowedChannels,
    long AudienceSize,
    IReadOnlyDictionary<Channel, (decimal Low, decimal High)> CpmRanges)
{
    public string Brand { get; init; } = "";
    public string CampaignName { get; init; } = "";
    public Objective? Objective { get; init; }
    public string CurrencyCode { get; init; } = "";
    public string MarketCode { get; init; } = "";
    public DateOnly? FlightStart { get; init; }
    public DateOnly? FlightEnd { get; init; }
    public IReadOnlySet<Channel> Channels { get; init; } = new HashSet<Channel>();

    public static PlanEvaluationContext From(PlanRequest request) => new(
        request.Brief.Budget,
        request.Brief.Channels.Distinct().Count(),
        request.AudienceSize,
        request.Benchmarks
            .GroupBy(b => b.Channel)
            .ToDictionary(g => g.Key, g => (
                decimal.Round(g.Min(b => b.CpmLow) * request.Currency.UnitsPerUsd, 2),
                decimal.Round(g.Max(b => b.CpmHigh) * request.Currency.UnitsPerUsd, 2))))
    {
        Brand = request.Brief.Brand,
        CampaignName = request.Brief.CampaignName,
        Objective = request.Brief.Objective,
        CurrencyCode = request.Currency.Code,
        MarketCode = request.Market.Code,
        FlightStart = request.Brief.FlightStart,
        FlightEnd = request.Brief.FlightEnd,
        Channels = request.Brief.Channels.ToHashSet(),
    };
}

/// <summary>
/// Scores a plan 0–100 on six weighted criteria, judged against the brief rather than the plan's own claims: it
/// recomputes from the line items and compares brand, objective, flight, market, currency, budget, audience and
/// channels with the brief. Failed checks are findings; an impossible figure caps the score at
/// <see cref="ImpossibleCeiling"/>, a contradiction of the brief at <see cref="MismatchCeiling"/>, and the worst
/// finding is the report's first reason.
/// </summary>
public sealed class PlanQualityEvaluator
{
    public const double BudgetWeight = 0.20, DiversityWeight = 0.15, RationaleWeight = 0.15, CompletenessWeight = 0.10, AccuracyWeight = 0.15, BriefFitWeight = 0.25;
    public const double ImpossibleCeiling = 40, MismatchCeiling = 60;

    // A CPM this far outside the benchmark range is treated as implausible, not just unusual.
    private const decimal CpmTolerance = 1.25m;
    // Spending less than this share of the budget leaves so much unplanned that the plan does not answer the brief.
    private const double FarUnderBudget = 0.90;
    // The plan's audience may round or re-estimate the brief's, but not by more than this.
    private const double AudienceTolerance = 0.05;
    // Effective frequency: below MinFrequency over a multi-week flight (or MinWeeklyFrequency a week) an ad is not
    // remembered; above MaxFrequency the extra exposures are waste. Between IdealLow and IdealHigh is full marks.
    private const double MinFrequency = 2, MinWeeklyFrequency = 0.5, IdealWeeklyFrequency = 1, IdealLow = 3, IdealHigh = 10, MaxFrequency = 15;

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    private sealed class Findings
    {
        private readonly List<(FindingSeverity Severity, string Reason)> _items = [];
        public void Add(FindingSeverity severity, string reason) => _items.Add((severity, reason));
        public double? Ceiling => _items.Count == 0 ? null : _items.Min(i => i.Severity) switch
        {
            FindingSeverity.Impossible => ImpossibleCeiling,
            FindingSeverity.Mismatch => MismatchCeiling,
            _ => null,
        };
        // OrderBy is stable, so findings of one severity keep the order the checks ran in.
        public IReadOnlyList<string> Ordered() => [.. _items.OrderBy(i => i.Severity).Select(i => i.Reason).Distinct()];
    }

    public QualityReport Evaluate(MediaPlan plan, PlanEvaluationContext context)
    {
        var findings = new Findings();
        QualityCriterion[] criteria =
        [
            BudgetAdherence(plan, context, findings),
            AllocationDiversity(plan, context),
            RationaleQuality(plan),
            AllocationCompleteness(plan, findings),
            EstimateAccuracy(plan, context, findings),
            BriefFit(plan, context, findings),
        ];
        var sum = Math.Round(criteria.Sum(c => c.Weight * c.Score) * 100, 1);
        var ceiling = findings.Ceiling;
        return new QualityReport(ceiling is { } cap ? Math.Min(sum, cap) : sum, criteria, ceiling, findings.Ordered());
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
        var target = Math.Min(3, context.AllowedChannels);
        // Normalised Gini–Simpson diversity (1 − HHI over its value for an even split across the target): one channel
        // scores 0, an even split over the target number of channels 1. (effective / target would still give a
        // single-channel plan a third of the points.)
        var score = Math.Clamp((1 - hhi) / (1 - 1.0 / target), 0, 1);
        return new(name, DiversityWeight, score,
            string.Create(C, $"{shares.Count} channel{(shares.Count == 1 ? "" : "s")} and {formats} format{(formats == 1 ? "" : "s")}; spend spread like {effective:0.0} equal channels (target {target})."));
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

    private static QualityCriterion EstimateAccuracy(MediaPlan plan, PlanEvaluationContext context, Findings findings)
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
        }
        Check(plan.Totals.Reach <= audience, "total reach exceeds the audience", FindingSeverity.Impossible);
        Check(plan.Totals.Reach <= plan.LineItems.Sum(i => i.Reach), "total reach exceeds the sum of channel reach");
        Check(plan.Totals.AverageFrequency >= 1, "average frequency is below 1");
        var score = 1 - problems.Count / (double)checks;
        return new(name, AccuracyWeight, Math.Max(0, score), problems.Count == 0
            ? "Impressions, CPMs, reach and frequency are consistent and plausible."
            : $"{string.Join("; ", problems.Take(3))}{(problems.Count > 3 ? $" (+{problems.Count - 3} more)" : "")}.");
    }

    /// <summary>
    /// Does the plan answer this brief: half the points for agreeing with it (brand, campaign, objective, market,
    /// flight, currency, budget, audience, channels), half for a frequency over the flight that is remembered but not wasted.
    /// </summary>
    private static QualityCriterion BriefFit(MediaPlan plan, PlanEvaluationContext context, Findings findings)
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

        var (frequencyScore, frequencyReason) = FrequencyFit(plan, context, findings);
        var reason = problems.Count == 0
            ? $"Brand, objective, market, flight, currency, budget, audience and channels match the brief. {frequencyReason}"
            : $"{string.Join(" ", problems.Take(3))}{(problems.Count > 3 ? $" (+{problems.Count - 3} more)" : "")} {frequencyReason}";
        return new(name, BriefFitWeight, 0.5 * agreement + 0.5 * frequencyScore, reason);
    }

    /// <summary>
    /// Frequency over the brief's flight: the average (full marks from 3 to 10 exposures, thin below, wasteful above),
    /// scaled for flights of two weeks or more by recency (one exposure a week keeps it all, none halves it).
    /// </summary>
    private static (double Score, string Reason) FrequencyFit(MediaPlan plan, PlanEvaluationContext context, Findings findings)
    {
        var impressions = plan.LineItems.Where(i => i.Impressions > 0).Sum(i => i.Impressions);
        var reach = plan.Totals.Reach;
        if (impressions <= 0 || reach <= 0)
            return (0, "No frequency to judge.");
        // Recomputed from the line impressions, not the plan's stated average.
        var frequency = impressions / (double)reach;
        var days = context.FlightStart is { } start && context.FlightEnd is { } end ? end.DayNumber - start.DayNumber + 1 : 7;
        var weeks = Math.Max(1, days / 7.0);
        var weekly = frequency / weeks;
        var average = frequency switch
        {
            < 1 => 0,
            < IdealLow => (frequency - 1) / (IdealLow - 1),
            <= IdealHigh => 1,
            <= MaxFrequency => 1 - 0.5 * (frequency - IdealHigh) / (MaxFrequency - IdealHigh),
            _ => Math.Max(0, 0.5 - (frequency - MaxFrequency) / 20),
        };
        // Recency only takes away: a high weekly frequency does not redeem a wasteful average.
        var score = weeks >= 2 ? average * (0.5 + 0.5 * Math.Min(1, weekly / IdealWeeklyFrequency)) : average;
        var said = string.Create(C, $"Average frequency {frequency:0.0} over {weeks:0.#} week{(weeks == 1 ? "" : "s")} ({weekly:0.00} a week)");
        if (weeks >= 2 && (frequency < MinFrequency || weekly < MinWeeklyFrequency))
        {
            findings.Add(FindingSeverity.Weak, $"{said} is too thin to be remembered.");
            return (score, $"{said} is too thin to be remembered.");
        }
        if (frequency > MaxFrequency)
        {
            findings.Add(FindingSeverity.Weak, $"{said} is wasteful: past {MaxFrequency:0} exposures more buys little.");
            return (score, $"{said} is wasteful.");
        }
        return (score, $"{said}.");
    }
}
