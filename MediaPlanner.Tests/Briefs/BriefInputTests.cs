using System.Globalization;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Tests.Infrastructure;

namespace MediaPlanner.Tests.Briefs;

public class BriefInputTests
{
    private static BriefInput Valid() => TestBriefs.Input("Northwind Running", campaign: "Spring launch", budget: 250_000m,
        start: new DateTime(2027, 3, 1), end: new DateTime(2027, 4, 11), channels: [Channel.Search, Channel.Social],
        text: "Launch the new trail shoe to runners aged 25-54 across the US before the spring racing season.");

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
    [Fact]
    public void Targets_effective_frequency_and_flighting_are_optional_with_defaults()
    {
        var input = Valid();

        Assert.True(input.Targets.IsEmpty);
        Assert.Equal(BriefLimits.DefaultEffectiveFrequency, input.EffectiveFrequency);
        Assert.Equal(FlightingPattern.Continuous, input.Flighting);
        Assert.Equal("", input.NormalizedFlightingWeeks());
    }

    [Fact]
    public void Targets_inside_their_ranges_are_accepted()
    {
        var input = Valid();
        input.KpiReachPercent = 100;
        input.KpiFrequency = 50;
        input.KpiCpc = 0.01m;
        input.KpiCpa = 25.50m;
        input.KpiCtrPercent = 0.8;
        input.EffectiveFrequency = BriefLimits.MaxEffectiveFrequency;

        Assert.Empty(input.Errors());
    }

    [Theory]
    [InlineData(nameof(BriefInput.KpiReachPercent), "0", "more than 0 and at most 100")]
    [InlineData(nameof(BriefInput.KpiReachPercent), "100.5", "more than 0 and at most 100")]
    [InlineData(nameof(BriefInput.KpiFrequency), "0.5", "between 1 and 50")]
    [InlineData(nameof(BriefInput.KpiFrequency), "51", "between 1 and 50")]
    [InlineData(nameof(BriefInput.KpiCpc), "0", "max CPC must be more than zero")]
    [InlineData(nameof(BriefInput.KpiCpc), "1.255", "two decimals for the max CPC")]
    [InlineData(nameof(BriefInput.KpiCpa), "-5", "max CPA must be more than zero")]
    [InlineData(nameof(BriefInput.KpiCpa), "12.001", "two decimals for the max CPA")]
    [InlineData(nameof(BriefInput.KpiCtrPercent), "0", "0.8 means 0.8 %")]
    [InlineData(nameof(BriefInput.KpiCtrPercent), "101", "at most 100")]
    [InlineData(nameof(BriefInput.EffectiveFrequency), "0", "between 1 and 10")]
    [InlineData(nameof(BriefInput.EffectiveFrequency), "11", "between 1 and 10")]
    public void A_target_out_of_range_is_reported_at_its_field(string field, string value, string fragment)
    {
        var input = Valid();
        var property = typeof(BriefInput).GetProperty(field)!;
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        property.SetValue(input, Convert.ChangeType(value, type, CultureInfo.InvariantCulture));

        AssertOnlyError(input, field, fragment);
    }

    [Theory]
    [InlineData("1101", "1101")]
    [InlineData("1 1 0 1", "1101")]
    [InlineData("on on off on", "1101")]
    [InlineData("ON, off,On", "101")]
    [InlineData(" 011 ", "011")]
    public void Custom_weeks_are_read_from_digits_or_words(string typed, string weeks)
    {
        var input = Valid();
        input.Flighting = FlightingPattern.Custom;
        input.FlightingWeeks = typed;

        Assert.Empty(input.Errors());
        Assert.Equal(weeks, input.NormalizedFlightingWeeks());
    }

    [Theory]
    [InlineData(null, "Enter the weeks on and off")]
    [InlineData("  ", "Enter the weeks on and off")]
    [InlineData("on maybe off", "Week 2 reads \"maybe\"")]
    [InlineData("1121", "Week 1 reads \"1121\"")]
    [InlineData("0000", "Turn at least one week on")]
    [InlineData("off off", "Turn at least one week on")]
    [InlineData("1111111", "The flight has 6 weeks; you gave 7. Remove 1.")]
    public void Bad_custom_weeks_are_reported_at_the_weeks_field(string? typed, string fragment)
    {
        // The flight runs 2027-03-01 to 2027-04-11: 42 days, 6 weeks.
        var input = Valid();
        input.Flighting = FlightingPattern.Custom;
        input.FlightingWeeks = typed;

        AssertOnlyError(input, nameof(BriefInput.FlightingWeeks), fragment);
    }

    [Fact]
    public void Weeks_typed_for_a_pattern_that_is_not_custom_are_ignored()
    {
        var input = Valid();
        input.Flighting = FlightingPattern.Pulsed;
        input.FlightingWeeks = "not weeks at all";

        Assert.Empty(input.Errors());
        Assert.Equal("", input.NormalizedFlightingWeeks());
    }

    [Fact]
    public void An_undefined_flighting_pattern_is_reported()
    {
        var input = Valid();
        input.Flighting = (FlightingPattern)42;

        AssertOnlyError(input, nameof(BriefInput.Flighting), "flighting pattern");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 1)]
    [InlineData(8, 2)]
    [InlineData(42, 6)]
    [InlineData(43, 7)]
    public void A_flight_has_as_many_weeks_as_it_touches(int days, int weeks)
    {
        var start = new DateOnly(2027, 3, 1);

        Assert.Equal(weeks, FlightingText.Weeks(start, start.AddDays(days - 1)));
    }
}
