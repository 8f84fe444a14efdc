using System.Text;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace MediaPlanner.Tests.Browser.Training;

/// <summary>
/// A visit to /training or /review reads its summary and model list once: while prerendering, with the result handed
/// to the circuit, which does not read them again. Counted from the SQL the app sends to its own database.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PageReadsOncePerVisitTests(BrowserFixture browser) : IClassFixture<BrowserFixture>, IDisposable
{
    private readonly SqlCommands _sql = new(new SqliteConnectionStringBuilder(browser.App.ConnectionString).DataSource);

    public void Dispose() => _sql.Dispose();

    private static bool IsSummary(string sql) => sql.Contains("\"TrainingSummaryCounts\"", StringComparison.Ordinal) && sql.Contains("\"QualitySum\"", StringComparison.Ordinal);

    private static bool IsModelList(string sql) => sql.Contains("SELECT DISTINCT", StringComparison.Ordinal) && sql.Contains("\"Model\"", StringComparison.Ordinal);

    /// <summary>Examples waiting for review and validated ones, each with the model that made it, so both pages have figures.</summary>
    private async Task SeedAsync(string prefix)
    {
        await ValidatedExamples.SeedAsync(browser.App.Services, 12, $"{prefix} validated");
        var admin = await browser.App.DemoUserAsync("admin@demo.local");
        using (var scope = browser.App.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<TrainingDataService>().ImportAsync(
                new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', ValidatedExamples.Lines(5, $"{prefix} pending")))), false, admin);
        await using var db = await browser.App.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
        await db.TrainingExamples.Where(e => e.Brand!.StartsWith(prefix)).ExecuteUpdateAsync(s => s.SetProperty(e => e.Model, "local-mix-v1"));
    }

    [BrowserFact]
    public async Task The_training_page_reads_its_summary_once_per_visit()
    {
        await SeedAsync("Once training");
        var page = await browser.SignedInPageAsync("reviewer@demo.local");
        _sql.Clear();

        await page.GotoAsync("/training");
        await BrowserFixture.WaitForInteractiveAsync(page);
        // A round trip through the circuit: the page is live, past its start, and answers with the summary it was handed.
        var split = page.Locator("[data-testid=export-split]");
        var before = await split.TextContentAsync();
        await page.FillAsync("#validation-percent", "25");
        await page.PressAsync("#validation-percent", "Tab");
        await Assertions.Expect(split).Not.ToHaveTextAsync(before!);
        await Assertions.Expect(split).ToContainTextAsync("Holds out");

        Assert.Equal(1, _sql.Count(IsSummary));
    }

    [BrowserFact]
    public async Task The_review_queue_reads_its_model_list_once_per_visit()
    {
        await SeedAsync("Once review");
        var page = await browser.SignedInPageAsync("reviewer@demo.local");
        _sql.Clear();

        await page.GotoAsync("/review");
        await BrowserFixture.WaitForInteractiveAsync(page);
        await page.Locator("[data-testid=review-grid] tbody tr input[type=checkbox]").First.CheckAsync();
        await Assertions.Expect(page.Locator("[data-testid=bulk-validate]")).ToHaveTextAsync("Validate 1");

        Assert.Equal(1, _sql.Count(IsModelList));
    }
}
