using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Text;
using MediaPlanner.Domain.Training;

namespace MediaPlanner.Tests.Text;

public class DisplayNamesTests
{
    [Theory]
    [InlineData("PendingReview", "Pending review")]
    [InlineData("FineTunedOnly", "Fine tuned only")]
    [InlineData("OpenAI", "OpenAI")]
    [InlineData("AzureOpenAI", "Azure OpenAI")]
    [InlineData("OpenAICompatible", "OpenAI compatible")]
    [InlineData("Search", "Search")]
    public void Pascal_case_names_read_as_words(string name, string words) =>
        Assert.Equal(words, DisplayNames.Words(name));

    [Fact]
    public void A_display_attribute_wins_over_the_words()
    {
        Assert.Equal("CTV / OTT", Channel.ConnectedTv.Display());
        Assert.Equal("Linear TV", ((Enum)Channel.LinearTv).DisplayName());
        Assert.Equal("Front-loaded", FlightingPattern.FrontLoaded.DisplayName());
        Assert.Equal("Pending review", ExampleStatus.PendingReview.DisplayName());
    }

    [Fact]
    public void No_domain_enum_shows_a_code_name()
    {
        var enums = typeof(Channel).Assembly.GetTypes().Where(t => t.IsEnum && t.IsPublic);
        foreach (var type in enums)
            foreach (Enum value in Enum.GetValues(type))
            {
                var shown = value.DisplayName();
                Assert.DoesNotMatch("[a-z][A-Z][a-z]", shown.Replace("OpenAI", "", StringComparison.Ordinal));
                Assert.False(string.IsNullOrWhiteSpace(shown), $"{type.Name}.{value} has no display name");
            }
        Assert.Equal("Validating files", FineTuneStatus.ValidatingFiles.Display());
    }
}
