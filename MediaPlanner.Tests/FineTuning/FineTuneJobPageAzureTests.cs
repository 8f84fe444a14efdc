using Bunit;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Providers;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web.Components.Pages.FineTuning;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace MediaPlanner.Tests.FineTuning;

/// <summary>The job page of a trained Azure OpenAI job waiting for the deployment its fine-tuned model is served under.</summary>
public sealed class FineTuneJobPageAzureTests : ComponentTestContext
{
    private const string FineTuned = "gpt-4o-mini-2024-07-18.ft-abc123-spring";
    private readonly FineTuneNotifications _notifications = new();

    public FineTuneJobPageAzureTests()
    {
        Services.AddLogging();
        AddSettings();
        Services.AddSingleton<ProviderProfileService>();
        Services.AddSingleton(_notifications);
        AddFineTuneService();
        Render<MudPopoverProvider>();
        Render<MudSnackbarProvider>();
    }

    private async Task<int> SeedWaitingJobAsync()
    {
        var saved = await Services.GetRequiredService<ProviderProfileService>().SaveAsync(new ProviderProfileInput("azure-east", "Azure East",
            ProviderKind.AzureOpenAI, "https://mediaplanner.openai.azure.com/openai/v1/", "azure-key-123", false,
            [new("gpt-4o-mini-2024-07-18", "mini-base")]), new CurrentUser("admin-1", true));
        Assert.True(saved.Succeeded);
        using var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext();
        var job = new FineTuneJob
        {
            Provider = "azure-east", BaseModel = "gpt-4o-mini-2024-07-18", Status = FineTuneStatus.Running, FineTunedModel = FineTuned,
            CompletedSteps = 6, TotalSteps = 6, CreatedAt = DateTimeOffset.UtcNow, StartedAt = DateTimeOffset.UtcNow, CreatedById = "admin-1",
            ErrorCode = AzureDeployment.AwaitingCode, ErrorMessage = AzureDeployment.DeployFirst(FineTuned), NextAttemptAt = DateTimeOffset.UtcNow.AddHours(1),
        };
        db.FineTuneJobs.Add(job);
        db.SaveChanges();
        return job.Id;
    }

    [Fact]
    public async Task An_admin_reads_why_the_job_waits_and_enters_the_deployment_with_problems_shown_at_the_field()
    {
        SignInAs("admin-1", Roles.Admin);
        var id = await SeedWaitingJobAsync();
        var cut = Render<FineTuneJobPage>(p => p.Add(c => c.Id, id));
        cut.WaitForElement("[data-testid=job-awaiting-deployment]");

        Assert.Contains(AzureDeployment.DeployFirst(FineTuned), cut.Find("[data-testid=job-awaiting-deployment]").TextContent);
        Assert.Equal("Trained: waiting for its Azure deployment before the held-out evaluation.", cut.Find("[data-testid=job-progress-text]").TextContent.Trim());
        Assert.Empty(cut.FindAll("[data-testid=job-error]"));

        cut.Find("[data-testid=evaluate-with-deployment]").Click();
        cut.WaitForAssertion(() => Assert.Contains("Enter the name the model is deployed under in Azure.", FieldText(cut)));
        cut.Find("#fine-tuned-deployment").Input("mini spring!");
        cut.Find("[data-testid=evaluate-with-deployment]").Click();
        cut.WaitForAssertion(() => Assert.Contains("2–64 letters, digits, dashes, underscores or dots", FieldText(cut)));
        Assert.Null(Job(id).FineTunedDeployment);

        cut.Find("#fine-tuned-deployment").Input("mini-spring");
        cut.Find("[data-testid=evaluate-with-deployment]").Click();

        // The confirmation comes once the name is saved.
        cut.WaitForAssertion(() => Assert.Equal($"Evaluating {FineTuned} through the deployment mini-spring: the job carries on in a moment.",
            Assert.Single(Snackbars).Message));
        Assert.Equal("mini-spring", Job(id).FineTunedDeployment);
        Assert.True(Job(id).NextAttemptAt < DateTimeOffset.UtcNow.AddMinutes(1));
        cut.WaitForAssertion(() => Assert.DoesNotContain("2–64", FieldText(cut)));

        // The runner takes it up: the alert goes once the job no longer waits.
        await _notifications.PublishAsync(new JobUpdated(id, new JobProgress(FineTuneStatus.Running, 6, 6, FineTuned, null, null, null, DateTimeOffset.UtcNow, null, false)));
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=job-awaiting-deployment]")));
    }

    [Fact]
    public async Task A_reviewer_reads_why_the_job_waits_but_gets_no_field_to_enter_the_deployment()
    {
        SignInAs("reviewer-1", Roles.Reviewer);
        var id = await SeedWaitingJobAsync();

        var cut = Render<FineTuneJobPage>(p => p.Add(c => c.Id, id));
        cut.WaitForElement("[data-testid=job-awaiting-deployment]");

        Assert.Contains("then enter the deployment name here", cut.Find("[data-testid=job-awaiting-deployment]").TextContent);
        Assert.Empty(cut.FindAll("#fine-tuned-deployment"));
        Assert.Empty(cut.FindAll("[data-testid=evaluate-with-deployment]"));
    }

    private FineTuneJob Job(int id)
    {
        using var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext();
        return db.FineTuneJobs.AsNoTracking().Single(j => j.Id == id);
    }

    private static string FieldText(IRenderedComponent<FineTuneJobPage> cut) =>
        cut.Find("#fine-tuned-deployment").Closest(".mud-input-control")!.TextContent;
}
