using System.Net;
using System.Security.Claims;
using System.Threading.Channels;
using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web.Hubs;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaPlanner.Tests.Identity;

/// <summary>
/// Access ends when access ends. After each way a user's access can end, the next request with their cookie is refused,
/// their open hub connection is closed and gets no further job events, and their open page's user is signed out, so an
/// action from that page is refused and audited under nobody's name.
/// </summary>
public class SessionEndTests(SessionEndTests.App factory) : IClassFixture<SessionEndTests.App>
{
    /// <summary>The app with a one-second recheck of open pages and hub connections.</summary>
    public sealed class App : MediaPlannerFactory
    {
        public App() => Settings["Security:RevalidationInterval"] = "00:00:01";
    }

    public enum Ending { Lock, PasswordReset, ReviewerRoleRemoved, Deletion, SignOut, LockWrittenElsewhere }

    public static TheoryData<Ending> Endings => [.. Enum.GetValues<Ending>()];

    private const string Password = "Session!Pass123";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private sealed record Session(string UserId, string Email, HttpClient Client, Cookie AuthCookie, string CookieHeader);

    private async Task<Session> SignedInReviewerAsync(Ending ending)
    {
        _ = factory.Server;
        var email = $"{ending.ToString().ToLowerInvariant()}-{Guid.NewGuid():N}@sessions.test";
        var id = await SessionCookies.CreateUserAsync(factory, email, Password, Roles.Reviewer);
        var (client, jar) = await SessionCookies.SignInAsync(factory, email, Password);
        return new Session(id, email, client, SessionCookies.AuthCookie(factory, jar)!, SessionCookies.Header(factory, jar));
    }

