using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.ML.Tokenizers;

namespace MediaPlanner.Tests.Training;

/// <summary>Expected counts are tiktoken's own: its test suite and OpenAI's "How to count tokens with tiktoken" cookbook.</summary>
public class TokenCounterTests
{
    private static readonly TokenCounter Cl100k = TokenCounter.ForModel("gpt-4");
    private static readonly TokenCounter O200k = TokenCounter.ForModel("gpt-4o");

    [Theory]
    [InlineData("hello world", 2)]
    [InlineData("tiktoken is great!", 6)]
    [InlineData("antidisestablishmentarianism", 6)]
    [InlineData("2 + 2 = 4", 7)]
    [InlineData("お誕生日おめでとう", 9)]
    [InlineData("rer", 1)]
    [InlineData("'rer", 2)]
    [InlineData("today\n ", 3)]
    [InlineData("today\n \n", 2)]
    [InlineData("👍", 3)]
    [InlineData("", 0)]
    public void Cl100k_counts_match_tiktoken(string text, int expected)
    {
        Assert.Equal(expected, Cl100k.CountTokens(text));
    }

    [Fact]
    public void O200k_counts_hello_world_as_two_tokens()
    {
        Assert.Equal(2, O200k.CountTokens("hello world"));
    }

    /// <summary>The cookbook's example_messages: 129 tokens on gpt-3.5-turbo and gpt-4, 124 on gpt-4o, confirmed by the API.</summary>
    [Theory]
    [InlineData("gpt-4", 129)]
    [InlineData("gpt-4-0613", 129)]
    [InlineData("gpt-3.5-turbo", 129)]
    [InlineData("gpt-4o", 124)]
    [InlineData("gpt-4o-mini", 124)]
    public void Message_counts_match_the_cookbook_and_the_api(string model, int expected)
    {
        var example = new ChatExample(
        [
            new("system", "You are a helpful, pattern-following assistant that translates corporate jargon into plain English."),
            new("system", "New synergies will help drive top-line growth.", Name: "example_user"),
            new("system", "Things working well together will increase revenue.", Name: "example_assistant"),
            new("system", "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage.", Name: "example_user"),
            new("system", "Let's talk later when we're less busy about how to do better.", Name: "example_assistant"),
            new("user", "This late pivot means we don't have time to boil the ocean for the client deliverable."),
        ]);

        Assert.Equal(expected, TokenCounter.ForModel(model).CountExample(example));
    }

    [Theory]
    [InlineData("gpt-4o-mini-2024-07-18", "o200k_base")]
    [InlineData("gpt-4o-2024-08-06", "o200k_base")]
    [InlineData("gpt-4.1-mini", "o200k_base")]
    [InlineData("gpt-4.5-preview", "o200k_base")]
    [InlineData("o1-mini", "o200k_base")]
    [InlineData("o3", "o200k_base")]
    [InlineData("o4-mini", "o200k_base")]
    [InlineData("ft:gpt-4o-mini-2024-07-18:acme::9abcDEF", "o200k_base")]
    [InlineData("gpt-3.5-turbo-0125", "cl100k_base")]
    [InlineData("gpt-3.5-turbo", "cl100k_base")]
    [InlineData("gpt-4", "cl100k_base")]
    [InlineData("gpt-4-turbo", "cl100k_base")]
    [InlineData("ft:gpt-3.5-turbo-0125:acme::abc123", "cl100k_base")]
    [InlineData("some-future-model", "o200k_base")]
    public void Each_model_family_uses_its_encoding(string model, string encoding)
    {
        Assert.Equal(encoding, TokenCounter.EncodingForModel(model));
        Assert.Equal(encoding, TokenCounter.ForModel(model).Encoding);
    }

    [Fact]
    public void Counters_are_shared_per_encoding()
    {
        Assert.Same(TokenCounter.ForModel("gpt-4o-mini"), TokenCounter.ForModel("gpt-4.1"));
        Assert.NotSame(TokenCounter.ForModel("gpt-4o-mini"), TokenCounter.ForModel("gpt-3.5-turbo"));
    }

    [Theory]
    [InlineData("gpt-4o-mini-2024-07-18", 65_536)]
    [InlineData("gpt-4o-2024-08-06", 65_536)]
    [InlineData("gpt-4.1-mini-2025-04-14", 65_536)]
    [InlineData("ft:gpt-4o-mini-2024-07-18:acme::x1", 65_536)]
    [InlineData("gpt-3.5-turbo-0125", 16_385)]
    [InlineData("gpt-3.5-turbo", 16_385)]
    [InlineData("gpt-3.5-turbo-0613", 4_096)]
    [InlineData("unknown-model", 65_536)]
    public void Each_model_has_its_documented_example_limit(string model, int max)
    {
        Assert.Equal(max, TokenCounter.MaxTokensPerExample(model));
    }

