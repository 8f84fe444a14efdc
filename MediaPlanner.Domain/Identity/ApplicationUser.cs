using Microsoft.AspNetCore.Identity;

namespace MediaPlanner.Domain.Identity;

public class ApplicationUser : IdentityUser
{
    public string? DisplayName { get; set; }
}

/// <summary>Who is asking: enough for a service to scope data to its owner.</summary>
public sealed record CurrentUser(string Id, bool IsAdmin)
{
    public static CurrentUser From(System.Security.Claims.ClaimsPrincipal principal) =>
        new(principal.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value
                ?? throw new InvalidOperationException("The user is not signed in."),
            principal.IsInRole(Roles.Admin));
}
