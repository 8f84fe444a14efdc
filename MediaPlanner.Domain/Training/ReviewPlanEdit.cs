using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Planning;

namespace MediaPlanner.Domain.Training;

/// <summary>One line of a reviewer's plan correction as typed: anything may still be missing until it is saved.</summary>
public sealed record ReviewLine(Channel? Channel, string Format, decimal? Spend, decimal? Cpm, string Rationale)
{
    public static ReviewLine Empty { get; } = new(null, "", null, null, "");
}

/// <summary>The fields of a <see cref="ReviewLine"/> an issue can point at.</summary>
public static class ReviewField
{
    public const string Channel = "channel";
    public const string Format = "format";
    public const string Spend = "spend";
    public const string Cpm = "cpm";
}

/// <summary>Why a correction cannot be saved: at a line's field (0-based <see cref="Line"/>), or about the whole plan.</summary>
public sealed record ReviewLineIssue(int? Line, string Field, string Message);

/// <summary>A plan read from JSON a reviewer typed, or where and why it could not be read (1-based <see cref="Line"/>).</summary>
public sealed record PlanJsonReading(MediaPlan? Plan, string? Error = null, long? Line = null, string? Path = null)
{
    public bool Succeeded => Plan is not null;

    /// <summary>"Line 12, at lineItems[0].spend: expected a number."</summary>
    public string? Describe() => Error is null ? null
        : string.Join(", ", new[] { Line is { } l ? $"Line {l}" : null, Path is { Length: > 0 } p ? $"at {p}" : null }.OfType<string>())
          is { Length: > 0 } where ? $"{where}: {Error}" : Error;
}

/// <summary>
/// The reviewer's structured correction of an example's plan: its lines as editable rows, checked at the field, and the
/// plan recomputed by <see cref="PlanMath"/> (as the planner's editor does) and written as the assistant message.
/// </summary>
public static partial class ReviewPlanEdit
{
    // The assistant message travels inside JSONL, never into HTML: the relaxed encoder keeps "–" as "–", not "\u2013".
    private static readonly JsonSerializerOptions MessageOptions = new(PlanJson.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonSerializerOptions IndentedMessageOptions = new(MessageOptions) { WriteIndented = true };

    public static IReadOnlyList<ReviewLine> LinesOf(MediaPlan plan) =>
        plan.LineItems.Select(l => new ReviewLine(l.Channel, l.Format, l.Spend, l.Cpm, l.Rationale)).ToList();

    /// <summary>
    /// Every reason the lines cannot be saved, at the field it concerns. <paramref name="briefChannels"/> (null when the brief
    /// is unknown) limits the channels a line may buy.
    /// </summary>
    public static IReadOnlyList<ReviewLineIssue> Validate(IReadOnlyList<ReviewLine> lines, IReadOnlyCollection<Channel>? briefChannels)
    {
        var issues = new List<ReviewLineIssue>();
        var seen = new HashSet<string>();
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (line.Channel is not { } channel)
                issues.Add(new(i, ReviewField.Channel, "Choose a channel."));
            else if (briefChannels is not null && !briefChannels.Contains(channel))
                issues.Add(new(i, ReviewField.Channel, $"{channel.Display()} is not one of the brief's channels."));
            if (string.IsNullOrWhiteSpace(line.Format))
                issues.Add(new(i, ReviewField.Format, "Name the format."));
            else if (line.Channel is not null && !seen.Add($"{line.Channel}|{line.Format.Trim().ToUpperInvariant()}"))
                issues.Add(new(i, ReviewField.Format, $"{line.Channel.Value.Display()} — {line.Format.Trim()} is already a line of this plan."));
            if (line.Spend is not > 0)
                issues.Add(new(i, ReviewField.Spend, "Spend must be more than zero."));
            else if (decimal.Round(line.Spend.Value, 2) != line.Spend)
                issues.Add(new(i, ReviewField.Spend, "Spend has at most two decimals (cents)."));
            if (line.Cpm is not > 0)
                issues.Add(new(i, ReviewField.Cpm, "The CPM must be more than zero."));
        }
        if (lines.Count == 0)
            issues.Add(new(null, "", "Keep at least one line."));
        return issues;
    }

