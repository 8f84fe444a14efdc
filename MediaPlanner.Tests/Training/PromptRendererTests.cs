using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Infrastructure;

namespace MediaPlanner.Tests.Training;

public class PromptRendererTests
{
    [Fact]
    public void The_user_message_lists_the_brief_as_labelled_lines_then_the_brief_text()
    {
        var brief = TestData.Brief(interests: "running");

        var message = PromptRenderer.UserMessage(brief, TrainingTestData.Market());

        Assert.Equal(
            "Brand: Northwind Running\n" +
            "Campaign: Spring launch\n" +
            "Budget: USD 250000.00\n" +
            "Market: US (United States, 258,343,281 adults)\n" +
            "Objective: Awareness\n" +
            "Audience: adults 25–54 interested in running\n" +
            "Flight: 2027-03-01 to 2027-04-11\n" +
            "Channels: Search, Social, OnlineVideo, Display\n" +
            "KPIs: none given\n" +
            "\n" +
            "Brief:\n" +
            brief.BriefText,
            message);
    }

    [Fact]
    public void Kpis_are_shown_when_the_brief_gives_them()
    {
        var brief = TestData.Brief();
        brief.Kpis = "CPM under $10";

        Assert.Contains("\nKPIs: CPM under $10\n", PromptRenderer.UserMessage(brief, TrainingTestData.Market()), StringComparison.Ordinal);
    }

    [Fact]
    public void The_rendering_does_not_depend_on_the_current_culture()
    {
        var brief = TestData.Brief(budget: 1_234_567.5m);
        var original = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            var message = PromptRenderer.UserMessage(brief, TrainingTestData.Market());

            Assert.Contains("Budget: USD 1234567.50\n", message, StringComparison.Ordinal);
            Assert.Contains("258,343,281 adults", message, StringComparison.Ordinal);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = original;
        }
    }

    [Fact]
    public void A_market_other_than_the_briefs_is_refused()
    {
        Assert.Throws<ArgumentException>(() => PromptRenderer.UserMessage(TestData.Brief(market: "US"), TrainingTestData.Market("GB")));
    }

    [Fact]
    public void The_prompt_is_the_system_instructions_then_the_brief()
    {
        var messages = PromptRenderer.PromptMessages(TestData.Brief(), TrainingTestData.Market());

        Assert.Equal(["system", "user"], messages.Select(m => m.Role));
        Assert.Equal(PromptRenderer.SystemPrompt, messages[0].Content);
    }

    [Fact]
    public void A_training_example_is_the_prompt_with_the_plan_json_as_the_answer()
    {
        var brief = TestData.Brief(objective: Objective.Conversion);
        var plan = TrainingTestData.Plan(brief);

        var example = PromptRenderer.Example(brief, TrainingTestData.Market(), plan);

        Assert.Equal(["system", "user", "assistant"], example.Messages.Select(m => m.Role));
        Assert.Equal(PromptRenderer.PromptMessages(brief, TrainingTestData.Market()), example.Messages.Take(2));
        Assert.Equal(PlanJson.Serialize(plan), example.Messages[2].Content);
    }
}
