using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MediaPlanner.Domain.Providers;

/// <summary>
/// What a provider accepts as a training file and a model suffix (DESIGN.md §8). OpenAI: files up to 512 MB, a suffix of
/// up to 64 letters, digits, dashes or underscores. Azure OpenAI: the same suffix (no dots), files UTF-8 <em>with</em> a
/// byte-order mark, up to 512 MB. OpenAI-compatible services: as OpenAI. The JSONL is the export's, line for line.
/// </summary>
public sealed partial record TrainingFileRules(ProviderKind Kind, string ProviderLabel, long MaxFileBytes, bool ByteOrderMark)
{
    public const int MaxSuffixLength = 64;
    public const long DefaultMaxFileBytes = 512L * 1024 * 1024;

    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    public static TrainingFileRules For(ProviderKind kind) => kind switch
    {
        ProviderKind.AzureOpenAI => new(kind, "Azure OpenAI", DefaultMaxFileBytes, ByteOrderMark: true),
        ProviderKind.OpenAICompatible => new(kind, "This provider", DefaultMaxFileBytes, ByteOrderMark: false),
        _ => new(kind, "OpenAI", DefaultMaxFileBytes, ByteOrderMark: false),
    };

    /// <summary>Why the provider would refuse this suffix, or null when it is fine (empty means none).</summary>
    public string? ValidateSuffix(string? suffix)
    {
        var s = suffix?.Trim();
        if (string.IsNullOrEmpty(s))
            return null;
        if (s.Length > MaxSuffixLength)
            return string.Create(CultureInfo.InvariantCulture,
                $"The model suffix may be at most {MaxSuffixLength} characters; this one has {s.Length}.");
        if (!SuffixPattern().IsMatch(s))
            return Kind == ProviderKind.AzureOpenAI
                ? $"Azure OpenAI takes a suffix of up to {MaxSuffixLength} letters, digits, dashes or underscores: no dots, spaces or other characters."
                : $"Use up to {MaxSuffixLength} letters, digits, dashes or underscores.";
        return null;
    }

    /// <summary>The bytes to upload: the JSONL lines, one per line, UTF-8, with a byte-order mark where the provider wants one.</summary>
    public byte[] Encode(IReadOnlyList<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var text = string.Join('\n', lines) + "\n";
        var prefix = ByteOrderMark ? Bom.Length : 0;
        var bytes = new byte[prefix + Encoding.UTF8.GetByteCount(text)];
        if (ByteOrderMark)
            Bom.CopyTo(bytes, 0);
        Encoding.UTF8.GetBytes(text, 0, text.Length, bytes, prefix);
        return bytes;
    }

    /// <summary>Why a file of <paramref name="bytes"/> is too large for the provider, or null.</summary>
    public string? ValidateSize(long bytes, string what) => bytes <= MaxFileBytes
        ? null
        : $"The {what} file would be {Size(bytes)}, over {ProviderLabel}'s limit of {Size(MaxFileBytes)} per file: " +
          "train on fewer or shorter examples.";

    /// <summary>Sizes as people read them: bytes, KB, MB or GB (1,024-based, as the providers state their limits).</summary>
    public static string Size(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes:N0} bytes"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.##} GB"),
    };

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex SuffixPattern();
}
