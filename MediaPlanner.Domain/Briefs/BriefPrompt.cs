using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using MediaPlanner.Domain.Markets;

namespace MediaPlanner.Domain.Briefs;

/// <summary>A brief read back from its prompt, with the market as the prompt described it.</summary>
public sealed record ParsedBrief(CampaignBrief Brief, Market Market);

/// <summary>
/// The labelled lines a loosely written brief (an imported example, a hand-edited prompt) has: each the value of the
/// first line starting with that label, trimmed, or null when no line does.
/// </summary>
public sealed record BriefFields(string? Brand, string? Budget, string? Market, string? Objective, string? Flight)
{
    /// <summary>The first number on the Budget line ("USD 250000.00" → 250000.00).</summary>
    public decimal? BudgetAmount
    {
        get
        {
            if (Budget is null)
                return null;
            var value = Budget.AsSpan();
            foreach (var range in value.SplitAny(" \t"))
            {
                if (decimal.TryParse(value[range], NumberStyles.Number, CultureInfo.InvariantCulture, out var amount))
                    return amount;
            }
            return null;
        }
    }

    public Objective? ObjectiveValue =>
        Enum.TryParse<Objective>(Objective, ignoreCase: true, out var objective) ? objective : null;

    /// <summary>The market code: the Market line's first word ("US (United States, …)" → "US").</summary>
    public string? MarketCode => Market?.Split(' ', 2)[0];

    /// <summary>The labels of <see cref="BriefPrompt.RequiredLabels"/> that have no line, in that order.</summary>
    public IEnumerable<string> MissingLabels()
    {
        string?[] values = [Brand, Budget, Market, Objective, Flight];
        for (var i = 0; i < values.Length; i++)
            if (values[i] is null)
                yield return BriefPrompt.RequiredLabels[i];
    }
}

/// <summary>
/// The brief as the user message of a prompt: written once (<see cref="Render"/>) and read back strictly
/// (<see cref="Parse"/>, for re-planning a training example) or loosely (<see cref="ReadFields"/>, for imports).
/// Fine-tuned models were trained on <see cref="Render"/>'s exact text, so it must not change by a byte.
/// </summary>
public static partial class BriefPrompt
{
    /// <summary>The labels of the prompt's lines, in the order <see cref="Render"/> writes them.</summary>
    public static class Labels
    {
        public const string Brand = "Brand";
        public const string Campaign = "Campaign";
        public const string Budget = "Budget";
        public const string Market = "Market";
        public const string Objective = "Objective";
        public const string Audience = "Audience";
        public const string Flight = "Flight";
        public const string Channels = "Channels";
        /// <summary>Structured KPI targets; written only when the brief sets any.</summary>
        public const string Targets = "Targets";
        /// <summary>Written only when not the default (3+).</summary>
        public const string EffectiveFrequency = "Effective frequency";
        /// <summary>Written only when not continuous.</summary>
        public const string Flighting = "Flighting";
        public const string Kpis = "KPIs";
        /// <summary>Heads the free text, after a blank line, on a line of its own.</summary>
        public const string Brief = "Brief";
    }

    /// <summary>The labels a brief cannot do without, in the order <see cref="BriefFields"/> holds them.</summary>
    public static readonly IReadOnlyList<string> RequiredLabels =
        [Labels.Brand, Labels.Budget, Labels.Market, Labels.Objective, Labels.Flight];

    private const string NoKpis = "none given";
    private const string BriefMarker = "\n\n" + Labels.Brief + ":\n";

