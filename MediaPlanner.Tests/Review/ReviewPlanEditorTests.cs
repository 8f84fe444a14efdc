using Bunit;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web.Components.Pages.Review;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace MediaPlanner.Tests.Review;

public class ReviewPlanEditorTests : ComponentTestContext
{
    private static readonly PlanRequest Request = TestData.Request();
    private static readonly MediaPlan Plan = TestData.Plans(Request)[0];

    public ReviewPlanEditorTests()
    {
        Services.AddSingleton(new TrainingSettings(TestData.OpenAIBaseModel));
        Services.AddSingleton<ExampleValidator>();
        Services.AddScoped<ReviewService>();
        SignInAs("reviewer-1", Roles.Reviewer);
        Render<MudPopoverProvider>();
        Render<MudSnackbarProvider>();
    }

    private IRenderedComponent<ReviewPlanEditor> Editor(string content, List<string> saved) => Render<ReviewPlanEditor>(p => p
        .Add(c => c.Reading, ReviewPlanEdit.Read(content))
        .Add(c => c.AssistantContent, content)
        .Add(c => c.Request, Request)
        .Add(c => c.OnSave, (string json) => saved.Add(json)));

    // MudBlazor puts a component's data-testid on its input element or on a wrapper, depending on the component.
    private static AngleSharp.Dom.IElement Field(AngleSharp.Dom.IParentNode scope, string testId, string tag = "input") =>
        scope.QuerySelector($"{tag}[data-testid={testId}], [data-testid={testId}] {tag}")
        ?? throw new InvalidOperationException($"No {tag} for {testId}");

    private static void Type(IRenderedComponent<ReviewPlanEditor> cut, int line, string field, string value) =>
        Field(cut.FindAll("[data-testid=review-line]")[line], $"line-{field}").Input(value);

    private static AngleSharp.Dom.IElement Json(IRenderedComponent<ReviewPlanEditor> cut) =>
        cut.Find("textarea[data-testid=plan-json], [data-testid=plan-json] textarea");

    private static void ToggleJson(IRenderedComponent<ReviewPlanEditor> cut, bool on) =>
        cut.Find("input[data-testid=edit-as-json], [data-testid=edit-as-json] input").Change(on);

    private static string Total(IRenderedComponent<ReviewPlanEditor> cut, string key) =>
        cut.Find($"[data-testid=total-{key}] [data-testid=total-value]").TextContent.Trim();

    [Fact]
    public void Bad_rows_are_marked_at_their_fields_only_on_save_and_nothing_is_saved()
    {
        var saved = new List<string>();
        var cut = Editor(PlanJson.Serialize(Plan), saved);

        Type(cut, 0, "spend", "0");
        Type(cut, 1, "format", "");
        cut.Find("[data-testid=add-line]").Click();
        Assert.Empty(cut.FindAll(".mud-input-error"));

        cut.Find("[data-testid=save-edit]").Click();

        var rows = cut.FindAll("[data-testid=review-line]");
        Assert.Contains("Spend must be more than zero.", rows[0].TextContent);
        Assert.Contains("Name the format.", rows[1].TextContent);
        Assert.Contains("Choose a channel.", rows[^1].TextContent);
        Assert.Contains("6 problems stop the save", cut.Find("[data-testid=editor-error-summary]").TextContent);
        Assert.Equal("alert", cut.Find("[data-testid=editor-error-summary]").GetAttribute("role"));
        Assert.Empty(saved);

        // After the first save, a fix clears its message as it is typed.
        Type(cut, 0, "spend", "12000");
        cut.WaitForAssertion(() => Assert.DoesNotContain("Spend must be more than zero.", cut.FindAll("[data-testid=review-line]")[0].TextContent));
    }

