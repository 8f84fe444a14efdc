using System.ComponentModel.DataAnnotations;
using System.Globalization;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Text;

namespace MediaPlanner.Domain.Training;

/// <summary>Where an example's brief was read from.</summary>
public enum ExampleBriefSource
{
    /// <summary>The brief the example was made from, as saved in the app.</summary>
    [Display(Name = "The linked brief")] LinkedBrief,
    /// <summary>The user message, written in the app's brief format.</summary>
    [Display(Name = "The prompt")] Prompt,
    /// <summary>A prompt not in the app's format (an imported example): shown as it is.</summary>
    [Display(Name = "The prompt as written")] AsWritten,
}

/// <summary>One labelled value of a brief; <see cref="Key"/> is stable ("budget"), for tests and anchors.</summary>
public sealed record BriefLabel(string Key, string Label, string Value);

/// <summary>
/// An example's brief as a reviewer reads it: labelled fields (budget "USD 250,000.00", channels by their display names)
/// and the free text, or — when the prompt is not in the app's format — the prompt as written with <see cref="Note"/>
/// saying why. <see cref="Prompt"/> is the user message exactly as sent.
/// </summary>
public sealed record ExampleBrief(ExampleBriefSource Source, IReadOnlyList<BriefLabel> Fields, string? BriefText, string? Prompt, string? Note = null)
{
    public static ExampleBrief FromBrief(CampaignBrief brief, Market? market, string? prompt) =>
        new(ExampleBriefSource.LinkedBrief, ExampleBriefReader.Fields(brief, market), brief.BriefText, prompt);

    /// <summary>The prompt read back with <see cref="BriefPrompt.Parse"/>, or shown as written when it cannot be.</summary>
    public static ExampleBrief FromPrompt(string? prompt)
    {
        if (BriefPrompt.Parse(prompt, out var error) is { } parsed)
            return new(ExampleBriefSource.Prompt, ExampleBriefReader.Fields(parsed.Brief, parsed.Market), parsed.Brief.BriefText, prompt);
        return new(ExampleBriefSource.AsWritten, [], null, prompt,
            $"This prompt is not in the app's brief format ({error}), so it is shown as written.");
    }
}

/// <summary>Writes a brief's fields as labelled values in the words the brief page uses.</summary>
public static class ExampleBriefReader
{
    public static IReadOnlyList<BriefLabel> Fields(CampaignBrief brief, Market? market)
    {
        var c = CultureInfo.InvariantCulture;
        var targets = KpiTargets.Of(brief);
        var days = brief.FlightEnd.DayNumber - brief.FlightStart.DayNumber + 1;
        var flighting = brief.Flighting.DisplayName()
            + (brief.Flighting == FlightingPattern.Custom && brief.FlightingWeeks.Length > 0 ? $": {FlightingText.Describe(brief.FlightingWeeks)}" : "");
        return
        [
            new("brand", "Brand", brief.Brand),
            new("campaign", "Campaign", brief.CampaignName),
            new("objective", "Objective", brief.Objective.DisplayName()),
            new("budget", "Budget", Money(brief.Currency, brief.Budget)),
            new("market", "Market", market is null
                ? brief.MarketCode
                : string.Create(c, $"{market.Name} ({market.Code}), {market.AdultPopulation:N0} adults")),
            new("flight", "Flight", string.Create(c, $"{brief.FlightStart:yyyy-MM-dd} to {brief.FlightEnd:yyyy-MM-dd} ({days:N0} day{(days == 1 ? "" : "s")})")),
            new("ages", "Ages", brief.AgeMax >= BriefLimits.MaxAge ? $"{brief.AgeMin}+" : $"{brief.AgeMin}–{brief.AgeMax}"),
            new("gender", "Gender", brief.Gender.DisplayName()),
            new("interests", "Interests", string.IsNullOrWhiteSpace(brief.Interests) ? "None given" : brief.Interests),
            new("channels", "Channels", string.Join(", ", brief.Channels.Select(ch => ch.Display()))),
            new("targets", "KPI targets", targets.IsEmpty ? "None set" : targets.Describe(brief.Currency)),
            new("effective-frequency", "Effective frequency", string.Create(c, $"{brief.EffectiveFrequency}+")),
            new("flighting", "Flighting", flighting),
            new("kpis", "KPIs", string.IsNullOrWhiteSpace(brief.Kpis) ? "None given" : brief.Kpis),
        ];
    }

    /// <summary>"USD 250,000.00": the currency, then the amount with grouping and cents.</summary>
    public static string Money(string currency, decimal amount) =>
        string.Create(CultureInfo.InvariantCulture, $"{currency} {amount:N2}");
}
