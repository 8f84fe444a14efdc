using Bunit;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web.Components.Pages.Training;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace MediaPlanner.Tests.Training;

public class TrainingDataImportRunsTests : ComponentTestContext
{
    private readonly IRenderedComponent<MudDialogProvider> _dialogs;

    public TrainingDataImportRunsTests()
    {
        AddTrainingDataServices();
        SignInAs("admin-1", Roles.Admin);
        _dialogs = RenderOverlays();
        Render<MudSnackbarProvider>();
    }

    private int SeedRun(ImportRunStatus status, int examples)
    {
        using var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext();
        var run = new ImportRun
        {
            Status = status, FileName = $"{status}.jsonl", StartedAt = DateTimeOffset.UtcNow.AddMinutes(-5), StartedById = "admin-1",
            Lines = 40, Stored = examples, Duplicates = 0, Rejected = 1,
            Message = status == ImportRunStatus.Interrupted ? $"The app stopped while this import ran. {examples} examples stored (0 of them duplicates) from its first 40 lines, 1 rejected." : null,
        };
        db.ImportRuns.Add(run);
        db.SaveChanges();
        for (var i = 0; i < examples; i++)
            db.TrainingExamples.Add(new TrainingExample
            {
                Source = ExampleSource.Imported, Status = ExampleStatus.PendingReview, MessagesJson = "{\"messages\":[]}",
                ContentHash = Guid.NewGuid().ToString("N"), CreatedAt = run.StartedAt, ImportRunId = run.Id,
            });
        db.SaveChanges();
        return run.Id;
    }

    [Fact]
    public void An_interrupted_import_is_listed_as_interrupted_with_what_it_stored_beside_a_completed_one()
    {
        SeedRun(ImportRunStatus.Completed, 3);
        var interrupted = SeedRun(ImportRunStatus.Interrupted, 39);

        var cut = Render<TrainingData>();

        var rows = cut.WaitForElements("[data-testid=import-run]");
        Assert.Equal(["Interrupted", "Completed"], rows.Select(r => r.GetAttribute("data-status")));
        var cells = rows[0].QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToList();
        Assert.Equal(["Interrupted.jsonl", "admin-1@test.local"], cells.Take(2));
        Assert.Equal(["Interrupted", "40", "39", "0", "1"], cells.Skip(3));
        var note = cut.Find($"[data-testid=import-run-note][data-run='{interrupted}']").TextContent;
        Assert.Contains("Interrupted: The app stopped while this import ran. 39 examples stored", note, StringComparison.Ordinal);
        Assert.Single(cut.FindAll("[data-testid=import-discard]"));
    }

    [Fact]
    public void Discard_asks_first_then_deletes_what_the_interrupted_import_stored()
    {
        var interrupted = SeedRun(ImportRunStatus.Interrupted, 4);
        var cut = Render<TrainingData>();

        cut.WaitForElement("[data-testid=import-discard]").Click();
        _dialogs.WaitForAssertion(() => Assert.Contains("Discard what this import stored?", _dialogs.Markup, StringComparison.Ordinal));
        _dialogs.FindAll("button").First(b => b.TextContent.Trim() == "Discard").Click();

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=import-discard]")));
        using var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext();
        Assert.Equal(0, db.TrainingExamples.Count(e => e.ImportRunId == interrupted));
        Assert.Contains("Discarded all 4 examples this import stored.", cut.Find($"[data-testid=import-run-note][data-run='{interrupted}']").TextContent, StringComparison.Ordinal);
        Assert.Single(db.AuditEntries.Where(a => a.Action == MediaPlanner.Domain.Audit.AuditActions.TrainingImportDiscard));
    }
}
