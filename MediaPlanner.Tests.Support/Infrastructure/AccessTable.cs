using System.Net;
using static MediaPlanner.Tests.Infrastructure.Access;

namespace MediaPlanner.Tests.Infrastructure;

/// <summary>What a request gets.</summary>
public enum Access
{
    /// <summary>The page or endpoint answers (200 unless the rule says otherwise).</summary>
    Allowed,
    /// <summary>Redirect to /Account/Login with a return URL, or 401.</summary>
    SignIn,
    /// <summary>Redirect to /Account/AccessDenied, or 403.</summary>
    Denied,
    /// <summary>404, or a page that says the item is not there: someone else's data looks like no data.</summary>
    NotFound,
}

/// <summary>What a request sends besides the URL.</summary>
public enum AccessBody
{
    None,
    /// <summary>An empty JSON-lines dataset.</summary>
    JsonLines,
    /// <summary>A form with the antiforgery token issued to the caller.</summary>
    AntiforgeryForm,
}

/// <summary>
/// One row of <see cref="AccessTable"/>: a route, a concrete request to it and what each identity gets.
/// <see cref="Sample"/> may name seeded data: {own-brief} and {own-plan} belong to the demo planner,
/// {other-brief} and {other-plan} to another planner, {example} is a training example, {job} a fine-tuning job,
/// {missing} an id nobody has.
/// </summary>
public sealed record AccessRule(string Method, string Pattern, string Sample, Access Anonymous, Access Planner, Access Reviewer, Access Admin)
{
    public AccessBody Body { get; init; }

    /// <summary>Text on a 200 page that means "not found" (pages can't set a 404 once they stream).</summary>
    public string? NotFoundText { get; init; }

    public HttpStatusCode AllowedStatus { get; init; } = HttpStatusCode.OK;

    /// <summary>Where an allowed request is redirected, for endpoints that answer with a redirect.</summary>
    public string? AllowedRedirect { get; init; }

    /// <summary>The request signs the caller out, so it gets a session of its own.</summary>
    public bool EndsSession { get; init; }

    public Access For(AccessIdentity identity) => identity switch
    {
        AccessIdentity.Anonymous => Anonymous,
        AccessIdentity.Planner => Planner,
        AccessIdentity.Reviewer => Reviewer,
        AccessIdentity.Admin => Admin,
        // A cookie whose session has ended is no session: it gets what anonymous gets, everywhere.
        AccessIdentity.LockedUsersOldCookie or AccessIdentity.SignedOutCookie => Anonymous,
        _ => throw new ArgumentOutOfRangeException(nameof(identity)),
    };

    public override string ToString() => $"{Method} {Sample}";
}

public enum AccessIdentity
{
    Anonymous,
    Planner,
    Reviewer,
    Admin,
    /// <summary>An admin's cookie, copied before an admin locked the account and replayed after.</summary>
    LockedUsersOldCookie,
    /// <summary>An admin's cookie, copied before they signed out and replayed after.</summary>
    SignedOutCookie,
}

/// <summary>
/// Who may open what: every routable page, API endpoint and hub of the app, in one place.
/// <see cref="AccessTableTests"/> walks it as each identity, and fails when the app maps a route the table lacks.
/// </summary>
public static class AccessTable
{
    private const string BriefNotFound = "Brief not found";
    private const string ExampleNotFound = "Example not found";
    private const string JobNotFound = "Job not found";

