using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Planning;

namespace MediaPlanner.Domain.Training;

/// <summary>The kinds of client name an example can hold, each with its own placeholder.</summary>
public enum NameKind
{
    Brand,
    Campaign,
    Client,
}

/// <summary>
/// Replaces one example's client names (brand, campaign, client) with placeholders such as <c>[BRAND-1]</c> and puts
/// them back. Matching is case-insensitive, by whole words or phrases (any run of spaces between a name's words), longest
/// name first, so "Acme Sports" never becomes "[BRAND-1] Sports". Text that is JSON (a plan) is rewritten string by
/// string, so the names inside it are found whatever their escaping and the result stays valid JSON. Placeholders are
/// numbered per example: the same name is the same placeholder everywhere in that example, and every example starts at 1,
/// as every brief sent to a model at inference does.
/// </summary>
public sealed partial class Anonymiser
{
    /// <summary>The labels whose lines name a client in a brief, and the kind of name each gives.</summary>
    public static readonly IReadOnlyList<(string Label, NameKind Kind)> NameLabels =
    [
        (BriefPrompt.Labels.Brand, NameKind.Brand),
        (BriefPrompt.Labels.Campaign, NameKind.Campaign),
        ("Client", NameKind.Client),
        ("Advertiser", NameKind.Client),
    ];

    private static readonly JsonSerializerOptions LineOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    // Nested JSON (a plan) is written back as PlanJson writes it.
    private static readonly JsonSerializerOptions NestedOptions = new();
    /// <summary>
    /// Plan fields whose values are the format's own words (a channel, an objective, a market or currency code, a date):
    /// a brand called "Display" or "Search" must not turn a line's channel into a placeholder the plan cannot be read with.
    /// </summary>
    private static readonly HashSet<string> Vocabulary = new(
        [nameof(MediaPlan.Objective), nameof(MediaPlan.Market), nameof(MediaPlan.Currency), nameof(MediaPlan.FlightStart),
         nameof(MediaPlan.FlightEnd), nameof(PlanLineItem.Channel)],
        StringComparer.OrdinalIgnoreCase);

    private static readonly JsonDocumentOptions ReadOptions = new() { MaxDepth = 64 };

    private readonly string[] _placeholders;
    private readonly Dictionary<string, string> _names;
    private readonly Regex? _find;

