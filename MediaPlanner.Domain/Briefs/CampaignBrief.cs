namespace MediaPlanner.Domain.Briefs;

/// <summary>A planner's campaign brief, saved before any plan is generated.</summary>
public class CampaignBrief
{
    public int Id { get; set; }
    public required string OwnerId { get; set; }
    public required string Brand { get; set; }
    public required string CampaignName { get; set; }
    public decimal Budget { get; set; }
    public required string Currency { get; set; }
    public required string MarketCode { get; set; }
    public Objective Objective { get; set; }
    public int AgeMin { get; set; }
    public int AgeMax { get; set; }
    public AudienceGender Gender { get; set; }
    public string Interests { get; set; } = "";
    public DateOnly FlightStart { get; set; }
    public DateOnly FlightEnd { get; set; }
    public List<Channel> Channels { get; set; } = [];
    /// <summary>Free-text KPI notes; the targets the quality score checks are the structured fields below.</summary>
    public string Kpis { get; set; } = "";
    /// <summary>Target combined reach (1+) as a percentage of the audience, 0–100.</summary>
    public double? KpiReachPercent { get; set; }
    /// <summary>Target average frequency over the flight.</summary>
    public double? KpiFrequency { get; set; }
    /// <summary>Highest acceptable cost per click, in the brief's currency.</summary>
    public decimal? KpiCpc { get; set; }
    /// <summary>Highest acceptable cost per acquisition (conversion), in the brief's currency.</summary>
    public decimal? KpiCpa { get; set; }
    /// <summary>Lowest acceptable click-through rate, as a percentage (0.8 = 0.8 %).</summary>
    public double? KpiCtrPercent { get; set; }
    /// <summary>Exposures a person needs for the ad to count ("effective reach" is reach at this frequency or more).</summary>
    public int EffectiveFrequency { get; set; } = BriefLimits.DefaultEffectiveFrequency;
    /// <summary>How spend is spread over the flight's weeks.</summary>
    public FlightingPattern Flighting { get; set; }
    /// <summary>For <see cref="FlightingPattern.Custom"/>: one character per week, 1 on and 0 off (e.g. "110110").</summary>
    public string FlightingWeeks { get; set; } = "";
    public required string BriefText { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public string AudienceDescription =>
        $"{(Gender == AudienceGender.All ? "adults" : Gender == AudienceGender.Female ? "women" : "men")} {AgeMin}–{(AgeMax >= BriefLimits.MaxAge ? $"{BriefLimits.MaxAge}+" : AgeMax.ToString())}"
        + (string.IsNullOrWhiteSpace(Interests) ? "" : $" interested in {Interests}");
}

public static class BriefLimits
{
    public const int MinAge = 18;
    public const int MaxAge = 75;
    public const decimal MaxBudget = 10_000_000_000m;
    public const int BriefTextMin = 50;
    public const int BriefTextMax = 20_000;
    public const int ShortTextMax = 200;
    public const int InterestsMax = 500;
    public const int KpisMax = 1_000;
    public const int FlightMaxDays = 3 * 366;
    public const int DefaultEffectiveFrequency = 3;
    public const int MaxEffectiveFrequency = 10;
    public const int FlightingWeeksMax = 160;
}
