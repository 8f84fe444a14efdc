using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Planning;

namespace MediaPlanner.Tests.Markets;

public class InterestCatalogTests
{
    private static Interest Named(string name) => InterestCatalog.All.Single(i => i.Name == name);

    [Fact]
    public void Every_interest_has_a_share_between_zero_and_one_and_a_source()
    {
        Assert.InRange(InterestCatalog.All.Count, 25, 40);
        Assert.All(InterestCatalog.All, i =>
        {
            Assert.InRange(i.Share, 0.001, 0.999);
            Assert.False(string.IsNullOrWhiteSpace(i.Source));
        });
        Assert.Equal(InterestCatalog.All.Count, InterestCatalog.All.Select(i => i.Name).Distinct().Count());
    }

    [Fact]
    public void No_word_names_two_interests()
    {
        var terms = InterestCatalog.All.SelectMany(i => i.Synonyms.Prepend(i.Name)).ToList();

        Assert.Equal(terms.Count, terms.Distinct().Count());
    }

    [Theory]
    [InlineData("running", "running")]
    [InlineData("Runners", "running")]
    [InlineData("marathon runners.", "running")]
    [InlineData("home cooking", "cooking")]
    [InlineData("outdoor sports", "outdoor")]
    [InlineData("DIY", "home improvement")]
    [InlineData("video games", "gaming")]
    public void Names_and_synonyms_find_their_interest(string text, string interest)
    {
        var match = InterestCatalog.Match(text);

        Assert.Equal(interest, Assert.Single(match.Known).Name);
        Assert.Empty(match.Unknown);
    }

    [Fact]
    public void Several_interests_combine_as_anyone_with_at_least_one_assuming_independence()
    {
        var match = InterestCatalog.Match("running, cycling and golf");

        Assert.Equal(["running", "cycling", "golf"], match.Known.Select(i => i.Name));
        var expected = 1 - (1 - Named("running").Share) * (1 - Named("cycling").Share) * (1 - Named("golf").Share);
        Assert.Equal(expected, match.Share, 1e-12);
        Assert.True(match.Share > Named("running").Share);
    }

    [Fact]
    public void Unknown_words_do_not_narrow_and_are_listed()
    {
        var match = InterestCatalog.Match("running, birdwatching & origami");

        Assert.Equal("running", Assert.Single(match.Known).Name);
        Assert.Equal(["birdwatching", "origami"], match.Unknown);
        Assert.Equal(Named("running").Share, match.Share, 1e-12);
        Assert.Equal(1.0, InterestCatalog.Match("birdwatching").Share);
        Assert.Equal(1.0, InterestCatalog.Match("").Share);
    }

    [Fact]
    public void The_same_interest_named_twice_counts_once()
    {
        var match = InterestCatalog.Match("running, jogging, marathon");

        Assert.Equal(Named("running").Share, match.Share, 1e-12);
    }

    [Fact]
    public void The_estimate_multiplies_adults_by_age_gender_and_interest_shares()
    {
        var us = SeedReferenceData.Markets.Single(m => m.Code == "US");

        var estimate = AudienceEstimator.Estimate(us, 25, 54, AudienceGender.Female, "running");

        var ageShare = AudienceEstimator.Share(25, 54, AudienceGender.All);
        Assert.Equal(ageShare * SeedReferenceData.FemaleShare * Named("running").Share, estimate.Share, 1e-12);
        Assert.Equal((long)Math.Round(us.AdultPopulation * estimate.Share), estimate.Size);
        Assert.Equal($"≈ {AudienceEstimate.People(estimate.Size)} people: 258.3 M adults in United States × 49.6 % aged 25–54 × 51.0 % women × 15.0 % interested in running",
            estimate.Summary);
    }

    [Fact]
    public void The_estimate_explains_each_interest_the_union_and_the_words_not_used()
    {
        var us = SeedReferenceData.Markets.Single(m => m.Code == "US");

        var notes = AudienceEstimator.Estimate(us, 18, 75, AudienceGender.All, "golf, gaming, origami").InterestNotes;

        Assert.Contains(notes, n => n.StartsWith("golf: 8.5 % of adults (National Golf Foundation", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.StartsWith("gaming: 43.0 % of adults (Pew Research Center", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.Contains("1 − Π(1 − share)", StringComparison.Ordinal));
        Assert.Contains("Not in the interest catalogue, so not narrowing the audience: origami.", notes);
    }

    [Theory]
    [InlineData(9_812_345, "9.8 M")]
    [InlineData(812_500, "812.5 k")]
    [InlineData(950, "950")]
    public void People_counts_read_in_millions_or_thousands(long count, string text)
    {
        Assert.Equal(text, AudienceEstimate.People(count));
    }
}
