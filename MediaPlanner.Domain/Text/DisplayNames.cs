using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text;

namespace MediaPlanner.Domain.Text;

/// <summary>
/// Every enum value as people read it: the value's <see cref="DisplayAttribute"/> name where it has one, otherwise its
/// words ("PendingReview" → "Pending review"). Pages show enums only through this, never with ToString().
/// </summary>
public static class DisplayNames
{
    private static readonly ConcurrentDictionary<Enum, string> Cache = new();

    public static string DisplayName(this Enum value) => Cache.GetOrAdd(value, static v =>
    {
        var field = v.GetType().GetField(v.ToString(), BindingFlags.Public | BindingFlags.Static);
        return field?.GetCustomAttribute<DisplayAttribute>()?.GetName() ?? Words(v.ToString());
    });

    /// <summary>"FineTunedOnly" → "Fine tuned only"; runs of capitals stay together ("OpenAI", "JSONL").</summary>
    public static string Words(string pascal)
    {
        const string brand = "OpenAI";
        var at = pascal.IndexOf(brand, StringComparison.Ordinal);
        if (at >= 0)
            return string.Join(' ', new[] { Words(pascal[..at]), brand, Words(pascal[(at + brand.Length)..]).ToLowerInvariant() }
                .Where(w => w.Length > 0));
        var sb = new StringBuilder(pascal.Length + 8);
        for (var i = 0; i < pascal.Length; i++)
        {
            var c = pascal[i];
            var startsWord = i > 0 && char.IsUpper(c)
                && (char.IsLower(pascal[i - 1]) || (i + 1 < pascal.Length && char.IsLower(pascal[i + 1]) && char.IsUpper(pascal[i - 1])));
            if (startsWord)
                sb.Append(' ');
            sb.Append(i > 0 && startsWord && !IsAcronymAt(pascal, i) ? char.ToLowerInvariant(c) : c);
        }
        return sb.ToString();
    }

    private static bool IsAcronymAt(string s, int i) => i + 1 < s.Length && char.IsUpper(s[i + 1]);
}
