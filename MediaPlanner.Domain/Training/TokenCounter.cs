using System.Text;
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

    internal const int TokensPerMessage = 3;
    internal const int TokensPerName = 1;
    internal const int ReplyPriming = 3;

    /// <summary>Pieces longer than this are counted in chunks of this size.</summary>
    internal const int LongPiece = 1_000;

    // Loading a vocabulary takes hundreds of milliseconds and megabytes, so each is built once per process.
    private static readonly Lazy<TokenCounter> O200k = new(() => new(O200kBase));
    private static readonly Lazy<TokenCounter> Cl100k = new(() => new(Cl100kBase));

    private readonly Tokenizer _tokenizer;
    private readonly bool _o200k;
    private readonly int _systemPromptTokens;

    private TokenCounter(string encoding)
    {
        Encoding = encoding;
        _o200k = encoding == O200kBase;
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

    public int CountTokens(string? text) =>
        // Nearly every example carries the same system prompt: reuse its count.
        text is not null && text.Length == PromptRenderer.SystemPrompt.Length && text == PromptRenderer.SystemPrompt
            ? _systemPromptTokens
            : CountTokens(text.AsSpan());

    public int CountTokens(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
            return 0;
        var count = 0;
        // The library's regex pre-tokenizer is about half the cost of counting. For ASCII text (plan JSON always
        // is) the same split is found by a direct scan; anything else, or text that might hold a special token
        // such as <|endoftext|>, is split by the library's pre-tokenizer.
        if (!Ascii.IsValid(text) || text.Contains("<|", StringComparison.Ordinal))
        {
            foreach (var (offset, length) in _tokenizer.PreTokenizer!.PreTokenize(text))
                count += CountPiece(text.Slice(offset, length));
            return count;
        }
        for (var i = 0; i < text.Length;)
        {
            var length = AsciiPreTokenizer.PieceLength(text, i, _o200k);
            count += CountPiece(text.Slice(i, length));
            i += length;
        }
        return count;
    }

    /// <summary>
    /// Byte-pair merging takes time quadratic in a piece's length. Words, numbers and runs of spaces are short,
    /// but one line of 2 MB of a single letter took minutes; past <see cref="LongPiece"/> characters the piece is
    /// counted in chunks, which keeps the work linear and the count within about a token per chunk.
    /// </summary>
    private int CountPiece(ReadOnlySpan<char> piece)
    {
        var count = 0;
        while (piece.Length > LongPiece)
        {
            var chunk = char.IsHighSurrogate(piece[LongPiece - 1]) ? LongPiece - 1 : LongPiece;
            count += _tokenizer.CountTokens(piece[..chunk], considerPreTokenization: false, considerNormalization: false);
            piece = piece[chunk..];
        }
        return count + _tokenizer.CountTokens(piece, considerPreTokenization: false, considerNormalization: false);
    }

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

    // The standard roles are one token each in both encodings (tested); any other role is tokenized.
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

/// <summary>
/// The pre-tokenizer regexes of Microsoft.ML.Tokenizers' o200k_base and cl100k_base, hand-run on ASCII text:
/// each call returns the length of the piece the regex would match at <paramref name="i"/>. Tests compare the
/// resulting counts with the library's on real examples and on random text.
/// </summary>
internal static class AsciiPreTokenizer
{
    public static int PieceLength(ReadOnlySpan<char> s, int i, bool o200k) => o200k ? O200k(s, i) : Cl100k(s, i);

    // [^\r\n\p{L}\p{N}]?[\p{Lu}..]*[\p{Ll}..]+(?i:'s|'t|'re|'ve|'m|'ll|'d)? | the same with [\p{Lu}..]+[\p{Ll}..]*
    // | \p{N}{1,3} | ' '?[^\s\p{L}\p{N}]+[\r\n/]* | \s*[\r\n]+ | \s+(?!\S) | \s+
    private static int O200k(ReadOnlySpan<char> s, int i)
    {
        var c = s[i];
        var k = IsLead(c) ? i + 1 : i;
        if (k < s.Length && IsLetter(s[k]))
        {
            var e = k;
            while (e < s.Length && IsUpper(s[e]))
                e++;
            while (e < s.Length && IsLower(s[e]))
                e++;
            return e + Contraction(s, e) - i;
        }
        if (IsDigit(c))
            return Digits(s, i);
        if (Punctuation(s, i, alsoSlash: true) is var p and > 0)
            return p;
        return Whitespace(s, i, wholeTrailingRun: false);
    }

    // '(?i:[sdmt]|ll|ve|re) | [^\r\n\p{L}\p{N}]?\p{L}+ | \p{N}{1,3} | ' '?[^\s\p{L}\p{N}]+[\r\n]*
    // | \s+$ | \s*[\r\n] | \s+(?!\S) | \s
    private static int Cl100k(ReadOnlySpan<char> s, int i)
    {
        var c = s[i];
        if (c == '\'' && Contraction(s, i) is var contraction and > 0)
            return contraction;
        var k = IsLead(c) ? i + 1 : i;
        if (k < s.Length && IsLetter(s[k]))
        {
            var e = k;
            while (e < s.Length && IsLetter(s[e]))
                e++;
            return e - i;
        }
        if (IsDigit(c))
            return Digits(s, i);
        if (Punctuation(s, i, alsoSlash: false) is var p and > 0)
            return p;
        return Whitespace(s, i, wholeTrailingRun: true);
    }

    /// <summary>'s, 't, 're, 've, 'm, 'll or 'd in any case at <paramref name="i"/>: its length, or 0.</summary>
    private static int Contraction(ReadOnlySpan<char> s, int i)
    {
        if (i + 1 >= s.Length || s[i] != '\'')
            return 0;
        var a = (char)(s[i + 1] | 0x20);
        if (a is 's' or 't' or 'm' or 'd')
            return 2;
        if (i + 2 < s.Length)
        {
            var b = (char)(s[i + 2] | 0x20);
            if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l'))
                return 3;
        }
        return 0;
    }

    private static int Digits(ReadOnlySpan<char> s, int i)
    {
        var e = i + 1;
        while (e < s.Length && e - i < 3 && IsDigit(s[e]))
            e++;
        return e - i;
    }

    /// <summary>' '?[^\s\p{L}\p{N}]+ then line breaks (and slashes for o200k); 0 if none starts here.</summary>
    private static int Punctuation(ReadOnlySpan<char> s, int i, bool alsoSlash)
    {
        var start = s[i] == ' ' && i + 1 < s.Length && IsOther(s[i + 1]) ? i + 1 : i;
        if (!IsOther(s[start]))
            return 0;
        var e = start + 1;
        while (e < s.Length && IsOther(s[e]))
            e++;
        while (e < s.Length && (s[e] is '\r' or '\n' || (alsoSlash && s[e] == '/')))
            e++;
        return e - i;
    }

    private static int Whitespace(ReadOnlySpan<char> s, int i, bool wholeTrailingRun)
    {
        var end = i;
        var lastBreak = -1;
        while (end < s.Length && IsSpace(s[end]))
        {
            if (s[end] is '\r' or '\n')
                lastBreak = end;
            end++;
        }
        if (wholeTrailingRun && end == s.Length)
            return end - i;
        if (lastBreak >= 0)
            return lastBreak + 1 - i;
        if (end == s.Length)
            return end - i;
        // \s+(?!\S) leaves the last space to lead the next word; a lone space is a piece of its own.
        return end - i >= 2 ? end - 1 - i : 1;
    }

    private static bool IsSpace(char c) => c == ' ' || (c >= '\t' && c <= '\r');

    private static bool IsUpper(char c) => (uint)(c - 'A') <= 'Z' - 'A';

    private static bool IsLower(char c) => (uint)(c - 'a') <= 'z' - 'a';

    private static bool IsLetter(char c) => IsUpper(c) || IsLower(c);

    private static bool IsDigit(char c) => (uint)(c - '0') <= 9;

    /// <summary>[^\s\p{L}\p{N}]</summary>
    private static bool IsOther(char c) => !IsSpace(c) && !IsLetter(c) && !IsDigit(c);

    /// <summary>[^\r\n\p{L}\p{N}]</summary>
    private static bool IsLead(char c) => c is not ('\r' or '\n') && !IsLetter(c) && !IsDigit(c);
}
