using System.ComponentModel.DataAnnotations;

namespace MediaPlanner.Domain.Briefs;

/// <summary>
/// What the brief form edits. Validation lives here, so the form shows it at each field and
/// <see cref="BriefService"/> enforces the same rules on the server.
/// </summary>
public sealed class BriefInput : IValidatableObject
{
    [Required(ErrorMessage = "Enter the brand.")]
    [StringLength(BriefLimits.ShortTextMax, ErrorMessage = "Keep the brand under {1} characters.")]
    public string? Brand { get; set; }

    [Required(ErrorMessage = "Name the campaign.")]
    [StringLength(BriefLimits.ShortTextMax, ErrorMessage = "Keep the campaign name under {1} characters.")]
    public string? CampaignName { get; set; }

    [Required(ErrorMessage = "Enter the budget.")]
    public decimal? Budget { get; set; }

    [Required(ErrorMessage = "Choose a currency.")]
    public string? Currency { get; set; } = "USD";

    [Required(ErrorMessage = "Choose a market.")]
    public string? MarketCode { get; set; }

    public Objective Objective { get; set; } = Objective.Awareness;

    public int AgeMin { get; set; } = 25;
    public int AgeMax { get; set; } = 54;
    public AudienceGender Gender { get; set; } = AudienceGender.All;

    [StringLength(BriefLimits.InterestsMax, ErrorMessage = "Keep interests under {1} characters.")]
    public string? Interests { get; set; }

    [Required(ErrorMessage = "Choose the flight start.")]
    public DateTime? FlightStart { get; set; }

    [Required(ErrorMessage = "Choose the flight end.")]
    public DateTime? FlightEnd { get; set; }

    public HashSet<Channel> Channels { get; set; } = [];

    [StringLength(BriefLimits.KpisMax, ErrorMessage = "Keep KPIs under {1} characters.")]
    public string? Kpis { get; set; }

    [Required(ErrorMessage = "Write the brief.")]
    public string? BriefText { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Brand is not null && string.IsNullOrWhiteSpace(Brand))
            yield return new("Enter the brand.", [nameof(Brand)]);
        if (CampaignName is not null && string.IsNullOrWhiteSpace(CampaignName))
            yield return new("Name the campaign.", [nameof(CampaignName)]);
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

        if (BriefText is { } text && !string.IsNullOrWhiteSpace(text))
        {
            var length = text.Trim().Length;
            if (length < BriefLimits.BriefTextMin)
                yield return new($"Write at least {BriefLimits.BriefTextMin} characters so the planner has something to work with ({length} so far).", [nameof(BriefText)]);
            else if (length > BriefLimits.BriefTextMax)
                yield return new($"Keep the brief under {BriefLimits.BriefTextMax:N0} characters ({length:N0} now).", [nameof(BriefText)]);
        }
    }

    /// <summary>All rule violations by field name; empty when the input is valid.</summary>
    public IReadOnlyDictionary<string, string[]> Errors()
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(this, new ValidationContext(this), results, validateAllProperties: true);
        // TryValidateObject skips IValidatableObject when attributes fail; run it too so every field reports.
        if (results.Count > 0)
            results.AddRange(Validate(new ValidationContext(this)));
        return results
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
