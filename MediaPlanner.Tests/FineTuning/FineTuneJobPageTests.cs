using Bunit;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.FineTuning.Evaluation;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web.Components.Pages.FineTuning;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace MediaPlanner.Tests.FineTuning;

public class FineTuneJobPageTests : ComponentTestContext
{
    private readonly FineTuneNotifications _notifications = new();
    private readonly IRenderedComponent<MudDialogProvider> _dialogs;

    public FineTuneJobPageTests()
    {
        Services.AddSingleton(_notifications);
        AddFineTuneService();
        SignInAs("admin-1", Roles.Admin);
        _dialogs = RenderOverlays();
        Render<MudSnackbarProvider>();
    }

    private int SeedJob(FineTuneStatus status, int done, int total, string provider = FineTuneProviders.Local, Func<FineTuneJob, FineTuneJob>? evaluate = null)
    {
        using var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext();
        var job = new FineTuneJob
        {
            Provider = provider, BaseModel = provider == FineTuneProviders.Local ? "local-mix-v1" : "gpt-4o-mini-2024-07-18", Status = status,
            CompletedSteps = done, TotalSteps = total, CreatedAt = DateTimeOffset.UtcNow, StartedAt = DateTimeOffset.UtcNow, CreatedById = "admin-1",
            TrainingExamples = 20,
        };
        job = (evaluate ?? (j => j))(job);
        db.FineTuneJobs.Add(job);
        db.SaveChanges();
        return job.Id;
    }

    [Fact]
    public async Task Progress_events_and_the_loss_chart_of_an_openai_job_update_as_notices_arrive()
    {
        var id = SeedJob(FineTuneStatus.Running, 0, 4, FineTuneProviders.OpenAI);
        var cut = Render<FineTuneJobPage>(p => p.Add(c => c.Id, id));
        cut.WaitForElement("[data-testid=job-progress-text]");
        Assert.Contains("loss-chart-empty", cut.Markup);

        await _notifications.PublishAsync(new JobUpdated(id, new JobProgress(FineTuneStatus.Running, 2, 4, null, null, null, null, DateTimeOffset.UtcNow, null, false)));
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

        await _notifications.PublishAsync(new JobUpdated(id, new JobProgress(FineTuneStatus.Succeeded, 4, 4, "ft:gpt-4o-mini:x", 1000, null, null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, false)));
        cut.WaitForAssertion(() =>
        {
            Assert.Equal("Succeeded", cut.Find("[data-testid=job-status]").TextContent.Trim());
            Assert.Contains("Done: ft:gpt-4o-mini:x was not compared with the base model", cut.Find("[data-testid=job-progress-text]").TextContent);
            Assert.True(cut.Find("[data-testid=cancel-job]").HasAttribute("disabled"));
        });
    }

