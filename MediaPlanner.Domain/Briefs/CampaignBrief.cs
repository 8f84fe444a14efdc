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
    public string Kpis { get; set; } = "";
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
}
