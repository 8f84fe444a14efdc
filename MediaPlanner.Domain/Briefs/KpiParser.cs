using System.Globalization;
using System.Text.RegularExpressions;

namespace MediaPlanner.Domain.Briefs;

/// <summary>A brief's structured KPI targets; null where the brief sets none.</summary>
public sealed record KpiTargets(double? ReachPercent = null, double? Frequency = null, decimal? Cpc = null, decimal? Cpa = null, double? CtrPercent = null)
{
    public static readonly KpiTargets None = new();

    /// <summary>At least one positive target: the quality score then judges these instead of the objective's default KPI.</summary>
    public bool Any => ReachPercent is > 0 || Frequency is > 0 || Cpc is > 0 || Cpa is > 0 || CtrPercent is > 0;

    public static KpiTargets Of(CampaignBrief brief) =>
        new(brief.KpiReachPercent, brief.KpiFrequency, brief.KpiCpc, brief.KpiCpa, brief.KpiCtrPercent);

    public bool IsEmpty => this == None;

    /// <summary>These targets, with each one that is missing taken from <paramref name="fallback"/>.</summary>
    public KpiTargets Or(KpiTargets fallback) => new(
        ReachPercent ?? fallback.ReachPercent, Frequency ?? fallback.Frequency, Cpc ?? fallback.Cpc, Cpa ?? fallback.Cpa,
        CtrPercent ?? fallback.CtrPercent);

    /// <summary>
    /// "reach 40%, frequency 4, CPC USD 2.00, CPA USD 25.00, CTR 0.8%" (only the targets that are set); numbers in their
    /// shortest exact form, since <see cref="BriefPrompt"/> reads this back.
    /// </summary>
    public string Describe(string currency)
    {
        var c = CultureInfo.InvariantCulture;
        var parts = new List<string>();
        if (ReachPercent is { } reach)
            parts.Add(string.Create(c, $"reach {reach}%"));
        if (Frequency is { } frequency)
            parts.Add(string.Create(c, $"frequency {frequency}"));
        if (Cpc is { } cpc)
            parts.Add(string.Create(c, $"CPC {currency} {cpc:0.00}"));
        if (Cpa is { } cpa)
            parts.Add(string.Create(c, $"CPA {currency} {cpa:0.00}"));
        if (CtrPercent is { } ctr)
            parts.Add(string.Create(c, $"CTR {ctr}%"));
        return string.Join(", ", parts);
    }
}

/// <summary>
/// Reads KPI targets out of the free text a planner writes ("reach 40%", "CPC &lt; $2", "CPA under 25", "CTR 0.8%",
/// "frequency 3+", "avg freq 4"). Only values inside the brief form's ranges are taken; anything else is left for the
/// planner to enter, so a misread never becomes a target silently.
/// </summary>
public static partial class KpiParser
{
    public static KpiTargets Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return KpiTargets.None;
        var reach = First(text, ReachAfter(), ReachBefore());
        var frequency = First(text, FrequencyAfter(), FrequencyBefore());
        var cpc = First(text, CpcAfter(), CpcBefore());
        var cpa = First(text, CpaAfter(), CpaBefore());
        var ctr = First(text, CtrAfter(), CtrBefore());
        return new KpiTargets(
            reach is > 0 and <= 100 ? reach : null,
            frequency is >= BriefInput.MinKpiFrequency and <= BriefInput.MaxKpiFrequency ? frequency : null,
            Money(cpc),
            Money(cpa),
            ctr is > 0 and <= 100 ? ctr : null);
    }

    private static decimal? Money(double? value) =>
        value is > 0 and < (double)BriefLimits.MaxBudget ? decimal.Round((decimal)value.Value, 2) : null;

    private static double? First(string text, params Regex[] patterns)
    {
        Match? best = null;
        foreach (var pattern in patterns)
            if (pattern.Match(text) is { Success: true } match && (best is null || match.Index < best.Index))
                best = match;
        return best is null
            ? null
            : double.Parse(best.Groups["n"].Value.Replace(",", "", StringComparison.Ordinal), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
    }

    // A number: "1,250.50", "0.8", ".5" is not written by planners so is not read.
    private const string Number = @"(?<n>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)";
    // Between a keyword and its number: words, currency signs and comparison words, but no other number or list break.
    private const string Gap = @"[^\d\n,;]{0,24}?";
    private const string Options = "(?i)";

    [GeneratedRegex(Options + @"\breach\b" + Gap + Number + @"\s*%", RegexOptions.CultureInvariant)]
    private static partial Regex ReachAfter();

    [GeneratedRegex(Options + Number + @"\s*%\s*(?:combined\s+|net\s+|1\+\s*)?reach\b", RegexOptions.CultureInvariant)]
    private static partial Regex ReachBefore();

    [GeneratedRegex(Options + @"\b(?:(?:avg|average|mean)\.?\s+)?freq(?:uency|\.)?\b" + Gap + Number, RegexOptions.CultureInvariant)]
    private static partial Regex FrequencyAfter();

    // "at 3+ frequency" is an effective-frequency threshold, not an average-frequency target.
    [GeneratedRegex(Options + @"(?<![\d.,])(?<!\bat\s*)" + Number + @"\s*\+?\s*(?:x\s+)?(?:(?:avg|average|mean)\.?\s+)?freq(?:uency|\.)?\b", RegexOptions.CultureInvariant)]
    private static partial Regex FrequencyBefore();

    [GeneratedRegex(Options + @"\b(?:cpc|cost[\s-]+per[\s-]+click)\b" + Gap + Number, RegexOptions.CultureInvariant)]
    private static partial Regex CpcAfter();

    [GeneratedRegex(Options + Number + @"\s*(?:[A-Z]{3}\s*)?(?:cpc|cost[\s-]+per[\s-]+click)\b", RegexOptions.CultureInvariant)]
    private static partial Regex CpcBefore();

    [GeneratedRegex(Options + @"\b(?:cpa|cost[\s-]+per[\s-]+(?:acquisition|conversion|sale|order|lead))\b" + Gap + Number, RegexOptions.CultureInvariant)]
    private static partial Regex CpaAfter();

    [GeneratedRegex(Options + Number + @"\s*(?:[A-Z]{3}\s*)?(?:cpa|cost[\s-]+per[\s-]+(?:acquisition|conversion|sale|order|lead))\b", RegexOptions.CultureInvariant)]
    private static partial Regex CpaBefore();

    [GeneratedRegex(Options + @"\b(?:ctr|click[\s-]*through(?:\s+rate)?)\b" + Gap + Number + @"\s*%", RegexOptions.CultureInvariant)]
    private static partial Regex CtrAfter();

    [GeneratedRegex(Options + Number + @"\s*%\s*(?:ctr|click[\s-]*through(?:\s+rate)?)\b", RegexOptions.CultureInvariant)]
    private static partial Regex CtrBefore();
}
