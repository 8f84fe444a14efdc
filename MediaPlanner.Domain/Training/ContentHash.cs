using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MediaPlanner.Domain.Training;

/// <summary>
/// A fingerprint of an example's text for finding duplicates: whitespace differences (line endings, indentation,
/// doubled spaces) hash alike, any other edit does not.
/// </summary>
public static class ContentHash
{
    /// <summary>Lowercase hex SHA-256 of the normalised messages.</summary>
    public static string Of(ChatExample example)
    {
        ArgumentNullException.ThrowIfNull(example);
        var text = new StringBuilder();
        foreach (var message in example.Messages)
        {
            // Length prefixes keep fields apart whatever characters the content holds.
            Field(text, message.Role.Trim().ToLowerInvariant());
            Field(text, message.Name is null ? "" : Normalise(message.Name));
            Field(text, message.Weight?.ToString(CultureInfo.InvariantCulture) ?? "");
            Field(text, message.Content is null ? "" : Normalise(message.Content));
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>Runs of whitespace, line breaks included, become one space; the ends are trimmed.</summary>
    public static string Normalise(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new StringBuilder(text.Length);
        var pendingSpace = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = result.Length > 0;
                continue;
            }
            if (pendingSpace)
                result.Append(' ');
            pendingSpace = false;
            result.Append(c);
        }
        return result.ToString();
    }

    private static void Field(StringBuilder text, string value) =>
        text.Append(value.Length).Append(':').Append(value).Append(';');
}
