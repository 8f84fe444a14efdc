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

public class TrainingDataPageTests : ComponentTestContext
{
    public TrainingDataPageTests()
    {
        AddTrainingDataServices();
        SignInAs("reviewer-1", Roles.Reviewer);
        Render<MudPopoverProvider>();
        Render<MudSnackbarProvider>();
    }

    private IRenderedComponent<TrainingData> RenderPage()
    {
        var cut = Render<TrainingData>();
        cut.WaitForElement("[data-testid=preference-pairs]");
        return cut;
    }

    /// <summary>One example in the given status, with <paramref name="pairs"/> pairs from its choice.</summary>
    private void Seed(ExampleStatus status, int pairs)
    {
        using var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext();
        var example = new TrainingExample
        {
            Source = ExampleSource.ChosenPlan, Status = status, MessagesJson = "{\"messages\":[]}",
            ContentHash = Guid.NewGuid().ToString("N"), CreatedAt = DateTimeOffset.UtcNow,
        };
        db.TrainingExamples.Add(example);
        db.SaveChanges();
        var chosenPlanId = Random.Shared.Next(1, int.MaxValue / 2);
        for (var i = 0; i < pairs; i++)
            db.PreferencePairs.Add(new PreferencePair
            {
                RunId = Guid.NewGuid(), ChosenPlanId = chosenPlanId, RejectedPlanId = chosenPlanId + 1 + i, ExampleId = example.Id,
                InputJson = "{\"messages\":[]}", PreferredContent = "{}", NonPreferredContent = "{}", CreatedAt = DateTimeOffset.UtcNow,
            });
        db.SaveChanges();
    }

    [Fact]
    public void Without_pairs_the_page_says_where_they_come_from_and_offers_no_download()
    {
        var cut = RenderPage();

        Assert.Contains("Pairs appear when a planner picks one plan out of several", cut.Find("[data-testid=pairs-empty]").TextContent);
        Assert.Contains("preference JSONL for providers that train on preferences", cut.Find("[data-testid=preference-pairs]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=export-preference-pairs]"));
    }

    [Fact]
    public void With_pairs_the_page_shows_usable_of_total_and_links_the_preference_download()
    {
        Seed(ExampleStatus.Validated, 2);
        Seed(ExampleStatus.PendingReview, 3);
        Seed(ExampleStatus.Rejected, 1);

        var cut = RenderPage();

        Assert.Equal("2 usable / 6 total", cut.Find("[data-testid=pairs-headline]").TextContent.Trim());
        Assert.Equal("3", cut.Find("[data-testid=pairs-pending]").TextContent.Trim());
        Assert.Equal("1", cut.Find("[data-testid=pairs-excluded]").TextContent.Trim());
        Assert.Empty(cut.FindAll("[data-testid=pairs-empty]"));
        Assert.Equal("api/training-data/preference-pairs", cut.Find("[data-testid=export-preference-pairs]").GetAttribute("href"));
    }

    [Fact]
    public void Pairs_still_waiting_for_review_are_counted_but_not_offered_for_download()
    {
        Seed(ExampleStatus.PendingReview, 2);

        var cut = RenderPage();

        Assert.Equal("0 usable / 2 total", cut.Find("[data-testid=pairs-headline]").TextContent.Trim());
        Assert.Empty(cut.FindAll("[data-testid=export-preference-pairs]"));
        Assert.Contains("validate the chosen plans' examples", cut.Find("[data-testid=pairs-none-usable]").TextContent);
    }
}
