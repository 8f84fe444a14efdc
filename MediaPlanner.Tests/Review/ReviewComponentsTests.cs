using Bunit;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web.Components.Pages.Review;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace MediaPlanner.Tests.Review;

public class ReviewComponentsTests : ComponentTestContext
{
    public ReviewComponentsTests()
    {
        Services.AddSingleton(new TrainingSettings(MediaPlanner.Tests.Infrastructure.TestData.OpenAIBaseModel));
        Services.AddSingleton<ExampleValidator>();
        Services.AddScoped<ReviewService>();
        SignInAs("reviewer-1", Roles.Reviewer);
        Render<MudPopoverProvider>();
        Render<MudDialogProvider>();
        Render<MudSnackbarProvider>();
    }

    private int SeedExample(string brand, ExampleStatus status = ExampleStatus.PendingReview, Func<MediaPlan, MediaPlan>? change = null)
    {
        var brief = TestData.Brief();
        brief.Brand = brand;
        var plan = new LocalMediaMixEngine(MediaMixParameters.Default).Generate(TestData.Request(brief))[0];
        plan = change?.Invoke(plan) ?? plan;
        var example = PromptRenderer.Example(brief, SeedReferenceData.Markets[0], plan);
        var validation = Services.GetRequiredService<ExampleValidator>().Validate(example, MediaPlanner.Tests.Infrastructure.TestData.OpenAIBaseModel);
        using var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext();
        var entity = new TrainingExample
        {
            Source = ExampleSource.Imported, Status = status, Brand = brand, Objective = Objective.Awareness, MarketCode = "US",
            MessagesJson = example.ToJsonLine(), ContentHash = ContentHash.Of(example), TokenCount = validation.TokenCount,
            HasErrors = validation.HasErrors, IssuesJson = System.Text.Json.JsonSerializer.Serialize(validation.Issues),
            CreatedAt = DateTimeOffset.UtcNow, CreatedById = "reviewer-1",
        };
        db.TrainingExamples.Add(entity);
        db.SaveChanges();
        return entity.Id;
    }

    private TrainingExample Stored(int id)
    {
        using var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext();
        return db.TrainingExamples.AsNoTracking().Single(e => e.Id == id);
    }

    [Fact]
    public void Validating_from_the_detail_page_marks_the_example_validated()
    {
        var id = SeedExample("DetailBrand");
        var cut = Render<ExampleDetailPage>(p => p.Add(c => c.Id, id));
        cut.WaitForElement("[data-testid=validate]");

        cut.Find("[data-testid=validate]").Click();

        cut.WaitForAssertion(() => Assert.Equal("Validated", cut.Find("[data-testid=example-status]").TextContent.Trim()));
        Assert.Equal(ExampleStatus.Validated, Stored(id).Status);
        Assert.Equal("reviewer-1", Stored(id).ReviewedById);
    }

    [Fact]
    public async Task A_stale_page_shows_the_conflict_and_leaves_the_other_reviewers_change()
    {
        var id = SeedExample("StaleBrand");
        var cut = Render<ExampleDetailPage>(p => p.Add(c => c.Id, id));
        cut.WaitForElement("[data-testid=validate]");
        // Another reviewer rejects it after this page loaded.
        var other = await Services.GetRequiredService<ReviewService>()
            .RejectAsync(id, Stored(id).Version, "Wrong market", new CurrentUser("reviewer-2", false));
        Assert.True(other.Succeeded);

        cut.Find("[data-testid=validate]").Click();

        cut.WaitForAssertion(() => Assert.Contains("Someone else changed this example", cut.Find("[data-testid=conflict]").TextContent));
        Assert.Equal(ExampleStatus.Rejected, Stored(id).Status);
        Assert.Equal("Wrong market", Stored(id).RejectionReason);
    }

    [Fact]
    public void An_example_with_blocking_errors_cannot_be_validated_and_lists_them()
    {
        var id = SeedExample("BadBrand", change: p => p with { LineItems = [.. p.LineItems.Select(i => i with { Spend = i.Spend * 3 })] });

        var cut = Render<ExampleDetailPage>(p => p.Add(c => c.Id, id));

        cut.WaitForAssertion(() => Assert.Contains("over_budget", cut.Find("[data-testid=example-issues]").TextContent));
        Assert.True(cut.Find("[data-testid=validate]").HasAttribute("disabled"));
    }

    [Fact]
    public void The_queue_lists_pending_examples_and_bulk_validates_the_selected_ones()
    {
        var a = SeedExample("QueueA");
        var b = SeedExample("QueueB");
        var done = SeedExample("QueueDone", ExampleStatus.Validated);
        var cut = Render<ReviewQueue>();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=review-grid] tbody tr.mud-table-row").Count));
        Assert.DoesNotContain("QueueDone", cut.Find("[data-testid=review-grid]").TextContent);

        cut.FindAll("[data-testid=review-grid] thead input[type=checkbox]").First().Change(true);
        cut.WaitForAssertion(() => Assert.Contains("Validate 2", cut.Find("[data-testid=bulk-validate]").TextContent));
        cut.Find("[data-testid=bulk-validate]").Click();

        cut.WaitForAssertion(() => Assert.Equal(ExampleStatus.Validated, Stored(a).Status));
        Assert.Equal(ExampleStatus.Validated, Stored(b).Status);
        Assert.Equal(ExampleStatus.Validated, Stored(done).Status);
        cut.WaitForAssertion(() => Assert.Contains("Nothing is waiting for review", cut.Find("[data-testid=review-grid]").TextContent));
    }
}
