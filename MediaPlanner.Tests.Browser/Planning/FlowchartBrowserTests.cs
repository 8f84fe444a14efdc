using Microsoft.Playwright;

namespace MediaPlanner.Tests.Browser.Planning;

[Collection(BrowserCollection.Name)]
public class FlowchartBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [BrowserFact]
    public async Task On_a_phone_the_flowchart_scrolls_inside_its_box_with_the_channel_column_pinned()
    {
        var page = await browser.SignedInPageAsync("planner@demo.local");
        await BrowserFixture.SaveBriefAsync(page, "Northwind Running", "Flowchart on a phone", "250000");
        await page.ClickAsync("#generate");
        await Assertions.Expect(page.Locator("[data-testid=plan-card]")).ToHaveCountAsync(3);
        await page.SetViewportSizeAsync(390, 844);

        var panel = page.Locator("[data-testid=flowchart-panel]").First;
        await panel.GetByText("Flowchart", new() { Exact = false }).First.ClickAsync();
        var box = panel.Locator(".mp-flowchart-scroll");
        await Assertions.Expect(box).ToBeVisibleAsync();
        await Assertions.Expect(panel.Locator("[data-testid=flowchart-line]").First).ToBeVisibleAsync();

        await BrowserFixture.ExpectNoSidewaysScrollAsync(page, "the page must not scroll sideways at 390 px");
        Assert.True(await box.EvaluateAsync<bool>("b => b.scrollWidth > b.clientWidth"), "the weeks scroll inside the flowchart's box");
        if (Environment.GetEnvironmentVariable("SCREENSHOT_DIR") is { Length: > 0 } start)
            await panel.ScreenshotAsync(new() { Path = Path.Combine(start, "flowchart-390-start.png") });
        var pinnedBefore = await box.Locator("tbody th").First.BoundingBoxAsync();
        await box.EvaluateAsync("b => b.scrollLeft = b.scrollWidth");
        await Assertions.Expect(box).ToHaveJSPropertyAsync("scrollLeft", await box.EvaluateAsync<double>("b => b.scrollWidth - b.clientWidth"));
        var pinnedAfter = await box.Locator("tbody th").First.BoundingBoxAsync();
        Assert.Equal(pinnedBefore!.X, pinnedAfter!.X, 1);

        if (Environment.GetEnvironmentVariable("SCREENSHOT_DIR") is { Length: > 0 } dir)
            await box.ScreenshotAsync(new() { Path = Path.Combine(dir, "flowchart-390.png") });
    }

    [BrowserFact]
    public async Task On_a_phone_a_plans_line_items_scroll_inside_the_card_with_the_channel_column_pinned()
    {
        var page = await browser.SignedInPageAsync("planner@demo.local");
        await BrowserFixture.SaveBriefAsync(page, "Northwind Running", "Line items on a phone", "250000");
        await page.ClickAsync("#generate");
        await Assertions.Expect(page.Locator("[data-testid=plan-card]")).ToHaveCountAsync(3);
        await page.SetViewportSizeAsync(390, 844);

        var card = page.Locator("[data-testid=plan-card]").First;
        var box = card.Locator("[data-testid=line-items] .mud-table-container");
        await box.ScrollIntoViewIfNeededAsync();
        await BrowserFixture.ExpectNoSidewaysScrollAsync(page, "the page must not scroll sideways at 390 px");
        var cardBox = (await card.BoundingBoxAsync())!;
        await box.EvaluateAsync("b => b.scrollLeft = b.scrollWidth");
        // Scrolled to its end, the last column ("Reach × freq.") is inside the card, not cut off at its edge.
        var last = (await card.Locator("[data-testid=line-items] thead th").Last.BoundingBoxAsync())!;
        Assert.True(last.X + last.Width <= cardBox.X + cardBox.Width + 0.5,
            $"the last column ends at {last.X + last.Width:0} px, the card at {cardBox.X + cardBox.Width:0} px");
        var pinned = (await card.Locator("[data-testid=line-items] tbody td").First.BoundingBoxAsync())!;
        Assert.True(pinned.X >= cardBox.X - 0.5, "the channel column stays in view while the figures scroll");
    }
}
