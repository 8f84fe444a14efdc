using System.Globalization;
using AngleSharp.Dom;
using Bunit;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web.Components.Pages.Briefs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace MediaPlanner.Tests.Planning;

public class PlanEditorTests : ComponentTestContext
{
    private readonly IRenderedComponent<MudDialogProvider> _dialogs;
    private readonly IRenderedComponent<MudPopoverProvider> _popovers;
    private readonly PlanRequest _request;
    private readonly PlanBasis _basis;
    private readonly PlanView _view;

    public PlanEditorTests()
    {
        Services.AddSingleton<PlanQualityEvaluator>();
        Services.AddScoped<PlanEditService>();
        SignInAs("planner-1", Roles.Planner);
        _popovers = Render<MudPopoverProvider>();
        _dialogs = Render<MudDialogProvider>();

        var brief = TestData.Brief();
        brief.Id = 0;
        brief.OwnerId = "planner-1";
        using var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext();
        db.Briefs.Add(brief);
        db.SaveChanges();
        _request = TestData.Request(brief);
        _basis = PlanBasis.From(_request);
        // Without Display, so the editor can offer it.
        var generated = TestData.Plans(_request)[1];
        var plan = PlanEdit.Apply(generated, PlanEdit.LinesOf(generated).Where(l => l.Channel != Channel.Display).ToList(), _basis);
        var quality = new PlanQualityEvaluator().Evaluate(plan, PlanEvaluationContext.From(_request));
        var entity = new GeneratedPlan
        {
            BriefId = brief.Id, RunId = Guid.NewGuid(), Provider = "local", Model = "local-mix-v1", StrategyName = plan.StrategyName,
            PlanJson = PlanJson.Serialize(plan), QualityScore = quality.Score, QualityJson = "{}", CreatedById = "planner-1",
        };
        db.Plans.Add(entity);
        db.SaveChanges();
        _view = new PlanView(entity, plan, quality);
    }

    private Task<IDialogReference> OpenAsync() =>
        _dialogs.InvokeAsync(() => Services.GetRequiredService<IDialogService>().ShowAsync<PlanEditor>("Edit",
            new DialogParameters<PlanEditor> { { d => d.View, _view }, { d => d.Request, _request } }));

    private IReadOnlyList<IElement> Rows => _dialogs.FindAll("[data-testid=editor-line]");

    private static IElement Input(IElement row, string testId) => row.QuerySelector($"[data-testid={testId}]") is { TagName: "INPUT" } input
        ? input
        : row.QuerySelector($"[data-testid={testId}] input, input[data-testid={testId}]")!;

    private string Figure(string key) => _dialogs.Find($"[data-testid=figure-{key}] [data-testid=figure-value]").TextContent;

    private string Change(string key) => _dialogs.Find($"[data-testid=figure-{key}] [data-testid=figure-change]").TextContent;

    private void TypeSpend(int row, decimal spend) => Input(Rows[row], "spend-input").Input(spend.ToString(CultureInfo.InvariantCulture));

    [Fact]
    public async Task Typing_a_spend_recomputes_the_figures_and_the_score_against_the_current_version()
    {
        await OpenAsync();
        Assert.StartsWith("±0", Change("reach"), StringComparison.Ordinal);
        var lines = PlanEdit.LinesOf(_view.Plan).ToList();
        lines[0] = lines[0] with { Spend = lines[0].Spend * 2 };

        TypeSpend(0, lines[0].Spend);

        var edited = PlanEdit.Apply(_view.Plan, lines, _basis);
        var figures = PlanFigures.Of(edited, _basis);
        _dialogs.WaitForAssertion(() =>
        {
            Assert.Equal(figures.ReachPercent.ToString("0.0", CultureInfo.InvariantCulture) + " %", Figure("reach"));
            Assert.StartsWith("+", Change("reach"), StringComparison.Ordinal);
            Assert.Equal(figures.Clicks.ToString("N0", CultureInfo.InvariantCulture), Figure("clicks"));
            Assert.Equal(edited.Totals.Spend.ToString("N0", CultureInfo.InvariantCulture), Figure("spend"));
            var score = new PlanQualityEvaluator().Evaluate(edited, PlanEvaluationContext.From(_request)).Score;
            Assert.Equal(score.ToString("0", CultureInfo.InvariantCulture), Figure("score"));
        });
    }

