using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Infrastructure;

namespace MediaPlanner.Tests.Review;

public class ExampleBriefTests
{
    private static CampaignBrief Brief()
    {
        var brief = TestData.Brief(channels: [Channel.OnlineVideo, Channel.ConnectedTv], interests: "running");
        brief.Flighting = FlightingPattern.FrontLoaded;
        brief.EffectiveFrequency = 4;
        brief.KpiReachPercent = 40;
        brief.KpiCpa = 25m;
        return brief;
    }

    private static Market Market => SeedReferenceData.Markets.Single(m => m.Code == "US");

    private static Dictionary<string, string> Values(ExampleBrief brief) => brief.Fields.ToDictionary(f => f.Key, f => f.Value);

    [Fact]
    public void A_linked_brief_reads_as_labelled_fields_in_display_words()
    {
        var fields = Values(ExampleBrief.FromBrief(Brief(), Market, prompt: "as sent"));

        Assert.Equal("USD 250,000.00", fields["budget"]);
        Assert.Equal("Online video, CTV / OTT", fields["channels"]);
        Assert.Equal("Awareness", fields["objective"]);
        Assert.Equal("United States (US), 258,343,281 adults", fields["market"]);
        Assert.Equal("2027-03-01 to 2027-04-11 (42 days)", fields["flight"]);
        Assert.Equal("25–54", fields["ages"]);
        Assert.Equal("All", fields["gender"]);
        Assert.Equal("running", fields["interests"]);
        Assert.Equal("reach 40%, CPA USD 25.00", fields["targets"]);
        Assert.Equal("4+", fields["effective-frequency"]);
        Assert.Equal("Front-loaded", fields["flighting"]);
        Assert.Equal("None given", fields["kpis"]);
    }

    [Fact]
    public void A_prompt_in_the_apps_format_reads_back_to_the_same_fields_and_keeps_the_prompt_as_sent()
    {
        var brief = Brief();
        var prompt = PromptRenderer.UserMessage(brief, Market);

        var read = ExampleBrief.FromPrompt(prompt);

        Assert.Equal(ExampleBriefSource.Prompt, read.Source);
        Assert.Equal(ExampleBrief.FromBrief(brief, Market, prompt).Fields, read.Fields);
        Assert.Equal(brief.BriefText, read.BriefText);
        Assert.Equal(prompt, read.Prompt);
        Assert.Contains("Channels: OnlineVideo, ConnectedTv", read.Prompt, StringComparison.Ordinal);
    }

    [Fact]
    public void A_prompt_in_another_format_is_shown_as_written_and_says_why()
    {
        const string prompt = "Plan a campaign for Contoso Coffee, budget 50k EUR, Germany, Q3.";

        var read = ExampleBrief.FromPrompt(prompt);

        Assert.Equal(ExampleBriefSource.AsWritten, read.Source);
        Assert.Empty(read.Fields);
        Assert.Equal(prompt, read.Prompt);
        Assert.Equal("This prompt is not in the app's brief format (the \"Brand:\" line is missing), so it is shown as written.", read.Note);
    }
}
