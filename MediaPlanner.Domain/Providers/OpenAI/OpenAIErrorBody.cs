using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Text.Json;

namespace MediaPlanner.Domain.Providers.OpenAI;

/// <summary>
/// OpenAI's error body, {"error": {"message", "type", "param", "code"}}, read tolerantly: nulls when the server
/// sent something else. The message is capped, since compatible servers sometimes echo whole requests.
/// </summary>
internal sealed record OpenAIErrorBody(string? Code, string? Message, string? Param)
{
    private const int MaxMessageLength = 1000;

    public static OpenAIErrorBody From(ClientResultException ex)
    {
        try
        {
            var content = ex.GetRawResponse()?.Content;
            if (content is null || content.ToMemory().IsEmpty)
                return new(null, null, null);
            using var doc = JsonDocument.Parse(content);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("error", out var error)
                || error.ValueKind != JsonValueKind.Object)
                return new(null, null, null);
            var message = Text(error, "message");
            return new(Text(error, "code") ?? Text(error, "type"),
                message is { Length: > MaxMessageLength } ? message[..MaxMessageLength] + "…" : message, Text(error, "param"));
        }
        catch (JsonException)
        {
            return new(null, null, null);
        }
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

/// <summary>How long OpenAI asks a client to wait: retry-after-ms, else retry-after in seconds or as an HTTP date.</summary>
internal static class OpenAIRetryAfter
{
    public static TimeSpan? Read(PipelineResponse? response, DateTimeOffset now)
    {
        if (response is null)
            return null;
        if (response.Headers.TryGetValue("retry-after-ms", out var ms)
            && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var millis) && millis >= 0)
            return TimeSpan.FromMilliseconds(millis);
        if (!response.Headers.TryGetValue("retry-after", out var value) || value is null)
            return null;
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
            return TimeSpan.FromSeconds(seconds);
        if (DateTimeOffset.TryParseExact(value, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            return at > now ? at - now : TimeSpan.Zero;
        return null;
    }
}
