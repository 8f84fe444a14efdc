using System.Net;
using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace MediaPlanner.Tests.Identity;

/// <summary>User management over the real app: Identity's rules, sign-in effects, the last-admin guard and the audit trail.</summary>
public class UserAdminTests(MediaPlannerFactory factory) : IClassFixture<MediaPlannerFactory>
{
    private const string Password = "Fresh!Pass123";
    private const string AdminEmail = "admin@demo.local";

    private static async Task<CurrentUser> AdminAsync(MediaPlannerFactory app)
    {
        using var scope = app.Services.CreateScope();
        var admin = await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync(AdminEmail);
        return new CurrentUser(admin!.Id, IsAdmin: true);
    }

    private static async Task<T> WithAsync<T>(MediaPlannerFactory app, Func<UserAdminService, Task<T>> action)
    {
        using var scope = app.Services.CreateScope();
        return await action(scope.ServiceProvider.GetRequiredService<UserAdminService>());
    }

    private async Task<string> CreatedAsync(string email, params string[] roles)
    {
        var result = await WithAsync(factory, async s => await s.CreateAsync(new NewUser(email, "Test User", Password, Password, roles), await AdminAsync(factory)));
        Assert.True(result.Succeeded, result.Message);
        return result.Value!;
    }

    /// <summary>Posts the sign-in form; returns where it redirected, or null when it stayed on the form (refused).</summary>
    private static async Task<string?> SignInTargetAsync(MediaPlannerFactory app, string email, string password)
    {
        var response = await MediaPlannerFactory.PostLoginAsync(app.CreateBrowserlessClient(), email, password);
        return response.StatusCode == HttpStatusCode.Redirect ? response.Headers.Location!.OriginalString : null;
    }

    private static async Task<IReadOnlyList<AuditEntry>> AuditAsync(MediaPlannerFactory app, string action, string entityId) =>
        (await app.Services.GetRequiredService<AuditLog>().QueryAsync(new AuditFilter(Action: action), 0, 200)).Items
        .Where(e => e.EntityId == entityId).ToList();

    [SkippableFact]
    public async Task A_weak_or_mismatched_password_and_a_bad_email_are_reported_at_their_fields_and_nothing_is_created()
    {
        var admin = await AdminAsync(factory);

        var weak = await WithAsync(factory, s => s.CreateAsync(new NewUser("weak@test.local", null, "short", "short", [Roles.Planner]), admin));
        var both = await WithAsync(factory, s => s.CreateAsync(new NewUser("not-an-email", null, "alllowercase", "alllowercase", []), admin));
        var mismatch = await WithAsync(factory, s => s.CreateAsync(new NewUser("mismatch@test.local", null, Password, Password + "x", []), admin));
        var taken = await WithAsync(factory, s => s.CreateAsync(new NewUser("planner@demo.local", null, Password, Password, []), admin));

        Assert.False(weak.Succeeded);
        Assert.Contains("at least 8 characters", weak.Errors[UserFields.Password]);
        Assert.Contains("digit", weak.Errors[UserFields.Password]);
        Assert.False(weak.Errors.ContainsKey(UserFields.Email));
        Assert.Contains("is invalid", both.Errors[UserFields.Email]);
        Assert.Contains("uppercase", both.Errors[UserFields.Password]);
        Assert.Equal("The passwords do not match.", mismatch.Errors[UserFields.ConfirmPassword]);
        Assert.Contains("is already taken", taken.Errors[UserFields.Email]);
        using var scope = factory.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        Assert.Null(await users.FindByEmailAsync("weak@test.local"));
        Assert.Null(await users.FindByEmailAsync("mismatch@test.local"));
    }

    [SkippableFact]
    public async Task A_created_user_signs_in_with_their_password_and_the_creation_is_audited()
    {
        var id = await CreatedAsync("created@test.local", Roles.Planner);

        var client = await factory.SignInAsync("created@test.local", Password);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/briefs")).StatusCode);
        var listed = await WithAsync(factory, s => s.ListAsync(new UserFilter(Search: "created@test"), 0, 10));
        var row = Assert.Single(listed.Items);
        Assert.Equal(["Planner"], row.Roles);
        Assert.Equal("Test User", row.DisplayName);
        var entry = Assert.Single(await AuditAsync(factory, AuditActions.UserCreate, id));
        Assert.Equal(AdminEmail, entry.UserEmail);
        Assert.Equal(AuditEntities.User, entry.EntityType);
        Assert.Contains("created@test.local", entry.Summary);
        Assert.Contains("Planner", entry.After);
        Assert.DoesNotContain(Password, entry.After);
    }

