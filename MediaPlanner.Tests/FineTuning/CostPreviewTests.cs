using Bunit;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Fakes;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web.Components.Pages.Training;
using MediaPlanner.Web.Components.Pages.FineTuning;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace MediaPlanner.Tests.FineTuning;

/// <summary>Costs only where a provider bills, with the currency; the split's counts said before anything starts.</summary>
public class CostPreviewTests : ComponentTestContext
{
    private readonly IRenderedComponent<MudDialogProvider> _dialogs;
    private readonly StubFineTuneBackend _openAI = new(FineTuneProviders.OpenAI, false);

    public CostPreviewTests()
    {
        Services.AddSingleton(new FineTuneNotifications());
        AddTrainingDataServices();
        Services.AddSingleton<IFineTuneBackend>(new StubFineTuneBackend(FineTuneProviders.Local, true));
        Services.AddSingleton<IFineTuneBackend>(_openAI);
        SignInAs("admin-1", Roles.Admin);
        Render<MudPopoverProvider>();
        Render<MudSnackbarProvider>();
        _dialogs = Render<MudDialogProvider>();
    }

    private void AddOpenAI(bool configured) => _openAI.IsConfigured = configured;

    private FineTuneService Jobs => Services.GetRequiredService<FineTuneService>();

    private IRenderedComponent<TrainingData> RenderTrainingPage()
    {
        var cut = Render<TrainingData>();
        cut.WaitForElement("[data-testid=preference-pairs]");
        return cut;
    }

    private async Task OpenDialogAsync()
    {
        var dialogs = Services.GetRequiredService<IDialogService>();
        await _dialogs.InvokeAsync(() => dialogs.ShowAsync<NewJobDialog>("New fine-tuning job"));
        _dialogs.WaitForElement("[data-testid=job-preview]");
    }

    [Fact]
    public async Task A_local_job_preview_bills_nothing_and_says_it_runs_here_at_no_charge()
    {
        await ValidatedExamples.SeedAsync(Services, 12);

        var preview = await Jobs.PreviewAsync(FineTuneProviders.Local, 10, null, null);
        await OpenDialogAsync();

        Assert.Equal((false, 0L, (decimal?)null), (preview.Billed, preview.BilledTokens, preview.EstimatedCost));
        var cost = _dialogs.Find("[data-testid=job-cost]").TextContent.Trim();
        Assert.Equal("Runs on this machine at no charge (no billed tokens).", cost);
        Assert.DoesNotContain("billed tokens,", _dialogs.Find("[data-testid=job-preview]").TextContent);
        Assert.DoesNotContain("USD", _dialogs.Find("[data-testid=job-preview]").TextContent);
    }

    [Fact]
    public async Task A_hosted_job_preview_names_who_bills_and_gives_the_cost_in_dollars()
    {
        AddOpenAI(configured: true);
        await ValidatedExamples.SeedAsync(Services, 12);
        var preview = await Jobs.PreviewAsync(FineTuneProviders.OpenAI, 10, null, null);
        await OpenDialogAsync();

        await _dialogs.InvokeAsync(() => _dialogs.FindComponent<MudSelect<string>>().Instance.ValueChanged.InvokeAsync(FineTuneProviders.OpenAI));

        Assert.True(preview is { Billed: true, BilledTokens: > 0, EstimatedCost: > 0 });
        _dialogs.WaitForAssertion(() => Assert.Equal(
            $"OpenAI bills about {preview.BilledTokens:N0} training tokens, estimated cost {FineTuneEstimator.Money(preview.EstimatedCost!.Value)}.",
            _dialogs.Find("[data-testid=job-cost]").TextContent.Trim()));
        Assert.StartsWith("USD ", FineTuneEstimator.Money(preview.EstimatedCost!.Value));
    }

    [Fact]
    public async Task The_dialog_says_how_many_it_holds_out_and_trains_on_and_follows_the_share()
    {
        await ValidatedExamples.SeedAsync(Services, 12);
        await OpenDialogAsync();
        Assert.Equal("Holds out 1 of 12 examples for validation and trains on 11.", _dialogs.Find("[data-testid=job-split]").TextContent);

        _dialogs.FindComponents<MudNumericField<int>>().Single(f => f.Instance.Label == "Validation share (%)").Find("input").Change("25");

        _dialogs.WaitForAssertion(() =>
            Assert.Equal("Holds out 3 of 12 examples for validation and trains on 9.", _dialogs.Find("[data-testid=job-split]").TextContent));
        Assert.Contains("9 training and 3 validation examples", _dialogs.Find("[data-testid=job-preview]").TextContent);
    }