    public static readonly IReadOnlyList<AccessRule> Rules =
    [
        //  method   pattern                              sample                                         anonymous planner   reviewer  admin
        new("GET",  "/",                                  "/",                                           SignIn,   Allowed,  Allowed,  Allowed),
        new("GET",  "/not-found",                         "/not-found",                                  Allowed,  Allowed,  Allowed,  Allowed),
        new("GET",  "/Error",                             "/Error",                                      Allowed,  Allowed,  Allowed,  Allowed),
        new("GET",  "/healthz",                           "/healthz",                                    Allowed,  Allowed,  Allowed,  Allowed),
        new("GET",  "/metrics",                           "/metrics",                                    SignIn,   Denied,   Denied,   Allowed),

        new("GET",  "/briefs",                            "/briefs",                                     SignIn,   Allowed,  Denied,   Allowed),
        new("GET",  "/briefs/new",                        "/briefs/new",                                 SignIn,   Allowed,  Denied,   Allowed),
        new("GET",  "/briefs/{Id:int}",                   "/briefs/{own-brief}",                         SignIn,   Allowed,  Denied,   Allowed) { NotFoundText = BriefNotFound },
        new("GET",  "/briefs/{Id:int}",                   "/briefs/{other-brief}",                       SignIn,   NotFound, Denied,   Allowed) { NotFoundText = BriefNotFound },
        new("GET",  "/briefs/{Id:int}",                   "/briefs/{missing}",                           SignIn,   NotFound, Denied,   NotFound) { NotFoundText = BriefNotFound },
        new("GET",  "/api/plans/{id:int}/export.xlsx",    "/api/plans/{own-plan}/export.xlsx",           SignIn,   Allowed,  Denied,   Allowed),
        new("GET",  "/api/plans/{id:int}/export.xlsx",    "/api/plans/{other-plan}/export.xlsx",         SignIn,   NotFound, Denied,   Allowed),
        new("GET",  "/api/plans/{id:int}/export.xlsx",    "/api/plans/{missing}/export.xlsx",            SignIn,   NotFound, Denied,   NotFound),
        new("GET",  "/api/plans/{id:int}/export.csv",     "/api/plans/{own-plan}/export.csv",            SignIn,   Allowed,  Denied,   Allowed),
        new("GET",  "/api/plans/{id:int}/export.csv",     "/api/plans/{other-plan}/export.csv",          SignIn,   NotFound, Denied,   Allowed),
        new("GET",  "/api/plans/{id:int}/export.csv",     "/api/plans/{missing}/export.csv",             SignIn,   NotFound, Denied,   NotFound),
        new("GET",  "/insights",                          "/insights",                                   SignIn,   Allowed,  Allowed,  Allowed),

        new("GET",  "/review",                            "/review",                                     SignIn,   Denied,   Allowed,  Allowed),
        new("GET",  "/review/{Id:int}",                   "/review/{example}",                           SignIn,   Denied,   Allowed,  Allowed) { NotFoundText = ExampleNotFound },
        new("GET",  "/review/{Id:int}",                   "/review/{missing}",                           SignIn,   Denied,   NotFound, NotFound) { NotFoundText = ExampleNotFound },
        new("GET",  "/training",                          "/training",                                   SignIn,   Denied,   Allowed,  Allowed),
        new("GET",  "/api/training-data/export",          "/api/training-data/export",                   SignIn,   Denied,   Allowed,  Allowed),
        new("GET",  "/api/training-data/preference-pairs", "/api/training-data/preference-pairs",        SignIn,   Denied,   Allowed,  Allowed),
        new("POST", "/api/training-data/import",          "/api/training-data/import",                   SignIn,   Denied,   Denied,   Allowed) { Body = AccessBody.JsonLines },
        new("GET",  "/fine-tuning",                       "/fine-tuning",                                SignIn,   Denied,   Allowed,  Allowed),
        new("GET",  "/fine-tuning/{Id:int}",              "/fine-tuning/{job}",                          SignIn,   Denied,   Allowed,  Allowed) { NotFoundText = JobNotFound },
        new("GET",  "/fine-tuning/{Id:int}",              "/fine-tuning/{missing}",                      SignIn,   Denied,   NotFound, NotFound) { NotFoundText = JobNotFound },
        new("POST", "/hubs/fine-tuning/negotiate",        "/hubs/fine-tuning/negotiate?negotiateVersion=1", SignIn, Denied,  Allowed,  Allowed),
        // Without a connection id the hub answers 400, which it only does once authorization has let the request through.
        new("GET",  "/hubs/fine-tuning",                  "/hubs/fine-tuning",                           SignIn,   Denied,   Allowed,  Allowed) { AllowedStatus = HttpStatusCode.BadRequest },

        new("GET",  "/admin/settings",                    "/admin/settings",                             SignIn,   Denied,   Denied,   Allowed),
        new("GET",  "/admin/users",                       "/admin/users",                                SignIn,   Denied,   Denied,   Allowed),
        new("GET",  "/admin/audit",                       "/admin/audit",                                SignIn,   Denied,   Denied,   Allowed),

        new("GET",  "/Account/Login",                     "/Account/Login",                              Allowed,  Allowed,  Allowed,  Allowed),
        new("GET",  "/Account/Register",                  "/Account/Register",                           Allowed,  Allowed,  Allowed,  Allowed),
        new("GET",  "/Account/Lockout",                   "/Account/Lockout",                            Allowed,  Allowed,  Allowed,  Allowed),
        new("GET",  "/Account/AccessDenied",              "/Account/AccessDenied",                       SignIn,   Allowed,  Allowed,  Allowed),
        new("GET",  "/Account/Manage",                    "/Account/Manage",                             SignIn,   Allowed,  Allowed,  Allowed),
        new("GET",  "/Account/Manage/ChangePassword",     "/Account/Manage/ChangePassword",              SignIn,   Allowed,  Allowed,  Allowed),
        new("POST", "/Account/Logout",                    "/Account/Logout",                             SignIn,   Allowed,  Allowed,  Allowed)
            { Body = AccessBody.AntiforgeryForm, AllowedRedirect = "/Account/Login", EndsSession = true },
    ];
}