    [Fact]
    public async Task Typing_a_share_moves_the_rows_spend_and_keeps_the_total()
    {
        await OpenAsync();
        var total = _view.Plan.LineItems.Sum(l => l.Spend);

        Input(Rows[0], "share-input").Input("50");

        _dialogs.WaitForAssertion(() =>
        {
            Assert.Equal(decimal.Round(total / 2, 2), decimal.Parse(Input(Rows[0], "spend-input").GetAttribute("value")!, CultureInfo.InvariantCulture));
            Assert.StartsWith("±0", Change("spend"), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task A_channel_can_be_removed_and_one_from_the_brief_added_at_its_benchmark()
    {
        await OpenAsync();
        var count = Rows.Count;
        Assert.DoesNotContain(Channel.Display.Display(), _dialogs.Find("[data-testid=editor-lines]").TextContent, StringComparison.Ordinal);

        _dialogs.Find("[data-testid=add-channel] button").Click();
        _popovers.WaitForElement($"[data-testid=add-{Channel.Display}]").Click();

        _dialogs.WaitForAssertion(() => Assert.Equal(count + 1, Rows.Count));
        var display = _basis.FormatsOf(Channel.Display).First();
        Assert.Contains(display.Format, Rows[^1].TextContent, StringComparison.Ordinal);
        Assert.Contains(display.Cpm.ToString("N2", CultureInfo.InvariantCulture), Rows[^1].TextContent, StringComparison.Ordinal);

        Rows[0].QuerySelector("[data-testid=remove-line]")!.Click();
        _dialogs.WaitForAssertion(() => Assert.Equal(count, Rows.Count));
        Assert.DoesNotContain(_view.Plan.LineItems[0].Format, _dialogs.Find("[data-testid=editor-lines]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_input_is_explained_at_its_row_and_blocks_saving()
    {
        var dialog = await OpenAsync();

        TypeSpend(1, -5);

        _dialogs.WaitForAssertion(() =>
        {
            var issue = _dialogs.Find("[data-testid=line-issue]");
            Assert.Equal("Spend cannot be negative.", issue.TextContent.Trim());
            // The message sits right under the row it is about.
            Assert.Same(Rows[1], issue.PreviousElementSibling);
        });
        // Save stays pressable (a disabled button explains nothing); pressing it announces the problem instead of saving.
        _dialogs.Find("[data-testid=save-version]").Click();
        _dialogs.WaitForAssertion(() => Assert.Equal("1 field needs attention.", _dialogs.Find("[data-testid=error-summary]").TextContent.Trim()));
        Assert.False(dialog.Result.IsCompleted);
        using var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext();
        Assert.Empty(db.Plans.AsNoTracking().Where(p => p.OriginalPlanId == _view.Entity.Id));
    }

    [Fact]
    public async Task Saving_stores_version_2_and_closes_with_it()
    {
        var dialog = await OpenAsync();
        TypeSpend(0, _view.Plan.LineItems[0].Spend + 1000);
        _dialogs.WaitForAssertion(() => Assert.StartsWith("+", Change("spend"), StringComparison.Ordinal));

        _dialogs.Find("[data-testid=save-version]").Click();

        var result = await dialog.Result;
        var saved = Assert.IsType<PlanEditResult>(result!.Data);
        Assert.True(saved.Succeeded, saved.Message);
        Assert.Equal(2, saved.Saved!.Entity.Version);
        using var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext();
        var stored = db.Plans.AsNoTracking().Single(p => p.OriginalPlanId == _view.Entity.Id);
        Assert.Equal(_view.Plan.LineItems[0].Spend + 1000, PlanJson.Deserialize(stored.PlanJson).LineItems[0].Spend);
    }
}
