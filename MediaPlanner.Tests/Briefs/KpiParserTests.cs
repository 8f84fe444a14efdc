using MediaPlanner.Domain.Briefs;

namespace MediaPlanner.Tests.Briefs;

public class KpiParserTests
{
    [Theory]
    [InlineData("reach 40%", 40.0)]
    [InlineData("40% reach", 40.0)]
    [InlineData("Reach 60 % of the audience at 3+", 60.0)]
    [InlineData("reach 40% of adults 25–54, CPA under $30", 40.0)]
    [InlineData("net reach of 35.5%", 35.5)]
    [InlineData("55 % combined reach", 55.0)]
    public void Reach_targets_are_read_with_the_number_before_or_after(string text, double reach)
    {
        Assert.Equal(reach, KpiParser.Parse(text).ReachPercent);
    }

    [Theory]
    [InlineData("frequency 3+", 3.0)]
    [InlineData("avg freq 4", 4.0)]
    [InlineData("average frequency of 2.5", 2.5)]
    [InlineData("Freq. ≥ 6", 6.0)]
    [InlineData("4+ frequency", 4.0)]
    public void Frequency_targets_are_read(string text, double frequency)
    {
        Assert.Equal(frequency, KpiParser.Parse(text).Frequency);
    }

    [Theory]
    [InlineData("CPC < $2", 2.0)]
    [InlineData("cost per click below £0.85", 0.85)]
    [InlineData("max CPC USD 1.5", 1.5)]
    public void Cost_per_click_targets_are_read(string text, double cpc)
    {
        Assert.Equal((decimal)cpc, KpiParser.Parse(text).Cpc);
    }

    [Theory]
    [InlineData("CPA under 25", 25.0)]
    [InlineData("cost per acquisition ≤ €1,250.50", 1250.50)]
    [InlineData("cost-per-lead under $12", 12.0)]
    [InlineData("$30 CPA", 30.0)]
    public void Cost_per_acquisition_targets_are_read(string text, double cpa)
    {
        Assert.Equal((decimal)cpa, KpiParser.Parse(text).Cpa);
    }

    [Theory]
    [InlineData("CTR 0.8%", 0.8)]
    [InlineData("click-through rate above 1.2 %", 1.2)]
    [InlineData("0.5% CTR", 0.5)]
    public void Click_through_targets_are_read_as_percentages(string text, double ctr)
    {
        Assert.Equal(ctr, KpiParser.Parse(text).CtrPercent);
    }

    [Fact]
    public void Several_targets_in_one_text_are_all_read()
    {
        var targets = KpiParser.Parse("Reach 40% of adults 25-54, avg freq 4; CPC < $2, CPA under 25\nCTR 0.8%");

        Assert.Equal(new KpiTargets(40, 4, 2m, 25m, 0.8), targets);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("Brand lift, measured by survey")]
    [InlineData("Reach at 3+ frequency; cost per visit")]
    [InlineData("reach 140%")]
    [InlineData("frequency 80")]
    [InlineData("CPC 0")]
    [InlineData("CTR 0%")]
    public void Text_without_a_plausible_target_gives_none(string? text)
    {
        Assert.True(KpiParser.Parse(text).IsEmpty);
    }

    [Fact]
    public void A_reach_without_a_percent_is_not_a_reach_target()
    {
        // "reach 3+" is an effective-frequency threshold, not a share of the audience.
        Assert.Null(KpiParser.Parse("reach 3+ at 2 million people").ReachPercent);
    }

    [Fact]
    public void Targets_describe_themselves_in_the_brief_currency()
    {
        Assert.Equal("reach 40%, frequency 2.5, CPC EUR 2.00, CPA EUR 25.50, CTR 0.8%",
            new KpiTargets(40, 2.5, 2m, 25.5m, 0.8).Describe("EUR"));
        Assert.Equal("", KpiTargets.None.Describe("USD"));
    }

    [Fact]
    public void Typed_targets_win_over_targets_from_the_text()
    {
        var typed = new KpiTargets(50, null, null, 10m, null);

        Assert.Equal(new KpiTargets(50, 4, 2m, 10m, null), typed.Or(KpiParser.Parse("reach 40%, avg freq 4, CPC < $2, CPA under 25")));
    }
}
