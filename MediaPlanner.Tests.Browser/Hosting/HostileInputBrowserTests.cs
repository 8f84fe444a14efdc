using System.Collections.Concurrent;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace MediaPlanner.Tests.Browser.Hosting;

[Collection(BrowserCollection.Name)]
public class HostileInputBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string Markup = HostileText.Markup;

    [BrowserFact]
    public async Task Markup_saved_in_a_brief_shows_as_text_on_its_page_and_in_the_list_and_never_runs()
    {
        var id = await SaveBriefAsync();
        var page = await browser.SignedInPageAsync("planner@demo.local");
        var dialogs = new ConcurrentQueue<string>();
        var canarySeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        page.Dialog += (_, dialog) =>
        {
            dialogs.Enqueue(dialog.Message);
            if (dialog.Message == "canary")
                canarySeen.TrySetResult();
            _ = dialog.DismissAsync();
        };

        await page.GotoAsync($"/briefs/{id}");
        await BrowserFixture.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync(Markup);
        await Assertions.Expect(page.Locator("[data-testid=brief-text]")).ToContainTextAsync(Markup);
        Assert.Contains(Markup, await page.TitleAsync());
        await AssertInertAsync(page);

        await page.GotoAsync("/briefs");
        await BrowserFixture.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.Locator("td", new() { HasText = Markup }).First).ToBeVisibleAsync();
        await AssertInertAsync(page);

        // Show that the dialog listener works, so "no dialog" above means none fired rather than none was seen.
        await page.EvaluateAsync("() => { setTimeout(() => alert('canary'), 0); }");
        await canarySeen.Task.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(["canary"], dialogs);
    }

    /// <summary>No element made from the saved markup: no script holding it, no image with its handler.</summary>
    private static async Task AssertInertAsync(IPage page)
    {
        Assert.Equal(0, await page.EvaluateAsync<int>("() => [...document.scripts].filter(s => s.textContent.includes('alert(')).length"));
        Assert.Equal(0, await page.Locator("img[onerror], img[src='x']").CountAsync());
    }

    private async Task<int> SaveBriefAsync()
    {
        using var scope = browser.App.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var planner = new CurrentUser((await users.FindByEmailAsync("planner@demo.local"))!.Id, false);
        var saved = await scope.ServiceProvider.GetRequiredService<BriefService>().CreateAsync(TestBriefs.Input(Markup, campaign: "Spring launch", budget: 150_000m,
            start: new DateTime(2027, 3, 1), end: new DateTime(2027, 4, 11), channels: [Channel.Search, Channel.Social],
            text: "Launch the spring range to commuters in the city, building awareness before the season. " + Markup), planner);
        Assert.True(saved.Succeeded);
        return saved.Value;
    }
}
