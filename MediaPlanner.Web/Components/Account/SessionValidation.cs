using System.Security.Claims;
using MediaPlanner.Domain.Identity;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace MediaPlanner.Web.Components.Account;

/// <summary>The "Security" configuration section.</summary>
public sealed class SessionCheckOptions
{
    public const string SectionName = "Security";

    /// <summary>
    /// How often open pages (Blazor circuits) and hub connections recheck their user. Changes made in the app end those
    /// sessions at once; this bounds how long any other change (a lock from failed sign-ins, a change made by another
    /// process) takes to reach them. Each check is one read of the user's row per open session.
    /// </summary>
    public TimeSpan RevalidationInterval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Whether a signed-in principal still stands: the same check for requests, circuits and hub connections.</summary>
public static class SessionValidation
{
    /// <summary>
    /// The user still exists, has the security stamp the principal was issued with, and is not locked by an admin. Roles
    /// need no check of their own: every role change gives the user a new stamp. The temporary lockout after failed
    /// sign-ins does not end sessions already open: anyone who knows an email could otherwise sign its owner out.
    /// </summary>
    public static async Task<bool> IsValidAsync(UserManager<ApplicationUser> users, IdentityOptions options, ClaimsPrincipal principal)
    {
        if (principal.Identity?.IsAuthenticated != true || await users.GetUserAsync(principal) is not { } user)
            return false;
        if (users.SupportsUserSecurityStamp
            && principal.FindFirstValue(options.ClaimsIdentity.SecurityStampClaimType) != await users.GetSecurityStampAsync(user))
            return false;
        return !UserAdminService.IsAdminLock(await users.GetLockoutEndDateAsync(user));
    }

    /// <summary>Checks in a scope of its own, so the user is read afresh rather than from a long-lived context.</summary>
    public static async Task<bool> IsValidAsync(IServiceScopeFactory scopes, ClaimsPrincipal principal)
    {
        await using var scope = scopes.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        return await IsValidAsync(sp.GetRequiredService<UserManager<ApplicationUser>>(), sp.GetRequiredService<IOptions<IdentityOptions>>().Value, principal);
    }
}

/// <summary>
/// Identity's cookie check, on every request rather than Identity's default of every 30 minutes, and with an admin's lock as
/// well as the stamp: the next request after a lock, a new password, a role change, a deletion or a sign-out is refused. It
/// costs one read of the user's row by key. The principal is not rebuilt: a valid stamp means the roles in it are current.
/// </summary>
internal sealed class SessionValidator(UserManager<ApplicationUser> users, IOptions<IdentityOptions> options, SignInManager<ApplicationUser> signIn)
    : ISecurityStampValidator
{
    public async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        if (context.Principal is { } principal && await SessionValidation.IsValidAsync(users, options.Value, principal))
            return;
        context.RejectPrincipal();
        await signIn.SignOutAsync();
    }
}
