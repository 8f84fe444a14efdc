using System.ComponentModel.DataAnnotations;

namespace MediaPlanner.Domain.Briefs;

/// <summary>
/// What the brief form edits. Validation lives here, so the form shows it at each field and
/// <see cref="BriefService"/> enforces the same rules on the server.
/// </summary>
public sealed class BriefInput : IValidatableObject
{
    public string? Brand { get; set; }

    public string? CampaignName { get; set; }

    public decimal? Budget { get; set; }

    public string? Currency { get; set; } = "USD";

    public string? MarketCode { get; set; }

    public Objective Objective { get; set; } = Objective.Awareness;

    public int AgeMin { get; set; } = 25;
    public int AgeMax { get; set; } = 54;
    public AudienceGender Gender { get; set; } = AudienceGender.All;

    public string? Interests { get; set; }

    public DateTime? FlightStart { get; set; }

    public DateTime? FlightEnd { get; set; }

    public HashSet<Channel> Channels { get; set; } = [];

    public string? Kpis { get; set; }

    public string? BriefText { get; set; }

    public const double MinKpiFrequency = 1;
    public const double MaxKpiFrequency = 50;

    /// <summary>Target combined reach as a percentage of the audience (0 &lt; x ≤ 100); optional.</summary>
    public double? KpiReachPercent { get; set; }

    /// <summary>Target average frequency over the flight (1–50); optional.</summary>
    public double? KpiFrequency { get; set; }

    /// <summary>Highest acceptable cost per click, in the brief's currency; optional.</summary>
    public decimal? KpiCpc { get; set; }

    /// <summary>Highest acceptable cost per acquisition, in the brief's currency; optional.</summary>
    public decimal? KpiCpa { get; set; }

    /// <summary>Lowest acceptable click-through rate in percent (0.8 = 0.8 %); optional.</summary>
    public double? KpiCtrPercent { get; set; }

    public int EffectiveFrequency { get; set; } = BriefLimits.DefaultEffectiveFrequency;

    public FlightingPattern Flighting { get; set; } = FlightingPattern.Continuous;

    /// <summary>For <see cref="FlightingPattern.Custom"/>: the weeks on and off as typed ("1101", "1 1 0 1", "on on off on").</summary>
    public string? FlightingWeeks { get; set; }

    /// <summary>The structured targets as entered.</summary>
    public KpiTargets Targets => new(KpiReachPercent, KpiFrequency, KpiCpc, KpiCpa, KpiCtrPercent);