    /// <summary>Ends the session's access the given way: through the admin service, the sign-out form, or a lock written by another process.</summary>
    private async Task EndAsync(Ending ending, Session session)
    {
        switch (ending)
        {
            case Ending.SignOut:
                await SessionCookies.SignOutAsync(session.Client);
                return;
            case Ending.LockWrittenElsewhere:
                // Another process (or node) locks the account and leaves the stamp alone: only the lock check ends the session.
                await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync())
                    await db.Users.Where(u => u.Id == session.UserId)
                        .ExecuteUpdateAsync(u => u.SetProperty(x => x.LockoutEnd, DateTimeOffset.MaxValue).SetProperty(x => x.LockoutEnabled, true));
                return;
        }
        var admin = await factory.DemoUserAsync("admin@demo.local");
        using var scope = factory.Services.CreateScope();
        var service = scope.ServiceProvider.GetRequiredService<UserAdminService>();
        var result = ending switch
        {
            Ending.Lock => await service.LockAsync(session.UserId, admin),
            Ending.PasswordReset => await service.SetPasswordAsync(session.UserId, "Another!Pass456", "Another!Pass456", admin),
            Ending.ReviewerRoleRemoved => await service.SetRolesAsync(session.UserId, [Roles.Planner], admin),
            Ending.Deletion => await service.DeleteAsync(session.UserId, admin),
            _ => throw new ArgumentOutOfRangeException(nameof(ending)),
        };
        Assert.True(result.Succeeded, result.Message);
    }

    [Theory]
    [MemberData(nameof(Endings))]
    public async Task The_next_request_with_a_copy_of_the_old_cookie_is_sent_to_sign_in(Ending ending)
    {
        var session = await SignedInReviewerAsync(ending);
        using var copy = SessionCookies.Replaying(factory, session.AuthCookie);
        Assert.Equal(HttpStatusCode.OK, (await copy.GetAsync("/review")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await copy.GetAsync("/api/training-data/export")).StatusCode);

        await EndAsync(ending, session);

        foreach (var path in new[] { "/review", "/api/training-data/export", "/" })
        {
            var response = await copy.GetAsync(path);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/Account/Login", new Uri(new Uri("http://localhost"), response.Headers.Location!).AbsolutePath);
        }
        var hub = await copy.PostAsync($"{FineTuningHub.Path}/negotiate?negotiateVersion=1", new ByteArrayContent([]));
        Assert.Equal(HttpStatusCode.Unauthorized, hub.StatusCode);
    }

    private HubConnection Connection(string cookie) =>
        new HubConnectionBuilder()
            .WithUrl(new Uri(factory.Server.BaseAddress, FineTuningHub.Path.TrimStart('/')), options =>
            {
                options.Transports = HttpTransportType.LongPolling;
                options.HttpMessageHandlerFactory = _ => factory.Server.CreateHandler();
                options.Headers["Cookie"] = cookie;
            })
            .Build();

    private static Channel<string> Listen(HubConnection connection)
    {
        var events = Channel.CreateUnbounded<string>();
        connection.On<JobEventAdded>("EventAdded", e => events.Writer.TryWrite(e.Message));
        return events;
    }

    [Theory]
    [MemberData(nameof(Endings))]
    public async Task The_open_hub_connection_is_closed_and_receives_no_job_event_published_after(Ending ending)
    {
        var session = await SignedInReviewerAsync(ending);
        var jobId = 8000 + (int)ending;
        await using var control = Connection(await factory.SignInCookieAsync("admin@demo.local"));
        await using var revoked = Connection(session.CookieHeader);
        var controlEvents = Listen(control);
        var revokedEvents = Listen(revoked);
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        revoked.Closed += e =>
        {
            closed.TrySetResult(e);
            return Task.CompletedTask;
        };
        await control.StartAsync();
        await revoked.StartAsync();
        await control.InvokeAsync<JobUpdated?>("Subscribe", jobId);
        await revoked.InvokeAsync<JobUpdated?>("Subscribe", jobId);
        var notifications = factory.Services.GetRequiredService<FineTuneNotifications>();
        using var timeout = new CancellationTokenSource(Patience);
        await notifications.PublishAsync(new JobEventAdded(jobId, 1, DateTimeOffset.UtcNow, "info", "before", 1, null, null));
        Assert.Equal("before", await revokedEvents.Reader.ReadAsync(timeout.Token));
        Assert.Equal("before", await controlEvents.Reader.ReadAsync(timeout.Token));

        await EndAsync(ending, session);

        await closed.Task.WaitAsync(Patience);
        Assert.Equal(HubConnectionState.Disconnected, revoked.State);
        await notifications.PublishAsync(new JobEventAdded(jobId, 2, DateTimeOffset.UtcNow, "info", "after", 2, null, null));
        // The admin's connection, still open, receiving the event means it was delivered to whoever was subscribed.
        Assert.Equal("after", await controlEvents.Reader.ReadAsync(timeout.Token));
        Assert.False(revokedEvents.Reader.TryRead(out var late), $"The closed connection received \"{late}\".");
        await using var again = Connection(session.CookieHeader);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => again.StartAsync());
    }

    [Theory]
    [MemberData(nameof(Endings))]
    public async Task The_open_page_is_signed_out_and_a_rejection_from_it_is_refused_and_not_audited(Ending ending)
    {
        var session = await SignedInReviewerAsync(ending);
        var example = await PendingExampleAsync($"Open page {ending}");
        // The circuit's own authentication state, as an open /review page holds it.
        await using var circuit = factory.Services.CreateAsyncScope();
        var auth = circuit.ServiceProvider.GetRequiredService<AuthenticationStateProvider>();
        var signedOut = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        auth.AuthenticationStateChanged += state => _ = state.ContinueWith(t =>
        {
            if (t.Result.User.Identity?.IsAuthenticated != true)
                signedOut.TrySetResult();
        }, TaskScheduler.Default);
        ((IHostEnvironmentAuthenticationStateProvider)auth).SetAuthenticationState(Task.FromResult(new AuthenticationState(await PrincipalAsync(session.UserId))));
        var accessor = circuit.ServiceProvider.GetRequiredService<MediaPlanner.Web.ICurrentUserAccessor>();
        Assert.Equal(session.UserId, (await accessor.GetAsync()).Id);

        await EndAsync(ending, session);

        await signedOut.Task.WaitAsync(Patience);
        var review = circuit.ServiceProvider.GetRequiredService<ReviewService>();
        // What the page's Reject button does: the user comes from the circuit's authentication state.
        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await review.RejectAsync(example.Id, example.Version, "Rejected after access ended.", await accessor.GetAsync()));
        Assert.Equal(ExampleStatus.PendingReview, (await review.GetAsync(example.Id))!.Example.Status);
        var audited = (await factory.Services.GetRequiredService<AuditLog>().QueryAsync(new AuditFilter(Action: AuditActions.ExampleReject), 0, 200)).Items;
        Assert.DoesNotContain(audited, e => e.UserId == session.UserId || e.EntityId == example.Id.ToString());
    }

    /// <summary>The principal cookie sign-in gives the user, stamp and roles included.</summary>
    private async Task<ClaimsPrincipal> PrincipalAsync(string userId)
    {
        using var scope = factory.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        return await scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<ApplicationUser>>().CreateAsync((await users.FindByIdAsync(userId))!);
    }

    private async Task<TrainingExample> PendingExampleAsync(string brand)
    {
        await ValidatedExamples.SeedAsync(factory.Services, 1, brand, ExampleStatus.PendingReview);
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
        return await db.TrainingExamples.SingleAsync(e => e.Brand == $"{brand} 0");
    }

    [Fact]
    public async Task Failed_sign_ins_by_someone_else_lock_new_sign_ins_but_leave_the_owners_open_session_alone()
    {
        var session = await SignedInReviewerAsync(Ending.Lock);
        using var copy = SessionCookies.Replaying(factory, session.AuthCookie);

        for (var i = 0; i < 5; i++)
            await MediaPlannerFactory.PostLoginAsync(factory.CreateBrowserlessClient(), session.Email, "Wrong!Pass999");

        using (var scope = factory.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            Assert.True(await users.IsLockedOutAsync((await users.FindByIdAsync(session.UserId))!));
        }
        Assert.Equal(HttpStatusCode.OK, (await copy.GetAsync("/review")).StatusCode);
        var again = await MediaPlannerFactory.PostLoginAsync(factory.CreateBrowserlessClient(), session.Email, Password);
        Assert.NotEqual(HttpStatusCode.Redirect, again.StatusCode);
    }
}
