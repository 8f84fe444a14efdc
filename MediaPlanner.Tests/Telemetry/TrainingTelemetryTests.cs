using System.Text;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaPlanner.Tests.Telemetry;

/// <summary>An import, the review of what it brought and an export, as the app's counters see them.</summary>
public sealed class TrainingTelemetryTests : MeteredAppTests
{
    [Fact]
    public async Task Import_review_and_export_record_lines_rejects_and_each_review_action()
    {
        var admin = await App.DemoUserAsync("admin@demo.local");
        var reviewer = await App.DemoUserAsync("reviewer@demo.local");
        var file = string.Join("\n", ValidatedExamples.Lines(3, "Telemetry").Append("{ not json"));
        using var scope = App.Services.CreateScope();
        var training = scope.ServiceProvider.GetRequiredService<TrainingDataService>();
        var reviews = scope.ServiceProvider.GetRequiredService<ReviewService>();

        var report = await training.ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(file)), "otel.jsonl", false, admin);

        Assert.Equal((4, 1), (report.Lines, report.RejectedCount));
        Assert.Equal(4, Metrics.Sum("mediaplanner.training.import.lines"));
        Assert.Equal(1, Metrics.Sum("mediaplanner.training.import.rejects"));

        List<TrainingExample> examples;
        await using (var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync())
            examples = await db.TrainingExamples.Where(e => e.ImportRunId == report.RunId).OrderBy(e => e.Id).ToListAsync();
        Assert.False((await reviews.RejectAsync(examples[1].Id, examples[1].Version, " ", reviewer)).Succeeded);
        Assert.True((await reviews.ValidateAsync(examples[0].Id, examples[0].Version, reviewer)).Succeeded);
        Assert.True((await reviews.RejectAsync(examples[1].Id, examples[1].Version, "Ignores the KPI.", reviewer)).Succeeded);
        var plan = ChatExample.Parse(examples[2].MessagesJson).Messages.Last(m => m.Role == ChatRoles.Assistant).Content!;
        Assert.True((await reviews.EditPlanAsync(examples[2].Id, examples[2].Version, plan, reviewer)).Succeeded);

        // The refused reject (no reason) is no action: one of each.
        Assert.Equal(["correct", "reject", "validate"], Metrics.Of("mediaplanner.review.actions").Select(r => r["action"]).Order());

        var written = await training.ExportAsync(new MemoryStream(), new ExportOptions());

        Assert.Equal(1, written);
        Assert.Equal(1, Metrics.Sum("mediaplanner.training.export.lines"));
    }
}
