using System.Globalization;
using System.Text;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Markets;

namespace MediaPlanner.Domain.Planning;

/// <summary>Everything a provider needs to plan a brief, resolved from the database.</summary>
public sealed record PlanRequest(
    CampaignBrief Brief,
    Market Market,
    CurrencyRate Currency,
    long AudienceSize,
    double AudienceShare,
    IReadOnlyList<ChannelBenchmark> Benchmarks)
{
    public static PlanRequest Create(CampaignBrief brief, Market market, CurrencyRate currency, IReadOnlyList<ChannelBenchmark> benchmarks)
    {
        var audience = AudienceEstimator.Estimate(brief, market);
        return new(brief, market, currency, audience.Size, audience.Share, benchmarks);
    }

    /// <summary>How <see cref="AudienceSize"/> was reached, factor by factor.</summary>
    public AudienceEstimate Audience => AudienceEstimator.Estimate(Brief, Market);

    /// <summary>The messages a model is asked to plan this brief with (system and user), from the brief and market as read.</summary>
    public IReadOnlyList<Training.ChatMessage> Prompt => Training.PromptRenderer.PromptMessages(Brief, Market);
}

/// <summary>
/// A brief's audience in its market: adults × the age range's share × the gender's share × the share with at least one
/// of the named interests (each factor independent of the others).
/// </summary>
public sealed record AudienceEstimate(Market Market, int AgeMin, int AgeMax, AudienceGender Gender, double AgeShare, double GenderShare, InterestMatch Interests)
{
    public double Share => Math.Clamp(AgeShare * GenderShare * Interests.Share, 0.0, 1.0);

    public long Size => Math.Max(1, (long)Math.Round(Market.AdultPopulation * Share));

    private string Ages => AgeMax >= BriefLimits.MaxAge ? $"{AgeMin}+" : $"{AgeMin}–{AgeMax}";

    /// <summary>The factors as a planner reads them: "258.3 M adults in United States × 49.6 % aged 25–54 × 15.0 % interested in running".</summary>
    public string Factors
    {
        get
        {
            var c = CultureInfo.InvariantCulture;
            var text = new StringBuilder(string.Create(c, $"{People(Market.AdultPopulation)} adults in {Market.Name} × {AgeShare * 100:0.0} % aged {Ages}"));
            if (Gender != AudienceGender.All)
                text.Append(c, $" × {GenderShare * 100:0.0} % {(Gender == AudienceGender.Female ? "women" : "men")}");
            if (Interests.Known.Count > 0)
                text.Append(c, $" × {Interests.Share * 100:0.0} % interested in {string.Join(" or ", Interests.Known.Select(i => i.Name))}");
            return text.ToString();
        }
    }

    /// <summary>"≈ 19.2 M people: " followed by <see cref="Factors"/>.</summary>
    public string Summary => $"≈ {People(Size)} people: {Factors}";

    /// <summary>Why the interest factor is what it is: each interest's share and source, the union rule, and the words not used.</summary>
    public IReadOnlyList<string> InterestNotes
    {
        get
        {
            var c = CultureInfo.InvariantCulture;
            var notes = Interests.Known.Select(i => string.Create(c, $"{i.Name}: {i.Share * 100:0.0} % of adults ({i.Source})")).ToList();
            if (Interests.Known.Count > 1)
                notes.Add("Several interests count anyone with at least one, assuming they are independent: 1 − Π(1 − share).");
            if (Interests.Unknown.Count > 0)
                notes.Add($"Not in the interest catalogue, so not narrowing the audience: {string.Join(", ", Interests.Unknown)}.");
            return notes;
        }
    }

    /// <summary>"9.8 M", "812.5 k" or "950".</summary>
    public static string People(long count) => count switch
    {
        >= 1_000_000 => (count / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " M",
        >= 10_000 => (count / 1e3).ToString("0.0", CultureInfo.InvariantCulture) + " k",
        _ => count.ToString("N0", CultureInfo.InvariantCulture),
    };
}

/// <summary>Share of a market's adults in an age range and gender, from <see cref="SeedReferenceData.AgeBands"/>, narrowed by interests.</summary>
public static class AudienceEstimator
{
    public static AudienceEstimate Estimate(CampaignBrief brief, Market market) =>
        Estimate(market, brief.AgeMin, brief.AgeMax, brief.Gender, brief.Interests);

    public static AudienceEstimate Estimate(Market market, int ageMin, int ageMax, AudienceGender gender, string? interests) =>
        new(market, ageMin, ageMax, gender, Share(ageMin, ageMax, AudienceGender.All), GenderShare(gender), InterestCatalog.Match(interests));

    private static double GenderShare(AudienceGender gender) => gender switch
    {
        AudienceGender.Female => SeedReferenceData.FemaleShare,
        AudienceGender.Male => 1 - SeedReferenceData.FemaleShare,
        _ => 1.0,
    };

    public static double Share(int ageMin, int ageMax, AudienceGender gender)
    {
        var share = 0.0;
        foreach (var (from, to, bandShare) in SeedReferenceData.AgeBands)
        {
            // An open-ended max (75 = "75+") covers the whole top band.
            var hi = ageMax >= BriefLimits.MaxAge ? int.MaxValue : ageMax;
            var overlap = Math.Min(to, hi) - Math.Max(from, ageMin) + 1;
            if (overlap > 0)
                share += bandShare * Math.Min(1.0, overlap / (double)(to - from + 1));
        }
        return Math.Clamp(share * GenderShare(gender), 0.0, 1.0);
    }
}
