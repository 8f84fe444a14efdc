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
        var share = AudienceEstimator.Share(brief.AgeMin, brief.AgeMax, brief.Gender);
        var size = Math.Max(1, (long)Math.Round(market.AdultPopulation * share));
        return new(brief, market, currency, size, share, benchmarks);
    }
}

/// <summary>Share of a market's adults in an age range and gender, from <see cref="SeedReferenceData.AgeBands"/>.</summary>
public static class AudienceEstimator
{
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
        var genderShare = gender switch
        {
            AudienceGender.Female => SeedReferenceData.FemaleShare,
            AudienceGender.Male => 1 - SeedReferenceData.FemaleShare,
            _ => 1.0,
        };
        return Math.Clamp(share * genderShare, 0.0, 1.0);
    }
}
