using System.Net;
using MediaPlanner.Domain.Identity;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.Extensions.DependencyInjection;

namespace MediaPlanner.Tests.Infrastructure;

/// <summary>Real sign-in cookies kept in a jar, so a test can copy one and replay it after the session has ended.</summary>
public static class SessionCookies
{
    public const string AuthCookieName = ".AspNetCore.Identity.Application";

    /// <summary>A user with the given roles, created through the admin service as an admin would.</summary>
    public static async Task<string> CreateUserAsync(MediaPlannerFactory app, string email, string password, params string[] roles)
    {
        var admin = await app.DemoUserAsync("admin@demo.local");
        using var scope = app.Services.CreateScope();
        var result = await scope.ServiceProvider.GetRequiredService<UserAdminService>()
            .CreateAsync(new NewUser(email, null, password, password, roles), admin);
        return result.Succeeded ? result.Value! : throw new InvalidOperationException(result.Message);
    }

    /// <summary>A client that keeps cookies like a browser (no redirects followed), signed in through the real form.</summary>
    public static async Task<(HttpClient Client, CookieContainer Jar)> SignInAsync(MediaPlannerFactory app, string email, string password)
    {
        var jar = new CookieContainer();
        var client = app.CreateDefaultClient(app.ClientOptions.BaseAddress, new CookieContainerHandler(jar));
        var response = await MediaPlannerFactory.PostLoginAsync(client, email, password);
        if (response.StatusCode != HttpStatusCode.Redirect || AuthCookie(app, jar) is null)
            throw new InvalidOperationException($"Sign-in as {email} failed: {(int)response.StatusCode}");
        return (client, jar);
    }

    public static Cookie? AuthCookie(MediaPlannerFactory app, CookieContainer jar) => jar.GetCookies(app.ClientOptions.BaseAddress)[AuthCookieName];

    /// <summary>The Cookie header a copy of this jar's cookies sends, e.g. for a SignalR client.</summary>
    public static string Header(MediaPlannerFactory app, CookieContainer jar) => jar.GetCookieHeader(app.ClientOptions.BaseAddress);

    /// <summary>
    /// A client that sends <paramref name="authCookie"/> with every request, even after the app told it to delete it,
    /// as an attacker replaying a copied cookie would; other cookies (antiforgery) are kept as usual.
    /// </summary>
    public static HttpClient Replaying(MediaPlannerFactory app, Cookie authCookie)
    {
        var jar = new CookieContainer();
        return app.CreateDefaultClient(app.ClientOptions.BaseAddress, new ReplayHandler(jar, authCookie), new CookieContainerHandler(jar));
    }

    /// <summary>Signs the client out through the sign-out form, as the app's Sign out button does.</summary>
    public static async Task SignOutAsync(HttpClient client)
    {
        var token = MediaPlannerFactory.AntiforgeryToken(await client.GetStringAsync("/Account/Login"));
        var response = await client.PostAsync("/Account/Logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        if (response.StatusCode != HttpStatusCode.Redirect || response.Headers.Location?.OriginalString != "/Account/Login")
            throw new InvalidOperationException($"Sign-out failed: {(int)response.StatusCode} {response.Headers.Location}");
    }

    private sealed class ReplayHandler(CookieContainer jar, Cookie authCookie) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            jar.Add(request.RequestUri!, new Cookie(authCookie.Name, authCookie.Value, "/"));
            return base.SendAsync(request, cancellationToken);
        }
    }
}
