using System.Security.Cryptography;

namespace MediaPlanner.Web;

/// <summary>
/// Security headers on every response: a Content-Security-Policy that Blazor Server and MudBlazor work under, no MIME
/// sniffing, a referrer policy, and no caching of downloads. Headers are set as the response starts, so error pages
/// and status-code pages get them too.
/// </summary>
public static class SecurityHeaders
{
    private const string NonceKey = "csp-nonce";

    /// <summary>
    /// Blazor's import map is the one inline script; it carries the request's nonce. MudBlazor sets inline styles, so
    /// styles allow them; nothing else runs inline. 'self' in connect-src covers the same-origin circuit WebSocket.
    /// </summary>
    public static string Policy(string nonce) =>
        "default-src 'self'; " +
        $"script-src 'self' 'nonce-{nonce}'; " +
        "style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data:; " +
        "font-src 'self' data:; " +
        "connect-src 'self'; " +
        "object-src 'none'; " +
        "base-uri 'self'; " +
        "form-action 'self'; " +
        "frame-ancestors 'none'";

    /// <summary>The nonce of this request's policy, for the import map (and any other inline script) to carry.</summary>
    public static string Nonce(HttpContext context)
    {
        if (context.Items[NonceKey] is not string nonce)
        {
            // URL-safe base64 (a valid CSP nonce): '+' in plain base64 is HTML-encoded in the attribute, which the page's
            // own text then no longer matches byte for byte.
            nonce = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
            context.Items[NonceKey] = nonce;
        }
        return nonce;
    }

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            var nonce = Nonce(context);
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = Policy(nonce);
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
                // Exported plans and training data are client data: no copy may stay in a browser or proxy cache.
                if (headers.ContentDisposition.ToString().StartsWith("attachment", StringComparison.OrdinalIgnoreCase))
                {
                    headers.CacheControl = "no-store";
                    headers.Pragma = "no-cache";
                }
                return Task.CompletedTask;
            });
            return next(context);
        });
}
