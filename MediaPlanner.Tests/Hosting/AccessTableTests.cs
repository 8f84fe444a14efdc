using System.Net;
using System.Net.Http.Headers;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticAssets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace MediaPlanner.Tests.Hosting;

/// <summary>The ids the table's samples point at.</summary>
public sealed record AccessIds(int OwnBrief, int OtherBrief, int OwnPlan, int OtherPlan, int Example, int Job)
{
    public const int Missing = 987_654;

    public string Resolve(string sample) => sample
        .Replace("{own-brief}", OwnBrief.ToString(), StringComparison.Ordinal)
        .Replace("{other-brief}", OtherBrief.ToString(), StringComparison.Ordinal)
        .Replace("{own-plan}", OwnPlan.ToString(), StringComparison.Ordinal)
        .Replace("{other-plan}", OtherPlan.ToString(), StringComparison.Ordinal)
        .Replace("{example}", Example.ToString(), StringComparison.Ordinal)
        .Replace("{job}", Job.ToString(), StringComparison.Ordinal)
        .Replace("{missing}", Missing.ToString(), StringComparison.Ordinal);
}

public class AccessTableTests(MediaPlannerFactory factory, ITestOutputHelper output) : IClassFixture<MediaPlannerFactory>
{
    private static readonly Dictionary<AccessIdentity, string> Emails = new()
    {
        [AccessIdentity.Planner] = "planner@demo.local",
        [AccessIdentity.Reviewer] = "reviewer@demo.local",
        [AccessIdentity.Admin] = "admin@demo.local",
    };

    [Fact]
    public async Task Every_route_gives_each_identity_what_the_access_table_says()
    {
        var ids = await SeedAsync();
        var sessions = new Dictionary<AccessIdentity, HttpClient>();
        foreach (var identity in Enum.GetValues<AccessIdentity>())
            sessions[identity] = await ClientAsync(identity);
        var mismatches = new List<string>();
        var checks = 0;
        var routes = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        foreach (var rule in AccessTable.Rules)
        {
            routes.Add($"{rule.Method} {rule.Pattern}");
            var cells = new List<string>();
            foreach (var identity in Enum.GetValues<AccessIdentity>())
            {
                var client = rule.EndsSession ? await ClientAsync(identity) : sessions[identity];
                var path = ids.Resolve(rule.Sample);
                var observed = await ClassifyAsync(await SendAsync(client, rule, path), rule);
                var expected = rule.For(identity).ToString();
                if (observed == expected && rule.EndsSession && expected == nameof(Access.Allowed))
                    observed = await ClassifyAsync(await client.GetAsync("/"), AccessTable.Rules.First(r => r.Sample == "/")) == nameof(Access.SignIn)
                        ? observed
                        : "still signed in afterwards";
                checks++;
                cells.Add($"{identity}={observed}");
                if (observed != expected)
                    mismatches.Add($"{identity} {rule.Method} {path}: expected {expected}, got {observed}");
            }
            output.WriteLine($"{rule.Method,-4} {ids.Resolve(rule.Sample),-42} {string.Join("  ", cells)}");
        }

        var identities = Enum.GetValues<AccessIdentity>().Length;
        output.WriteLine($"{routes.Count} routes, {checks / identities} requests × {identities} identities = {checks} checks");
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {checks} checks differ from the access table:\n{string.Join("\n", mismatches)}");
    }

