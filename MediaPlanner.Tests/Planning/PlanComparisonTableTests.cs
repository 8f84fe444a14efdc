using System.Globalization;
using AngleSharp.Dom;
using Bunit;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web.Components.Pages.Briefs;

namespace MediaPlanner.Tests.Planning;

public class PlanComparisonTableTests : ComponentTestContext
{
    private static readonly PlanRequest Request = TestData.Request();
    private static readonly PlanBasis Basis = PlanBasis.From(Request);

    private static PlanView View(MediaPlan plan, int id, params QualityCriterion[] extra)
    {
        var quality = new PlanQualityEvaluator().Evaluate(plan, PlanEvaluationContext.From(Request));
        quality = quality with { Criteria = [.. quality.Criteria.Where(c => c.Name != PlanComparison.KpiFitCriterion), .. extra] };
        var entity = new GeneratedPlan { Id = id, BriefId = 1, Provider = "local", Model = "local-mix-v1", StrategyName = plan.StrategyName, PlanJson = "{}", QualityJson = "{}", CreatedById = "u" };
        return new PlanView(entity, plan, quality);
    }

    private static PlanColumn Column(ModelRole role, IReadOnlyList<PlanView> plans, ColumnResult? result = null) =>
        new(role, role == ModelRole.Base ? "local-mix-v1" : "local-mix:ft-1", "", role == ModelRole.Base, false, result, plans);

    private IRenderedComponent<PlanComparisonTable> RenderTable(params PlanColumn[] columns) =>
        Render<PlanComparisonTable>(p => p.Add(c => c.Columns, columns).Add(c => c.Basis, Basis).Add(c => c.Budget, Request.Brief.Budget));

    private static IReadOnlyList<IElement> Cells(IRenderedComponent<PlanComparisonTable> cut, string row) =>
        cut.FindAll($"[data-testid=row-{row}] td");

    private static List<int> BestIn(IRenderedComponent<PlanComparisonTable> cut, string row) =>
        Cells(cut, row).Select((td, i) => (td, i)).Where(x => x.td.GetAttribute("data-best") == "true").Select(x => x.i).ToList();

    private static List<int> IndexesOf<T>(IReadOnlyList<T> values, Func<IEnumerable<T>, T> pick) where T : IComparable<T>
    {
        var best = pick(values);
        return values.Select((v, i) => (v, i)).Where(x => x.v.CompareTo(best) == 0).Select(x => x.i).ToList();
    }

