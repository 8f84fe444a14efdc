using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.FineTuning;

namespace MediaPlanner.Tests.Briefs;

public class BriefPromptTests
{
    [Fact]
    public void A_rendered_brief_parses_back_to_the_same_brief()
    {
        // Varied: every market and currency, objective, gender, open-ended and closed age ranges, with and without interests and KPIs.
        foreach (var brief in Enumerable.Range(0, 90).Select(LocalTrainingData.Brief))
        {
            var market = SeedReferenceData.Markets.Single(m => m.Code == brief.MarketCode);

            var parsed = BriefPrompt.Parse(PromptRenderer.UserMessage(brief, market), out var error);

            Assert.True(parsed is not null, error);
            AssertSameBrief(brief, parsed.Brief);
            Assert.Equal(market.Code, parsed.Market.Code);
            Assert.Equal(market.Name, parsed.Market.Name);
            Assert.Equal(market.AdultPopulation, parsed.Market.AdultPopulation);
            Assert.Equal(PromptRenderer.UserMessage(brief, market), PromptRenderer.UserMessage(parsed.Brief, parsed.Market));
        }
    }

    [Fact]
    public void Odd_but_valid_values_survive_the_round_trip()
    {
        var brief = LocalTrainingData.Brief(4);
        brief.MarketCode = "KR";
        brief.Brand = "Brand: the sequel";
        brief.Kpis = "Reach at 3+\nCost per visit under KRW 900";
        brief.BriefText = "Line one of the brief.\n\nBrief:\nA quoted heading the planner typed, which must stay in the text.";
        brief.AgeMin = 18;
        brief.AgeMax = 75;
        brief.Gender = AudienceGender.Male;
        brief.Interests = "cars, motorbikes";
        brief.Budget = 0.01m;
        var market = new Market { Code = "KR", Name = "Korea, Republic of", AdultPopulation = 43_000_000, DefaultCurrency = "KRW", Source = "test" };

        var parsed = BriefPrompt.Parse(PromptRenderer.UserMessage(brief, market), out var error);

        Assert.True(parsed is not null, error);
        AssertSameBrief(brief, parsed.Brief);
        Assert.Equal("Korea, Republic of", parsed.Market.Name);
        Assert.Equal(43_000_000, parsed.Market.AdultPopulation);
    }