    public static string Render(CampaignBrief brief, Market market)
    {
        ArgumentNullException.ThrowIfNull(brief);
        ArgumentNullException.ThrowIfNull(market);
        if (!string.Equals(brief.MarketCode, market.Code, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"The brief is for market {brief.MarketCode}, not {market.Code}.", nameof(market));

        var inv = CultureInfo.InvariantCulture;
        // "\n" rather than AppendLine: the prompt must be byte-identical on every OS.
        var text = new StringBuilder(256 + brief.BriefText.Length);
        text.Append(inv, $"{Labels.Brand}: {brief.Brand}\n");
        text.Append(inv, $"{Labels.Campaign}: {brief.CampaignName}\n");
        text.Append(inv, $"{Labels.Budget}: {brief.Currency} {brief.Budget:0.00}\n");
        text.Append(inv, $"{Labels.Market}: {market.Code} ({market.Name}, {market.AdultPopulation:N0} adults)\n");
        text.Append(inv, $"{Labels.Objective}: {brief.Objective}\n");
        text.Append(inv, $"{Labels.Audience}: {brief.AudienceDescription}\n");
        text.Append(inv, $"{Labels.Flight}: {brief.FlightStart:yyyy-MM-dd} to {brief.FlightEnd:yyyy-MM-dd}\n");
        text.Append(Labels.Channels).Append(": ").AppendJoin(", ", brief.Channels).Append('\n');
        // Optional lines, only when set, so briefs without them render exactly as the examples models were trained on.
        var targets = KpiTargets.Of(brief);
        if (!targets.IsEmpty)
            text.Append(Labels.Targets).Append(": ").Append(targets.Describe(brief.Currency)).Append('\n');
        if (brief.EffectiveFrequency != BriefLimits.DefaultEffectiveFrequency)
            text.Append(inv, $"{Labels.EffectiveFrequency}: {brief.EffectiveFrequency}+\n");
        if (brief.Flighting != FlightingPattern.Continuous)
        {
            text.Append(Labels.Flighting).Append(": ").Append(brief.Flighting.ToString());
            if (brief.Flighting == FlightingPattern.Custom)
                text.Append(", weeks on/off ").Append(brief.FlightingWeeks);
            text.Append('\n');
        }
        text.Append(Labels.Kpis).Append(": ").Append(string.IsNullOrWhiteSpace(brief.Kpis) ? NoKpis : brief.Kpis).Append('\n');
        text.Append('\n').Append(Labels.Brief).Append(":\n").Append(brief.BriefText);
        return text.ToString();
    }

    /// <summary>
    /// Reads a <see cref="Render"/>ed user message back into the brief and market, or null with
    /// <paramref name="error"/> saying which line is missing or unreadable. The labels must come in the rendered order.
    /// </summary>
    public static ParsedBrief? Parse(string? userMessage, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(userMessage))
            return Fail("the user message is empty", out error);
        var text = userMessage.ReplaceLineEndings("\n");
        var position = 0;

        string? Next(string label)
        {
            var prefix = label + ": ";
            if (string.CompareOrdinal(text, position, prefix, 0, prefix.Length) != 0)
                return null;
            var end = text.IndexOf('\n', position);
            if (end < 0)
                return null;
            var value = text[(position + prefix.Length)..end];
            position = end + 1;
            return value;
        }

        if (Next(Labels.Brand) is not { Length: > 0 } brand)
            return Missing(Labels.Brand, out error);
        if (Next(Labels.Campaign) is not { Length: > 0 } campaign)
            return Missing(Labels.Campaign, out error);

        if (Next(Labels.Budget) is not { } budgetLine)
            return Missing(Labels.Budget, out error);
        var budgetMatch = BudgetPattern().Match(budgetLine);
        if (!budgetMatch.Success
            || !decimal.TryParse(budgetMatch.Groups[2].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var budget)
            || budget <= 0)
            return Unreadable(Labels.Budget, budgetLine, out error);
        var currency = budgetMatch.Groups[1].Value;

        if (Next(Labels.Market) is not { } marketLine)
            return Missing(Labels.Market, out error);
        var marketMatch = MarketPattern().Match(marketLine);
        if (!marketMatch.Success
            || !long.TryParse(marketMatch.Groups[3].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var adults)
            || adults <= 0)
            return Unreadable(Labels.Market, marketLine, out error);

        if (Next(Labels.Objective) is not { } objectiveLine)
            return Missing(Labels.Objective, out error);
        if (!TryEnum<Objective>(objectiveLine, out var objective))
            return Unreadable(Labels.Objective, objectiveLine, out error);

        if (Next(Labels.Audience) is not { } audienceLine)
            return Missing(Labels.Audience, out error);
        var audience = AudiencePattern().Match(audienceLine);
        if (!audience.Success
            || !int.TryParse(audience.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var ageMin)
            || !int.TryParse(audience.Groups[3].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var ageMax)
            || ageMin < BriefLimits.MinAge || ageMax > BriefLimits.MaxAge || ageMin > ageMax
            || (audience.Groups[4].Success && ageMax != BriefLimits.MaxAge))
            return Unreadable(Labels.Audience, audienceLine, out error);
        var gender = audience.Groups[1].Value switch
        {
            "women" => AudienceGender.Female,
            "men" => AudienceGender.Male,
            _ => AudienceGender.All,
        };

        if (Next(Labels.Flight) is not { } flightLine)
            return Missing(Labels.Flight, out error);
        var flight = FlightPattern().Match(flightLine);
        if (!flight.Success
            || !DateOnly.TryParseExact(flight.Groups[1].Value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start)
            || !DateOnly.TryParseExact(flight.Groups[2].Value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var end)
            || end < start)
            return Unreadable(Labels.Flight, flightLine, out error);

        if (Next(Labels.Channels) is not { } channelsLine)
            return Missing(Labels.Channels, out error);
        var channels = new List<Channel>();
        foreach (var name in channelsLine.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!TryEnum<Channel>(name, out var channel) || channels.Contains(channel))
                return Unreadable(Labels.Channels, channelsLine, out error);
            channels.Add(channel);
        }