    [Fact]
    public void Every_route_the_app_maps_has_a_row_in_the_access_table()
    {
        var mapped = MappedRoutes(factory.Services);

        var missing = mapped
            .Where(m => !AccessTable.Rules.Any(r => string.Equals(r.Pattern, m.Pattern, StringComparison.OrdinalIgnoreCase)
                && (m.Methods is null || m.Methods.Contains(r.Method, StringComparer.OrdinalIgnoreCase))))
            .Select(m => $"{(m.Methods is null ? "*" : string.Join("|", m.Methods))} {m.Pattern}")
            .ToList();
        var stale = AccessTable.Rules
            .Where(r => !mapped.Any(m => string.Equals(m.Pattern, r.Pattern, StringComparison.OrdinalIgnoreCase)))
            .Select(r => r.Pattern).Distinct().ToList();

        output.WriteLine($"The app maps {mapped.Count} routes of its own:\n{string.Join("\n", mapped.Select(m => m.Pattern))}");
        Assert.True(missing.Count == 0, $"Routes without a row in AccessTable (add who may open them):\n{string.Join("\n", missing)}");
        Assert.True(stale.Count == 0, $"AccessTable rows for routes the app no longer maps:\n{string.Join("\n", stale)}");
        // The check above would pass vacuously if the filter dropped everything.
        Assert.Contains(mapped, m => m.Pattern == "/briefs/{Id:int}");
        Assert.Contains(mapped, m => m.Pattern == "/Account/Logout");
        Assert.Contains(mapped, m => m.Pattern == "/hubs/fine-tuning/negotiate");
    }

