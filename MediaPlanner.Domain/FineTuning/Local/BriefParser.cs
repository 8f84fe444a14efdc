using System.Globalization;
using System.Text.RegularExpressions;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Training;

namespace MediaPlanner.Domain.FineTuning.Local;

/// <summary>A brief read back from its prompt, with the market as the prompt described it.</summary>
public sealed record ParsedBrief(CampaignBrief Brief, Market Market);

/// <summary>
/// Reads the user message <see cref="PromptRenderer.UserMessage"/> wrote back into a <see cref="CampaignBrief"/>, so the
/// local trainer can re-plan a training example's brief with the engine. The labels come in the renderer's order.
/// </summary>
public static partial class BriefParser
{
    private const string NoKpis = "none given";
    private const string BriefMarker = "\n\nBrief:\n";

    /// <summary>The brief, or null with <paramref name="error"/> saying which line is missing or unreadable.</summary>
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

        if (Next("Brand") is not { Length: > 0 } brand)
            return Missing("Brand", out error);
        if (Next("Campaign") is not { Length: > 0 } campaign)
            return Missing("Campaign", out error);

        if (Next("Budget") is not { } budgetLine)
            return Missing("Budget", out error);
        var budgetMatch = BudgetPattern().Match(budgetLine);
        if (!budgetMatch.Success
            || !decimal.TryParse(budgetMatch.Groups[2].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var budget)
            || budget <= 0)
            return Unreadable("Budget", budgetLine, out error);
        var currency = budgetMatch.Groups[1].Value;

        if (Next("Market") is not { } marketLine)
            return Missing("Market", out error);
        var marketMatch = MarketPattern().Match(marketLine);
        if (!marketMatch.Success
            || !long.TryParse(marketMatch.Groups[3].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var adults)
            || adults <= 0)
            return Unreadable("Market", marketLine, out error);

        if (Next("Objective") is not { } objectiveLine)
            return Missing("Objective", out error);
        if (!TryEnum<Objective>(objectiveLine, out var objective))
            return Unreadable("Objective", objectiveLine, out error);

        if (Next("Audience") is not { } audienceLine)
            return Missing("Audience", out error);
        var audience = AudiencePattern().Match(audienceLine);
        if (!audience.Success
            || !int.TryParse(audience.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var ageMin)
            || !int.TryParse(audience.Groups[3].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var ageMax)
            || ageMin < BriefLimits.MinAge || ageMax > BriefLimits.MaxAge || ageMin > ageMax
            || (audience.Groups[4].Success && ageMax != BriefLimits.MaxAge))
            return Unreadable("Audience", audienceLine, out error);
        var gender = audience.Groups[1].Value switch
        {
            "women" => AudienceGender.Female,
            "men" => AudienceGender.Male,
            _ => AudienceGender.All,
        };

        if (Next("Flight") is not { } flightLine)
            return Missing("Flight", out error);
        var flight = FlightPattern().Match(flightLine);
        if (!flight.Success
            || !DateOnly.TryParseExact(flight.Groups[1].Value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start)
            || !DateOnly.TryParseExact(flight.Groups[2].Value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var end)
            || end < start)
            return Unreadable("Flight", flightLine, out error);

        if (Next("Channels") is not { } channelsLine)
            return Missing("Channels", out error);
        var channels = new List<Channel>();
        foreach (var name in channelsLine.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!TryEnum<Channel>(name, out var channel) || channels.Contains(channel))
                return Unreadable("Channels", channelsLine, out error);
            channels.Add(channel);
        }

        // KPIs are the last labelled line and may span several, so they run up to the brief text.
        const string kpiPrefix = "KPIs: ";
        var briefAt = text.IndexOf(BriefMarker, position, StringComparison.Ordinal);
        if (string.CompareOrdinal(text, position, kpiPrefix, 0, kpiPrefix.Length) != 0 || briefAt < position + kpiPrefix.Length)
            return Missing(briefAt < 0 ? "Brief" : "KPIs", out error);
        var kpis = text[(position + kpiPrefix.Length)..briefAt];
        var briefText = text[(briefAt + BriefMarker.Length)..];
        if (string.IsNullOrWhiteSpace(briefText))
            return Missing("Brief", out error);

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

    // Enum.TryParse also takes numbers and lists ("1", "A, B"): only the names the renderer writes are accepted.
    private static bool TryEnum<T>(string text, out T value) where T : struct, Enum
    {
        value = default;
        return text.Length > 0 && char.IsLetter(text[0]) && !text.Contains(',', StringComparison.Ordinal)
            && Enum.TryParse(text, ignoreCase: false, out value) && Enum.IsDefined(value);
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

    [GeneratedRegex(@"^([0-9]{4}-[0-9]{2}-[0-9]{2}) to ([0-9]{4}-[0-9]{2}-[0-9]{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex FlightPattern();
}
