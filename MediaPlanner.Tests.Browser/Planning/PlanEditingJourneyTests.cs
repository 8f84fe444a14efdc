using MediaPlanner.Domain.Briefs;
using Microsoft.Playwright;
using MediaPlanner.Tests.Infrastructure;

namespace MediaPlanner.Tests.Browser.Planning;

[Collection(BrowserCollection.Name)]
public class PlanEditingJourneyTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private Task<int> BriefWithPlansAsync(string brand) => browser.PlannedBriefAsync(TestBriefs.Input(brand, campaign: "Harbour opening", budget: 150_000m, objective: Objective.Consideration,
        start: new DateTime(2027, 5, 3), end: new DateTime(2027, 6, 27),
        text: "Open the new harbour store to families within driving distance and bring them to the opening weekend events."));

    [BrowserFact]
    public async Task A_planner_edits_a_plan_sees_the_figures_change_saves_it_uses_it_and_undoes_it()
    {
        var briefId = await BriefWithPlansAsync("Harbour Outfitters");
        var page = await browser.SignedInPageAsync("planner@demo.local");
        await page.GotoAsync($"/briefs/{briefId}");
        await BrowserFixture.WaitForInteractiveAsync(page);
        var card = page.Locator("[data-testid=plan-card]").First;
        await Assertions.Expect(card).ToBeVisibleAsync();

        await card.Locator("[data-testid=edit-plan]").ClickAsync();
        var spend = page.Locator("[data-testid=editor-line]").First.Locator("input[data-testid=spend-input], [data-testid=spend-input] input");
        var current = decimal.Parse(await spend.InputValueAsync(), System.Globalization.CultureInfo.InvariantCulture);
        await Assertions.Expect(page.Locator("[data-testid=figure-reach] [data-testid=figure-change]")).ToHaveTextAsync("±0 %");

        await spend.FillAsync((current + 40_000m).ToString(System.Globalization.CultureInfo.InvariantCulture));

        await Assertions.Expect(page.Locator("[data-testid=figure-spend] [data-testid=figure-change]")).ToHaveTextAsync("+40,000");
        await Assertions.Expect(page.Locator("[data-testid=figure-reach] [data-testid=figure-change]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\+\d"));
        await Assertions.Expect(page.Locator("[data-testid=figure-score] [data-testid=figure-change]")).Not.ToHaveTextAsync("");
        await page.ClickAsync("[data-testid=save-version]");

        await Assertions.Expect(card.Locator("[data-testid=plan-version]")).ToHaveTextAsync("v2 · edited");
        await card.Locator("[data-testid=plan-history]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=plan-versions] tbody tr")).ToHaveCountAsync(2);
        await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Close", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=plan-versions]")).ToHaveCountAsync(0);

        await card.Locator("[data-testid=use-plan]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=use-plan-explanation]")).ToContainTextAsync("This becomes the plan for Harbour opening.");
        await page.ClickAsync("[data-testid=confirm-use]");

        await Assertions.Expect(card.Locator("[data-testid=plan-chosen]")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("A reviewer checks it next", new() { Exact = false })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=use-plan]")).ToHaveCountAsync(0);

        await card.Locator("[data-testid=undo-choice]").ClickAsync();

        await Assertions.Expect(page.Locator("[data-testid=plan-chosen]")).ToHaveCountAsync(0);
        await Assertions.Expect(card.Locator("[data-testid=use-plan]")).ToBeVisibleAsync();
        await Assertions.Expect(card.Locator("[data-testid=plan-version]")).ToHaveTextAsync("v2 · edited");
    }
}
