using System.Text.RegularExpressions;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace MediaPlanner.Tests.Browser.Identity;

/// <summary>
/// A reviewer's open page ends up at the sign-in page once an admin, in another browser, locks or deletes the account,
/// without the reviewer doing anything.
/// </summary>
[Collection(BrowserCollection.Name)]
public class SessionEndJourneyTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private async Task<(string Email, IPage Page)> ReviewerWithReviewOpenAsync(string name)
    {
        var email = $"{name}-{Guid.NewGuid():N}@journey.test";
        await SessionCookies.CreateUserAsync(browser.App, email, DatabaseInitializer.DemoPassword, Roles.Reviewer);
        var reviewer = await browser.SignedInPageAsync(email);
        await reviewer.GotoAsync("/review");
        await BrowserFixture.WaitForInteractiveAsync(reviewer);
        await Assertions.Expect(reviewer.Locator("[data-testid=review-grid]")).ToBeVisibleAsync();
        return (email, reviewer);
    }

    /// <summary>The admin's users page with the user's manage panel open.</summary>
    private async Task<IPage> ManageAsync(string email)
    {
        var admin = await browser.SignedInPageAsync("admin@demo.local");
        await admin.GotoAsync("/admin/users");
        await BrowserFixture.WaitForInteractiveAsync(admin);
        await admin.FillAsync("#user-search", email);
        // Once the search has narrowed the list: a click while it reloads can land on a row that is being replaced.
        await Assertions.Expect(admin.Locator("[data-testid=users-grid] tbody tr")).ToHaveCountAsync(1);
        await admin.GetByLabel($"Manage {email}").ClickAsync();
        await Assertions.Expect(admin.Locator("[data-testid=manage-panel]")).ToContainTextAsync(email);
        return admin;
    }

    [BrowserFact]
    public async Task A_reviewer_locked_by_an_admin_is_taken_from_the_open_review_page_to_sign_in()
    {
        var (email, reviewer) = await ReviewerWithReviewOpenAsync("locked");
        var admin = await ManageAsync(email);

        await admin.ClickAsync("[data-testid=lock-user]");
        await admin.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Lock", Exact = true }).ClickAsync();

        await Assertions.Expect(admin.GetByText($"{email} is locked and signed out")).ToBeVisibleAsync();
        await reviewer.WaitForURLAsync(new Regex("/Account/Login\\?returnUrl=.*review", RegexOptions.IgnoreCase));
        await Assertions.Expect(reviewer.Locator("#Input\\.Email")).ToBeVisibleAsync();
        // The cookie the page still holds opens nothing.
        Assert.Contains("/Account/Login", (await reviewer.GotoAsync("/review"))!.Url, StringComparison.Ordinal);
    }

    [BrowserFact]
    public async Task A_reviewer_deleted_by_an_admin_after_confirming_is_taken_to_sign_in_and_leaves_the_list()
    {
        var (email, reviewer) = await ReviewerWithReviewOpenAsync("deleted");
        var admin = await ManageAsync(email);

        await admin.ClickAsync("[data-testid=delete-user]");
        var dialog = admin.Locator(".mud-dialog");
        await Assertions.Expect(dialog).ToContainTextAsync($"Delete {email}?");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();

        await Assertions.Expect(admin.GetByText($"{email} was deleted and signed out.")).ToBeVisibleAsync();
        await Assertions.Expect(admin.Locator("[data-testid=users-grid]")).ToContainTextAsync("No user matches these filters.");
        await Assertions.Expect(admin.Locator("[data-testid=manage-panel]")).ToHaveCountAsync(0);
        await reviewer.WaitForURLAsync(new Regex("/Account/Login", RegexOptions.IgnoreCase));
    }

    [BrowserFact]
    public async Task Deleting_a_planner_who_owns_briefs_is_refused_with_the_advice_to_lock()
    {
        var planner = await browser.App.DemoUserAsync("planner@demo.local");
        using (var scope = browser.App.Services.CreateScope())
            Assert.True((await scope.ServiceProvider.GetRequiredService<BriefService>().CreateAsync(TestBriefs.Input("Owned Brand", campaign: "Kept",
                budget: 50_000m, end: new DateTime(2027, 6, 15), channels: [Channel.Search, Channel.Social],
                text: "Grow awareness of the summer range among city commuters, with search capturing the demand it creates."), planner)).Succeeded);
        var admin = await ManageAsync("planner@demo.local");

        await admin.ClickAsync("[data-testid=delete-user]");
        await admin.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();

        await Assertions.Expect(admin.Locator("[data-testid=manage-error]")).ToContainTextAsync("cannot be deleted. Lock it instead");
        await Assertions.Expect(admin.Locator("[data-testid=users-grid]")).ToContainTextAsync("planner@demo.local");
    }
}
