using System.Security.Claims;
using MediaPlanner.Domain.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace MediaPlanner.Web.Components.Account;

internal static class IdentityComponentsEndpointRouteBuilderExtensions
{
    /// <summary>Endpoints the static account pages post to.</summary>
    public static IEndpointConventionBuilder MapAdditionalIdentityEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var accountGroup = endpoints.MapGroup("/Account");
        // A new security stamp makes the signed-out cookie, and any copy of it, fail its next check. The same stamp is in
        // every session of the user, so signing out ends them all, on every device.
        accountGroup.MapPost("/Logout", async (
            ClaimsPrincipal principal,
            [FromServices] SignInManager<ApplicationUser> signInManager,
            [FromServices] SessionRevocations sessions,
            [FromForm] string? returnUrl) =>
        {
            if (await signInManager.UserManager.GetUserAsync(principal) is { } user)
            {
                await signInManager.UserManager.UpdateSecurityStampAsync(user);
                sessions.Revoke(user.Id);
            }
            await signInManager.SignOutAsync();
            return TypedResults.LocalRedirect("~/Account/Login");
        }).RequireAuthorization();
        return accountGroup;
    }
}
