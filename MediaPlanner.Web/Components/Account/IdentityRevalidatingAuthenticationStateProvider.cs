using System.Security.Claims;
using MediaPlanner.Domain.Identity;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.Extensions.Options;

namespace MediaPlanner.Web.Components.Account;

/// <summary>
/// The circuit's user, rechecked every <see cref="SessionCheckOptions.RevalidationInterval"/> and at once when the app ends the
/// user's sessions. When the check fails the circuit's user becomes anonymous: the page's authorization redirects to
/// the sign-in page, and services called from the page after that find no signed-in user and refuse.
/// </summary>
internal sealed class IdentityRevalidatingAuthenticationStateProvider : RevalidatingServerAuthenticationStateProvider
{
    private readonly IServiceScopeFactory _scopes;
    private readonly TimeSpan _interval;
    private readonly IDisposable _subscription;
    private readonly ILogger _logger;

    public IdentityRevalidatingAuthenticationStateProvider(ILoggerFactory loggerFactory, IServiceScopeFactory scopes,
        IOptions<SessionCheckOptions> options, SessionRevocations revocations)
        : base(loggerFactory)
    {
        _scopes = scopes;
        _interval = options.Value.RevalidationInterval;
        _logger = loggerFactory.CreateLogger<IdentityRevalidatingAuthenticationStateProvider>();
        _subscription = revocations.Subscribe(userId => _ = RevalidateIfAsync(userId));
    }

    protected override TimeSpan RevalidationInterval => _interval;

    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken) =>
        SessionValidation.IsValidAsync(_scopes, authenticationState.User);

    private async Task RevalidateIfAsync(string userId)
    {
        try
        {
            var state = await GetAuthenticationStateAsync();
            if (state.User.FindFirstValue(ClaimTypes.NameIdentifier) == userId && !await SessionValidation.IsValidAsync(_scopes, state.User))
                SetAuthenticationState(Task.FromResult(new AuthenticationState(new ClaimsPrincipal(new ClaimsIdentity()))));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Before the circuit has a user there is nothing to end; a failed check leaves it to the periodic one.
            _logger.LogDebug(ex, "Could not recheck the circuit's user after their sessions were ended.");
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _subscription.Dispose();
        base.Dispose(disposing);
    }
}
