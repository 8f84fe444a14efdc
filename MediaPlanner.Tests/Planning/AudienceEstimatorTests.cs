using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Tests.Infrastructure;

namespace MediaPlanner.Tests.Planning;

public class AudienceEstimatorTests
{
    [Fact]
    public void All_adults_of_every_gender_are_the_whole_market()
    {
        Assert.Equal(1.0, AudienceEstimator.Share(BriefLimits.MinAge, BriefLimits.MaxAge, AudienceGender.All), 1e-9);
    }

    [Theory]
    [InlineData(AudienceGender.Female, SeedReferenceData.FemaleShare)]
    [InlineData(AudienceGender.Male, 1 - SeedReferenceData.FemaleShare)]
    public void A_gender_scales_the_age_share_by_its_share_of_adults(AudienceGender gender, double genderShare)
    {
        foreach (var (min, max) in new[] { (18, 75), (25, 54), (30, 40) })
        {
            var all = AudienceEstimator.Share(min, max, AudienceGender.All);

            Assert.Equal(all * genderShare, AudienceEstimator.Share(min, max, gender), 1e-12);
        }
    }

    [Fact]
    public void Women_and_men_together_are_everyone()
    {
        Assert.Equal(
            AudienceEstimator.Share(25, 54, AudienceGender.All),
            AudienceEstimator.Share(25, 54, AudienceGender.Female) + AudienceEstimator.Share(25, 54, AudienceGender.Male),
            1e-12);
    }

    [Fact]
    public void Whole_age_bands_add_their_census_shares()
    {
        // 25–54 is exactly the 25–34, 35–44 and 45–54 bands.
        var expected = SeedReferenceData.AgeBands.Where(b => b.From >= 25 && b.To <= 54).Sum(b => b.Share);

        Assert.Equal(expected, AudienceEstimator.Share(25, 54, AudienceGender.All), 1e-12);
    }

    [Fact]
    public void Part_of_a_band_counts_in_proportion_to_the_years_covered()
    {
        // 30–34 is half of the 25–34 band.
        var band = SeedReferenceData.AgeBands.Single(b => b.From == 25);

        Assert.Equal(band.Share / 2, AudienceEstimator.Share(30, 34, AudienceGender.All), 1e-12);
    }

    [Theory]
    [InlineData(25, 54, 30, 54)]
    [InlineData(18, 75, 18, 64)]
    [InlineData(18, 75, 25, 75)]
    [InlineData(35, 44, 36, 44)]
    public void A_narrower_age_range_is_a_smaller_audience(int wideMin, int wideMax, int narrowMin, int narrowMax)
    {
        Assert.True(AudienceEstimator.Share(narrowMin, narrowMax, AudienceGender.All) < AudienceEstimator.Share(wideMin, wideMax, AudienceGender.All));
    }

    [Fact]
    public void The_plan_request_sizes_the_audience_from_the_market_the_age_share_and_the_interests()
    {
        var request = TestData.Request(TestData.Brief(interests: "running"));
        var us = SeedReferenceData.Markets.Single(m => m.Code == "US");
        var running = InterestCatalog.All.Single(i => i.Name == "running").Share;

        Assert.Equal(AudienceEstimator.Share(25, 54, AudienceGender.All) * running, request.AudienceShare, 1e-12);
        Assert.Equal((long)Math.Round(us.AdultPopulation * request.AudienceShare), request.AudienceSize);
    }

    [Fact]
    public void A_brief_without_known_interests_is_everyone_in_the_age_range()
    {
        var brief = TestData.Brief(interests: "origami");

        var request = TestData.Request(brief);

        Assert.Equal(AudienceEstimator.Share(25, 54, AudienceGender.All), request.AudienceShare, 1e-12);
    }

    [Fact]
    public void The_engine_states_the_audience_arithmetic_and_the_interest_sources()
    {
        var plan = TestData.Plans(TestData.Request(TestData.Brief(interests: "running")), alternatives: 1)[0];

        var audience = Assert.Single(plan.Assumptions, a => a.StartsWith("Audience: ", StringComparison.Ordinal));
        Assert.Contains("258.3 M adults in United States × 49.6 % aged 25–54 × 15.0 % interested in running = ", audience, StringComparison.Ordinal);
        Assert.Contains($"{plan.AudienceSize:N0} people", audience, StringComparison.Ordinal);
        Assert.Contains("SFIA", audience, StringComparison.Ordinal);
    }
}
