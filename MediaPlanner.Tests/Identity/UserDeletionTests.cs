using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using MediaPlanner.Domain;

namespace MediaPlanner.Tests.Identity;

/// <summary>Deleting users: only accounts that own no briefs, never yourself nor the last admin, always audited.</summary>
public class UserDeletionTests(MediaPlannerFactory factory) : IClassFixture<MediaPlannerFactory>
{
    private const string Password = "Delete!Pass123";

    private async Task<Result> DeleteAsync(string userId, CurrentUser actor)
    {
        using var scope = factory.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<UserAdminService>().DeleteAsync(userId, actor);
    }

    private async Task<ApplicationUser?> FindAsync(string userId)
    {
        using var scope = factory.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByIdAsync(userId);
    }

    [Fact]
    public async Task A_user_without_briefs_is_deleted_cannot_sign_in_and_the_deletion_is_audited()
    {
        var admin = await factory.DemoUserAsync("admin@demo.local");
        var id = await SessionCookies.CreateUserAsync(factory, "gone@delete.test", Password, Roles.Reviewer);

        var result = await DeleteAsync(id, admin);

        Assert.True(result.Succeeded, result.Message);
        Assert.Null(await FindAsync(id));
        await Assert.ThrowsAsync<InvalidOperationException>(() => factory.SignInAsync("gone@delete.test", Password));
        var entry = Assert.Single((await factory.Services.GetRequiredService<AuditLog>().QueryAsync(new AuditFilter(Action: AuditActions.UserDelete), 0, 50)).Items,
            e => e.EntityId == id);
        Assert.Equal(admin.Id, entry.UserId);
        Assert.Contains("gone@delete.test", entry.Summary);
        Assert.Contains("Reviewer", entry.Before);
        Assert.Equal("That user no longer exists.", (await DeleteAsync(id, admin)).Errors[UserFields.General]);
    }

    [Fact]
    public async Task A_user_who_owns_briefs_is_kept_and_the_admin_is_told_to_lock_instead()
    {
        var admin = await factory.DemoUserAsync("admin@demo.local");
        var id = await SessionCookies.CreateUserAsync(factory, "owner@delete.test", Password, Roles.Planner);
        using (var scope = factory.Services.CreateScope())
        {
            var saved = await scope.ServiceProvider.GetRequiredService<BriefService>().CreateAsync(TestBriefs.Input("Kept Brand", campaign: "Kept", budget: 50_000m, end: new DateTime(2027, 6, 15), channels: [Channel.Search, Channel.Social],
                text: "Grow awareness of the summer range among city commuters, with search capturing the demand it creates."), new CurrentUser(id, false));
            Assert.True(saved.Succeeded);
        }

        var result = await DeleteAsync(id, admin);

        Assert.False(result.Succeeded);
        Assert.Equal("owner@delete.test owns 1 brief, which keep their owner, so the account cannot be deleted. Lock it instead: that ends their access and keeps the briefs.",
            result.Errors[UserFields.General]);
        Assert.NotNull(await FindAsync(id));
        Assert.DoesNotContain((await factory.Services.GetRequiredService<AuditLog>().QueryAsync(new AuditFilter(Action: AuditActions.UserDelete), 0, 50)).Items,
            e => e.EntityId == id);
    }

    [Fact]
    public async Task Nobody_deletes_themselves_nor_the_last_admin_who_can_sign_in()
    {
        var admin = await factory.DemoUserAsync("admin@demo.local");

        var self = await DeleteAsync(admin.Id, admin);
        // An admin session whose own account no longer counts (say, locked since): the demo admin is the last one left.
        var last = await DeleteAsync(admin.Id, new CurrentUser("not-an-account", IsAdmin: true));

        Assert.Equal("You cannot delete your own account. Another admin has to do it.", self.Errors[UserFields.General]);
        Assert.Equal("admin@demo.local is the last admin who can sign in and cannot be deleted.", last.Errors[UserFields.General]);
        Assert.NotNull(await FindAsync(admin.Id));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => DeleteAsync(admin.Id, new CurrentUser("planner", IsAdmin: false)));
    }
}
