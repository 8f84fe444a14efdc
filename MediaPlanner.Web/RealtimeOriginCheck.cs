using MediaPlanner.Web.Hubs;

namespace MediaPlanner.Web;

/// <summary>
/// Refuses (403) connections to the fine-tuning hub and the Blazor circuit that a page of another origin opens.
/// Browsers do not apply CORS to WebSockets and send the sign-in cookie to every origin of the same site, so a page
/// on a sibling host could otherwise listen to the hub as the signed-in user. A request without an Origin header
/// (a server-side client) is not a browser page and passes; authorization still applies to it.
/// </summary>
public static class RealtimeOriginCheck
{
    /// <summary>Origins besides the app's own that may connect, e.g. the public address when a proxy rewrites the host.</summary>
    public const string AllowedOriginsKey = "Security:AllowedOrigins";

    private static readonly PathString[] Guarded = [FineTuningHub.Path, "/_blazor"];

    public static bool IsAllowed(HttpRequest request, IReadOnlyCollection<string> allowed)
    {
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
            return true;
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var from))
            return false;
        if (SameOrigin(from, $"{request.Scheme}://{request.Host.Value}"))
            return true;
        return allowed.Any(a => SameOrigin(from, a));
    }

    private static bool SameOrigin(Uri from, string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var other)
        && string.Equals(from.Scheme, other.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(from.IdnHost, other.IdnHost, StringComparison.OrdinalIgnoreCase)
        && from.Port == other.Port;

    public static IApplicationBuilder UseRealtimeOriginCheck(this IApplicationBuilder app)
    {
        var configuration = app.ApplicationServices.GetRequiredService<IConfiguration>();
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RealtimeOriginCheck));
        return app.Use((context, next) =>
        {
            var request = context.Request;
            if (!Guarded.Any(path => request.Path.StartsWithSegments(path)))
                return next(context);
            var allowed = configuration.GetSection(AllowedOriginsKey).Get<string[]>() ?? [];
            if (IsAllowed(request, allowed))
                return next(context);
            logger.LogWarning("Refused a connection to {Path} from origin {Origin}; add it to {Key} if it is this app's own address.",
                request.Path.Value, request.Headers.Origin.ToString(), AllowedOriginsKey);
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        });
    }
}
