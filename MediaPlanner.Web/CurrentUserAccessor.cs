using MediaPlanner.Domain.Identity;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MediaPlanner.Web;

/// <summary>Who the page or the request is for, as a service can scope data to them.</summary>
public interface ICurrentUserAccessor
{
    /// <summary>The signed-in user as of now; throws when there is none (a page or endpoint that allows anonymous users does not ask).</summary>
    Task<CurrentUser> GetAsync();
}

/// <summary>
/// In a circuit the user comes from the authentication state, which the revalidating provider turns anonymous when the
/// user's sessions end: a locked user or a removed role is refused from then on. A circuit's HttpContext is the one it
/// connected with and never rechecked, so it is not read there. Outside a circuit (endpoints, prerendering) the request's
/// user is the one the cookie check validated on this request. Nothing is cached: every call reads the current state.
/// </summary>
internal sealed class CurrentUserAccessor(AuthenticationStateProvider authState, IHttpContextAccessor http) : ICurrentUserAccessor
{
    internal bool InCircuit { get; set; }

    public async Task<CurrentUser> GetAsync() =>
        CurrentUser.From(!InCircuit && http.HttpContext is { } request ? request.User : (await authState.GetAuthenticationStateAsync()).User);

    /// <summary>Circuit handlers are resolved in the circuit's scope, so this marks the same accessor the circuit's components get.</summary>
    internal sealed class CircuitMarker(CurrentUserAccessor accessor) : CircuitHandler
    {
        public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
        {
            accessor.InCircuit = true;
            return Task.CompletedTask;
        }
    }
}

public static class CurrentUserAccessorExtensions
{
    public static IServiceCollection AddCurrentUserAccessor(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddScoped<CurrentUserAccessor>();
        services.AddScoped<ICurrentUserAccessor>(sp => sp.GetRequiredService<CurrentUserAccessor>());
        services.TryAddEnumerable(ServiceDescriptor.Scoped<CircuitHandler, CurrentUserAccessor.CircuitMarker>());
        return services;
    }
}
