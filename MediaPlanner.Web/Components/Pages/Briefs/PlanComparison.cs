using System.Globalization;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Web.Components.Shared;

namespace MediaPlanner.Web.Components.Pages.Briefs;

/// <summary>Which way a comparison row is better: more, less, nearest a target, or no ranking.</summary>
public enum Better { None, Max, Min, Nearest }

/// <summary>One plan in the comparison: its column (model), the plan and its figures measured by the reach model.</summary>
public sealed record ComparedPlan(PlanColumn Column, PlanView View, PlanFigures Figures)
{
    public double? KpiFit => View.Quality.Criteria.FirstOrDefault(c => c.Name == PlanComparison.KpiFitCriterion)?.Score is { } s ? Math.Round(s * 100, 0) : null;
}

/// <summary>A row of the comparison: a value per plan (null shows "—"), how to show it, and which way is better.</summary>
public sealed record ComparisonRow(string Key, string Label, string Hint, Better Better, int Decimals, Func<ComparedPlan, double?> Value, Func<double, string> Format,
    double? Target = null)
{
    /// <summary>Indexes of the best plans; ties all count, values are compared as shown. Empty when fewer than two plans have a value.</summary>
    public IReadOnlySet<int> Best(IReadOnlyList<ComparedPlan> plans)
    {
        var ranks = plans.Select(p => Value(p) is { } v ? Rank(Math.Round(v, Decimals)) : (double?)null).ToList();
        if (Better == Better.None || ranks.Count(r => r is not null) < 2)
            return new HashSet<int>();
        var top = ranks.Max()!.Value;
        return ranks.Select((r, i) => (r, i)).Where(x => x.r == top).Select(x => x.i).ToHashSet();
    }

    private double Rank(double v) => Better switch
    {
        Better.Max => v,
        Better.Min => -v,
        Better.Nearest => -Math.Round(Math.Abs(v - (Target ?? 0)), Decimals),
        _ => 0,
    };
}

/// <summary>
/// The comparison of every plan on the brief page, base and fine-tuned: the rows a planner decides on, each plan measured
/// the same way (<see cref="PlanFigures.Of"/>), and why a column shows fewer plans than the others or than asked.
/// </summary>
public static class PlanComparison
{
    /// <summary>The quality criterion that scores a plan against the brief's stated KPIs.</summary>
    public const string KpiFitCriterion = "KPI fit";

    public static IReadOnlyList<ComparedPlan> Plans(IEnumerable<PlanColumn> columns, PlanBasis basis) =>
        columns.Where(c => !c.Loading)
            .SelectMany(c => c.Plans.Select(v => new ComparedPlan(c, v, PlanFigures.Of(v.Plan, basis))))
            .ToList();

    public static IReadOnlyList<ComparisonRow> Rows(decimal budget, string currency, int effectiveFrequency, double? frequencyTarget)
    {
        var c = CultureInfo.InvariantCulture;
        string Money(double v) => $"{currency} {v.ToString("N0", c)}";
        string Money2(double v) => $"{currency} {v.ToString("N2", c)}";
        string Percent(double v) => v.ToString("0.0", c) + "%";
        string Count(double v) => PlanCard.Compact((long)Math.Round(v));
        return
        [
            new("spend", "Spend", $"vs budget {Money((double)budget)}; nearest the budget is best", Better.Nearest, 0, p => (double)p.Figures.Spend,
                v => budget > 0 ? $"{Money(v)} ({(v / (double)budget).ToString("0%", c)})" : Money(v), (double)budget),
            new("reach", "Reach 1+", "share of the audience reached at least once", Better.Max, 1, p => p.Figures.ReachPercent, Percent),
            new("effective-reach", $"Effective reach {effectiveFrequency}+", $"reached at least {effectiveFrequency} times (the brief's threshold)", Better.Max, 1,
                p => p.Figures.EffectiveReachPercent, Percent),
            frequencyTarget is { } target
                ? new("frequency", "Avg frequency", $"nearest the brief's target of {target.ToString("0.0", c)} is best", Better.Nearest, 1, p => p.Figures.AverageFrequency,
                    v => v.ToString("0.0", c), target)
                : new("frequency", "Avg frequency", "not ranked: the brief sets no frequency target", Better.None, 1, p => p.Figures.AverageFrequency, v => v.ToString("0.0", c)),
            new("grp", "GRPs", "reach % × frequency", Better.Max, 0, p => p.Figures.Grp, v => v.ToString("N0", c)),
            new("impressions", "Impressions", "", Better.Max, 0, p => p.Figures.Impressions, Count),
            new("clicks", "Clicks", "", Better.Max, 0, p => p.Figures.Clicks, v => v.ToString("N0", c)),
            new("conversions", "Conversions", "clicks × the format's benchmark conversion rate", Better.Max, 0, p => p.Figures.Conversions, v => v.ToString("N0", c)),
            new("cpa", "CPA", "cost per conversion", Better.Min, 2, p => (double?)p.Figures.Cpa, Money2),
            new("ecpm", "eCPM", "cost per thousand impressions", Better.Min, 2, p => (double)p.Figures.Ecpm, Money2),
            new("cprp", "Cost per reach point", "spend per 1 % of the audience reached", Better.Min, 0, p => (double?)p.Figures.CostPerReachPoint, Money),
            new("quality", "Quality score", "out of 100", Better.Max, 0, p => p.View.Quality.Score, v => v.ToString("0", c)),
            new("kpi-fit", KpiFitCriterion, "how well the plan meets the brief's KPIs, out of 100", Better.Max, 0, p => p.KpiFit, v => v.ToString("0", c)),
        ];
    }

    /// <summary>
    /// Why a finished column has fewer plans than the fullest column or than <paramref name="requested"/>: the model's error or
    /// fallback, the engine's own assumption ("Only N distinct plans exist …"), or how many the model returned. Null when it has all.
    /// </summary>
    public static string? FewerPlansReason(PlanColumn column, IEnumerable<PlanColumn> all, int requested)
    {
        if (column.Loading)
            return null;
        var expected = Math.Max(requested, all.Where(c => !c.Loading).Select(c => c.Plans.Count).DefaultIfEmpty(0).Max());
        var count = column.Plans.Count;
        if (count >= expected)
            return null;
        if (column.Result is { Succeeded: false } failed)
            return $"No plans: {failed.Error}";
        var engine = column.Plans.SelectMany(p => p.Plan.Assumptions)
            .FirstOrDefault(a => a.StartsWith("Only ", StringComparison.Ordinal) && a.Contains("distinct plan", StringComparison.Ordinal));
        var returned = $"The model returned {count} of {requested}.";
        var reason = engine ?? returned;
        return column.Result is { FellBack: true } r ? $"{r.Reason} {reason}" : reason;
    }

    public static string RoleLabel(ModelRole role) => role == ModelRole.FineTuned ? "Fine-tuned" : "Base";
}
