using Bunit;
using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web.Components.Pages.Admin;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace MediaPlanner.Tests.Identity;

public class UsersPageTests : ComponentTestContext
{
    private const string AdminId = "admin-1";
    private readonly IRenderedComponent<MudDialogProvider> _dialogs;

    public UsersPageTests()
    {
        Services.AddLogging();
        Services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
        // The app's password rules (WebServiceCollectionExtensions), so the messages are the ones admins see.
        Services.AddIdentityCore<ApplicationUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = 8;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<PlannerDbContext>()
            .AddDefaultTokenProviders();
        Services.AddScoped<UserAdminService>();
        Services.AddSingleton<SessionRevocations>();
        SignInAs(AdminId, Roles.Admin);
        using (var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext())
        {
            foreach (var role in Roles.All)
                db.Roles.Add(new IdentityRole(role) { NormalizedName = role.ToUpperInvariant() });
            db.SaveChanges();
            db.UserRoles.Add(new IdentityUserRole<string> { UserId = AdminId, RoleId = db.Roles.Single(r => r.Name == Roles.Admin).Id });
            db.SaveChanges();
        }
        _dialogs = RenderOverlays();
        Render<MudSnackbarProvider>();
    }

    private IRenderedComponent<Users> RenderPage()
    {
        var cut = Render<Users>();
        cut.WaitForAssertion(() => Assert.Contains(AdminId, cut.Find("[data-testid=users-grid]").TextContent));
        return cut;
    }

    private static void FillNewUser(IRenderedComponent<Users> cut, string email, string password, string confirm)
    {
        cut.Find("[data-testid=new-user]").Click();
        cut.WaitForElement("#new-email");
        Type(cut, "#new-email", email);
        Type(cut, "#new-display-name", "New Person");
        Type(cut, "#new-password", password);
        Type(cut, "#new-confirm", confirm);
    }

    [Fact]
    public void A_weak_password_shows_identitys_message_at_the_password_field()
    {
        var cut = RenderPage();
        FillNewUser(cut, "weak@test.local", "short", "short");

        cut.Find("[data-testid=create-user]").Click();

        cut.WaitForAssertion(() => Assert.Contains("Passwords must be at least 8 characters.", FieldText(cut, "#new-password")));
        Assert.Contains("Passwords must have at least one digit", FieldText(cut, "#new-password"));
        Assert.DoesNotContain("Passwords must", FieldText(cut, "#new-email"));
        Assert.NotEmpty(cut.FindAll("[data-testid=create-form]"));
    }

    [Fact]
    public void A_mismatched_confirmation_shows_the_message_at_the_confirmation_field()
    {
        var cut = RenderPage();
        FillNewUser(cut, "typo@test.local", "Good!Pass123", "Good!Pass124");

        cut.Find("[data-testid=create-user]").Click();

        cut.WaitForAssertion(() => Assert.Contains("The passwords do not match.", FieldText(cut, "#new-confirm")));
        Assert.DoesNotContain("do not match", FieldText(cut, "#new-password"));
        using var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext();
        Assert.False(db.Users.Any(u => u.Email == "typo@test.local"));
    }

    [Fact]
    public void A_valid_user_is_created_listed_and_audited()
    {
        var cut = RenderPage();
        FillNewUser(cut, "new.person@test.local", "Good!Pass123", "Good!Pass123");
        cut.Find("input[data-testid=new-role-reviewer]").Change(true);

        cut.Find("[data-testid=create-user]").Click();

        cut.WaitForAssertion(() => Assert.Contains("new.person@test.local", cut.Find("[data-testid=users-grid]").TextContent));
        Assert.Empty(cut.FindAll("[data-testid=create-form]"));
        using var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext();
        var entry = db.AuditEntries.Single(a => a.Action == AuditActions.UserCreate);
        Assert.Equal(AdminId, entry.UserId);
        Assert.Contains("Reviewer", entry.After);
    }

    [Fact]
    public void The_last_admin_removing_their_own_admin_role_is_asked_to_confirm_then_told_why_not()
    {
        var cut = RenderPage();
        cut.Find($"button[aria-label='Manage {AdminId}@test.local']").Click();
        cut.WaitForElement("[data-testid=manage-panel]");
        Assert.True(cut.Find("[data-testid=lock-user]").HasAttribute("disabled"));

        cut.Find("input[data-testid=role-admin]").Change(false);
        cut.Find("[data-testid=save-roles]").Click();
        _dialogs.WaitForAssertion(() => Assert.Contains("You will lose access to the admin pages.", _dialogs.Markup));
        _dialogs.FindAll("button").First(b => b.TextContent.Trim() == "Remove").Click();

        cut.WaitForAssertion(() => Assert.Contains("You are the last admin", cut.Find("[data-testid=roles-error]").TextContent));
        using var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext();
        Assert.True(db.UserRoles.Any(ur => ur.UserId == AdminId));
        Assert.False(db.AuditEntries.Any());
    }
}