    private Anonymiser(List<(string Name, string Placeholder)> names)
    {
        // Longest first: the regex takes the first alternative that matches at a position.
        names.Sort((a, b) => b.Name.Length.CompareTo(a.Name.Length));
        _placeholders = [.. names.Select(n => n.Placeholder)];
        _names = names.GroupBy(n => n.Placeholder).ToDictionary(g => g.Key, g => g.First().Name, StringComparer.OrdinalIgnoreCase);
        if (names.Count > 0)
        {
            var alternatives = names.Select(n => "(" + string.Join(@"\s+", n.Name.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(Regex.Escape)) + ")");
            _find = new Regex(@"(?<![\p{L}\p{N}_])(?:" + string.Join('|', alternatives) + @")(?![\p{L}\p{N}_])",
                RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        }
    }

    /// <summary>Placeholder → the name it stands for.</summary>
    public IReadOnlyDictionary<string, string> Placeholders => _names;

    /// <summary>
    /// Numbers the names in order of appearance, per kind; a name seen before (in any case or spacing) keeps its first
    /// placeholder. Blank names, and names without a letter or digit, are skipped.
    /// </summary>
    public static Anonymiser For(IEnumerable<(NameKind Kind, string? Name)> names)
    {
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var counts = new Dictionary<NameKind, int>();
        var list = new List<(string, string)>();
        foreach (var (kind, raw) in names)
        {
            var name = string.Join(' ', (raw ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            if (!name.Any(char.IsLetterOrDigit) || seen.ContainsKey(name))
                continue;
            var number = counts[kind] = counts.GetValueOrDefault(kind) + 1;
            var placeholder = $"[{kind.ToString().ToUpperInvariant()}-{number}]";
            seen[name] = placeholder;
            list.Add((name, placeholder));
        }
        return new Anonymiser(list);
    }

    /// <summary>The brief's own names: its brand, then its campaign, as <see cref="BriefPrompt.Render"/> writes them.</summary>
    public static Anonymiser ForBrief(CampaignBrief brief)
    {
        ArgumentNullException.ThrowIfNull(brief);
        return For([(NameKind.Brand, brief.Brand), (NameKind.Campaign, brief.CampaignName)]);
    }

    /// <summary>The names a prompt's labelled lines give ("Brand: …", "Campaign: …", "Client: …"), in the order they come.</summary>
    public static IEnumerable<(NameKind Kind, string? Name)> NamesInPrompt(string? text)
    {
        foreach (var raw in (text ?? "").ReplaceLineEndings("\n").Split('\n'))
        {
            var line = raw.TrimStart();
            foreach (var (label, kind) in NameLabels)
            {
                if (line.Length > label.Length && line[label.Length] == ':' && line.StartsWith(label, StringComparison.OrdinalIgnoreCase))
                {
                    yield return (kind, line[(label.Length + 1)..].Trim());
                    break;
                }
            }
        }
    }

    /// <summary>
    /// One JSONL line (a chat example or a preference pair) with the names its user messages' labelled lines give replaced
    /// in every message. For a planner's example those lines are the brief's own fields, as <see cref="BriefPrompt.Render"/>
    /// wrote them. A line that is not JSON is returned as it is.
    /// </summary>
    public static string AnonymiseLine(string jsonLine)
    {
        ArgumentNullException.ThrowIfNull(jsonLine);
        var names = new List<(NameKind, string?)>();
        try
        {
            var root = JsonNode.Parse(jsonLine, documentOptions: ReadOptions);
            foreach (var user in UserContents(root))
                names.AddRange(NamesInPrompt(user));
            var anonymiser = For(names);
            return anonymiser._find is not null && Rewrite(root, anonymiser.Anonymise, onlyContent: true)
                ? root!.ToJsonString(LineOptions)
                : jsonLine;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            // JsonObject refuses a repeated key, which a chat reader tolerates: read the line as a chat example instead.
            return AnonymiseChat(jsonLine, names);
        }
        catch (JsonException)
        {
            return jsonLine;
        }
    }

    private static string AnonymiseChat(string jsonLine, List<(NameKind, string?)> names)
    {
        ChatExample example;
        try
        {
            example = ChatExample.Parse(jsonLine);
        }
        catch (JsonException)
        {
            return jsonLine;
        }
        names.AddRange(example.Messages.Where(m => m.Role == ChatRoles.User).SelectMany(m => NamesInPrompt(m.Content)));
        return new ChatExample(For(names).Anonymise(example.Messages)).ToJsonLine();
    }

    /// <summary>The text with every name replaced by its placeholder; JSON text stays JSON.</summary>
    public string Anonymise(string text) => _find is null ? text : Map(text, ReplaceNames);

    /// <summary>The text with every placeholder of this example put back to its name; JSON text stays JSON.</summary>
    public string Restore(string text) => _names.Count == 0 ? text : Map(text, ReplacePlaceholders);

    /// <summary>The plan with every placeholder in its strings put back to its name.</summary>
    public MediaPlan Restore(MediaPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (_names.Count == 0)
            return plan;
        var json = PlanJson.Serialize(plan);
        var restored = Restore(json);
        return ReferenceEquals(json, restored) ? plan : PlanJson.Deserialize(restored);
    }

    /// <summary>The messages with <see cref="Anonymise"/> applied to each one's content.</summary>
    public IReadOnlyList<ChatMessage> Anonymise(IReadOnlyList<ChatMessage> messages) =>
        [.. messages.Select(m => m.Content is null ? m : m with { Content = Anonymise(m.Content) })];

    private string ReplaceNames(string text) => _find!.Replace(text, match =>
    {
        for (var group = 1; group < match.Groups.Count; group++)
            if (match.Groups[group].Success)
                return _placeholders[group - 1];
        return match.Value;
    });

    private string ReplacePlaceholders(string text) =>
        PlaceholderPattern().Replace(text, match => _names.TryGetValue(match.Value, out var name) ? name : match.Value);

    /// <summary>Text that parses as a JSON object or array is rewritten string value by string value; other text as a whole.</summary>
    private static string Map(string text, Func<string, string> replace)
    {
        var start = text.AsSpan().TrimStart();
        if (start.Length > 0 && start[0] is '{' or '[')
        {
            try
            {
                var node = JsonNode.Parse(text, documentOptions: ReadOptions);
                return Rewrite(node, s => Map(s, replace), onlyContent: false) ? node!.ToJsonString(NestedOptions) : text;
            }
            catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException)
            {
                // Not JSON after all, or JSON with a repeated key: replaced as text below.
            }
        }
        return replace(text);
    }

    /// <summary>
    /// Replaces string values in place; property names are left alone, since they are the format's, not the client's. In a
    /// JSONL line only message text ("content", and "text" parts) is touched, so roles and keys cannot be renamed.
    /// </summary>
    private static bool Rewrite(JsonNode? node, Func<string, string> map, bool onlyContent)
    {
        // Copied first: a replaced value must not disturb the enumeration.
        List<(string? Key, JsonNode? Child, Action<JsonNode> Set)> children = node switch
        {
            JsonObject obj => [.. obj.ToList().Select(p => (p.Key, p.Value, (Action<JsonNode>)(v => obj[p.Key] = v)))],
            JsonArray array => [.. array.Select((child, i) => ((string?)null, child, (Action<JsonNode>)(v => array[i] = v)))],
            _ => [],
        };
        var changed = false;
        foreach (var (key, child, set) in children)
        {
            if (child is JsonValue value && value.TryGetValue<string>(out var text))
            {
                if (onlyContent ? key is not ("content" or "text") : key is not null && Vocabulary.Contains(key))
                    continue;
                var mapped = map(text);
                if (mapped != text)
                {
                    set(mapped);
                    changed = true;
                }
            }
            else
                changed |= Rewrite(child, map, onlyContent);
        }
        return changed;
    }

    /// <summary>The content of every user message in a chat line or a preference line's input.</summary>
    private static IEnumerable<string> UserContents(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["role"] is JsonValue role && role.TryGetValue<string>(out var r) && r == ChatRoles.User
                    && obj["content"] is JsonValue content && content.TryGetValue<string>(out var text))
                    yield return text;
                foreach (var (_, child) in obj)
                    foreach (var found in UserContents(child))
                        yield return found;
                break;
            case JsonArray array:
                foreach (var child in array)
                    foreach (var found in UserContents(child))
                        yield return found;
                break;
        }
    }

    [GeneratedRegex(@"\[(?:BRAND|CAMPAIGN|CLIENT)-[0-9]{1,4}\]", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PlaceholderPattern();
}
