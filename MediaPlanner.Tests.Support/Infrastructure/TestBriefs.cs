using MediaPlanner.Domain.Briefs;

namespace MediaPlanner.Tests.Infrastructure;

/// <summary>
/// The one way tests write a brief as a planner submits it (<see cref="BriefInput"/>): valid as it stands, a US brief in
/// USD for awareness over May 2027 on four digital channels; a test names only the fields it cares about.
/// <see cref="TestData.Brief"/> is the saved entity, for tests that plan without the database.
/// </summary>
public static class TestBriefs
{
    public const string DefaultText = "Build awareness of the new range among adults 25-54 ahead of the summer, with a steady weekly presence.";

    public static readonly DateTime DefaultStart = new(2027, 5, 1);
    public static readonly DateTime DefaultEnd = new(2027, 6, 1);

    public static BriefInput Input(
        string brand = "Northwind",
        string campaign = "Launch",
        decimal budget = 100_000m,
        Objective objective = Objective.Awareness,
        DateTime? start = null,
        DateTime? end = null,
        Channel[]? channels = null,
        string text = DefaultText,
        string currency = "USD",
        string market = "US",
        Action<BriefInput>? change = null)
    {
        var input = new BriefInput
        {
            Brand = brand,
            CampaignName = campaign,
            Budget = budget,
            Currency = currency,
            MarketCode = market,
            Objective = objective,
            FlightStart = start ?? DefaultStart,
            FlightEnd = end ?? DefaultEnd,
            Channels = [.. channels ?? [Channel.Search, Channel.Social, Channel.Display, Channel.OnlineVideo]],
            BriefText = text,
        };
        change?.Invoke(input);
        return input;
    }

    /// <summary>The input that saves as a copy of <paramref name="brief"/>: what a planner would type to brief it again.</summary>
    public static BriefInput From(CampaignBrief brief) => Input(brief.Brand, brief.CampaignName, brief.Budget, brief.Objective,
        brief.FlightStart.ToDateTime(TimeOnly.MinValue), brief.FlightEnd.ToDateTime(TimeOnly.MinValue), [.. brief.Channels], brief.BriefText,
        brief.Currency, brief.MarketCode, i => (i.AgeMin, i.AgeMax, i.Gender, i.Interests) = (brief.AgeMin, brief.AgeMax, brief.Gender, brief.Interests));
}
