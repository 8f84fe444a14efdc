using System.Globalization;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Training;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using MediaPlanner.Tests.Infrastructure;

namespace MediaPlanner.Tests.Browser.Review;

[Collection(BrowserCollection.Name)]
public class ReviewEditorBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [BrowserFact]
    public async Task A_reviewer_changes_a_lines_spend_in_the_structured_editor_and_the_stored_example_holds_it()
    {
        var briefId = await browser.PlannedBriefAsync(TestBriefs.Input("Structured Edits Co", campaign: "Autumn – launch", budget: 120_000m,
            start: new DateTime(2027, 9, 1), end: new DateTime(2027, 10, 15), channels: [Channel.OnlineVideo, Channel.ConnectedTv, Channel.Social],
            text: "Introduce the autumn range to adults across the US with video first, then social, ahead of the holiday season."));
        var reviewer = await browser.ReviewerOnChosenPlanAsync(briefId, "Structured Edits Co");
        var id = int.Parse(reviewer.Url.Split('/')[^1], CultureInfo.InvariantCulture);
        await Assertions.Expect(reviewer.Locator("[data-testid=brief-field-channels]")).ToContainTextAsync("Online video, CTV / OTT");
        await Assertions.Expect(reviewer.Locator("[data-testid=brief-field-budget]")).ToContainTextAsync("USD 120,000.00");

        await reviewer.GetByRole(AriaRole.Tab, new() { Name = "Edit plan" }).ClickAsync();
        var spendTotal = reviewer.Locator("[data-testid=total-spend] [data-testid=total-value]");
        await Assertions.Expect(spendTotal).ToHaveTextAsync("120,000.00");
        var impressions = await reviewer.Locator("[data-testid=total-impressions] [data-testid=total-value]").TextContentAsync();
        var firstSpend = reviewer.Locator("[data-testid=review-line]").First.Locator("input[data-testid=line-spend], [data-testid=line-spend] input");
        var before = decimal.Parse(await firstSpend.InputValueAsync(), CultureInfo.InvariantCulture);
        var after = before + 5_000m;

        await firstSpend.FillAsync(after.ToString(CultureInfo.InvariantCulture));

        await Assertions.Expect(spendTotal).ToHaveTextAsync("125,000.00");
        await Assertions.Expect(reviewer.Locator("[data-testid=total-impressions] [data-testid=total-value]")).Not.ToHaveTextAsync(impressions!);
        await reviewer.ClickAsync("[data-testid=save-edit]");
        await Assertions.Expect(reviewer.Locator("[data-testid=example-status]")).ToHaveTextAsync("Pending review");
        await Assertions.Expect(reviewer.GetByText("Saved", new() { Exact = false }).First).ToBeVisibleAsync();

        await using var db = await browser.App.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
        var stored = await db.TrainingExamples.AsNoTracking().SingleAsync(e => e.Id == id);
        Assert.NotNull(stored.EditedAt);
        var content = ChatExample.Parse(stored.MessagesJson).Messages.Single(m => m.Role == ChatRoles.Assistant).Content!;
        var plan = PlanJson.Deserialize(content);
        Assert.Equal(after, plan.LineItems[0].Spend);
        Assert.Equal(125_000m, plan.Totals.Spend);
        Assert.Contains("Autumn – launch", content, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u2013", stored.MessagesJson, StringComparison.Ordinal);
    }
}
