using System.Globalization;
using MediaPlanner.Domain.Briefs;

namespace MediaPlanner.Domain.Planning;

public sealed record QualityCriterion(string Name, double Weight, double Score, string Reason)
{
    /// <summary>What this criterion adds to the 0–100 total.</summary>
    public double Points => Math.Round(Weight * Score * 100, 1);
}

public sealed record QualityReport(double Score, IReadOnlyList<QualityCriterion> Criteria);

/// <summary>What a plan is judged against: the brief's budget and channels, the audience, benchmark CPM ranges.</summary>
public sealed record PlanEvaluationContext(
    decimal Budget,
    int AllowedChannels,
    long AudienceSize,
    IReadOnlyDictionary<Channel, (decimal Low, decimal High)> CpmRanges)
{
    public static PlanEvaluationContext From(PlanRequest request) => new(
        request.Brief.Budget,
        request.Brief.Channels.Distinct().Count(),
        request.AudienceSize,
        request.Benchmarks
            .GroupBy(b => b.Channel)
            .ToDictionary(g => g.Key, g => (
                decimal.Round(g.Min(b => b.CpmLow) * request.Currency.UnitsPerUsd, 2),
                decimal.Round(g.Max(b => b.CpmHigh) * request.Currency.UnitsPerUsd, 2))));
}

/// <summary>
/// Scores a plan 0–100 on the seed's five weighted criteria. It recomputes everything from the line
/// items rather than trusting the plan's own totals, so a model's plan is judged by the same rules as the engine's.
/// </summary>
public sealed class PlanQualityEvaluator
{
    public const double BudgetWeight = 0.25, DiversityWeight = 0.20, RationaleWeight = 0.15, CompletenessWeight = 0.20, AccuracyWeight = 0.20;

    // A CPM this far outside the benchmark range is treated as implausible, not just unusual.
    private const decimal CpmTolerance = 1.25m;

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public QualityReport Evaluate(MediaPlan plan, PlanEvaluationContext context)
    {
        QualityCriterion[] criteria =
        [
            BudgetAdherence(plan, context),
            AllocationDiversity(plan, context),
            RationaleQuality(plan),
            AllocationCompleteness(plan),
            EstimateAccuracy(plan, context),
        ];
        return new QualityReport(Math.Round(criteria.Sum(c => c.Weight * c.Score) * 100, 1), criteria);
    }

    private static QualityCriterion BudgetAdherence(MediaPlan plan, PlanEvaluationContext context)
    {
        const string name = "Budget adherence";
        var spent = plan.LineItems.Sum(i => i.Spend);
        if (context.Budget <= 0)
            return new(name, BudgetWeight, 0, "The brief has no budget to check against.");
        var ratio = (double)(spent / context.Budget);
        if (spent > context.Budget + 0.005m)
            return new(name, BudgetWeight, Math.Max(0, 1 - (ratio - 1) * 10),
                string.Create(C, $"Overspends by {spent - context.Budget:N2} ({ratio - 1:P1} over budget)."));
        if (ratio >= 0.98)
            return new(name, BudgetWeight, 1, string.Create(C, $"Spends {ratio:P1} of the budget."));
        return new(name, BudgetWeight, Math.Max(0, 1 - (0.98 - ratio) * 2),
            string.Create(C, $"Leaves {context.Budget - spent:N2} ({1 - ratio:P1}) of the budget unplanned."));
    }

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

    private static QualityCriterion AllocationCompleteness(MediaPlan plan)
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
        var score = passed / (double)checks;
        return new(name, CompletenessWeight, score, missing.Count == 0
            ? string.Create(C, $"All {plan.LineItems.Count} line items carry spend, share, CPM, impressions, reach, frequency and a reason.")
            : $"Missing or inconsistent: {string.Join(", ", missing)}.");
    }

    private static QualityCriterion EstimateAccuracy(MediaPlan plan, PlanEvaluationContext context)
    {
        const string name = "Estimate accuracy";
        if (plan.LineItems.Count == 0)
            return new(name, AccuracyWeight, 0, "No estimates to check.");
        var checks = 0;
        var problems = new List<string>();
        void Check(bool ok, string problem)
        {
            checks++;
            if (!ok) problems.Add(problem);
        }
        foreach (var i in plan.LineItems)
        {
            var label = i.Channel.Display();
            var expected = i.Cpm > 0 ? (double)(i.Spend / i.Cpm * 1000m) : double.NaN;
            Check(i.Cpm > 0 && Math.Abs(i.Impressions - expected) <= Math.Max(1, expected * 0.01),
                $"{label} impressions do not match spend / CPM × 1000");
            if (context.CpmRanges.TryGetValue(i.Channel, out var range))
                Check(i.Cpm >= range.Low / CpmTolerance && i.Cpm <= range.High * CpmTolerance,
                    string.Create(C, $"{label} CPM {i.Cpm:N2} is outside its benchmark range {range.Low:N2}–{range.High:N2}"));
            Check(i.Reach <= context.AudienceSize, $"{label} reaches more people than the audience has");
            Check(i.Reach <= i.Impressions && i.Frequency >= 1, $"{label} frequency is below 1");
            Check(i.Reach > 0 && Math.Abs(i.Frequency - i.Impressions / (double)i.Reach) <= Math.Max(0.05, i.Frequency * 0.02),
                $"{label} frequency is not impressions / reach");
        }
        Check(plan.Totals.Reach <= context.AudienceSize, "total reach exceeds the audience");
        Check(plan.Totals.Reach <= plan.LineItems.Sum(i => i.Reach), "total reach exceeds the sum of channel reach");
        Check(plan.Totals.AverageFrequency >= 1, "average frequency is below 1");
        var score = 1 - problems.Count / (double)checks;
        return new(name, AccuracyWeight, Math.Max(0, score), problems.Count == 0
            ? "Impressions, CPMs, reach and frequency are consistent and plausible."
            : $"{string.Join("; ", problems.Take(3))}{(problems.Count > 3 ? $" (+{problems.Count - 3} more)" : "")}.");
    }
}