    [SkippableFact]
    public async Task Assigning_and_removing_roles_changes_what_the_user_may_open()
    {
        var id = await CreatedAsync("roles@test.local", Roles.Planner);
        var admin = await AdminAsync(factory);
        var before = await factory.SignInAsync("roles@test.local", Password);
        Assert.Equal("/Account/AccessDenied", (await before.GetAsync("/review")).Headers.Location!.AbsolutePath);

        Assert.True((await WithAsync(factory, s => s.SetRolesAsync(id, [Roles.Planner, Roles.Reviewer], admin))).Succeeded);
        var reviewer = await factory.SignInAsync("roles@test.local", Password);
        Assert.Equal(HttpStatusCode.OK, (await reviewer.GetAsync("/review")).StatusCode);

        Assert.True((await WithAsync(factory, s => s.SetRolesAsync(id, [Roles.Planner], admin))).Succeeded);
        var planner = await factory.SignInAsync("roles@test.local", Password);
        Assert.Equal("/Account/AccessDenied", (await planner.GetAsync("/review")).Headers.Location!.AbsolutePath);

        var entries = await AuditAsync(factory, AuditActions.UserRoles, id);
        Assert.Equal(2, entries.Count);
        Assert.All(entries, e => Assert.Equal(AdminEmail, e.UserEmail));
        var added = entries.Single(e => e.Summary.Contains("added Reviewer"));
        Assert.Equal("Planner", added.Before);
        Assert.Equal("Planner, Reviewer", added.After);
        Assert.Contains(entries, e => e.Summary.Contains("removed Reviewer") && e.After == "Planner");
    }

    [SkippableFact]
    public async Task A_locked_user_cannot_sign_in_and_signs_in_again_once_unlocked()
    {
        var id = await CreatedAsync("locked@test.local", Roles.Planner);
        var admin = await AdminAsync(factory);

        var locked = await WithAsync(factory, s => s.LockAsync(id, admin));

        Assert.True(locked.Succeeded, locked.Message);
        Assert.Null(await SignInTargetAsync(factory, "locked@test.local", Password));
        var row = await WithAsync(factory, s => s.GetAsync(id));
        Assert.True(row!.Locked);

        var unlocked = await WithAsync(factory, s => s.UnlockAsync(id, admin));

        Assert.True(unlocked.Succeeded, unlocked.Message);
        var target = await SignInTargetAsync(factory, "locked@test.local", Password);
        Assert.NotNull(target);
        Assert.DoesNotContain("Lockout", target);
        Assert.Equal(AdminEmail, Assert.Single(await AuditAsync(factory, AuditActions.UserLock, id)).UserEmail);
        var unlock = Assert.Single(await AuditAsync(factory, AuditActions.UserUnlock, id));
        Assert.Equal("locked", unlock.Before);
        Assert.Equal("unlocked", unlock.After);
    }

    [SkippableFact]
    public async Task A_new_password_set_by_an_admin_works_and_the_old_one_no_longer_does()
    {
        var id = await CreatedAsync("reset@test.local", Roles.Planner);
        var admin = await AdminAsync(factory);
        const string NewPassword = "Brand!New456";

        var tooWeak = await WithAsync(factory, s => s.SetPasswordAsync(id, "weak", "weak", admin));
        var mismatch = await WithAsync(factory, s => s.SetPasswordAsync(id, NewPassword, "other", admin));
        var set = await WithAsync(factory, s => s.SetPasswordAsync(id, NewPassword, NewPassword, admin));

        Assert.Contains("at least 8 characters", tooWeak.Errors[UserFields.Password]);
        Assert.True(mismatch.Errors.ContainsKey(UserFields.ConfirmPassword));
        Assert.True(set.Succeeded, set.Message);
        Assert.Null(await SignInTargetAsync(factory, "reset@test.local", Password));
        await factory.SignInAsync("reset@test.local", NewPassword);
        var entry = Assert.Single(await AuditAsync(factory, AuditActions.UserPassword, id));
        Assert.Equal(AdminEmail, entry.UserEmail);
        Assert.Null(entry.Before);
        Assert.Null(entry.After);
        Assert.DoesNotContain(NewPassword, entry.Summary);
    }