    /// <summary>
    /// <paramref name="plan"/> with its lines replaced by <paramref name="lines"/> (those with a channel) and every figure
    /// recomputed by <see cref="PlanMath"/> against <paramref name="basis"/>. Without a basis (the brief cannot be read)
    /// a line is costed from its CPM alone and keeps the frequency it had.
    /// </summary>
    public static MediaPlan Apply(MediaPlan plan, IReadOnlyList<ReviewLine> lines, PlanBasis? basis)
    {
        var items = lines.Where(l => l.Channel is not null)
            .Select(l => new PlanLineItem(l.Channel!.Value, l.Format.Trim(), l.Spend ?? 0, 0, l.Cpm ?? 0, 0, 0, 0, 0, l.Rationale.Trim()))
            .ToList();
        if (basis is not null)
            return PlanMath.Recompute(plan with { LineItems = items }, basis);

        var stated = plan.LineItems.GroupBy(l => (l.Channel, l.Format)).ToDictionary(g => g.Key, g => g.First());
        var total = items.Sum(i => i.Spend);
        var costed = items.Select(i =>
        {
            var impressions = i.Cpm > 0 ? (long)Math.Round((double)i.Spend / (double)i.Cpm * 1000) : 0;
            var before = stated.GetValueOrDefault((i.Channel, i.Format));
            var frequency = before is { Frequency: > 0 } ? before.Frequency : 1;
            var ctr = before is { Impressions: > 0 } ? before.Clicks / (double)before.Impressions : 0;
            var reach = Math.Min(impressions, (long)Math.Round(impressions / frequency));
            return i with
            {
                Share = total > 0 ? (double)(i.Spend / total) : 0,
                Impressions = impressions,
                Reach = reach,
                Frequency = reach > 0 ? Math.Round(impressions / (double)reach, 2) : 0,
                Clicks = (long)Math.Round(impressions * ctr),
            };
        }).ToList();
        return plan with { LineItems = costed, Totals = PlanMath.Totals(costed, plan.AudienceSize) };
    }

    /// <summary>The line bought at <paramref name="impressions"/> for its spend: the CPM that gives them, to the cent.</summary>
    public static ReviewLine WithImpressions(ReviewLine line, long impressions) =>
        line.Spend is > 0 && impressions > 0 ? line with { Cpm = Math.Max(0.01m, decimal.Round(line.Spend.Value * 1000m / impressions, 2)) } : line;

    /// <summary>The plan as the assistant message of a training example: JSON in plain UTF-8, no \u escapes.</summary>
    public static string Serialize(MediaPlan plan, bool indented = false) =>
        JsonSerializer.Serialize(plan, indented ? IndentedMessageOptions : MessageOptions);

    /// <summary>Reads JSON a reviewer typed as a plan, or says at which line and field it is wrong, in words.</summary>
    public static PlanJsonReading Read(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
            return new(null, "The plan JSON is empty.");
        try
        {
            return new(PlanJson.Deserialize(json));
        }
        catch (JsonException ex)
        {
            var path = ex.Path is { Length: > 1 } p ? p.TrimStart('$', '.') : null;
            return new(null, Explain(ex, path), ex.LineNumber is { } line ? line + 1 : null, path);
        }
    }

    private static readonly HashSet<string> NumberFields = new(StringComparer.OrdinalIgnoreCase)
    {
        "audienceSize", "budget", "spend", "share", "cpm", "impressions", "clicks", "reach", "frequency", "reachPercent",
        "averageFrequency", "ecpm", "grp",
    };

    private static string Explain(JsonException ex, string? path)
    {
        // The serializer's messages end with "Path: … | LineNumber: … | BytePositionInLine: …", which Read reports apart.
        var message = LocationSuffix().Replace(ex.Message, "").Trim();
        if (MissingProperties().Match(message) is { Success: true } missing)
            return $"missing {missing.Groups[1].Value.Replace("'", "\"", StringComparison.Ordinal)}.";
        var at = message.IndexOf("could not be converted to ", StringComparison.Ordinal);
        if (at >= 0)
        {
            var type = message[(at + "could not be converted to ".Length)..];
            // The type named is sometimes the enclosing record's, so the field's name decides too.
            var field = path?.Split('.')[^1] ?? "";
            bool Is(string name) => type.Contains(name, StringComparison.Ordinal) || field.Equals(name, StringComparison.OrdinalIgnoreCase);
            if (Is(nameof(Channel)))
                return $"not a channel; use one of {string.Join(", ", Enum.GetNames<Channel>())}.";
            if (Is(nameof(Objective)))
                return $"not an objective; use one of {string.Join(", ", Enum.GetNames<Objective>())}.";
            if (Is("Decimal") || Is("Int64") || Is("Int32") || Is("Double") || NumberFields.Contains(field))
                return "expected a number.";
            if (Is("DateOnly"))
                return "expected a date as \"yyyy-MM-dd\".";
            if (Is("String"))
                return "expected text in quotes.";
            if (Is("List"))
                return "expected a list in [ ].";
            return "this value has the wrong type.";
        }
        return message.Length > 0 ? message : "The JSON cannot be read as a plan.";
    }

    [GeneratedRegex(@"\s*(Path: .*)?\|?\s*LineNumber: \d+ \| BytePositionInLine: \d+\.?$|\s*Path: \S*\.?$", RegexOptions.CultureInvariant)]
    private static partial Regex LocationSuffix();

    [GeneratedRegex(@"missing required properties including: (.+?)\.?$", RegexOptions.CultureInvariant)]
    private static partial Regex MissingProperties();
}