    [Theory]
    [InlineData("Brand: ", "", "Brand")]
    [InlineData("Budget: USD ", "Budget: USD -", "Budget")]
    [InlineData("Budget: USD ", "Budget: ", "Budget")]
    [InlineData(" adults)", " people)", "Market")]
    [InlineData("Objective: Awareness", "Objective: Fame", "Objective")]
    [InlineData("Objective: Awareness", "Objective: 1", "Objective")]
    [InlineData("adults 25–54", "adults 54–25", "Audience")]
    [InlineData("adults 25–54", "adults 12–54", "Audience")]
    [InlineData("adults 25–54", "people 25–54", "Audience")]
    [InlineData(" to ", " until ", "Flight")]
    [InlineData("Channels: Search", "Channels: Billboards, Search", "Channels")]
    [InlineData("Channels: Search, Social", "Channels: Social, Social", "Channels")]
    [InlineData("\n\nBrief:\n", "\n\nSummary:\n", "Brief")]
    [InlineData("KPIs: ", "Goals: ", "KPIs")]
    public void A_missing_or_unreadable_line_gives_null_and_names_the_line(string find, string replace, string label)
    {
        var brief = LocalTrainingData.Brief(0);
        brief.AgeMin = 25;
        brief.AgeMax = 54;
        brief.Gender = AudienceGender.All;
        brief.Interests = "";
        brief.Channels = [Channel.Search, Channel.Social];
        var message = PromptRenderer.UserMessage(brief, SeedReferenceData.Markets.Single(m => m.Code == brief.MarketCode));
        Assert.Contains(find, message, StringComparison.Ordinal);
        var broken = find == "Brand: "
            ? message[(message.IndexOf('\n', StringComparison.Ordinal) + 1)..]
            : message.Replace(find, replace, StringComparison.Ordinal);

        var parsed = BriefPrompt.Parse(broken, out var error);

        Assert.Null(parsed);
        Assert.Contains($"\"{label}:\"", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Plan me something nice for 100k.")]
    public void Text_that_is_not_a_rendered_brief_gives_null(string? message)
    {
        Assert.Null(BriefPrompt.Parse(message, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Theory]
    [InlineData(AudienceGender.Female)]
    [InlineData(AudienceGender.Male)]
    public void Awkward_values_render_and_parse_back_unchanged(AudienceGender gender)
    {
        var brief = LocalTrainingData.Brief(7);
        brief.MarketCode = "GB";
        brief.Currency = "GBP";
        brief.Gender = gender;
        brief.AgeMin = 45;
        brief.AgeMax = BriefLimits.MaxAge;
        brief.Interests = "gardening, birdwatching, and rail travel";
        brief.Kpis = "Reach 60 % of the audience at 3+\nCost per visit under GBP 2.50\n  Brand lift, measured by survey";
        brief.Brand = "Smith, Jones & Co.";
        var market = new Market { Code = "GB", Name = "United Kingdom of Great Britain, and Northern Ireland", AdultPopulation = 53_400_000, DefaultCurrency = "GBP", Source = "test" };

        var rendered = BriefPrompt.Render(brief, market);
        var parsed = BriefPrompt.Parse(rendered, out var error);

        Assert.True(parsed is not null, error);
        AssertSameBrief(brief, parsed.Brief);
        Assert.Equal(market.Name, parsed.Market.Name);
        Assert.Equal(53_400_000, parsed.Market.AdultPopulation);
        Assert.Contains($"Audience: {(gender == AudienceGender.Female ? "women" : "men")} 45–75+ interested in gardening", rendered, StringComparison.Ordinal);
        Assert.Equal(rendered, BriefPrompt.Render(parsed.Brief, parsed.Market));
    }

    [Fact]
    public void A_brief_written_with_windows_line_endings_still_parses()
    {
        var brief = LocalTrainingData.Brief(2);
        var market = SeedReferenceData.Markets.Single(m => m.Code == brief.MarketCode);

        var parsed = BriefPrompt.Parse(BriefPrompt.Render(brief, market).ReplaceLineEndings("\r\n"), out var error);

        Assert.True(parsed is not null, error);
        AssertSameBrief(brief, parsed.Brief);
    }

    [Theory]
    [InlineData(BriefPrompt.Labels.Brand)]
    [InlineData(BriefPrompt.Labels.Campaign)]
    [InlineData(BriefPrompt.Labels.Budget)]
    [InlineData(BriefPrompt.Labels.Market)]
    [InlineData(BriefPrompt.Labels.Objective)]
    [InlineData(BriefPrompt.Labels.Audience)]
    [InlineData(BriefPrompt.Labels.Flight)]
    [InlineData(BriefPrompt.Labels.Channels)]
    [InlineData(BriefPrompt.Labels.Kpis)]
    public void Each_missing_line_gives_an_error_naming_that_line(string label)
    {
        var lines = Rendered().Split('\n').ToList();
        lines.RemoveAt(lines.FindIndex(l => l.StartsWith(label + ": ", StringComparison.Ordinal)));

        var parsed = BriefPrompt.Parse(string.Join('\n', lines), out var error);

        Assert.Null(parsed);
        Assert.Equal($"the \"{label}:\" line is missing", error);
    }

    [Fact]
    public void A_prompt_without_the_brief_text_gives_an_error_naming_the_brief()
    {
        var message = Rendered();

        var parsed = BriefPrompt.Parse(message[..message.IndexOf("\n\nBrief:", StringComparison.Ordinal)], out var error);

        Assert.Null(parsed);
        Assert.Equal("the \"Brief:\" line is missing", error);
    }

    [Theory]
    [InlineData(BriefPrompt.Labels.Budget, "USD lots")]
    [InlineData(BriefPrompt.Labels.Budget, "USD 0.00")]
    [InlineData(BriefPrompt.Labels.Market, "US")]
    [InlineData(BriefPrompt.Labels.Objective, "awareness")]
    [InlineData(BriefPrompt.Labels.Audience, "adults 25–54+")]
    [InlineData(BriefPrompt.Labels.Audience, "adults 25–80")]
    [InlineData(BriefPrompt.Labels.Flight, "2027-05-01 to 2027-04-01")]
    [InlineData(BriefPrompt.Labels.Flight, "2027-02-30 to 2027-04-01")]
    [InlineData(BriefPrompt.Labels.Channels, "Search, Social,")]
    public void Each_unreadable_line_gives_an_error_naming_that_line(string label, string value)
    {
        var lines = Rendered().Split('\n');
        var at = Array.FindIndex(lines, l => l.StartsWith(label + ": ", StringComparison.Ordinal));
        lines[at] = $"{label}: {value}";

        var parsed = BriefPrompt.Parse(string.Join('\n', lines), out var error);

        Assert.Null(parsed);
        Assert.StartsWith($"the \"{label}:\" line cannot be read", error, StringComparison.Ordinal);
        Assert.Contains(value, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Loosely_written_fields_are_read_in_any_order_case_and_indentation()
    {
        const string text = "Please plan this.\n  objective: consideration\nMARKET: DE (Germany)\n\tBrand:  Acme \nbudget: EUR 1,250,000.50 all in\nFlight: spring\nBrand: second brand line is ignored";

        var fields = BriefPrompt.ReadFields(text);

        Assert.Equal("Acme", fields.Brand);
        Assert.Equal(1_250_000.50m, fields.BudgetAmount);
        Assert.Equal("DE", fields.MarketCode);
        Assert.Equal(Objective.Consideration, fields.ObjectiveValue);
        Assert.Equal("spring", fields.Flight);
        Assert.Empty(fields.MissingLabels());
    }

    [Fact]
    public void Loosely_written_fields_list_the_required_lines_that_are_missing_in_order()
    {
        var fields = BriefPrompt.ReadFields("Brand: Acme\nThe market is Germany; Objective is awareness.\nFlight: May");

        Assert.Equal([BriefPrompt.Labels.Budget, BriefPrompt.Labels.Market, BriefPrompt.Labels.Objective], fields.MissingLabels());
        Assert.Null(fields.BudgetAmount);
        Assert.Null(fields.ObjectiveValue);
        Assert.Null(fields.MarketCode);
    }

    [Fact]
    public void A_rendered_brief_has_every_required_field_for_the_loose_reader()
    {
        var brief = LocalTrainingData.Brief(3);
        var fields = BriefPrompt.ReadFields(Rendered(brief));

        Assert.Empty(fields.MissingLabels());
        Assert.Equal(brief.Budget, fields.BudgetAmount);
        Assert.Equal(brief.Objective, fields.ObjectiveValue);
        Assert.Equal(brief.MarketCode, fields.MarketCode);
        Assert.Equal(brief.Brand, fields.Brand);
    }

    [Theory]
    [InlineData(FlightingPattern.FrontLoaded, "", "Flighting: FrontLoaded\n")]
    [InlineData(FlightingPattern.Pulsed, "", "Flighting: Pulsed\n")]
    [InlineData(FlightingPattern.Custom, "110101", "Flighting: Custom, weeks on/off 110101\n")]
    public void Targets_effective_frequency_and_flighting_render_and_parse_back(FlightingPattern flighting, string weeks, string flightingLine)
    {
        var brief = LocalTrainingData.Brief(5);
        brief.KpiReachPercent = 42.5;
        brief.KpiFrequency = 3;
        brief.KpiCpc = 1.8m;
        brief.KpiCpa = 25m;
        brief.KpiCtrPercent = 0.00001;
        brief.EffectiveFrequency = 4;
        brief.Flighting = flighting;
        brief.FlightingWeeks = weeks;
        var market = SeedReferenceData.Markets.Single(m => m.Code == brief.MarketCode);

        var rendered = BriefPrompt.Render(brief, market);
        var parsed = BriefPrompt.Parse(rendered, out var error);

        Assert.True(parsed is not null, error);
        AssertSameBrief(brief, parsed.Brief);
        Assert.Contains($"\nTargets: reach 42.5%, frequency 3, CPC {brief.Currency} 1.80, CPA {brief.Currency} 25.00, CTR 1E-05%\nEffective frequency: 4+\n{flightingLine}KPIs: ", rendered, StringComparison.Ordinal);
        Assert.Equal(rendered, BriefPrompt.Render(parsed.Brief, parsed.Market));
    }

    [Fact]
    public void Only_the_targets_that_are_set_are_written()
    {
        var brief = LocalTrainingData.Brief(1);
        brief.KpiCpa = 30m;

        var rendered = Rendered(brief);

        Assert.Contains($"\nTargets: CPA {brief.Currency} 30.00\nKPIs: ", rendered, StringComparison.Ordinal);
        Assert.Equal(30m, BriefPrompt.Parse(rendered, out _)!.Brief.KpiCpa);
    }

    [Fact]
    public void A_brief_with_default_targets_frequency_and_flighting_renders_as_before()
    {
        // Fine-tuned models were trained on prompts without these lines: a brief that does not use them must not change.
        var rendered = Rendered(LocalTrainingData.Brief(6));

        Assert.DoesNotContain("Targets:", rendered, StringComparison.Ordinal);
        Assert.DoesNotContain("Effective frequency:", rendered, StringComparison.Ordinal);
        Assert.DoesNotContain("Flighting:", rendered, StringComparison.Ordinal);
    }

    [Fact]
    public void An_old_prompt_without_the_new_lines_parses_with_the_defaults()
    {
        const string old = "Brand: Northwind\nCampaign: Spring\nBudget: USD 250000.00\nMarket: US (United States, 258,343,281 adults)\n"
            + "Objective: Awareness\nAudience: adults 25–54 interested in running\nFlight: 2027-03-01 to 2027-04-11\n"
            + "Channels: Search, Social\nKPIs: reach 40%, CPC < $2\n\nBrief:\nLaunch the trail shoe.";

        var parsed = BriefPrompt.Parse(old, out var error);

        Assert.True(parsed is not null, error);
        Assert.True(KpiTargets.Of(parsed.Brief).IsEmpty);
        Assert.Equal(BriefLimits.DefaultEffectiveFrequency, parsed.Brief.EffectiveFrequency);
        Assert.Equal(FlightingPattern.Continuous, parsed.Brief.Flighting);
        Assert.Equal("reach 40%, CPC < $2", parsed.Brief.Kpis);
        Assert.Equal(old, BriefPrompt.Render(parsed.Brief, parsed.Market));
    }

    [Theory]
    [InlineData("Targets: reach 40", BriefPrompt.Labels.Targets)]
    [InlineData("Targets: reach 40%, reach 50%", BriefPrompt.Labels.Targets)]
    [InlineData("Targets: CPC 2.00", BriefPrompt.Labels.Targets)]
    [InlineData("Targets: CPC GBP 2.00", BriefPrompt.Labels.Targets)]
    [InlineData("Targets: loads of reach", BriefPrompt.Labels.Targets)]
    [InlineData("Effective frequency: 11+", BriefPrompt.Labels.EffectiveFrequency)]
    [InlineData("Effective frequency: three", BriefPrompt.Labels.EffectiveFrequency)]
    [InlineData("Flighting: Sometimes", BriefPrompt.Labels.Flighting)]
    [InlineData("Flighting: Custom", BriefPrompt.Labels.Flighting)]
    [InlineData("Flighting: Pulsed, weeks on/off 101", BriefPrompt.Labels.Flighting)]
    public void An_unreadable_optional_line_gives_an_error_naming_it(string line, string label)
    {
        var brief = LocalTrainingData.Brief(0);
        var rendered = Rendered(brief);
        var broken = rendered.Replace("\nKPIs: ", $"\n{line}\nKPIs: ", StringComparison.Ordinal);

        var parsed = BriefPrompt.Parse(broken, out var error);

        Assert.Null(parsed);
        Assert.StartsWith($"the \"{label}:\" line cannot be read", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(18, 24, "18–34")]
    [InlineData(18, 34, "18–34")]
    [InlineData(18, 51, "18–34")]
    [InlineData(18, 52, "35–54")]
    [InlineData(25, 54, "35–54")]
    [InlineData(18, 75, "35–54")]
    [InlineData(35, 74, "35–54")]
    [InlineData(35, 75, "55+")]
    [InlineData(55, 75, "55+")]
    public void The_age_band_goes_by_the_midpoint_of_the_range(int ageMin, int ageMax, string band)
    {
        Assert.Equal(band, BriefPrompt.AgeBand(ageMin, ageMax));
    }

    private static string Rendered(CampaignBrief? brief = null)
    {
        brief ??= LocalTrainingData.Brief(0);
        return BriefPrompt.Render(brief, SeedReferenceData.Markets.Single(m => m.Code == brief.MarketCode));
    }

    private static void AssertSameBrief(CampaignBrief expected, CampaignBrief actual)
    {
        Assert.Equal(expected.Brand, actual.Brand);
        Assert.Equal(expected.CampaignName, actual.CampaignName);
        Assert.Equal(expected.Budget, actual.Budget);
        Assert.Equal(expected.Currency, actual.Currency);
        Assert.Equal(expected.MarketCode, actual.MarketCode);
        Assert.Equal(expected.Objective, actual.Objective);
        Assert.Equal(expected.AgeMin, actual.AgeMin);
        Assert.Equal(expected.AgeMax, actual.AgeMax);
        Assert.Equal(expected.Gender, actual.Gender);
        Assert.Equal(expected.Interests, actual.Interests);
        Assert.Equal(expected.FlightStart, actual.FlightStart);
        Assert.Equal(expected.FlightEnd, actual.FlightEnd);
        Assert.Equal(expected.Channels, actual.Channels);
        Assert.Equal(expected.Kpis, actual.Kpis);
        Assert.Equal(KpiTargets.Of(expected), KpiTargets.Of(actual));
        Assert.Equal(expected.EffectiveFrequency, actual.EffectiveFrequency);
        Assert.Equal(expected.Flighting, actual.Flighting);
        Assert.Equal(expected.FlightingWeeks, actual.FlightingWeeks);
        Assert.Equal(expected.BriefText, actual.BriefText);
    }
}