    [SkippableFact]
    public async Task The_last_admin_cannot_remove_their_own_admin_role_nor_lock_themselves_and_stays_admin()
    {
        // Its own app: other tests here create admins, and this one needs the demo admin to be the only one.
        await using var app = new MediaPlannerFactory { Engine = factory.Engine };
        var admin = await AdminAsync(app);

        var demote = await WithAsync(app, s => s.SetRolesAsync(admin.Id, [Roles.Planner], admin));
        var lockSelf = await WithAsync(app, s => s.LockAsync(admin.Id, admin));

        Assert.False(demote.Succeeded);
        Assert.Contains("last admin", demote.Errors[UserFields.Roles]);
        Assert.False(lockSelf.Succeeded);
        Assert.Contains("your own account", lockSelf.Message);
        using (var scope = app.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var user = await users.FindByIdAsync(admin.Id);
            Assert.Equal([Roles.Admin], await users.GetRolesAsync(user!));
            Assert.Null(user!.LockoutEnd);
        }
        var client = await app.SignInAsync(AdminEmail);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin/users")).StatusCode);
        Assert.Empty(await AuditAsync(app, AuditActions.UserRoles, admin.Id));
        Assert.Empty(await AuditAsync(app, AuditActions.UserLock, admin.Id));

        // With a second admin, stepping down is allowed.
        var second = await WithAsync(app, s => s.CreateAsync(new NewUser("second-admin@test.local", null, Password, Password, [Roles.Admin]), admin));
        Assert.True(second.Succeeded, second.Message);
        Assert.True((await WithAsync(app, s => s.SetRolesAsync(admin.Id, [Roles.Planner], admin))).Succeeded);
        Assert.Single(await AuditAsync(app, AuditActions.UserRoles, admin.Id));
    }

    [SkippableFact]
    public async Task The_user_list_searches_and_filters_by_role_in_the_database()
    {
        await CreatedAsync("search-one@test.local", Roles.Reviewer);
        await CreatedAsync("search-two@test.local", Roles.Planner);

        var bySearch = await WithAsync(factory, s => s.ListAsync(new UserFilter(Search: "search-"), 0, 10));
        var byRole = await WithAsync(factory, s => s.ListAsync(new UserFilter(Search: "search-", Role: Roles.Reviewer), 0, 10));
        var paged = await WithAsync(factory, s => s.ListAsync(new UserFilter(Search: "search-"), 1, 1));

        Assert.Equal(["search-one@test.local", "search-two@test.local"], bySearch.Items.Select(u => u.Email));
        Assert.Equal("search-one@test.local", Assert.Single(byRole.Items).Email);
        Assert.Equal(2, paged.Total);
        Assert.Equal("search-two@test.local", Assert.Single(paged.Items).Email);
    }

    [SkippableFact]
    public async Task Only_admins_manage_users()
    {
        var planner = new CurrentUser("someone", IsAdmin: false);

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() =>
            WithAsync(factory, s => s.CreateAsync(new NewUser("x@test.local", null, Password, Password, []), planner)));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => WithAsync(factory, s => s.LockAsync("any", planner)));
    }

    [SkippableFact]
    public async Task The_admin_can_open_the_users_page()
    {
        var client = await factory.SignInAsync(AdminEmail);

        var html = await client.GetStringAsync("/admin/users");

        Assert.Contains("Users", html);
        Assert.Contains("href=\"admin/users\"", html);
        Assert.Contains("href=\"admin/audit\"", html);
    }
}

/// <summary>The same tests on PostgreSQL.</summary>
public sealed class UserAdminOnPostgresTests : UserAdminTests, IClassFixture<PostgresMediaPlannerFactory>
{
    public UserAdminOnPostgresTests(PostgresMediaPlannerFactory factory) : base(factory) => TestServers.SkipUnlessPostgres();
}
