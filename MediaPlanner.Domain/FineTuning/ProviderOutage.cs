using System.Globalization;

namespace MediaPlanner.Domain.FineTuning;

/// <summary>
/// A spell during which a job's provider could not be reached (network errors, 5xx, 429), as the runner logs it in the
/// job's events: one event when contact is lost, one per postponed attempt, one when contact resumes. The facts travel in
/// the events' stable ids (one outage keeps one id however often it is replayed), so the job page can read the next try
/// from the event stream it already follows; since when and why the provider is silent, and the last contact, are kept on
/// the job itself (<see cref="FineTuneJob.UnreachableSince"/>, <see cref="FineTuneJob.LastContactAt"/>).
/// </summary>
/// <param name="Since">When the first attempt of the outage failed.</param>
/// <param name="LastContact">The last successful exchange before it; null when that was before the app started.</param>
/// <param name="Attempts">Failed attempts so far.</param>
/// <param name="NextTry">When the runner tries again.</param>
public sealed record ProviderOutage(DateTimeOffset Since, DateTimeOffset? LastContact, int Attempts, DateTimeOffset? NextTry)
{
    internal const string LostPrefix = "unreachable-";
    private const string RetryPrefix = "retry-";
    private const string ReachedPrefix = "reachable-";

    /// <summary>The id of the event that opens an outage.</summary>
    public static string LostId(DateTimeOffset since, DateTimeOffset? lastContact) =>
        string.Create(CultureInfo.InvariantCulture, $"{LostPrefix}{since.ToUnixTimeMilliseconds()}-{lastContact?.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) ?? "none"}");

    /// <summary>The id of the event for one postponed attempt.</summary>
    public static string RetryId(int attempt, DateTimeOffset nextTry) =>
        string.Create(CultureInfo.InvariantCulture, $"{RetryPrefix}{attempt}-{nextTry.ToUnixTimeMilliseconds()}");

    /// <summary>The id of the event that closes the outage opened by <paramref name="lostId"/>.</summary>
    public static string ReachedId(string lostId) => ReachedPrefix + lostId[LostPrefix.Length..];

    public static bool IsLost(string? externalId) => externalId?.StartsWith(LostPrefix, StringComparison.Ordinal) == true;

    /// <summary>The outage still open in a job's events (oldest first), or null when the provider answered since.</summary>
    public static ProviderOutage? Current(IEnumerable<(string? ExternalId, DateTimeOffset CreatedAt)> events)
    {
        ProviderOutage? open = null;
        string? openId = null;
        foreach (var (id, _) in events)
        {
            if (id is null)
                continue;
            if (IsLost(id) && ParseLost(id) is { } lost)
                (open, openId) = (lost, id);
            else if (open is not null && id.StartsWith(RetryPrefix, StringComparison.Ordinal) && ParseRetry(id) is { } retry)
                open = open with { Attempts = retry.Attempt, NextTry = retry.NextTry };
            else if (openId is not null && id == ReachedId(openId))
                (open, openId) = (null, null);
        }
        return open;
    }

    private static ProviderOutage? ParseLost(string id)
    {
        var parts = id[LostPrefix.Length..].Split('-');
        if (parts.Length != 2 || !long.TryParse(parts[0], CultureInfo.InvariantCulture, out var since))
            return null;
        DateTimeOffset? last = long.TryParse(parts[1], CultureInfo.InvariantCulture, out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
        return new ProviderOutage(DateTimeOffset.FromUnixTimeMilliseconds(since), last, 0, null);
    }

    private static (int Attempt, DateTimeOffset NextTry)? ParseRetry(string id)
    {
        var parts = id[RetryPrefix.Length..].Split('-');
        return parts.Length == 2
               && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var attempt)
               && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var next)
            ? (attempt, DateTimeOffset.FromUnixTimeMilliseconds(next))
            : null;
    }

    /// <summary>The provider's name as people write it.</summary>
    public static string ProviderName(string provider) => provider switch
    {
        FineTuneProviders.OpenAI => "OpenAI",
        FineTuneProviders.Local => "Local trainer",
        _ => provider,
    };
}
