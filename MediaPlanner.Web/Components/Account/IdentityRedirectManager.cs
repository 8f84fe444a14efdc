using Microsoft.AspNetCore.Components;
using MediaPlanner.Domain.Identity;

namespace MediaPlanner.Web.Components.Account;

internal sealed class IdentityRedirectManager(NavigationManager navigationManager)
{
    public const string StatusCookieName = "Identity.StatusMessage";

    private static readonly CookieBuilder StatusCookieBuilder = new()
    {
        SameSite = SameSiteMode.Strict,
        HttpOnly = true,
        IsEssential = true,
        MaxAge = TimeSpan.FromSeconds(5),
    };

    /// <summary>
    /// Redirects within the app only: a URI that is not a local path nor an absolute URI under the app's base (another
    /// site, "//host", "/\host", which browsers read as "//host") goes to the home page.
    /// </summary>
    public void RedirectTo(string? uri) => navigationManager.NavigateTo(LocalPath(uri));

    private string LocalPath(string? uri)
    {
        uri ??= "";
        if (uri.Contains('\\') || uri.StartsWith("//", StringComparison.Ordinal))
            return "";
        if (Uri.IsWellFormedUriString(uri, UriKind.Relative))
            return uri;
        return uri.StartsWith(navigationManager.BaseUri, StringComparison.OrdinalIgnoreCase) ? navigationManager.ToBaseRelativePath(uri) : "";
    }

    public void RedirectTo(string uri, Dictionary<string, object?> queryParameters)
    {
        var uriWithoutQuery = navigationManager.ToAbsoluteUri(uri).GetLeftPart(UriPartial.Path);
        var newUri = navigationManager.GetUriWithQueryParameters(uriWithoutQuery, queryParameters);
        RedirectTo(newUri);
    }

    public void RedirectToWithStatus(string uri, string message, HttpContext context)
    {
        context.Response.Cookies.Append(StatusCookieName, message, StatusCookieBuilder.Build(context));
        RedirectTo(uri);
    }

    private string CurrentPath => navigationManager.ToAbsoluteUri(navigationManager.Uri).GetLeftPart(UriPartial.Path);

    public void RedirectToCurrentPage() => RedirectTo(CurrentPath);

    public void RedirectToCurrentPageWithStatus(string message, HttpContext context)
        => RedirectToWithStatus(CurrentPath, message, context);

}
