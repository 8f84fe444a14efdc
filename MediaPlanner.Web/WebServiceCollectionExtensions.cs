using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Web.Components.Account;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.SignalR;
using MudBlazor;
using MudBlazor.Services;

namespace MediaPlanner.Web;

public static class WebServiceCollectionExtensions
{
    /// <summary>
    /// ASP.NET Core Identity with cookie sign-in; every page needs a signed-in user unless it says otherwise. Sessions end
    /// when access ends: requests check the user on each request, open pages and hub connections every
    /// <see cref="SessionCheckOptions.RevalidationInterval"/> and at once when the app ends a user's sessions.
    /// </summary>
    public static WebApplicationBuilder AddMediaPlannerIdentity(this WebApplicationBuilder builder)
    {
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddScoped<IdentityRedirectManager>();
        builder.Services.AddScoped<AuthenticationStateProvider, IdentityRevalidatingAuthenticationStateProvider>();
        builder.Services.AddCurrentUserAccessor();
        builder.Services.AddOptions<SessionCheckOptions>().Bind(builder.Configuration.GetSection(SessionCheckOptions.SectionName))
            .Validate(o => o.RevalidationInterval > TimeSpan.Zero, "Security:RevalidationInterval must be a positive time span, e.g. 00:00:05.")
            .ValidateOnStart();

        builder.Services.AddAuthentication(options =>
            {
                options.DefaultScheme = IdentityConstants.ApplicationScheme;
                options.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddIdentityCookies();
        builder.Services.ConfigureApplicationCookie(options =>
        {
            options.LoginPath = "/Account/Login";
            options.AccessDeniedPath = "/Account/AccessDenied";
            options.Cookie.HttpOnly = true;
            options.Cookie.SecurePolicy = builder.Environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
            options.Cookie.SameSite = SameSiteMode.Lax;
        });

        var authorization = builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        // One policy per entry of the domain's role table (Policies.RolesByPolicy), which pages, endpoints and hubs name.
        foreach (var (policy, roles) in Policies.RolesByPolicy)
            authorization.AddPolicy(policy, p => p.RequireAuthenticatedUser().RequireRole(roles));

        builder.Services.AddIdentityCore<ApplicationUser>(options =>
            {
                options.SignIn.RequireConfirmedAccount = false;
                options.User.RequireUniqueEmail = true;
                options.Password.RequiredLength = 8;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(5);
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<PlannerDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();
        builder.Services.AddScoped<ISecurityStampValidator, SessionValidator>();
        builder.Services.AddDatabaseDeveloperPageExceptionFilter();
        return builder;
    }

    public static WebApplicationBuilder AddMediaPlannerUi(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        // The app's own hubs only: Blazor's circuit hub has the authentication state provider, which sends an ended
        // session to the sign-in page; closing its connection instead would leave the page trying to reconnect.
        builder.Services.AddSignalR().AddHubOptions<Hubs.FineTuningHub>(options => options.AddFilter<Hubs.SessionHubFilter>());
        builder.Services.AddSingleton<Hubs.HubConnectionRegistry>();
        builder.Services.AddHostedService<Hubs.HubSessionMonitor>();
        builder.Services.AddHostedService<Hubs.FineTuningHubRelay>();
        builder.Services.AddMudServices(options =>
        {
            // Bottom-left, narrow and short-lived, with a close button: the bottom-right toast sat on the first plan's
            // metrics right after "Brief saved". Plan cards start on the right of the drawer and fill down from the top, so
            // the bottom-left corner holds the least the user is reading; on phones the toast is dismissable at once.
            options.SnackbarConfiguration.PositionClass = Defaults.Classes.Position.BottomLeft;
            options.SnackbarConfiguration.VisibleStateDuration = 3000;
            options.SnackbarConfiguration.ShowCloseIcon = true;
            options.SnackbarConfiguration.MaxDisplayedSnackbars = 2;
        });
        return builder;
    }
}
