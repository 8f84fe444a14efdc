using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace MediaPlanner.Tests.Browser.Layout;

[Collection(BrowserCollection.Name)]
public class PlannerPhoneBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{

    [BrowserFact]
    public async Task On_a_phone_saving_an_empty_brief_from_the_bottom_focuses_the_first_error_in_view_and_tabbing_shows_none_before()
    {
        var page = await browser.SignedInPageAsync("planner@demo.local");
        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync("/briefs/new");
        await BrowserFixture.WaitForInteractiveAsync(page);

        await page.FocusAsync("#brand");
        for (var i = 0; i < 4; i++)
            await page.Keyboard.PressAsync("Tab");
        await Assertions.Expect(page.Locator("[aria-invalid=true]")).ToHaveCountAsync(0);
        await BrowserFixture.ExpectNoSidewaysScrollAsync(page, "the form must not scroll sideways at 390 px");

        await page.Locator("#save-brief").ScrollIntoViewIfNeededAsync();
        await page.ClickAsync("#save-brief");

        await Assertions.Expect(page.Locator("#brand")).ToBeFocusedAsync();
        await Assertions.Expect(page.Locator("#brand")).ToBeInViewportAsync();
        await Assertions.Expect(page.Locator("[data-testid=error-summary]")).ToHaveTextAsync("5 fields need attention.");
        await Assertions.Expect(page.GetByText("Enter the brand.")).ToBeVisibleAsync();
    }

    [BrowserFact]
    public async Task At_360_px_the_brief_page_with_plans_does_not_scroll_sideways_and_its_headings_are_in_order()
    {
        var page = await browser.SignedInPageAsync("planner@demo.local");
        await BrowserFixture.SaveBriefAsync(page, "Northwind Running", "Brief page at 360", "250000");
        await Assertions.Expect(page.Locator(".mud-snackbar")).ToHaveCountAsync(0);
        await page.ClickAsync("#generate");
        await Assertions.Expect(page.Locator("[data-testid=plan-card]")).ToHaveCountAsync(3);
        await page.SetViewportSizeAsync(360, 800);

        await BrowserFixture.ExpectNoSidewaysScrollAsync(page, "the brief page must not scroll sideways at 360 px");
        var table = page.Locator(".mp-compare-scroll");
        Assert.True(await table.EvaluateAsync<bool>("b => b.scrollWidth > b.clientWidth"), "the comparison scrolls inside its own box");
        var cards = await page.Locator("[data-testid=plan-card]").EvaluateAllAsync<double[]>("cs => cs.map(c => c.getBoundingClientRect().left)");
        Assert.All(cards, left => Assert.Equal(cards[0], left, 1));

        var levels = await page.EvaluateAsync<int[]>("() => [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1])");
        Assert.Equal(1, levels.Count(l => l == 1));
        Assert.Equal(1, levels[0]);
        for (var i = 1; i < levels.Length; i++)
            Assert.True(levels[i] <= levels[i - 1] + 1, $"heading {i} jumps from h{levels[i - 1]} to h{levels[i]}");
        // The "nothing deployed" notice is said once, by the page, not again by the selection reason under Details.
        await page.Locator("[data-testid=details-toggle]").First.ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=column-model]")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("No fine-tuned model is deployed", new() { Exact = false })).ToHaveCountAsync(1);
    }

    [BrowserFact]
    public async Task On_the_brief_list_and_form_at_390_px_nothing_scrolls_sideways()
    {
        var page = await browser.SignedInPageAsync("planner@demo.local");
        await page.SetViewportSizeAsync(390, 844);
        foreach (var url in new[] { "/briefs", "/briefs/new" })
        {
            await page.GotoAsync(url);
            await BrowserFixture.WaitForInteractiveAsync(page);
            await Assertions.Expect(page.Locator("h1")).ToHaveCountAsync(1);
            await BrowserFixture.ExpectNoSidewaysScrollAsync(page, $"{url} must not scroll sideways at 390 px");
        }
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/briefs/new$"));
    }
}