        var targets = KpiTargets.None;
        if (Next(Labels.Targets) is { } targetsLine && !TryTargets(targetsLine, currency, out targets))
            return Unreadable(Labels.Targets, targetsLine, out error);
        var effectiveFrequency = BriefLimits.DefaultEffectiveFrequency;
        if (Next(Labels.EffectiveFrequency) is { } effectiveLine)
        {
            var effective = EffectiveFrequencyPattern().Match(effectiveLine);
            if (!effective.Success
                || !int.TryParse(effective.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out effectiveFrequency)
                || effectiveFrequency < 1 || effectiveFrequency > BriefLimits.MaxEffectiveFrequency)
                return Unreadable(Labels.EffectiveFrequency, effectiveLine, out error);
        }
        var flighting = FlightingPattern.Continuous;
        var flightingWeeks = "";
        if (Next(Labels.Flighting) is { } flightingLine)
        {
            var pattern = FlightingLinePattern().Match(flightingLine);
            if (!pattern.Success || !TryEnum(pattern.Groups[1].Value, out flighting)
                || (flighting == FlightingPattern.Custom) != pattern.Groups[2].Success)
                return Unreadable(Labels.Flighting, flightingLine, out error);
            flightingWeeks = pattern.Groups[2].Value;
        }

        // KPIs are the last labelled line and may span several, so they run up to the brief text.
        const string kpiPrefix = Labels.Kpis + ": ";
        if (string.CompareOrdinal(text, position, kpiPrefix, 0, kpiPrefix.Length) != 0)
            return Missing(Labels.Kpis, out error);
        var briefAt = text.IndexOf(BriefMarker, position + kpiPrefix.Length, StringComparison.Ordinal);
        if (briefAt < 0)
            return Missing(Labels.Brief, out error);
        var kpis = text[(position + kpiPrefix.Length)..briefAt];
        var briefText = text[(briefAt + BriefMarker.Length)..];
        if (string.IsNullOrWhiteSpace(briefText))
            return Missing(Labels.Brief, out error);