    [Fact]
    public void Every_role_is_one_token_in_both_encodings()
    {
        foreach (var counter in new[] { Cl100k, O200k })
        {
            foreach (var role in new[] { "system", "user", "assistant", "tool", "function" })
                Assert.Equal(1, counter.CountTokens(role.AsSpan()));
        }
    }

    [Fact]
    public void The_shared_system_prompt_counts_the_same_as_a_copy_of_it()
    {
        var copy = new string(PromptRenderer.SystemPrompt.AsSpan());

        Assert.Equal(O200k.CountTokens(copy.AsSpan()), O200k.CountTokens(PromptRenderer.SystemPrompt));
        Assert.Equal(O200k.CountTokens(copy.AsSpan()), O200k.CountTokens(copy));
    }

    [Fact]
    public void Longer_text_has_more_tokens_and_o200k_is_no_longer_than_cl100k_on_a_plan()
    {
        var example = TrainingTestData.Example();
        var plan = example.Messages[2].Content!;

        Assert.True(O200k.CountTokens(plan + plan) > O200k.CountTokens(plan));
        Assert.True(O200k.CountExample(example) <= Cl100k.CountExample(example));
    }

    [Fact]
    public void An_example_counts_three_per_message_plus_role_and_content_plus_three()
    {
        var example = TrainingTestData.Example();

        var expected = 3 + example.Messages.Sum(m => 3 + O200k.CountTokens(m.Role.AsSpan()) + O200k.CountTokens(m.Content.AsSpan()));

        Assert.Equal(expected, O200k.CountExample(example));
    }

    // TokenCounter splits ASCII text itself instead of running the library's regex; these compare it with the library.

    private static readonly Dictionary<string, Tokenizer> Library = new()
    {
        ["o200k_base"] = TiktokenTokenizer.CreateForEncoding("o200k_base"),
        ["cl100k_base"] = TiktokenTokenizer.CreateForEncoding("cl100k_base"),
    };

    public static TheoryData<string> Encodings => ["o200k_base", "cl100k_base"];

    private static TokenCounter Counter(string encoding) => encoding == "o200k_base" ? O200k : Cl100k;

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Counts_of_real_examples_match_the_library(string encoding)
    {
        var briefs = new[]
        {
            TestData.Brief(),
            TestData.Brief(objective: Objective.Conversion, channels: Enum.GetValues<Channel>(), currency: "GBP", market: "GB"),
            TestData.Brief(budget: 12_345.67m, objective: Objective.Consideration, channels: [Channel.Radio, Channel.Podcast, Channel.OutOfHome], currency: "EUR", market: "DE"),
        };
        foreach (var brief in briefs)
        {
            foreach (var message in TrainingTestData.Example(brief).Messages)
            {
                var text = message.Content!;
                Assert.Equal(Library[encoding].CountTokens(text), Counter(encoding).CountTokens(text));
                var line = new ChatExample([message]).ToJsonLine();
                Assert.Equal(Library[encoding].CountTokens(line), Counter(encoding).CountTokens(line));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Counts_of_random_ascii_text_match_the_library(string encoding)
    {
        // Letters of both cases, contractions, digits, every ASCII space, punctuation and control characters:
        // the places where the pre-tokenizer's rules differ.
        const string alphabet = "aAbZsStTrReEvVlLdDmMxX'''\"   \t\n\n\r\v\f0123456789.,:;/!?-_{}[]()<>|\\\u0001~";
        var random = new Random(1_234);
        var text = new char[64];
        for (var n = 0; n < 20_000; n++)
        {
            var length = random.Next(1, text.Length + 1);
            for (var i = 0; i < length; i++)
                text[i] = alphabet[random.Next(alphabet.Length)];
            var value = new string(text, 0, length);

            Assert.True(Library[encoding].CountTokens(value) == Counter(encoding).CountTokens(value), $"Counts differ for \"{value.ReplaceLineEndings("\\n")}\"");
        }
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Text_with_non_ascii_or_special_tokens_is_counted_by_the_library(string encoding)
    {
        foreach (var text in new[] { "Café – 25–54 adults", "hello <|endoftext|> world", "日本語のブリーフ", "a <| b" })
            Assert.Equal(Library[encoding].CountTokens(text), Counter(encoding).CountTokens(text));
    }
}
