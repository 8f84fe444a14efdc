using Microsoft.Playwright;

namespace MediaPlanner.Tests.Browser.Layout;

/// <summary>The layout on a phone and a desktop: the drawer, who is signed in, the skip link, dialogs.</summary>
[Collection(BrowserCollection.Name)]
public class LayoutBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [BrowserFact]
    public async Task On_a_phone_the_drawer_starts_closed_the_account_menu_names_the_user_and_the_skip_link_comes_first()
    {
        var page = await browser.SignedInPageAsync("reviewer@demo.local");
        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync("/");
        await BrowserFixture.WaitForInteractiveAsync(page);

        var nav = page.Locator("nav[aria-label='Main navigation']");
        await Assertions.Expect(nav.GetByRole(AriaRole.Link, new() { Name = "Review queue" })).Not.ToBeInViewportAsync();
        await Assertions.Expect(page.Locator("[data-testid=signed-in-as]")).ToBeHiddenAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Your account: reviewer@demo.local" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=account-who]")).ToContainTextAsync("reviewer@demo.local");
        await Assertions.Expect(page.Locator("[data-testid=account-who]")).ToContainTextAsync("Reviewer");
        await page.Keyboard.PressAsync("Escape");

        // The drawer opened on a phone closes again once the user navigates.
        await page.GetByRole(AriaRole.Button, new() { Name = "Toggle navigation" }).ClickAsync();
        await nav.GetByRole(AriaRole.Link, new() { Name = "Training data" }).ClickAsync();
        await page.WaitForURLAsync("**/training");
        await Assertions.Expect(nav.GetByRole(AriaRole.Link, new() { Name = "Review queue" })).Not.ToBeInViewportAsync();

        var first = await page.EvaluateAsync<string>(
            "() => [...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')].find(e => e.tabIndex >= 0).textContent.trim()");
        Assert.Equal("Skip to main content", first);
        await page.Locator(".mp-skip-link").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#main-content")).ToBeFocusedAsync();
    }

    [BrowserFact]
    public async Task On_a_desktop_the_drawer_is_open_and_the_name_is_in_the_app_bar()
    {
        var page = await browser.SignedInPageAsync("planner@demo.local");
        await Assertions.Expect(page.Locator("nav[aria-label='Main navigation']").GetByRole(AriaRole.Link, new() { Name = "New brief" })).ToBeInViewportAsync();
        await Assertions.Expect(page.Locator("[data-testid=signed-in-as]")).ToHaveTextAsync("planner@demo.local · Planner");
    }
}
