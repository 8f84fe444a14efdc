using System.Globalization;
using MediaPlanner.Domain.Briefs;

namespace MediaPlanner.Tests.Domain;

public class BriefInputTests
{
    private static BriefInput Valid() => new()
    {
        Brand = "Northwind Running",
        CampaignName = "Spring launch",
        Budget = 250_000m,
        Currency = "USD",
        MarketCode = "US",
        Objective = Objective.Awareness,
        AgeMin = 25,
        AgeMax = 54,
        Gender = AudienceGender.All,
        FlightStart = new DateTime(2027, 3, 1),
        FlightEnd = new DateTime(2027, 4, 11),
        Channels = [Channel.Search, Channel.Social],
        BriefText = "Launch the new trail shoe to runners aged 25-54 across the US before the spring racing season.",
    };

    private static void AssertOnlyError(BriefInput input, string field, string fragment)
    {
        var errors = input.Errors();

        Assert.Equal([field], errors.Keys);
        Assert.Contains(errors[field], m => m.Contains(fragment, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void A_valid_brief_has_no_errors()
    {
        Assert.Empty(Valid().Errors());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void A_missing_brand_is_reported(string? brand)
    {
        var input = Valid();
        input.Brand = brand;

        AssertOnlyError(input, nameof(BriefInput.Brand), "brand");
    }

    [Fact]
    public void A_missing_campaign_name_is_reported()
    {
        var input = Valid();
        input.CampaignName = null;

        AssertOnlyError(input, nameof(BriefInput.CampaignName), "campaign");
    }

    [Fact]
    public void A_brand_over_the_short_text_limit_is_reported()
    {
        var input = Valid();
        input.Brand = new string('b', BriefLimits.ShortTextMax + 1);

        AssertOnlyError(input, nameof(BriefInput.Brand), "brand");
    }

    [Fact]
    public void A_brand_with_control_characters_is_reported()
    {
        var input = Valid();
        input.Brand = "North\u0007wind";

        Assert.Contains(input.Errors()[nameof(BriefInput.Brand)], m => m.Contains("control characters", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("0", "more than zero")]
    [InlineData("-1", "more than zero")]
    [InlineData("-250000", "more than zero")]
    [InlineData("10000000000.01", "not plausible")]
    [InlineData("99999999999", "not plausible")]
    [InlineData("100.125", "two decimals")]
    [InlineData("0.001", "two decimals")]
    public void An_impossible_budget_is_reported(string budget, string fragment)
    {
        var input = Valid();
        input.Budget = decimal.Parse(budget, CultureInfo.InvariantCulture);

        AssertOnlyError(input, nameof(BriefInput.Budget), fragment);
    }

    [Theory]
    [InlineData("0.01")]
    [InlineData("10.5")]
    [InlineData("12345.67")]
    [InlineData("100.120")]
    [InlineData("10000000000")]
    public void A_plausible_budget_with_at_most_two_significant_decimals_is_accepted(string budget)
    {
        var input = Valid();
        input.Budget = decimal.Parse(budget, CultureInfo.InvariantCulture);

        Assert.Empty(input.Errors());
    }

    [Fact]
    public void A_missing_budget_is_reported()
    {
        var input = Valid();
        input.Budget = null;

        AssertOnlyError(input, nameof(BriefInput.Budget), "budget");
    }

    [Fact]
    public void A_flight_that_ends_before_it_starts_is_reported()
    {
        var input = Valid();
        input.FlightEnd = input.FlightStart!.Value.AddDays(-1);

        AssertOnlyError(input, nameof(BriefInput.FlightEnd), "end on or after");
    }

    [Fact]
    public void A_one_day_flight_is_accepted()
    {
        var input = Valid();
        input.FlightEnd = input.FlightStart;

        Assert.Empty(input.Errors());
    }

    [Fact]
    public void A_flight_longer_than_the_limit_is_reported()
    {
        var input = Valid();
        input.FlightEnd = input.FlightStart!.Value.AddDays(BriefLimits.FlightMaxDays + 1);

        AssertOnlyError(input, nameof(BriefInput.FlightEnd), "three years");
    }

    [Fact]
    public void A_brief_text_under_the_minimum_is_reported_with_its_length()
    {
        var input = Valid();
        input.BriefText = new string('x', BriefLimits.BriefTextMin - 1);

        AssertOnlyError(input, nameof(BriefInput.BriefText), $"({BriefLimits.BriefTextMin - 1} so far)");
    }

    [Fact]
    public void A_brief_text_padded_with_spaces_to_the_minimum_is_still_too_short()
    {
        var input = Valid();
        input.BriefText = "Too short." + new string(' ', BriefLimits.BriefTextMin);

        AssertOnlyError(input, nameof(BriefInput.BriefText), "at least");
    }

    [Fact]
    public void A_brief_text_of_exactly_the_minimum_and_maximum_length_is_accepted()
    {
        var input = Valid();
        input.BriefText = new string('x', BriefLimits.BriefTextMin);
        Assert.Empty(input.Errors());

        input.BriefText = new string('x', BriefLimits.BriefTextMax);
        Assert.Empty(input.Errors());
    }

    [Fact]
    public void A_brief_text_over_the_maximum_is_reported()
    {
        var input = Valid();
        input.BriefText = new string('x', BriefLimits.BriefTextMax + 1);

        AssertOnlyError(input, nameof(BriefInput.BriefText), "Keep the brief under");
    }

    [Fact]
    public void A_missing_brief_text_is_reported()
    {
        var input = Valid();
        input.BriefText = "   ";

        AssertOnlyError(input, nameof(BriefInput.BriefText), "Write the brief");
    }

    [Fact]
    public void A_brief_without_channels_is_reported()
    {
        var input = Valid();
        input.Channels = [];

        AssertOnlyError(input, nameof(BriefInput.Channels), "at least one channel");
    }

    [Fact]
    public void An_oldest_age_below_the_youngest_is_reported()
    {
        var input = Valid();
        input.AgeMin = 40;
        input.AgeMax = 30;

        AssertOnlyError(input, nameof(BriefInput.AgeMax), "not be below the youngest");
    }

    [Theory]
    [InlineData(17, 54, nameof(BriefInput.AgeMin))]
    [InlineData(76, 76, nameof(BriefInput.AgeMin))]
    [InlineData(25, 76, nameof(BriefInput.AgeMax))]
    [InlineData(25, 10, nameof(BriefInput.AgeMax))]
    public void Ages_outside_the_adult_range_are_reported(int ageMin, int ageMax, string field)
    {
        var input = Valid();
        input.AgeMin = ageMin;
        input.AgeMax = ageMax;

        Assert.Contains(field, input.Errors().Keys);
    }

    [Fact]
    public void Several_problems_are_all_reported_at_once()
    {
        var input = Valid();
        input.Brand = null;
        input.Channels = [];
        input.Budget = -5;
        input.AgeMin = 50;
        input.AgeMax = 30;

        var errors = input.Errors();

        // A missing brand fails an attribute, the rest fail the class-level rules: both kinds must be reported together.
        Assert.Equal(
            new[] { nameof(BriefInput.AgeMax), nameof(BriefInput.Brand), nameof(BriefInput.Budget), nameof(BriefInput.Channels) },
            errors.Keys.Order());
    }

    [Fact]
    public void Each_message_is_reported_once_per_field()
    {
        var input = Valid();
        input.Brand = "   ";
        input.Channels = [];

        var errors = input.Errors();

        Assert.All(errors.Values, messages => Assert.Equal(messages.Distinct(), messages));
        Assert.Single(errors[nameof(BriefInput.Brand)]);
    }
}
