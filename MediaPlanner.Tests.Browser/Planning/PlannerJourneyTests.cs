using System.Diagnostics;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace MediaPlanner.Tests.Browser.Planning;

[Collection(BrowserCollection.Name)]
public class PlannerJourneyTests(BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    [BrowserFact]
    public async Task A_planner_writes_a_brief_generates_plans_and_sees_three_scored_cards()
    {
        var page = await browser.SignedInPageAsync("planner@demo.local");

        await BrowserFixture.SaveBriefAsync(page, "Northwind Running", "Spring trail launch", "250000");

        await Assertions.Expect(page.Locator("[data-testid=no-plans]")).ToBeVisibleAsync();

        var clicked = Stopwatch.StartNew();
        await page.ClickAsync("#generate");
        var cards = page.Locator("[data-testid=plan-card]");
        await Assertions.Expect(cards).ToHaveCountAsync(3);
        output.WriteLine($"Generate click to three plan cards: {clicked.ElapsedMilliseconds} ms (includes Playwright's polling)");

        var strategies = await page.Locator("[data-testid=plan-strategy]").AllTextContentsAsync();
        Assert.Equal(["Reach-led", "Balanced", "Performance-led"], strategies);
        foreach (var score in await page.Locator("[data-testid=plan-score]").AllTextContentsAsync())
            Assert.Matches(@"^\d{1,3} / 100$", score.Trim());
        Assert.Equal(3, await page.Locator("[data-testid=allocation-chart]").CountAsync());

        // Plans are saved with the brief: they come back after a reload.
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("[data-testid=plan-card]")).ToHaveCountAsync(3);

        if (Environment.GetEnvironmentVariable("SCREENSHOT_DIR") is { Length: > 0 } dir)
            await page.ScreenshotAsync(new() { Path = Path.Combine(dir, "brief-page.png"), FullPage = false });
    }

    [BrowserFact]
    public async Task A_planner_compares_the_plans_in_a_table_and_opens_reach_and_frequency()
    {
        var page = await browser.SignedInPageAsync("planner@demo.local");
        await BrowserFixture.SaveBriefAsync(page, "Northwind Running", "Compare and curves", "250000");
        await page.ClickAsync("#generate");
        await Assertions.Expect(page.Locator("[data-testid=plan-card]")).ToHaveCountAsync(3);

        var table = page.Locator("[data-testid=comparison-table]");
        await Assertions.Expect(table).ToBeVisibleAsync();
        await Assertions.Expect(table.Locator("[data-testid=comparison-plan]")).ToHaveCountAsync(3);
        await Assertions.Expect(table.Locator("[data-testid=row-cpa] td[data-best=true]").First).ToContainTextAsync("(best)");
        await Assertions.Expect(page.Locator("[data-testid=plan-conversions]")).ToHaveCountAsync(3);

        // Plumbing is behind Details for a planner.
        await Assertions.Expect(page.Locator("[data-testid=plan-model]")).ToHaveCountAsync(0);
        await page.ClickAsync("[data-testid=details-toggle]");
        await Assertions.Expect(page.Locator("[data-testid=plan-model]")).ToHaveCountAsync(3);

        var card = page.Locator("[data-testid=plan-card]").First;
        await card.GetByText("Reach & frequency").ClickAsync();
        await Assertions.Expect(card.Locator("[data-testid=curve-chart]")).ToBeVisibleAsync();
        await Assertions.Expect(card.Locator("[data-testid=curve-point]")).ToHaveCountAsync(15);
        await Assertions.Expect(card.Locator("[data-testid=curve-point][data-plan=true]")).ToHaveCountAsync(1);
        await Assertions.Expect(card.Locator("[data-testid=frequency-bucket]")).ToHaveCountAsync(5);

        var dir = Environment.GetEnvironmentVariable("SCREENSHOT_DIR");
        if (dir is { Length: > 0 })
        {
            await table.ScreenshotAsync(new() { Path = Path.Combine(dir, "comparison-1440.png") });
            await card.ScreenshotAsync(new() { Path = Path.Combine(dir, "reach-frequency-1440.png") });
            await page.ScreenshotAsync(new() { Path = Path.Combine(dir, "brief-page-compare-1440.png"), FullPage = true });
        }

        // On a phone the table scrolls inside its own box; the page does not scroll sideways.
        await page.SetViewportSizeAsync(390, 844);
        await Assertions.Expect(page.Locator(".mp-compare-scroll")).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => { const s = document.querySelector('.mp-compare-scroll'); return s.scrollWidth > s.clientWidth; }"));
        await BrowserFixture.ExpectNoSidewaysScrollAsync(page, "The page must not scroll sideways at 390 px.");
        if (dir is { Length: > 0 })
        {
            await table.ScreenshotAsync(new() { Path = Path.Combine(dir, "comparison-390.png") });
            await card.ScreenshotAsync(new() { Path = Path.Combine(dir, "reach-frequency-390.png") });
            await page.ScreenshotAsync(new() { Path = Path.Combine(dir, "brief-page-compare-390.png"), FullPage = true });
        }
    }

    [BrowserFact]
    public async Task The_brief_form_explains_bad_input_at_the_fields()
    {
        var page = await browser.SignedInPageAsync("planner@demo.local");
        await page.GotoAsync("/briefs/new");
        await BrowserFixture.WaitForInteractiveAsync(page);

        await page.FillAsync("#budget", "-5");
        await page.FillAsync("#brief-text", "Too short");
        await page.ClickAsync("#save-brief");

        await Assertions.Expect(page.GetByText("Enter the brand.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("The budget must be more than zero.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Write at least 50 characters", new() { Exact = false })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Choose a market.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Name the campaign.")).ToBeVisibleAsync();
        Assert.EndsWith("/briefs/new", page.Url);
    }

    [BrowserFact]
    public async Task A_reviewer_opening_a_planner_page_is_told_so()
    {
        var page = await browser.SignedInPageAsync("reviewer@demo.local");

        await Assertions.Expect(page.Locator("a[href='briefs/new']")).ToHaveCountAsync(0);
        await page.GotoAsync("/briefs/new");

        await Assertions.Expect(page.GetByText("does not have the role this page needs", new() { Exact = false })).ToBeVisibleAsync();
    }
}