        var brief = new CampaignBrief
        {
            OwnerId = "",
            Brand = brand,
            CampaignName = campaign,
            Budget = budget,
            Currency = currency,
            MarketCode = marketMatch.Groups[1].Value,
            Objective = objective,
            AgeMin = ageMin,
            AgeMax = ageMax,
            Gender = gender,
            Interests = audience.Groups[5].Success ? audience.Groups[5].Value : "",
            FlightStart = start,
            FlightEnd = end,
            Channels = channels,
            Kpis = kpis == NoKpis ? "" : kpis,
            KpiReachPercent = targets.ReachPercent,
            KpiFrequency = targets.Frequency,
            KpiCpc = targets.Cpc,
            KpiCpa = targets.Cpa,
            KpiCtrPercent = targets.CtrPercent,
            EffectiveFrequency = effectiveFrequency,
            Flighting = flighting,
            FlightingWeeks = flightingWeeks,
            BriefText = briefText,
        };
        var market = new Market
        {
            Code = brief.MarketCode,
            Name = marketMatch.Groups[2].Value,
            AdultPopulation = adults,
            DefaultCurrency = currency,
            Source = "As stated in the training example's prompt",
        };
        return new ParsedBrief(brief, market);
    }

    /// <summary>
    /// The required labelled lines of any text, in any order and case, indented or not: what an imported example's
    /// brief says even when it was not written by <see cref="Render"/>.
    /// </summary>
    public static BriefFields ReadFields(string? text)
    {
        var values = new string?[RequiredLabels.Count];
        foreach (var rawLine in (text ?? "").AsSpan().EnumerateLines())
        {
            var line = rawLine.TrimStart();
            for (var i = 0; i < RequiredLabels.Count; i++)
            {
                var label = RequiredLabels[i];
                if (line.Length > label.Length && line[label.Length] == ':' && line.StartsWith(label, StringComparison.OrdinalIgnoreCase))
                {
                    values[i] ??= line[(label.Length + 1)..].Trim().ToString();
                    break;
                }
            }
        }
        return new BriefFields(values[0], values[1], values[2], values[3], values[4]);
    }

    /// <summary>
    /// A short, stable label for an audience's age band, by the midpoint of its range: "18–34", "35–54" or "55+".
    /// Coarse on purpose: examples are grouped by it, and finer bands would leave most groups nearly empty.
    /// </summary>
    public static string AgeBand(int ageMin, int ageMax)
    {
        // Twice the midpoint, so the comparison stays in integers: a 34.5 midpoint is still under 35.
        var twiceMidpoint = ageMin + ageMax;
        return twiceMidpoint < 2 * 35 ? "18–34" : twiceMidpoint < 2 * 55 ? "35–54" : "55+";
    }

    // Enum.TryParse also takes numbers and lists ("1", "A, B"): only the names the renderer writes are accepted.
    private static bool TryEnum<T>(string text, out T value) where T : struct, Enum
    {
        value = default;
        return text.Length > 0 && char.IsLetter(text[0]) && !text.Contains(',', StringComparison.Ordinal)
            && Enum.TryParse(text, ignoreCase: false, out value) && Enum.IsDefined(value);
    }

    /// <summary>Reads a <see cref="KpiTargets.Describe"/>d line back; false on any part it does not recognise.</summary>
    private static bool TryTargets(string line, string currency, out KpiTargets targets)
    {
        targets = KpiTargets.None;
        var inv = CultureInfo.InvariantCulture;
        foreach (var part in line.Split(", "))
        {
            var match = TargetPattern().Match(part);
            if (!match.Success)
                return false;
            var number = match.Groups["n"].Value;
            var money = match.Groups["c"].Success;
            if (money != (match.Groups["k"].Value is "CPC" or "CPA") || (money && match.Groups["c"].Value != currency))
                return false;
            var percent = match.Groups["p"].Success;
            if (percent != (match.Groups["k"].Value is "reach" or "CTR"))
                return false;
            KpiTargets? next = match.Groups["k"].Value switch
            {
                "reach" when targets.ReachPercent is null => targets with { ReachPercent = double.Parse(number, inv) },
                "frequency" when targets.Frequency is null => targets with { Frequency = double.Parse(number, inv) },
                "CPC" when targets.Cpc is null => targets with { Cpc = decimal.Parse(number, inv) },
                "CPA" when targets.Cpa is null => targets with { Cpa = decimal.Parse(number, inv) },
                "CTR" when targets.CtrPercent is null => targets with { CtrPercent = double.Parse(number, inv) },
                _ => null,
            };
            if (next is null)
                return false;
            targets = next;
        }
        return !targets.IsEmpty;
    }

    private static ParsedBrief? Missing(string label, out string error) => Fail($"the \"{label}:\" line is missing", out error);

    private static ParsedBrief? Unreadable(string label, string value, out string error) =>
        Fail($"the \"{label}:\" line cannot be read (\"{(value.Length > 80 ? value[..80] + "…" : value)}\")", out error);

    private static ParsedBrief? Fail(string reason, out string error)
    {
        error = reason;
        return null;
    }

    [GeneratedRegex(@"^([A-Z]{3}) ([0-9]+(?:\.[0-9]+)?)$", RegexOptions.CultureInvariant)]
    private static partial Regex BudgetPattern();

    // The name may hold commas itself, so the population is the last ", N adults".
    [GeneratedRegex(@"^(\S+) \((.+), ([0-9][0-9,]*) adults\)$", RegexOptions.CultureInvariant)]
    private static partial Regex MarketPattern();

    [GeneratedRegex(@"^(adults|women|men) ([0-9]{1,3})[–-]([0-9]{1,3})(\+)?(?: interested in (.+))?$", RegexOptions.CultureInvariant)]
    private static partial Regex AudiencePattern();

    [GeneratedRegex(@"^(?<k>reach|frequency|CPC|CPA|CTR) (?:(?<c>[A-Z]{3}) )?(?<n>[0-9]+(?:\.[0-9]+)?(?:E[+-]?[0-9]+)?)(?<p>%)?$", RegexOptions.CultureInvariant)]
    private static partial Regex TargetPattern();

    [GeneratedRegex(@"^([0-9]{1,2})\+$", RegexOptions.CultureInvariant)]
    private static partial Regex EffectiveFrequencyPattern();

    [GeneratedRegex(@"^([A-Za-z]+)(?:, weeks on/off ([01]+))?$", RegexOptions.CultureInvariant)]
    private static partial Regex FlightingLinePattern();

    [GeneratedRegex(@"^([0-9]{4}-[0-9]{2}-[0-9]{2}) to ([0-9]{4}-[0-9]{2}-[0-9]{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex FlightPattern();
}