    [Fact]
    public void Every_plan_of_both_models_is_a_column_and_the_best_of_each_row_is_marked_for_eyes_and_screen_readers()
    {
        var plans = TestData.Plans(Request);
        var fineTuned = plans.Select(p => PlanMath.Recompute(p with { LineItems = [.. p.LineItems.Select((l, i) => l with { Spend = l.Spend * (i == 0 ? 0.5m : 1.2m) })] }, Basis)).ToList();
        var cut = RenderTable(
            Column(ModelRole.Base, [.. plans.Select((p, i) => View(p, i + 1))]),
            Column(ModelRole.FineTuned, [.. fineTuned.Select((p, i) => View(p, i + 10))]));
        var figures = plans.Concat(fineTuned).Select(p => PlanFigures.Of(p, Basis)).ToList();

        Assert.Equal(["Base model", "Fine-tuned model"], cut.FindAll("[data-testid=comparison-group]").Select(g => g.TextContent.Trim()));
        Assert.Equal(6, cut.FindAll("[data-testid=comparison-plan]").Count);
        Assert.Equal(IndexesOf(figures.Select(f => Math.Round(f.ReachPercent, 1)).ToList(), Enumerable.Max), BestIn(cut, "reach"));
        Assert.Equal(IndexesOf(figures.Select(f => Math.Round(f.EffectiveReachPercent, 1)).ToList(), Enumerable.Max), BestIn(cut, "effective-reach"));
        Assert.Equal(IndexesOf(figures.Select(f => Math.Round(f.Conversions)).ToList(), Enumerable.Max), BestIn(cut, "conversions"));
        // Rows where less is better.
        Assert.Equal(IndexesOf(figures.Select(f => f.Cpa!.Value).ToList(), Enumerable.Min), BestIn(cut, "cpa"));
        Assert.Equal(IndexesOf(figures.Select(f => f.Ecpm).ToList(), Enumerable.Min), BestIn(cut, "ecpm"));
        Assert.Equal(IndexesOf(figures.Select(f => Math.Round(f.CostPerReachPoint!.Value)).ToList(), Enumerable.Min), BestIn(cut, "cprp"));
        // Spend: nearest the budget; the over- and underspending fine-tuned plans are not.
        Assert.All(BestIn(cut, "spend"), i => Assert.True(i < 3));
        // Without a frequency KPI the frequency row is shown but not ranked.
        Assert.Empty(BestIn(cut, "frequency"));

        var best = Cells(cut, "cpa")[BestIn(cut, "cpa")[0]];
        Assert.Contains("(best)", best.QuerySelector(".mud-sr-only")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("true", best.QuerySelector(".mp-best-mark")!.GetAttribute("aria-hidden"));
        Assert.Equal(BestIn(cut, "cpa").Count + BestIn(cut, "reach").Count, cut.FindAll("[data-testid=row-cpa] .mp-best-mark, [data-testid=row-reach] .mp-best-mark").Count);
    }

    [Fact]
    public void Conversions_and_CPA_are_shown_for_every_plan()
    {
        var plans = TestData.Plans(Request);
        var cut = RenderTable(Column(ModelRole.Base, [.. plans.Select((p, i) => View(p, i + 1))]));

        var conversions = Cells(cut, "conversions").Select(td => td.TextContent.Replace("(best)", "").Replace("★", "").Trim()).ToList();
        var cpa = Cells(cut, "cpa").Select(td => td.TextContent.Replace("(best)", "").Replace("★", "").Trim()).ToList();

        Assert.Equal(plans.Select(p => PlanFigures.Of(p, Basis).Conversions.ToString("N0", CultureInfo.InvariantCulture)), conversions);
        Assert.Equal(plans.Select(p => "USD " + PlanFigures.Of(p, Basis).Cpa!.Value.ToString("N2", CultureInfo.InvariantCulture)), cpa);
    }

    [Fact]
    public void Ties_are_all_marked_best()
    {
        var plan = TestData.Plans(Request)[0];
        var cut = RenderTable(Column(ModelRole.Base, [View(plan, 1)]), Column(ModelRole.FineTuned, [View(plan, 2)]));

        Assert.Equal([0, 1], BestIn(cut, "reach"));
        Assert.Equal([0, 1], BestIn(cut, "cpa"));
    }

    [Fact]
    public void The_frequency_row_ranks_the_plan_nearest_the_briefs_frequency_target()
    {
        var plans = TestData.Plans(Request);
        var target = PlanFigures.Of(plans[2], Basis).AverageFrequency;

        var cut = Render<PlanComparisonTable>(p => p.Add(c => c.Columns, [Column(ModelRole.Base, [.. plans.Select((pl, i) => View(pl, i + 1))])])
            .Add(c => c.Basis, Basis).Add(c => c.Budget, Request.Brief.Budget).Add(c => c.FrequencyTarget, target));

        Assert.Contains(2, BestIn(cut, "frequency"));
    }

    [Fact]
    public void KPI_fit_shows_a_dash_when_the_quality_report_has_no_such_criterion()
    {
        var plans = TestData.Plans(Request);
        var cut = RenderTable(Column(ModelRole.Base,
            [View(plans[0], 1), View(plans[1], 2, new QualityCriterion(PlanComparison.KpiFitCriterion, 0.1, 0.8, "Reach target met."))]));

        var cells = Cells(cut, "kpi-fit").Select(td => td.TextContent.Trim()).ToList();
        Assert.Equal("—", cells[0]);
        Assert.StartsWith("80", cells[1], StringComparison.Ordinal);
        // One value is no contest: nothing is marked.
        Assert.Empty(BestIn(cut, "kpi-fit"));
    }

    [Fact]
    public void A_column_with_fewer_plans_says_why()
    {
        var plans = TestData.Plans(Request);
        var engineOne = plans[0] with { Assumptions = [.. plans[0].Assumptions, "Only one distinct plan exists for these channels; 3 were asked for."] };
        var failed = new ColumnResult(ModelRole.FineTuned, "ft:x", "Auto", [], "The model refused: not a media plan.", 800, 0, 0, 0);

        var fromEngine = RenderTable(Column(ModelRole.Base, [.. plans.Select((p, i) => View(p, i + 1))]), Column(ModelRole.FineTuned, [View(engineOne, 10)]));
        var fromModel = RenderTable(Column(ModelRole.Base, [.. plans.Select((p, i) => View(p, i + 1))]), Column(ModelRole.FineTuned, [View(plans[0], 10), View(plans[1], 11)]));
        var fromError = RenderTable(Column(ModelRole.Base, [.. plans.Select((p, i) => View(p, i + 1))]), Column(ModelRole.FineTuned, [], failed));
        var complete = RenderTable(Column(ModelRole.Base, [.. plans.Select((p, i) => View(p, i + 1))]));

        var note = fromEngine.Find("[data-testid=fewer-plans-note]").TextContent;
        Assert.Contains("Fine-tuned model: 1 of 3 plans.", note, StringComparison.Ordinal);
        Assert.Contains("Only one distinct plan exists for these channels", note, StringComparison.Ordinal);
        Assert.Contains("The model returned 2 of 3.", fromModel.Find("[data-testid=fewer-plans-note]").TextContent, StringComparison.Ordinal);
        Assert.Contains("The model refused: not a media plan.", fromError.Find("[data-testid=fewer-plans-note]").TextContent, StringComparison.Ordinal);
        Assert.Empty(complete.FindAll("[data-testid=fewer-plans-note]"));
    }

    [Fact]
    public void A_column_still_waiting_for_its_model_is_left_out_without_a_note()
    {
        var plans = TestData.Plans(Request);
        var cut = RenderTable(Column(ModelRole.Base, [.. plans.Select((p, i) => View(p, i + 1))]),
            PlanColumn.Waiting(ModelRole.FineTuned, "ft:x", "Compared side by side.", isPrimary: false));

        Assert.Equal(3, cut.FindAll("[data-testid=comparison-plan]").Count);
        Assert.Empty(cut.FindAll("[data-testid=fewer-plans-note]"));
    }
}