    [Fact]
    public async Task A_hosted_job_shows_the_providers_job_id_and_its_status_as_people_read_it()
    {
        var id = SeedJob(FineTuneStatus.ValidatingFiles, 0, 0, FineTuneProviders.OpenAI, j =>
        {
            j.ExternalId = "ftjob-abc123";
            return j;
        });

        var cut = Render<FineTuneJobPage>(p => p.Add(c => c.Id, id));
        cut.WaitForElement("[data-testid=job-external-id]");

        Assert.Equal("OpenAI job ftjob-abc123", cut.Find("[data-testid=job-external-id]").TextContent.Trim());
        Assert.Equal("ftjob-abc123", cut.Find("[data-testid=job-external-id] code.mp-copyable").TextContent);
        Assert.Contains("ftjob-abc123", cut.Find("[data-testid=job-provider-job]").TextContent);
        Assert.Equal("Validating files", cut.Find("[data-testid=job-status]").TextContent.Trim());
        Assert.Equal("Validating files…", cut.Find("[data-testid=job-progress-text]").TextContent.Trim());
        Assert.DoesNotContain("ValidatingFiles", cut.Markup);

        await _notifications.PublishAsync(new JobUpdated(id, new JobProgress(FineTuneStatus.Running, 0, 0, null, null, null, null, DateTimeOffset.UtcNow, null, false)));

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("Running", cut.Find("[data-testid=job-status]").TextContent.Trim());
            Assert.Equal("Running…", cut.Find("[data-testid=job-progress-text]").TextContent.Trim());
        });
    }

    [Fact]
    public async Task A_hosted_job_shows_its_provider_job_id_once_the_upload_has_given_it_one()
    {
        var id = SeedJob(FineTuneStatus.ValidatingFiles, 0, 0, FineTuneProviders.OpenAI);
        var cut = Render<FineTuneJobPage>(p => p.Add(c => c.Id, id));
        cut.WaitForElement("[data-testid=job-progress-text]");
        Assert.Empty(cut.FindAll("[data-testid=job-external-id]"));
        using (var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext())
        {
            db.FineTuneJobs.Single(j => j.Id == id).ExternalId = "ftjob-late42";
            db.SaveChanges();
        }

        await _notifications.PublishAsync(new JobUpdated(id, new JobProgress(FineTuneStatus.Queued, 0, 0, null, null, null, null, null, null, false)));

        cut.WaitForAssertion(() => Assert.Equal("OpenAI job ftjob-late42", cut.Find("[data-testid=job-external-id]").TextContent.Trim()));
    }

    [Fact]
    public void A_local_job_shows_no_provider_job_line_in_its_header()
    {
        var id = SeedJob(FineTuneStatus.Running, 1, 4);

        var cut = Render<FineTuneJobPage>(p => p.Add(c => c.Id, id));
        cut.WaitForElement("[data-testid=job-progress-text]");

        Assert.Empty(cut.FindAll("[data-testid=job-external-id]"));
        Assert.Equal("—", cut.Find("[data-testid=job-provider-job]").TextContent.Trim());
    }

    [Fact]
    public void The_jobs_list_shows_each_status_as_people_read_it()
    {
        foreach (var status in Enum.GetValues<FineTuneStatus>())
            SeedJob(status, 0, 0, FineTuneProviders.OpenAI);

        var cut = Render<FineTuningJobs>();

        // Newest first.
        cut.WaitForAssertion(() => Assert.Equal(["Cancelled", "Failed", "Succeeded", "Running", "Queued", "Validating files"],
            cut.FindAll("[data-testid=job-status]").Select(c => c.TextContent.Trim())));
        Assert.DoesNotContain("ValidatingFiles", cut.Markup);
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
    public async Task A_job_postponed_by_an_outage_says_since_when_and_why_openai_is_silent_until_it_answers_again()
    {
        var lastContact = new DateTimeOffset(2026, 12, 3, 20, 40, 0, TimeSpan.Zero);
        var since = lastContact.AddMinutes(1);
        var next = since.AddMinutes(5);
        const string reason = "OpenAI could not be reached while checking the job (HTTP 503).";
        var id = SeedJob(FineTuneStatus.Running, 2, 4, FineTuneProviders.OpenAI, j =>
        {
            j.ExternalId = "ftjob-abc";
            j.FailedAttempts = 7;
            j.LastContactAt = lastContact;
            j.UnreachableSince = since;
            j.UnreachableReason = reason;
            return j;
        });
        var lostId = ProviderOutage.LostId(since, lastContact);
        using (var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext())
        {
            db.FineTuneEvents.AddRange(
                new FineTuneEvent { JobId = id, ExternalId = lostId, CreatedAt = since, Level = "warn", Message = "Lost contact with OpenAI." },
                new FineTuneEvent { JobId = id, ExternalId = ProviderOutage.RetryId(7, next), CreatedAt = since, Level = "warn", Message = "HTTP 503. Trying again." });
            db.SaveChanges();
        }
        static string Local(DateTimeOffset t) => t.ToLocalTime().ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture);

        var cut = Render<FineTuneJobPage>(p => p.Add(c => c.Id, id));

        // Read from the job's own columns, so a page opened after a restart tells the same story.
        cut.WaitForAssertion(() =>
        {
            var alert = cut.Find("[data-testid=job-unreachable]").TextContent;
            Assert.Contains($"OpenAI has not answered since {Local(since)}", alert);
            Assert.Contains("(OpenAI could not be reached while checking the job (HTTP 503));", alert);
            Assert.Contains($"last contact {Local(lastContact)}; next try at {Local(next)}.", alert);
            Assert.Contains("The job is still followed", alert);
            Assert.Contains("postponed, never failed", alert);
        });

        // The runner's save after the next answer clears the outage.
        await _notifications.PublishAsync(new JobUpdated(id, new JobProgress(FineTuneStatus.Running, 3, 4, null, null, null, null, DateTimeOffset.UtcNow, null, false,
            LastContactAt: next, UnreachableSince: null, UnreachableReason: null)));

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=job-unreachable]")));

        // A new outage opens the alert again from the notice alone.
        await _notifications.PublishAsync(new JobUpdated(id, new JobProgress(FineTuneStatus.Running, 3, 4, null, null, null, null, DateTimeOffset.UtcNow, null, false,
            LastContactAt: next, UnreachableSince: next.AddMinutes(1), UnreachableReason: "OpenAI is limiting the request rate (429) while checking the job.")));

        cut.WaitForAssertion(() =>
        {
            var alert = cut.Find("[data-testid=job-unreachable]").TextContent;
            Assert.Contains($"OpenAI has not answered since {Local(next.AddMinutes(1))}", alert);
            Assert.Contains("(429)", alert);
            Assert.Contains($"last contact {Local(next)}", alert);
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

    private const string Result = "local-mix:ft-heldout-1";

    private static JobEvaluation NotBetter() => HeldOutTestData.Evaluation(Result, 0.78, 76.0,
        new ResultWeighting(240, 12, 0.6, 1.02, 1.8), new PreferenceUse(24, false, 0.79, 0.78));

    [Fact]
    public void A_finished_job_shows_its_verdict_the_held_out_checkpoints_with_the_result_marked_and_how_results_weighed()
    {
        var id = SeedJob(FineTuneStatus.Succeeded, 12, 12, evaluate: j =>
        {
            j.FineTunedModel = Result;
            return j.Evaluated(NotBetter());
        });

        var cut = Render<FineTuneJobPage>(p => p.Add(c => c.Id, id));
        cut.WaitForElement("[data-testid=job-verdict]");

        var verdict = cut.Find("[data-testid=job-verdict]");
        Assert.Contains("mud-alert-text-warning", verdict.ClassName);
        Assert.Contains("Not recommended for deployment", verdict.TextContent);
        Assert.Contains("did not improve on the base model: held-out distance to the validated plans 0.78 vs the base model's 0.76", verdict.TextContent);
        var result = cut.Find("[data-testid=heldout-result]");
        Assert.Contains(Result, result.TextContent);
        Assert.Contains("result", result.TextContent);
        Assert.Contains("0.78", result.TextContent);
        Assert.Equal(2, cut.FindAll("[data-testid=heldout-checkpoint]").Count);
        Assert.Contains("0.76", cut.Find("[data-testid=heldout-base]").TextContent);
        Assert.Equal(3, cut.FindAll("[data-testid=heldout-distance-point]").Count);
        Assert.NotNull(cut.Find("[data-testid=heldout-distance-base]"));
        Assert.Contains("Distance to validated plans (lower is better)", cut.Find("[data-testid=heldout-distance]").TextContent);
        Assert.Equal("12 of 240 examples carried campaign results and weighed by how they delivered against the benchmarks: weights 0.6–1.8, mean 1.02.",
            cut.Find("[data-testid=heldout-weighting]").TextContent.Replace("Campaign results:", "").Trim());
        Assert.Contains("24 pairs — not used: held-out distance 0.79 with vs 0.78 without", cut.Find("[data-testid=heldout-preferences]").TextContent);
        Assert.Contains("not recommended for deployment", cut.Find("[data-testid=job-progress-text]").TextContent);
        // Local step events carry no loss now: the held-out chart replaces the loss chart.
        Assert.Empty(cut.FindAll("[data-testid=loss-chart-empty]"));
    }

    [Fact]
    public void A_recommended_job_shows_a_success_banner()
    {
        var id = SeedJob(FineTuneStatus.Succeeded, 12, 12, evaluate: j =>
        {
            j.FineTunedModel = Result;
            return j.Evaluated(HeldOutTestData.Evaluation(Result, 0.21, 80.2));
        });

        var cut = Render<FineTuneJobPage>(p => p.Add(c => c.Id, id));
        cut.WaitForElement("[data-testid=job-verdict]");

        Assert.Contains("mud-alert-text-success", cut.Find("[data-testid=job-verdict]").ClassName);
        Assert.Contains("72% closer", cut.Find("[data-testid=job-verdict]").TextContent.Replace(" %", "%"));
        Assert.Empty(cut.FindAll("[data-testid=heldout-weighting]"));
    }

    [Fact]
    public async Task When_a_job_finishes_the_page_reads_its_evaluation_back_and_shows_the_verdict()
    {
        var id = SeedJob(FineTuneStatus.Running, 11, 12);
        var cut = Render<FineTuneJobPage>(p => p.Add(c => c.Id, id));
        cut.WaitForElement("[data-testid=heldout]");
        Assert.Empty(cut.FindAll("[data-testid=job-verdict]"));
        using (var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext())
        {
            var job = db.FineTuneJobs.Single(j => j.Id == id);
            job.Succeed(DateTimeOffset.UtcNow);
            job.FineTunedModel = Result;
            job.Evaluated(NotBetter());
            db.SaveChanges();
        }

        await _notifications.PublishAsync(new JobUpdated(id, new JobProgress(FineTuneStatus.Succeeded, 12, 12, Result, null, null, null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, false)));

        cut.WaitForAssertion(() =>
        {
            Assert.Contains("did not improve on the base model", cut.Find("[data-testid=job-verdict]").TextContent);
            Assert.NotNull(cut.Find("[data-testid=heldout-result]"));
        });
    }
}
