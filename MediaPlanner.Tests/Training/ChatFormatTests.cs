using System.Text.Json;
using MediaPlanner.Domain.Training;

namespace MediaPlanner.Tests.Training;

public class ChatFormatTests
{
    [Fact]
    public void A_line_is_compact_json_with_a_messages_array_and_no_trailing_newline()
    {
        var example = new ChatExample([new("system", "Plan."), new("user", "Brief"), new("assistant", "{}")]);

        Assert.Equal(
            """{"messages":[{"role":"system","content":"Plan."},{"role":"user","content":"Brief"},{"role":"assistant","content":"{}"}]}""",
            example.ToJsonLine());
    }

    [Fact]
    public void Name_and_weight_are_written_only_when_set()
    {
        var example = new ChatExample([new("user", "Hi", Name: "planner"), new("assistant", "Hello", Weight: 0)]);

        Assert.Equal(
            """{"messages":[{"role":"user","content":"Hi","name":"planner"},{"role":"assistant","content":"Hello","weight":0}]}""",
            example.ToJsonLine());
    }

    [Fact]
    public void Non_ascii_text_stays_readable_and_quotes_and_newlines_are_escaped()
    {
        var line = new ChatExample([new("user", "Café – 25–54 \"runners\"\nline two")]).ToJsonLine();

        Assert.Equal("""{"messages":[{"role":"user","content":"Café – 25–54 \"runners\"\nline two"}]}""", line);
    }

    [Fact]
    public void A_rendered_example_round_trips_byte_for_byte()
    {
        var line = TrainingTestData.Line();

        var parsed = ChatExample.Parse(line);

        Assert.Equal(line, parsed.ToJsonLine());
        Assert.Equal(3, parsed.Messages.Count);
        Assert.Equal(PromptRenderer.SystemPrompt, parsed.Messages[0].Content);
    }

    [Fact]
    public void Names_weights_nulls_and_unusual_characters_round_trip_byte_for_byte()
    {
        var example = new ChatExample(
        [
            new("system", "Tabs\tand \\ backslashes, emoji 👍, <html> & 'quotes'"),
            new("user", "Ünïcödé 日本語", Name: "reviewer"),
            new("assistant", null, Weight: 1),
            new("assistant", "final", Weight: 0),
        ]);
        var line = example.ToJsonLine();

        var again = ChatExample.Parse(line);

        Assert.Equal(line, again.ToJsonLine());
        Assert.Equal(example.Messages, again.Messages);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("""{"prompt":"x"}""")]
    [InlineData("""{"messages":[{"content":"no role"}]}""")]
    [InlineData("""{"messages":[{"role":"user","content":42}]}""")]
    [InlineData("""{"messages":["text"]}""")]
    public void Parsing_a_line_that_is_not_a_chat_example_throws_a_json_exception(string line)
    {
        Assert.ThrowsAny<JsonException>(() => ChatExample.Parse(line));
    }
}
