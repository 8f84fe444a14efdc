using System.Globalization;
using MediaPlanner.Domain.Briefs;

namespace MediaPlanner.Domain.Planning;

/// <summary>What a planner decides for one line of an edited plan; everything else is recomputed from it.</summary>
public sealed record PlanEditLine(Channel Channel, string Format, decimal Cpm, decimal Spend);

/// <summary>A reason an edit cannot be saved: at the line it concerns (0-based <see cref="Line"/>), or about the whole plan.</summary>
public sealed record PlanEditIssue(int? Line, string Message);

/// <summary>How one line changed between two plans; spends and shares are null on the side where the line is absent.</summary>
public sealed record LineDifference(Channel Channel, string Format, decimal? Before, decimal? After, double? ShareBefore, double? ShareAfter)
{
    public bool Added => Before is null;
    public bool Removed => After is null;
    public bool Changed => Added || Removed || Before != After || Math.Abs((ShareBefore ?? 0) - (ShareAfter ?? 0)) >= 0.0005;
}

/// <summary>The difference between a generated plan and the plan used: per line, and in total.</summary>
public sealed record PlanDifference(IReadOnlyList<LineDifference> Lines, decimal TotalBefore, decimal TotalAfter)
{
    public static PlanDifference Of(MediaPlan before, MediaPlan after)
    {
        var totalBefore = before.LineItems.Sum(l => l.Spend);
        var totalAfter = after.LineItems.Sum(l => l.Spend);
        static string Key(PlanLineItem l) => $"{l.Channel}|{l.Format.Trim().ToUpperInvariant()}";
        var afterByKey = after.LineItems.GroupBy(Key).ToDictionary(g => g.Key, g => g.First());
        var lines = new List<LineDifference>();
        foreach (var line in before.LineItems)
        {
            var match = afterByKey.GetValueOrDefault(Key(line));
            lines.Add(new(line.Channel, line.Format, line.Spend, match?.Spend, Share(line.Spend, totalBefore),
                match is null ? null : Share(match.Spend, totalAfter)));
        }
        var beforeKeys = before.LineItems.Select(Key).ToHashSet();
        lines.AddRange(after.LineItems.Where(l => !beforeKeys.Contains(Key(l)))
            .Select(l => new LineDifference(l.Channel, l.Format, null, l.Spend, null, Share(l.Spend, totalAfter))));
        return new(lines, totalBefore, totalAfter);
    }

    public bool Any => TotalBefore != TotalAfter || Lines.Any(l => l.Changed);

    /// <summary>The change in words: "Social 20 % → 30 %, Display removed (was 15 %), Online video added at 10 %".</summary>
    public string Describe()
    {
        var parts = new List<string>();
        foreach (var line in Lines.Where(l => l.Changed))
        {
            var name = Name(line);
            if (line.Added)
                parts.Add($"{name} added at {Percent(line.ShareAfter)}");
            else if (line.Removed)
                parts.Add($"{name} removed (was {Percent(line.ShareBefore)})");
            else if (Percent(line.ShareBefore) != Percent(line.ShareAfter))
                parts.Add($"{name} {Percent(line.ShareBefore)} → {Percent(line.ShareAfter)}");
        }
        if (TotalBefore != TotalAfter)
            parts.Add($"total spend {TotalBefore.ToString("N0", CultureInfo.InvariantCulture)} → {TotalAfter.ToString("N0", CultureInfo.InvariantCulture)}");
        return parts.Count == 0 ? "no change to the split" : string.Join(", ", parts);
    }

    // A channel bought in two formats needs the format to tell its lines apart.
    private string Name(LineDifference line) =>
        Lines.Count(l => l.Channel == line.Channel) > 1 ? $"{line.Channel.Display()} ({line.Format})" : line.Channel.Display();

    private static double? Share(decimal spend, decimal total) => total > 0 ? (double)(spend / total) : null;

    private static string Percent(double? share) =>
        share is { } s ? (s * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %" : "—";
}

/// <summary>
/// A planner's edit of a plan: what may be edited (channels the brief allows that have benchmarks), whether the lines are
/// valid, and the plan recomputed by <see cref="PlanMath"/> from them. Pure: the editor previews with it as the planner
/// types and <see cref="PlanEditService"/> saves with it.
/// </summary>
public static class PlanEdit
{
    public const string EditNotePrefix = "Edited by the planner: ";

    public static IReadOnlyList<PlanEditLine> LinesOf(MediaPlan plan) =>
        plan.LineItems.Select(l => new PlanEditLine(l.Channel, l.Format, l.Cpm, l.Spend)).ToList();

    /// <summary>The brief's channels that can be costed (have a benchmark), each with its first benchmark format.</summary>
    public static IReadOnlyList<FormatBasis> Offered(IEnumerable<Channel> briefChannels, PlanBasis basis) =>
        briefChannels.Distinct().Select(c => basis.FormatsOf(c).FirstOrDefault()).OfType<FormatBasis>().ToList();

