using System.ClientModel;
using System.Text.Json;

namespace MediaPlanner.Domain.Providers.OpenAI;

/// <summary>How a hosted provider's failure is to be treated.</summary>
public enum ProviderErrorKind
{
    /// <summary>Worth another try later: network errors, timeouts, 408, 409, 429 (not out of quota), 5xx, unreadable answers.</summary>
    Transient,
    /// <summary>Said no for good: a rejected key (401), refused access (403), a bad request (400/404/422…), no quota.</summary>
    Rejected,
    /// <summary>HTTP 403 with code <c>training_not_available</c>: the provider no longer fine-tunes for this account.</summary>
    TrainingUnavailable,
}

/// <summary>
/// One provider failure, sorted. <see cref="Code"/> is the provider's own error code when it sent one, else one of
/// ours (unauthorized, forbidden, insufficient_quota, rate_limited, server_error, timeout, unreachable, unreadable,
/// not_found, invalid_request, http_NNN). <see cref="Detail"/> is the provider's message or the network error's text —
/// never for a 401, whose text quotes part of the key.
/// </summary>
public sealed record ProviderError(ProviderErrorKind Kind, int Status, string Code, string? Detail, string? Param, TimeSpan? RetryAfter)
{
    public bool IsTransient => Kind == ProviderErrorKind.Transient;
}

/// <summary>
/// The one place that decides whether a failed call to a hosted provider (OpenAI, Azure OpenAI, a compatible service)
/// is worth retrying, was refused for good, or means the provider no longer trains: the fine-tuning backend and the
/// plan provider both word their messages from it.
/// </summary>
public static class ProviderErrorClassifier
{
    public const string TrainingNotAvailable = "training_not_available";
    private const int MaxDetailLength = 300;

    /// <summary>
    /// The failure <paramref name="ex"/> stands for, or null when it is not a provider failure: the caller's own cancel
    /// (<paramref name="ct"/>), or an error of the app's.
    /// </summary>
    public static ProviderError? Classify(Exception ex, DateTimeOffset now, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(ex);
        if (ct.IsCancellationRequested)
            return null;
        return ex switch
        {
            ClientResultException result => FromStatus(result, now),
            OperationCanceledException => new(ProviderErrorKind.Transient, 0, "timeout", null, null, null),
            HttpRequestException or IOException => new(ProviderErrorKind.Transient, 0, "unreachable", Shorten(ex.Message), null, null),
            // A garbled reply is usually a proxy or gateway answering in the provider's place.
            JsonException or FormatException or KeyNotFoundException or InvalidOperationException or ArgumentException =>
                new(ProviderErrorKind.Transient, 0, "unreadable", Shorten(ex.Message), null, null),
            _ => null,
        };
    }

    private static ProviderError FromStatus(ClientResultException ex, DateTimeOffset now)
    {
        var status = ex.Status;
        if (status == 0)
            return IsTimeout(ex)
                ? new(ProviderErrorKind.Transient, 0, "timeout", null, null, null)
                : new(ProviderErrorKind.Transient, 0, "unreachable", Shorten(ex.InnerException?.Message ?? ex.Message), null, null);
        // Never the server's text for a 401: OpenAI's quotes part of the key.
        if (status == 401)
            return new(ProviderErrorKind.Rejected, 401, "unauthorized", null, null, null);
        var body = OpenAIErrorBody.From(ex);
        var retryAfter = OpenAIRetryAfter.Read(ex.GetRawResponse(), now);
        return status switch
        {
            403 when body.Code == TrainingNotAvailable =>
                new(ProviderErrorKind.TrainingUnavailable, 403, TrainingNotAvailable, body.Message, body.Param, null),
            403 => new(ProviderErrorKind.Rejected, 403, "forbidden", body.Message, body.Param, null),
            429 when body.Code == "insufficient_quota" => new(ProviderErrorKind.Rejected, 429, "insufficient_quota", body.Message, null, null),
            429 => new(ProviderErrorKind.Transient, 429, "rate_limited", body.Message, null, retryAfter),
            408 or 409 or >= 500 => new(ProviderErrorKind.Transient, status, status >= 500 ? "server_error" : $"http_{status}", body.Message, null, retryAfter),
            _ => new(ProviderErrorKind.Rejected, status,
                body.Code ?? status switch { 404 => "not_found", 400 or 422 => "invalid_request", _ => $"http_{status}" },
                body.Message, body.Param, null),
        };
    }

    private static bool IsTimeout(Exception ex)
    {
        for (var e = ex.InnerException; e is not null; e = e.InnerException)
            if (e is TimeoutException)
                return true;
        return false;
    }

    private static string Shorten(string text) => text.Length <= MaxDetailLength ? text : text[..MaxDetailLength] + "…";
}
