using System.Globalization;
using Bunit;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Fakes;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web.Components.Pages.FineTuning;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace MediaPlanner.Tests.FineTuning;

public class NewJobDialogTests : ComponentTestContext
{
    private readonly HoldingDbContextFactory _factory;
    private readonly IRenderedComponent<MudDialogProvider> _dialogs;

    public NewJobDialogTests()
    {
        _factory = new HoldingDbContextFactory(new DbContextOptionsBuilder<PlannerDbContext>().UseSqlite(Connection).Options);
        Services.AddSingleton<IDbContextFactory<PlannerDbContext>>(_factory);
        Services.AddSingleton(new FineTuneNotifications());
        // The dialog offers the providers whose backends are there; this one never trains (no runner here).
        Services.AddSingleton<IFineTuneBackend>(new StubFineTuneBackend(FineTuneProviders.Local));
        AddFineTuneService();
        SignInAs("admin-1", Roles.Admin);
        _dialogs = RenderOverlays();
    }

    private async Task SeedExamplesOfDifferentLengthsAsync()
    {
        await ValidatedExamples.SeedAsync(Services, 20);
        // Equal lengths would make every split bill the same tokens, so a changed seed could not show.
        using var db = _factory.CreateDbContext();
        foreach (var e in db.TrainingExamples)
            e.TokenCount = 400 + (int)e.Id * 97;
        db.SaveChanges();
    }

    private async Task OpenAsync()
    {
        var dialogs = Services.GetRequiredService<IDialogService>();
        await _dialogs.InvokeAsync(() => dialogs.ShowAsync<NewJobDialog>("New fine-tuning job"));
        _dialogs.WaitForElement("[data-testid=job-preview]");
    }

    private string Preview => _dialogs.Find("[data-testid=job-preview]").TextContent;

    private void Type(string label, string value) =>
        _dialogs.FindComponents<MudNumericField<int?>>().Single(f => f.Instance.Label == label).Find("input").Change(value);

    private static string Tokens(long billed) => $"about {billed.ToString("N0", CultureInfo.InvariantCulture)} training tokens";

    // Billed tokens are a hosted provider's; the local trainer bills none.
    private async Task ChooseOpenAIAsync()
    {
        await _dialogs.InvokeAsync(() => _dialogs.FindComponent<MudSelect<string>>().Instance.ValueChanged.InvokeAsync(FineTuneProviders.OpenAI));
        _dialogs.WaitForAssertion(() => Assert.Contains("OpenAI bills", Preview));
    }

    [Fact]
    public async Task Changing_the_epochs_refreshes_the_epoch_count_and_the_billed_tokens()
    {
        await SeedExamplesOfDifferentLengthsAsync();
        var service = Services.GetRequiredService<FineTuneService>();
        var three = await service.PreviewAsync(FineTuneProviders.OpenAI, 10, 3, null);
        await OpenAsync();
        Assert.Contains($"{MediaPlanner.Domain.Providers.Local.ShareLearner.AutoEpochs} epochs", Preview);
        await ChooseOpenAIAsync();

        Type("Epochs", "3");

        _dialogs.WaitForAssertion(() =>
        {
            Assert.Contains("3 epochs", Preview);
            Assert.Contains(Tokens(three.BilledTokens), Preview);
        });
    }

    [Fact]
    public async Task Changing_the_seed_refreshes_the_split_the_preview_bills()
    {
        await SeedExamplesOfDifferentLengthsAsync();
        var service = Services.GetRequiredService<FineTuneService>();
        var byDefault = await service.PreviewAsync(FineTuneProviders.OpenAI, 10, null, null);
        var other = 0;
        JobPreview? changed = null;
        for (var s = 1; changed is null && s < 100; s++)
            if (await service.PreviewAsync(FineTuneProviders.OpenAI, 10, null, s) is var p && p.BilledTokens != byDefault.BilledTokens)
                (other, changed) = (s, p);
        Assert.NotNull(changed);
        await OpenAsync();
        await ChooseOpenAIAsync();
        Assert.Contains(Tokens(byDefault.BilledTokens), Preview);

        Type("Seed", other.ToString(CultureInfo.InvariantCulture));

        _dialogs.WaitForAssertion(() =>
        {
            Assert.Contains(Tokens(changed.BilledTokens), Preview);
            Assert.Contains($"{changed.TrainingExamples} training and {changed.ValidationExamples} validation examples", Preview);
        });
    }

    [Fact]
    public async Task An_older_preview_that_answers_after_a_newer_one_does_not_replace_it()
    {
        await SeedExamplesOfDifferentLengthsAsync();
        await OpenAsync();
        var start = () => _dialogs.Find("[data-testid=start-job]");
        _dialogs.WaitForAssertion(() => Assert.False(start().HasAttribute("disabled")));

        var held = _factory.HoldNext();
        Type("Epochs", "3");
        await held.Arrived.WaitAsync(TimeSpan.FromSeconds(10));
        Type("Epochs", "5");
        _dialogs.WaitForAssertion(() => Assert.Contains("5 epochs", Preview));
        // Start waits for every preview in flight, so the stale one cannot be confirmed meanwhile.
        Assert.True(start().HasAttribute("disabled"));

        held.Release();

        _dialogs.WaitForAssertion(() => Assert.False(start().HasAttribute("disabled")));
        Assert.Contains("5 epochs", Preview);
        Assert.DoesNotContain("3 epochs", Preview);
    }

    [Fact]
    public async Task A_start_that_fails_unexpectedly_shows_an_error_keeps_the_dialog_open_and_gives_start_back()
    {
        await SeedExamplesOfDifferentLengthsAsync();
        using (var db = _factory.CreateDbContext())
            db.Database.ExecuteSqlRaw("CREATE TRIGGER refuse_job BEFORE INSERT ON FineTuneJobs BEGIN SELECT RAISE(ABORT, 'disk full'); END;");
        await OpenAsync();
        var start = () => _dialogs.Find("[data-testid=start-job]");
        _dialogs.WaitForAssertion(() => Assert.False(start().HasAttribute("disabled")));

        start().Click();
        _dialogs.WaitForElement("[data-testid=confirm-text]");
        _dialogs.WaitForAssertion(() => Assert.False(start().HasAttribute("disabled")));
        start().Click();

        _dialogs.WaitForAssertion(() => Assert.Contains(Snackbars, s => s.Severity == Severity.Error));
        Assert.False(start().HasAttribute("disabled"));
        using var after = _factory.CreateDbContext();
        Assert.Empty(after.FineTuneJobs);
    }

    /// <summary>A context factory that can hold one request until the test lets it go, to answer previews out of order.</summary>
    private sealed class HoldingDbContextFactory(DbContextOptions<PlannerDbContext> options) : IDbContextFactory<PlannerDbContext>
    {
        private Hold? _next;

        public Hold HoldNext() => _next = new Hold();

        public PlannerDbContext CreateDbContext() => new(options);

        public async Task<PlannerDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default)
        {
            if (Interlocked.Exchange(ref _next, null) is { } hold)
            {
                hold.Arrive();
                await hold.Released;
            }
            return CreateDbContext();
        }
    }

    private sealed class Hold
    {
        private readonly TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Arrived => _arrived.Task;
        public Task Released => _released.Task;
        public void Arrive() => _arrived.TrySetResult();
        public void Release() => _released.TrySetResult();
    }
}