    /// <summary>Weeks in the flight, or null until both dates are set and in order.</summary>
    public int? FlightWeeks => FlightStart is { } start && FlightEnd is { } end && end.Date >= start.Date
        ? FlightingText.Weeks(DateOnly.FromDateTime(start), DateOnly.FromDateTime(end))
        : null;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var error in RequiredErrors())
            yield return error;
        if (ContainsControlCharacters(Brand) || ContainsControlCharacters(CampaignName))
            yield return new("Remove control characters from the brand or campaign name.", [nameof(Brand), nameof(CampaignName)]);
        // The database stores UTF-8, which has no form for half a surrogate pair: it would silently become U+FFFD.
        foreach (var (value, field) in new[] { (Brand, nameof(Brand)), (CampaignName, nameof(CampaignName)), (Interests, nameof(Interests)), (Kpis, nameof(Kpis)), (BriefText, nameof(BriefText)) })
            if (HasUnpairedSurrogate(value))
                yield return new("This text has a broken character (half of an emoji or symbol); retype it.", [field]);

        // A crafted request can carry any number in an enum; only the defined ones mean something downstream.
        if (!Enum.IsDefined(Objective))
            yield return new("Choose an objective from the list.", [nameof(Objective)]);
        if (!Enum.IsDefined(Gender))
            yield return new("Choose an audience from the list.", [nameof(Gender)]);
        if (!Channels.All(Enum.IsDefined))
            yield return new("Choose channels from the list.", [nameof(Channels)]);

        if (Budget is { } budget)
        {
            if (budget <= 0)
                yield return new("The budget must be more than zero.", [nameof(Budget)]);
            else if (budget > BriefLimits.MaxBudget)
                yield return new($"A budget over {BriefLimits.MaxBudget:N0} is not plausible; check the number.", [nameof(Budget)]);
            else if (decimal.Round(budget, 2) != budget)
                yield return new("Use at most two decimals for the budget.", [nameof(Budget)]);
        }

        if (AgeMin < BriefLimits.MinAge || AgeMin > BriefLimits.MaxAge)
            yield return new($"The youngest age must be between {BriefLimits.MinAge} and {BriefLimits.MaxAge}.", [nameof(AgeMin)]);
        if (AgeMax < BriefLimits.MinAge || AgeMax > BriefLimits.MaxAge)
            yield return new($"The oldest age must be between {BriefLimits.MinAge} and {BriefLimits.MaxAge} ({BriefLimits.MaxAge} means {BriefLimits.MaxAge}+).", [nameof(AgeMax)]);
        else if (AgeMax < AgeMin)
            yield return new("The oldest age must not be below the youngest.", [nameof(AgeMax)]);

        if (FlightStart is { } start && FlightEnd is { } end)
        {
            if (end.Date < start.Date)
                yield return new("The flight must end on or after its start.", [nameof(FlightEnd)]);
            else if ((end.Date - start.Date).TotalDays > BriefLimits.FlightMaxDays)
                yield return new("Keep the flight to three years or less.", [nameof(FlightEnd)]);
        }

        if (Channels.Count == 0)
            yield return new("Choose at least one channel.", [nameof(Channels)]);

        foreach (var error in TargetErrors())
            yield return error;
        foreach (var error in FlightingErrors())
            yield return error;

        if (BriefText is { } text && !string.IsNullOrWhiteSpace(text))
        {
            var length = text.Trim().Length;
            if (length < BriefLimits.BriefTextMin)
                yield return new($"Write at least {BriefLimits.BriefTextMin} characters so the planner has something to work with ({length} so far).", [nameof(BriefText)]);
            else if (length > BriefLimits.BriefTextMax)
                yield return new($"Keep the brief under {BriefLimits.BriefTextMax:N0} characters ({length:N0} now).", [nameof(BriefText)]);
        }
    }

    // Required fields and lengths are checked here, not with attributes: MudBlazor reads a bound property's attributes and
    // validates them as the user tabs past, while the form's rules must wait for the first submit.
    private IEnumerable<ValidationResult> RequiredErrors()
    {
        foreach (var (value, field, missing) in new[]
        {
            (Brand, nameof(Brand), "Enter the brand."), (CampaignName, nameof(CampaignName), "Name the campaign."),
            (Currency, nameof(Currency), "Choose a currency."), (MarketCode, nameof(MarketCode), "Choose a market."),
            (BriefText, nameof(BriefText), "Write the brief."),
        })
            if (string.IsNullOrWhiteSpace(value))
                yield return new(missing, [field]);
        if (Budget is null)
            yield return new("Enter the budget.", [nameof(Budget)]);
        if (FlightStart is null)
            yield return new("Choose the flight start.", [nameof(FlightStart)]);
        if (FlightEnd is null)
            yield return new("Choose the flight end.", [nameof(FlightEnd)]);
        foreach (var (value, field, max, what) in new[]
        {
            (Brand, nameof(Brand), BriefLimits.ShortTextMax, "the brand"), (CampaignName, nameof(CampaignName), BriefLimits.ShortTextMax, "the campaign name"),
            (Interests, nameof(Interests), BriefLimits.InterestsMax, "interests"), (Kpis, nameof(Kpis), BriefLimits.KpisMax, "KPIs"),
        })
            if (value?.Length > max)
                yield return new($"Keep {what} under {max} characters.", [field]);
    }

    private IEnumerable<ValidationResult> TargetErrors()
    {
        if (KpiReachPercent is { } reach && !(reach > 0 && reach <= 100))
            yield return new("A reach target is a percentage of the audience: more than 0 and at most 100.", [nameof(KpiReachPercent)]);
        if (KpiFrequency is { } frequency && !(frequency >= MinKpiFrequency && frequency <= MaxKpiFrequency))
            yield return new($"An average frequency target must be between {MinKpiFrequency:0} and {MaxKpiFrequency:0}.", [nameof(KpiFrequency)]);
        foreach (var (value, field, name) in new[] { (KpiCpc, nameof(KpiCpc), "max CPC"), (KpiCpa, nameof(KpiCpa), "max CPA") })
        {
            if (value is not { } money)
                continue;
            if (money <= 0)
                yield return new($"The {name} must be more than zero.", [field]);
            else if (money > BriefLimits.MaxBudget)
                yield return new($"A {name} over {BriefLimits.MaxBudget:N0} is not plausible; check the number.", [field]);
            else if (decimal.Round(money, 2) != money)
                yield return new($"Use at most two decimals for the {name}.", [field]);
        }
        if (KpiCtrPercent is { } ctr && !(ctr > 0 && ctr <= 100))
            yield return new("A CTR target is a percentage of impressions: more than 0 and at most 100 (0.8 means 0.8 %).", [nameof(KpiCtrPercent)]);
        if (EffectiveFrequency < 1 || EffectiveFrequency > BriefLimits.MaxEffectiveFrequency)
            yield return new($"Effective frequency must be between 1 and {BriefLimits.MaxEffectiveFrequency}.", [nameof(EffectiveFrequency)]);
    }

    private IEnumerable<ValidationResult> FlightingErrors()
    {
        if (!Enum.IsDefined(Flighting))
        {
            yield return new("Choose a flighting pattern from the list.", [nameof(Flighting)]);
            yield break;
        }
        if (Flighting != FlightingPattern.Custom)
            yield break;
        if (FlightingText.ParseWeeks(FlightingWeeks, out var error) is not { } weeks)
        {
            yield return new(error!, [nameof(FlightingWeeks)]);
            yield break;
        }
        if (!weeks.Contains('1', StringComparison.Ordinal))
            yield return new("Turn at least one week on: with every week off nothing would run.", [nameof(FlightingWeeks)]);
        else if (FlightWeeks is { } flightWeeks && weeks.Length > flightWeeks)
            yield return new($"The flight has {flightWeeks} week{(flightWeeks == 1 ? "" : "s")}; you gave {weeks.Length}. Remove {weeks.Length - flightWeeks}.", [nameof(FlightingWeeks)]);
        else if (weeks.Length > BriefLimits.FlightingWeeksMax)
            yield return new($"Give at most {BriefLimits.FlightingWeeksMax} weeks.", [nameof(FlightingWeeks)]);
    }

    /// <summary>The custom weeks as stored ("1101"), or "" when the pattern is not custom or the weeks cannot be read.</summary>
    public string NormalizedFlightingWeeks() =>
        Flighting == FlightingPattern.Custom ? FlightingText.ParseWeeks(FlightingWeeks, out _) ?? "" : "";

    /// <summary>All rule violations by field name; empty when the input is valid.</summary>
    public IReadOnlyDictionary<string, string[]> Errors()
    {
        return Validate(new ValidationContext(this))
            .SelectMany(r => (r.MemberNames.Any() ? r.MemberNames : [""]).Select(m => (Member: m, r.ErrorMessage)))
            .GroupBy(x => x.Member)
            .ToDictionary(g => g.Key, g => g.Select(x => x.ErrorMessage ?? "Invalid value.").Distinct().ToArray());
    }

    private static bool ContainsControlCharacters(string? value) =>
        value is not null && value.Any(c => char.IsControl(c));

    private static bool HasUnpairedSurrogate(string? value)
    {
        for (var i = 0; value is not null && i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                i++;
            else if (char.IsSurrogate(value[i]))
                return true;
        }
        return false;
    }
}