    [Fact]
    public async Task Start_checks_the_fields_then_rechecks_them_on_change_and_announces_the_errors()
    {
        await ValidatedExamples.SeedAsync(Services, 12);
        await OpenDialogAsync();
        var suffix = () => _dialogs.FindComponents<MudTextField<string>>().Single(f => f.Instance.Label == "Suffix");
        suffix().Find("input").Change("no spaces allowed");
        Assert.Empty(_dialogs.FindAll("[data-testid=job-errors]"));

        _dialogs.Find("[data-testid=start-job]").Click();

        const string problem = "Use up to 64 letters, digits, dashes or underscores.";
        _dialogs.WaitForAssertion(() => Assert.Contains(problem, suffix().Markup));
        Assert.Equal("alert", _dialogs.Find("[data-testid=job-errors]").GetAttribute("role"));
        Assert.Empty(_dialogs.FindAll("[data-testid=confirm-text]"));

        suffix().Find("input").Change("spring-2027");

        _dialogs.WaitForAssertion(() => Assert.DoesNotContain(problem, suffix().Markup));
        Assert.Empty(_dialogs.FindAll("[data-testid=job-errors]"));
    }

    [Fact]
    public async Task With_only_the_local_trainer_the_training_page_shows_no_cost_and_says_why()
    {
        AddOpenAI(configured: false);
        await ValidatedExamples.SeedAsync(Services, 12);

        var cut = RenderTrainingPage();

        Assert.Contains("only the local trainer can run here. It runs on this machine at no charge", cut.Find("[data-testid=cost-none]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=cost]"));
        Assert.DoesNotContain("USD", cut.Find("[data-testid=estimate]").Parent!.TextContent);
    }

    [Fact]
    public async Task With_openai_configured_the_training_page_prices_training_there_in_dollars()
    {
        AddOpenAI(configured: true);
        await ValidatedExamples.SeedAsync(Services, 12);
        var estimate = Assert.Single(await Jobs.CostEstimatesAsync());

        var cut = RenderTrainingPage();

        Assert.Equal((FineTuneProviders.OpenAI, "OpenAI", TestData.OpenAIBaseModel), (estimate.Provider, estimate.ProviderName, estimate.BaseModel));
        Assert.Equal(FineTuneEstimator.Cost(FineTuneEstimator.BilledTokens(Enumerable.Repeat(1_100, 12), FineTuneEstimator.DefaultEpochs(12), 65_536), 3.00m), estimate.Cost);
        Assert.Contains("OpenAI (configured)", cut.Find("h3").TextContent);
        Assert.Equal(FineTuneEstimator.Money(estimate.Cost!.Value), cut.Find("[data-testid=cost-openai] [data-testid=cost]").TextContent.Trim());
        Assert.Empty(cut.FindAll("[data-testid=cost-none]"));
    }

    [Fact]
    public async Task The_export_says_what_its_split_holds_out_and_refuses_a_share_of_a_single_example()
    {
        await ValidatedExamples.SeedAsync(Services, 1);
        var cut = RenderTrainingPage();
        Assert.Equal("No split: trains on all 1 example, none held out for validation.", cut.Find("[data-testid=export-split]").TextContent);

        cut.Find("#validation-percent").Change("10");

        cut.WaitForAssertion(() => Assert.StartsWith("With 1 example nothing can be held out", cut.Find("[data-testid=export-split]").TextContent));
        Assert.Empty(cut.FindAll("[data-testid=export-train]"));
        Assert.Single(cut.FindAll("[data-testid=export-all]"));
    }

    [Fact]
    public async Task Example_statuses_read_as_words_on_the_training_page()
    {
        await ValidatedExamples.SeedAsync(Services, 1);
        using (var db = Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<MediaPlanner.Domain.Persistence.PlannerDbContext>>().CreateDbContext())
        {
            db.TrainingExamples.Add(new TrainingExample
            {
                Source = ExampleSource.ChosenPlan, Status = ExampleStatus.PendingReview, MessagesJson = "{\"messages\":[]}",
                ContentHash = Guid.NewGuid().ToString("N"), CreatedAt = DateTimeOffset.UtcNow,
            });
            db.SaveChanges();
        }

        var cut = RenderTrainingPage();

        Assert.Contains("Pending review", cut.Find("[data-testid=counts-by-status]").TextContent);
        Assert.DoesNotContain("PendingReview", cut.Markup);
    }
}