    [Fact]
    public void Totals_follow_a_typed_spend_and_save_writes_the_recomputed_plan_without_escapes()
    {
        var saved = new List<string>();
        var cut = Editor(PlanJson.Serialize(Plan with { Audience = "adults 25–54" }), saved);
        var spend = Plan.LineItems[0].Spend + 10_000m;

        Type(cut, 0, "spend", spend.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var expected = PlanMath.Recompute(Plan with { LineItems = [Plan.LineItems[0] with { Spend = spend }, .. Plan.LineItems.Skip(1)] }, PlanBasis.From(Request));
        cut.WaitForAssertion(() => Assert.Equal(expected.Totals.Spend.ToString("N2", System.Globalization.CultureInfo.InvariantCulture), Total(cut, "spend")));
        Assert.Equal(expected.Totals.Impressions.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), Total(cut, "impressions"));
        cut.Find("[data-testid=save-edit]").Click();

        var json = Assert.Single(saved);
        Assert.Contains("adults 25–54", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u", json, StringComparison.Ordinal);
        Assert.Equal(spend, PlanJson.Deserialize(json).LineItems[0].Spend);
    }

    [Fact]
    public void Switching_to_json_and_back_keeps_the_edits_of_each()
    {
        var cut = Editor(PlanJson.Serialize(Plan), []);
        Type(cut, 0, "spend", "12345");

        ToggleJson(cut, true);
        var json = Json(cut).GetAttribute("value")!;
        Assert.Contains("\"spend\": 12345", json, StringComparison.Ordinal);

        Json(cut).Input(json.Replace("\"spend\": 12345", "\"spend\": 23456", StringComparison.Ordinal));
        ToggleJson(cut, false);

        cut.WaitForAssertion(() => Assert.Equal("23456", Field(cut.FindAll("[data-testid=review-line]")[0], "line-spend").GetAttribute("value")));
    }

    [Fact]
    public void Json_that_is_not_a_plan_stays_as_json_with_the_line_and_field_that_are_wrong()
    {
        var cut = Editor(PlanJson.Serialize(Plan), []);
        ToggleJson(cut, true);
        var json = Json(cut).GetAttribute("value")!;

        Json(cut).Input(json.Replace("\"cpm\": ", "\"cpm\": \"cheap\", \"x\": ", StringComparison.Ordinal));
        ToggleJson(cut, false);

        Assert.Matches(@"stays as JSON\. Line \d+, at lineItems\[0\]\.cpm: expected a number\.", cut.Find("[data-testid=switch-error]").TextContent);
        Assert.NotNull(Json(cut));
        Assert.Empty(cut.FindAll("[data-testid=review-line]"));
    }

    [Fact]
    public void An_answer_that_is_not_a_plan_opens_as_json_saying_why()
    {
        var cut = Editor("Sorry, I cannot plan this campaign.", []);

        Assert.Contains("is not a plan the structured editor can read", cut.Find("[data-testid=json-fallback]").TextContent);
        Assert.Equal("Sorry, I cannot plan this campaign.", Json(cut).GetAttribute("value"));
        Assert.Empty(cut.FindAll("[data-testid=review-line]"));
    }

    [Fact]
    public void The_example_page_shows_the_brief_as_labelled_fields_with_the_prompt_behind_a_toggle()
    {
        var brief = TestData.Brief(channels: [Channel.OnlineVideo, Channel.ConnectedTv]);
        var market = SeedReferenceData.Markets.Single(m => m.Code == "US");
        var example = PromptRenderer.Example(brief, market, TestData.Plans(TestData.Request(brief))[0]);
        int id;
        using (var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext())
        {
            var entity = new TrainingExample
            {
                Source = ExampleSource.ChosenPlan, Status = ExampleStatus.PendingReview, Brand = brief.Brand, Objective = brief.Objective, MarketCode = "US",
                MessagesJson = example.ToJsonLine(), ContentHash = ContentHash.Of(example), CreatedAt = DateTimeOffset.UtcNow,
            };
            db.TrainingExamples.Add(entity);
            db.SaveChanges();
            id = entity.Id;
        }

        var cut = Render<ExampleDetailPage>(p => p.Add(c => c.Id, id));

        cut.WaitForAssertion(() => Assert.Contains("USD 250,000.00", cut.Find("[data-testid=brief-field-budget]").TextContent));
        Assert.Contains("Online video, CTV / OTT", cut.Find("[data-testid=brief-field-channels]").TextContent);
        Assert.Equal("Pending review", cut.Find("[data-testid=example-status]").TextContent.Trim());
        Assert.Contains("Source: Chosen plan", cut.Find("[data-testid=example-source]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=example-prompt]"));
        cut.Find("[data-testid=toggle-prompt]").Click();
        Assert.Contains("Channels: OnlineVideo, ConnectedTv", cut.Find("[data-testid=example-prompt]").TextContent);
    }
}
