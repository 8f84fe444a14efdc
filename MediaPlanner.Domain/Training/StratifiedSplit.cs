using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using MediaPlanner.Domain.Briefs;

namespace MediaPlanner.Domain.Training;

/// <summary>
/// How a split of <paramref name="Examples"/> at <paramref name="Percent"/> % comes out, in the words pages show before
/// anything is exported or trained, so a share that cannot hold anything out is said, never silently zero.
/// </summary>
public sealed record SplitCounts(int Examples, int Percent, int HeldOut, int Training)
{
    /// <summary>Why nothing can be held out although a share was asked for (fewer than 2 examples); null when the split works.</summary>
    public string? Problem => Percent > 0 && HeldOut == 0 && Examples > 0
        ? $"With {ExampleText(Examples)} nothing can be held out and still leave one to train on: validate at least 2, or set the share to 0 %."
        : null;

    /// <summary>"Holds out 1 of 9 examples for validation and trains on 8." and the like.</summary>
    public string Summary => Problem ?? (Examples, Percent) switch
    {
        (0, _) => "No validated examples yet: nothing to hold out or train on.",
        (_, 0) => $"No split: trains on all {ExampleText(Examples)}, none held out for validation.",
        _ => $"Holds out {HeldOut} of {ExampleText(Examples)} for validation{Rounding} and trains on {Training}.",
    };

    // Says when the share alone would have held out none or all, so a count of 1 or a short training side never surprises.
    private string Rounding
    {
        get
        {
            var rounded = Math.Round(Examples * (decimal)Percent / 100m, MidpointRounding.AwayFromZero);
            return rounded < 1 ? $" ({Percent} % of {Examples} rounds to 0, so 1 is held out)"
                : rounded >= Examples ? " (1 is always left to train on)"
                : "";
        }
    }

    private static string ExampleText(int count) => count == 1 ? "1 example" : $"{count:N0} examples";
}

/// <summary>An example as the split sees it: its id and the group it belongs to.</summary>
public readonly record struct SplitCandidate(long ExampleId, string Stratum);

/// <summary>
/// Which examples are held out for validation. Stratified, so each kind of brief (objective × audience age band) is
/// held out in proportion to its share of the data, and a small set still holds out at least one; deterministic, so a
/// seed picks the same examples across exports, processes and machines (string.GetHashCode is randomised per process,
/// so the order within a group is a SHA-256 of id and seed).
/// </summary>
public static class StratifiedSplit
{
    /// <summary>The group of examples whose brief cannot be read back.</summary>
    public const string OtherStratum = "other";

    // One string per objective and band rather than one per example: the first pass of an export holds a key per row.
    private static readonly ConcurrentDictionary<(Objective, string), string> Strata = new();

    /// <summary>How many of <paramref name="count"/> examples are held out at <paramref name="percent"/> %.</summary>
    public static int HeldOutCount(int count, int percent)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        CheckPercent(percent);
        if (percent == 0 || count < 2)
            return 0;
        var rounded = (int)Math.Round(count * (decimal)percent / 100m, MidpointRounding.AwayFromZero);
        // Holding out every example would leave nothing to train on.
        return Math.Clamp(rounded, 1, count - 1);
    }

    /// <summary>How <paramref name="count"/> examples split at <paramref name="percent"/> %: held out, left to train on, and why not.</summary>
    public static SplitCounts Counts(int count, int percent)
    {
        var heldOut = HeldOutCount(count, percent);
        return new SplitCounts(count, percent, heldOut, count - heldOut);
    }

    /// <summary>
    /// The held-out ids: <see cref="HeldOutCount"/> in all, shared across strata in proportion to their sizes by largest
    /// remainder, and within a stratum the first by seeded hash order.
    /// </summary>
    public static IReadOnlySet<long> HeldOut(IEnumerable<SplitCandidate> examples, int percent, int seed)
    {
        ArgumentNullException.ThrowIfNull(examples);
        CheckPercent(percent);
        var strata = new SortedDictionary<string, List<long>>(StringComparer.Ordinal);
        var count = 0;
        foreach (var (id, stratum) in examples)
        {
            if (!strata.TryGetValue(stratum, out var ids))
                strata[stratum] = ids = [];
            ids.Add(id);
            count++;
        }

        var total = HeldOutCount(count, percent);
        var heldOut = new HashSet<long>();
        if (total == 0)
            return heldOut;

        // Largest remainder (Hamilton): each stratum gets the floor of its exact quota, and the seats left go to the
        // largest remainders, ties to the larger stratum, then by name so the outcome never depends on input order.
        var quotas = strata.Select(s => (Ids: s.Value, Key: s.Key,
                Seats: (int)((long)total * s.Value.Count / count), Remainder: (long)total * s.Value.Count % count))
            .ToList();
        var left = total - quotas.Sum(q => q.Seats);
        var extra = quotas
            .OrderByDescending(q => q.Remainder).ThenByDescending(q => q.Ids.Count).ThenBy(q => q.Key, StringComparer.Ordinal)
            .Take(left).Select(q => q.Key).ToHashSet(StringComparer.Ordinal);

        foreach (var (ids, key, seats, _) in quotas)
        {
            var take = seats + (extra.Contains(key) ? 1 : 0);
            foreach (var id in ids.OrderBy(id => Rank(id, seed)).ThenBy(id => id).Take(take))
                heldOut.Add(id);
        }
        return heldOut;
    }

    /// <summary>The stratum of a brief's user message: objective and age band, or <see cref="OtherStratum"/>.</summary>
    public static string StratumOf(string? userMessage)
    {
        if (BriefPrompt.Parse(userMessage, out _) is not { Brief: var brief })
            return OtherStratum;
        var band = BriefPrompt.AgeBand(brief.AgeMin, brief.AgeMax);
        return Strata.GetOrAdd((brief.Objective, band), static key => $"{key.Item1} {key.Item2}");
    }

    /// <summary>The stratum of a stored example line (<c>{"messages":[...]}</c>), by its first user message.</summary>
    public static string StratumOfLine(string jsonLine)
    {
        ArgumentNullException.ThrowIfNull(jsonLine);
        try
        {
            var user = ChatExample.Parse(jsonLine).Messages.FirstOrDefault(m => m.Role == ChatRoles.User);
            return StratumOf(user?.Content);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
        {
            return OtherStratum;
        }
    }

    /// <summary>The example's place in the seeded order; uniform, so the first k of a stratum are a random sample.</summary>
    internal static ulong Rank(long exampleId, int seed)
    {
        Span<byte> input = stackalloc byte[12];
        BinaryPrimitives.WriteInt64LittleEndian(input, exampleId);
        BinaryPrimitives.WriteInt32LittleEndian(input[8..], seed);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input, hash);
        return BinaryPrimitives.ReadUInt64LittleEndian(hash);
    }

    private static void CheckPercent(int percent)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(percent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
    }
}
