using Microsoft.ML.Tokenizers;

namespace MediaPlanner.Domain.Training;

/// <summary>
/// Exact tiktoken counts for OpenAI models, and example sizes as OpenAI's fine-tuning cookbook counts them.
/// Thread-safe: one shared instance per encoding.
/// </summary>
public sealed class TokenCounter
{
    public const string O200kBase = "o200k_base";
    public const string Cl100kBase = "cl100k_base";

    /// <summary>Training context for a fine-tuning example when the model has no documented smaller limit.</summary>
    public const int DefaultMaxTokensPerExample = 65_536;

    // Loading a vocabulary takes hundreds of milliseconds and megabytes, so each is built once per process.
    private static readonly Lazy<TokenCounter> O200k = new(() => new(O200kBase));
    private static readonly Lazy<TokenCounter> Cl100k = new(() => new(Cl100kBase));

    private readonly Tokenizer _tokenizer;
    private readonly int _systemPromptTokens;

    private TokenCounter(string encoding)
    {
        Encoding = encoding;
        _tokenizer = TiktokenTokenizer.CreateForEncoding(encoding);
        _systemPromptTokens = _tokenizer.CountTokens(PromptRenderer.SystemPrompt);
    }

    /// <summary>The tiktoken encoding: <see cref="O200kBase"/> or <see cref="Cl100kBase"/>.</summary>
    public string Encoding { get; }

    public static TokenCounter ForModel(string model) =>
        EncodingForModel(model) == Cl100kBase ? Cl100k.Value : O200k.Value;

    /// <summary>
    /// The encoding a model (or a fine-tuned <c>ft:</c> model) uses. GPT-3.5 and GPT-4 use cl100k_base; GPT-4o,
    /// GPT-4.1, GPT-4.5 and the o-series use o200k_base, as does any model not known here, since every current model does.
    /// </summary>
    public static string EncodingForModel(string model)
    {
        var name = BaseModel(model);
        return name.StartsWith("gpt-3.5", StringComparison.Ordinal)
            || name.StartsWith("gpt-35", StringComparison.Ordinal) // Azure deployment spelling
            || name == "gpt-4"
            || name.StartsWith("gpt-4-", StringComparison.Ordinal)
            ? Cl100kBase
            : O200kBase;
    }

    /// <summary>The longest training example OpenAI accepts for a base model; longer ones are truncated.</summary>
    public static int MaxTokensPerExample(string model)
    {
        var name = BaseModel(model);
        if (name.StartsWith("gpt-3.5-turbo-0613", StringComparison.Ordinal))
            return 4_096;
        if (name.StartsWith("gpt-3.5", StringComparison.Ordinal))
            return 16_385;
        return DefaultMaxTokensPerExample;
    }

    public int CountTokens(string? text) => string.IsNullOrEmpty(text) ? 0
        // Nearly every example carries the same system prompt: reuse its count.
        : ReferenceEquals(text, PromptRenderer.SystemPrompt) || (text.Length == PromptRenderer.SystemPrompt.Length && text == PromptRenderer.SystemPrompt) ? _systemPromptTokens
        : _tokenizer.CountTokens(text);

    public int CountTokens(ReadOnlySpan<char> text) => text.IsEmpty ? 0 : _tokenizer.CountTokens(text);

    /// <summary>
    /// Tokens of one message as OpenAI's cookbook counts them (num_tokens_from_messages): 3 per message, its
    /// role and content, and the name plus 1 when there is one.
    /// </summary>
    public int CountMessage(ChatMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var count = TokensPerMessage + CountRole(message.Role) + CountTokens(message.Content);
        if (message.Name is not null)
            count += CountTokens(message.Name) + TokensPerName;
        return count;
    }

    /// <summary>Tokens of a whole example: its messages plus 3 for the reply priming.</summary>
    public int CountExample(ChatExample example)
    {
        ArgumentNullException.ThrowIfNull(example);
        var count = ReplyPriming;
        foreach (var message in example.Messages)
            count += CountMessage(message);
        return count;
    }

    internal const int TokensPerMessage = 3;
    internal const int TokensPerName = 1;
    internal const int ReplyPriming = 3;

    // Every role name is a single token in both encodings; tokenizing it anyway keeps unknown roles right.
    private int CountRole(string role) => role switch
    {
        ChatRoles.System or ChatRoles.User or ChatRoles.Assistant or ChatRoles.Tool or ChatRoles.Function => 1,
        _ => CountTokens(role),
    };

    /// <summary>"ft:gpt-4o-mini-2024-07-18:org::id" → "gpt-4o-mini-2024-07-18"; other names lowercased and trimmed.</summary>
    private static string BaseModel(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var name = model.Trim();
        if (name.StartsWith("ft:", StringComparison.OrdinalIgnoreCase))
        {
            name = name[3..];
            var colon = name.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0)
                name = name[..colon];
        }
        return name.ToLowerInvariant();
    }
}
