using Bunit;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Training;
using MediaPlanner.Web.Components.Pages.FineTuning;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace MediaPlanner.Tests.Components;

public class FineTuneJobPageTests : ComponentTestContext
{
    private readonly FineTuneNotifications _notifications = new();
    private readonly IRenderedComponent<MudDialogProvider> _dialogs;

    public FineTuneJobPageTests()
    {
        Services.AddSingleton(_notifications);
        Services.AddSingleton(new FineTuneWakeup());
        Services.AddSingleton(new TrainingSettings(TrainingSettings.DefaultBaseModel));
        Services.AddSingleton(MediaMixParameters.Default);
        Services.AddScoped<FineTuneService>();
        SignInAs("admin-1", Roles.Admin);
        Render<MudPopoverProvider>();
        _dialogs = Render<MudDialogProvider>();
        Render<MudSnackbarProvider>();
    }

    private int SeedJob(FineTuneStatus status, int done, int total)
    {
        using var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext();
        var job = new FineTuneJob
        {
            Provider = FineTuneProviders.Local, BaseModel = "local-mix-v1", Status = status, CompletedSteps = done, TotalSteps = total,
            CreatedAt = DateTimeOffset.UtcNow, StartedAt = DateTimeOffset.UtcNow, CreatedById = "admin-1", TrainingExamples = 20,
        };
        db.FineTuneJobs.Add(job);
        db.SaveChanges();
        return job.Id;
    }

    [Fact]
    public async Task Progress_events_and_the_loss_chart_update_as_notices_arrive()
    {
        var id = SeedJob(FineTuneStatus.Running, 0, 4);
        var cut = Render<FineTuneJobPage>(p => p.Add(c => c.Id, id));
        cut.WaitForElement("[data-testid=job-progress-text]");
        Assert.Contains("loss-chart-empty", cut.Markup);

        await _notifications.PublishAsync(new JobUpdated(id, FineTuneStatus.Running, 2, 4, null, null, null, null, DateTimeOffset.UtcNow, null, false));
        await _notifications.PublishAsync(new JobEventAdded(id, 1, DateTimeOffset.UtcNow, "info", "Step 1/4: training loss 0.900", 1, 0.9, 1.0));
        await _notifications.PublishAsync(new JobEventAdded(id, 2, DateTimeOffset.UtcNow, "info", "Step 2/4: training loss 0.500", 2, 0.5, 0.7));
        await _notifications.PublishAsync(new JobEventAdded(id + 1, 3, DateTimeOffset.UtcNow, "info", "Another job's step", 1, 0.1, 0.1));

        cut.WaitForAssertion(() =>
        {
            Assert.Contains("50% — step 2 of 4", cut.Find("[data-testid=job-progress-text]").TextContent);
            Assert.Contains("Step 2/4", cut.Find("[data-testid=job-events]").TextContent);
            Assert.DoesNotContain("Another job", cut.Find("[data-testid=job-events]").TextContent);
            Assert.Equal(2, cut.Find("[data-testid=train-line]").GetAttribute("points")!.Split(' ').Length);
        });

        await _notifications.PublishAsync(new JobUpdated(id, FineTuneStatus.Succeeded, 4, 4, "local-mix:ft-x-1", 1000, null, null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, false));
        cut.WaitForAssertion(() =>
        {
            Assert.Equal("Succeeded", cut.Find("[data-testid=job-status]").TextContent.Trim());
            Assert.Contains("Done: local-mix:ft-x-1", cut.Find("[data-testid=job-progress-text]").TextContent);
            Assert.True(cut.Find("[data-testid=cancel-job]").HasAttribute("disabled"));
        });
    }

    [Fact]
    public void A_failed_job_shows_its_error()
    {
        using (var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext())
        {
            db.FineTuneJobs.Add(new FineTuneJob
            {
                Provider = FineTuneProviders.OpenAI, BaseModel = "gpt-4o-mini-2024-07-18", Status = FineTuneStatus.Failed, CreatedAt = DateTimeOffset.UtcNow,
                CreatedById = "admin-1", ErrorCode = "invalid_training_file", ErrorMessage = "Line 4 has no assistant message.", ErrorParam = "training_file",
            });
            db.SaveChanges();
        }

        var cut = Render<FineTuneJobPage>(p => p.Add(c => c.Id, 1));

        cut.WaitForAssertion(() =>
        {
            var error = cut.Find("[data-testid=job-error]").TextContent;
            Assert.Contains("invalid_training_file", error);
            Assert.Contains("Line 4 has no assistant message.", error);
            Assert.Contains("training_file", error);
        });
    }

    [Fact]
    public async Task Cancel_asks_for_confirmation_and_then_requests_the_cancel()
    {
        var id = SeedJob(FineTuneStatus.Running, 1, 10);
        var cut = Render<FineTuneJobPage>(p => p.Add(c => c.Id, id));
        cut.WaitForElement("[data-testid=cancel-job]");

        cut.Find("[data-testid=cancel-job]").Click();
        using (var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext())
            Assert.False(db.FineTuneJobs.Single(j => j.Id == id).CancelRequested);
        _dialogs.WaitForAssertion(() => Assert.Contains("Cancel this job?", _dialogs.Markup));
        _dialogs.FindAll("button").First(b => b.TextContent.Trim() == "Cancel job").Click();

        cut.WaitForAssertion(() =>
        {
            using var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext();
            Assert.True(db.FineTuneJobs.Single(j => j.Id == id).CancelRequested);
        });
    }
}