    /// <summary>The brief's channels not yet in the plan, as new lines would be bought: first benchmark format at benchmark CPM.</summary>
    public static IReadOnlyList<FormatBasis> Addable(IEnumerable<Channel> briefChannels, PlanBasis basis, IEnumerable<PlanEditLine> lines)
    {
        var used = lines.Select(l => l.Channel).ToHashSet();
        return Offered(briefChannels, basis).Where(f => !used.Contains(f.Channel)).ToList();
    }

    public static IReadOnlyList<PlanEditIssue> Validate(IReadOnlyList<PlanEditLine> lines, IEnumerable<Channel> briefChannels, PlanBasis basis)
    {
        var issues = new List<PlanEditIssue>();
        var allowed = briefChannels.ToHashSet();
        var seen = new HashSet<string>();
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (!allowed.Contains(line.Channel))
                issues.Add(new(i, $"{line.Channel.Display()} is not one of the brief's channels."));
            else if (!basis.FormatsOf(line.Channel).Any())
                issues.Add(new(i, $"{line.Channel.Display()} has no benchmark figures, so it cannot be costed."));
            if (line.Spend < 0)
                issues.Add(new(i, "Spend cannot be negative."));
            else if (decimal.Round(line.Spend, 2) != line.Spend)
                issues.Add(new(i, "Spend has at most two decimals (cents)."));
            if (line.Cpm <= 0)
                issues.Add(new(i, "The CPM must be more than zero."));
            if (!seen.Add($"{line.Channel}|{line.Format.Trim().ToUpperInvariant()}"))
                issues.Add(new(i, $"{line.Channel.Display()} — {line.Format} is already a line of this plan."));
        }
        if (lines.Count == 0 || lines.All(l => l.Spend <= 0))
            issues.Add(new(null, "Put spend on at least one line."));
        return issues;
    }

    /// <summary>
    /// <paramref name="current"/> with its lines replaced by <paramref name="lines"/> and every figure recomputed; a line kept
    /// from the current plan keeps its rationale.
    /// </summary>
    public static MediaPlan Apply(MediaPlan current, IReadOnlyList<PlanEditLine> lines, PlanBasis basis)
    {
        var rationales = current.LineItems.GroupBy(l => (l.Channel, l.Format)).ToDictionary(g => g.Key, g => g.First().Rationale);
        var items = lines.Select(l => new PlanLineItem(l.Channel, l.Format, l.Spend, 0, l.Cpm, 0, 0, 0, 0,
            rationales.GetValueOrDefault((l.Channel, l.Format)) ?? "Added by the planner.")).ToList();
        return PlanMath.Recompute(current with { LineItems = items }, basis);
    }

    /// <summary>
    /// The saved form of an edit: <see cref="Apply"/>, with the change from the generated plan noted in the rationale and the
    /// assumptions (replacing the note of an earlier version, so notes do not pile up).
    /// </summary>
    public static MediaPlan Saved(MediaPlan generated, MediaPlan current, IReadOnlyList<PlanEditLine> lines, PlanBasis basis)
    {
        var plan = Apply(current, lines, basis);
        var note = EditNotePrefix + PlanDifference.Of(generated, plan).Describe() + ".";
        return plan with
        {
            Rationale = $"{generated.Rationale.TrimEnd()}\n\n{note}".Trim(),
            Assumptions = [.. generated.Assumptions.Where(a => !a.StartsWith(EditNotePrefix, StringComparison.Ordinal)), note],
        };
    }

    /// <summary>
    /// The lines with line <paramref name="index"/> set to <paramref name="share"/> (0–1) of the current total, which stays
    /// the same: the other lines give up (or take) the difference in proportion to their spend.
    /// </summary>
    public static IReadOnlyList<PlanEditLine> WithShare(IReadOnlyList<PlanEditLine> lines, int index, double share)
    {
        var total = lines.Sum(l => l.Spend);
        var target = decimal.Round(total * (decimal)Math.Clamp(share, 0, 1), 2);
        var others = total - lines[index].Spend;
        var rest = total - target;
        var result = lines.Select((l, i) => i == index
            ? l with { Spend = target }
            : l with { Spend = others > 0 ? decimal.Round(l.Spend * rest / others, 2) : 0 }).ToList();
        // Rounding each line to cents can leave a cent or two over or under: the largest other line absorbs it.
        var drift = total - result.Sum(l => l.Spend);
        if (drift != 0 && others > 0)
        {
            var largest = Enumerable.Range(0, result.Count).Where(i => i != index).MaxBy(i => result[i].Spend);
            result[largest] = result[largest] with { Spend = result[largest].Spend + drift };
        }
        return result;
    }
}
