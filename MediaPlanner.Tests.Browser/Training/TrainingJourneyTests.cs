using System.Text.RegularExpressions;
using MediaPlanner.Domain.Briefs;
using Microsoft.Playwright;
using MediaPlanner.Tests.Infrastructure;

namespace MediaPlanner.Tests.Browser.Training;

[Collection(BrowserCollection.Name)]
public class TrainingJourneyTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private Task<int> BriefWithPlansAsync(string brand) => browser.PlannedBriefAsync(TestBriefs.Input(brand, campaign: "Summer push", budget: 90_000m, objective: Objective.Conversion,
        start: new DateTime(2027, 6, 1), end: new DateTime(2027, 7, 15), channels: [Channel.Search, Channel.Social, Channel.Display],
        text: "Drive online sales of the summer range with a focus on returning customers and high-intent searchers."));

    [BrowserFact]
    public async Task A_chosen_plan_validated_by_a_reviewer_appears_in_the_export()
    {
        var briefId = await BriefWithPlansAsync("Exportable Outfitters");
        var planner = await browser.SignedInPageAsync("planner@demo.local");
        await planner.GotoAsync($"/briefs/{briefId}");
        await BrowserFixture.WaitForInteractiveAsync(planner);
        await Assertions.Expect(planner.Locator("[data-testid=plan-card]").First).ToBeVisibleAsync();

        await planner.Locator("[data-testid=use-plan]").Last.ClickAsync();
        await planner.ClickAsync("[data-testid=confirm-use]");

        await Assertions.Expect(planner.Locator("[data-testid=plan-chosen]")).ToHaveCountAsync(1);
        await Assertions.Expect(planner.Locator("[data-testid=use-plan]")).ToHaveCountAsync(0);

        var reviewer = await browser.SignedInPageAsync("reviewer@demo.local");
        await reviewer.GotoAsync("/review");
        await BrowserFixture.WaitForInteractiveAsync(reviewer);
        var row = reviewer.Locator("[data-testid=review-grid] tbody tr", new() { HasText = "Exportable Outfitters" });
        await row.ClickAsync();
        await reviewer.WaitForURLAsync(new Regex(@"/review/\d+$"));
        await BrowserFixture.WaitForInteractiveAsync(reviewer);
        await reviewer.ClickAsync("[data-testid=validate]");
        await Assertions.Expect(reviewer.Locator("[data-testid=example-status]")).ToHaveTextAsync("Validated");

        var export = await reviewer.Context.APIRequest.GetAsync("/api/training-data/export");
        Assert.Equal(200, export.Status);
        var lines = (await export.TextAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.Contains("Brand: Exportable Outfitters", StringComparison.Ordinal));
    }

    [BrowserFact]
    public async Task A_reviewer_rejects_with_a_reason_from_the_detail_page()
    {
        var briefId = await BriefWithPlansAsync("Rejected Goods");
        var reviewer = await browser.ReviewerOnChosenPlanAsync(briefId, "Rejected Goods");
        await reviewer.ClickAsync("[data-testid=reject]");
        await reviewer.ClickAsync("[data-testid=confirm-reject]");
        await Assertions.Expect(reviewer.GetByText("Give a reason for rejecting.")).ToBeVisibleAsync();
        await reviewer.FillAsync("#reject-reason", "Search share too low for a conversion brief.");
        await reviewer.ClickAsync("[data-testid=confirm-reject]");

        await Assertions.Expect(reviewer.Locator("[data-testid=example-status]")).ToHaveTextAsync("Rejected");
        await Assertions.Expect(reviewer.GetByText("Reason: Search share too low for a conversion brief.")).ToBeVisibleAsync();
        if (Environment.GetEnvironmentVariable("SCREENSHOT_DIR") is { Length: > 0 } dir)
            await reviewer.ScreenshotAsync(new() { Path = Path.Combine(dir, "review-detail.png") });
    }
}