    /// <summary>
    /// The app's own routes: pages, minimal APIs, hubs, health. Left out: static files (build assets and the
    /// Development fallback that serves them by path) and Blazor's own /_blazor and /_framework endpoints.
    /// </summary>
    internal static IReadOnlyList<(string Pattern, IReadOnlyList<string>? Methods)> MappedRoutes(IServiceProvider services) =>
        services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<StaticAssetDescriptor>() is null)
            .Select(e => (Pattern: "/" + (e.RoutePattern.RawText ?? "").TrimStart('/'), Methods: e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods))
            .Where(e => !e.Pattern.StartsWith("/_blazor", StringComparison.Ordinal)
                && !e.Pattern.StartsWith("/_framework", StringComparison.Ordinal)
                && !e.Pattern.Contains(":file}", StringComparison.Ordinal))
            .Distinct()
            .ToList();

    private async Task<HttpClient> ClientAsync(AccessIdentity identity) => identity switch
    {
        AccessIdentity.Anonymous => factory.CreateBrowserlessClient(),
        AccessIdentity.LockedUsersOldCookie or AccessIdentity.SignedOutCookie => await EndedSessionClientAsync(identity),
        _ => await factory.SignInAsync(Emails[identity]),
    };

    /// <summary>
    /// A client replaying the cookie of an admin whose session has ended, on every request: an admin, so that any route
    /// the ended session still opened would show.
    /// </summary>
    private async Task<HttpClient> EndedSessionClientAsync(AccessIdentity identity)
    {
        var email = $"{identity.ToString().ToLowerInvariant()}-{Guid.NewGuid():N}@access.test";
        var id = await SessionCookies.CreateUserAsync(factory, email, DatabaseInitializer.DemoPassword, Roles.Admin, Roles.Planner, Roles.Reviewer);
        var (client, jar) = await SessionCookies.SignInAsync(factory, email, DatabaseInitializer.DemoPassword);
        var cookie = SessionCookies.AuthCookie(factory, jar)!;
        if (identity == AccessIdentity.SignedOutCookie)
            await SessionCookies.SignOutAsync(client);
        else
        {
            using var scope = factory.Services.CreateScope();
            var locked = await scope.ServiceProvider.GetRequiredService<UserAdminService>().LockAsync(id, await factory.DemoUserAsync(Emails[AccessIdentity.Admin]));
            Assert.True(locked.Succeeded, locked.Message);
        }
        return SessionCookies.Replaying(factory, cookie);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, AccessRule rule, string path)
    {
        var request = new HttpRequestMessage(new HttpMethod(rule.Method), path);
        switch (rule.Body)
        {
            case AccessBody.JsonLines:
                request.Content = new ByteArrayContent([]);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/jsonl");
                break;
            case AccessBody.AntiforgeryForm:
                // Tokens are bound to the signed-in user, so each identity fetches its own.
                var token = MediaPlannerFactory.AntiforgeryToken(await client.GetStringAsync("/Account/Login"));
                request.Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token });
                break;
            default:
                if (rule.Method == "POST")
                    request.Content = new ByteArrayContent([]);
                break;
        }
        return await client.SendAsync(request);
    }

    /// <summary>What the response means, in the table's terms, or what it was when it means none of them.</summary>
    private static async Task<string> ClassifyAsync(HttpResponseMessage response, AccessRule rule)
    {
        var status = response.StatusCode;
        if (status == HttpStatusCode.Redirect)
        {
            var location = response.Headers.Location!;
            if (!location.IsAbsoluteUri)
                location = new Uri(new Uri("http://localhost"), location);
            var hasReturnUrl = location.Query.Contains("ReturnUrl=", StringComparison.OrdinalIgnoreCase);
            if (location.AbsolutePath == "/Account/AccessDenied")
                return nameof(Access.Denied);
            if (location.AbsolutePath == "/Account/Login" && hasReturnUrl)
                return nameof(Access.SignIn);
            if (location.AbsolutePath == rule.AllowedRedirect)
                return nameof(Access.Allowed);
            return $"redirect to {location.PathAndQuery}";
        }
        if (status == HttpStatusCode.Unauthorized)
            return nameof(Access.SignIn);
        if (status == HttpStatusCode.Forbidden)
            return nameof(Access.Denied);
        if (status == HttpStatusCode.NotFound)
            return nameof(Access.NotFound);
        if (status == rule.AllowedStatus && rule.AllowedRedirect is null)
        {
            if (rule.NotFoundText is { } text && (await response.Content.ReadAsStringAsync()).Contains(text, StringComparison.Ordinal))
                return nameof(Access.NotFound);
            return nameof(Access.Allowed);
        }
        return $"{(int)status} {status}";
    }

    private async Task<AccessIds> SeedAsync()
    {
        using var scope = factory.Services.CreateScope();
        var sp = scope.ServiceProvider;
        var users = sp.GetRequiredService<UserManager<ApplicationUser>>();
        var planner = new CurrentUser((await users.FindByEmailAsync(Emails[AccessIdentity.Planner]))!.Id, false);
        var admin = new CurrentUser((await users.FindByEmailAsync(Emails[AccessIdentity.Admin]))!.Id, true);
        var other = new ApplicationUser { UserName = "other-planner@access.test", Email = "other-planner@access.test", EmailConfirmed = true };
        Assert.True((await users.CreateAsync(other, DatabaseInitializer.DemoPassword)).Succeeded);
        await users.AddToRoleAsync(other, Roles.Planner);
        var otherPlanner = new CurrentUser(other.Id, false);

        var briefs = sp.GetRequiredService<BriefService>();
        var generator = sp.GetRequiredService<PlanGenerator>();
        async Task<(int Brief, int Plan)> BriefWithPlanAsync(CurrentUser owner, string brand)
        {
            var saved = await briefs.CreateAsync(TestBriefs.Input(brand, campaign: "Access check", budget: 120_000m, end: new DateTime(2027, 6, 15), channels: [Channel.Search, Channel.Social],
                text: "Grow awareness of the summer range among city commuters, with search capturing the demand it creates."), owner);
            Assert.True(saved.Succeeded, string.Join("; ", saved.Errors.Values));
            var plans = await generator.GenerateAsync(saved.Value, owner);
            return (saved.Value, plans[0].Entity.Id);
        }
        var own = await BriefWithPlanAsync(planner, "Own Brand");
        var others = await BriefWithPlanAsync(otherPlanner, "Other Brand");

        var choice = await sp.GetRequiredService<TrainingCollector>().ChoosePlanAsync(own.Plan, planner);
        Assert.True(choice.Succeeded, choice.Message);

        await using var db = await sp.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
        // Finished, so the runner leaves it alone.
        var job = new FineTuneJob
        {
            Provider = FineTuneProviders.Local, BaseModel = "local-mix-v1", Status = FineTuneStatus.Failed, ErrorCode = "access_check",
            ErrorMessage = "Seeded for the access table.", CreatedAt = DateTimeOffset.UtcNow, FinishedAt = DateTimeOffset.UtcNow,
            CreatedById = admin.Id, NextAttemptAt = DateTimeOffset.UtcNow,
        };
        db.FineTuneJobs.Add(job);
        await db.SaveChangesAsync();

        return new AccessIds(own.Brief, others.Brief, own.Plan, others.Plan, choice.Value!.Value, job.Id);
    }
}
