using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web.Components.Shared;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaPlanner.Tests.Planning;

/// <summary>
/// A Generate click does each thing once: one read of the brief and its reference data for every column and a fallback,
/// through the real generator, the app's own database and the fake OpenAI server.
/// </summary>
public sealed class GenerationOnceTests : FakeOpenAIAppTests
{
    private const string FineTuned = "ft:gpt-4o-mini-2024-07-18:mediaplanner:once:abc123";
    private static readonly string[] ReferenceTables = ["Briefs", "Markets", "Currencies", "Benchmarks"];
    private CurrentUser _planner = default!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _planner = await App.DemoUserAsync("planner@demo.local");
        await DeployFineTunedAsync(FineTuned);
    }

    private async Task<int> BriefAsync()
    {
        using var scope = App.Services.CreateScope();
        return (await scope.ServiceProvider.GetRequiredService<BriefService>().CreateAsync(new BriefInput
        {
            Brand = "Once Co", CampaignName = "Launch", Budget = 90_000m, Currency = "USD", MarketCode = "US", Objective = Objective.Awareness,
            FlightStart = new DateTime(2027, 5, 1), FlightEnd = new DateTime(2027, 6, 1), Channels = [Channel.Search, Channel.Social, Channel.Display],
            BriefText = "Reach adults 25-54 with a steady weekly presence before the summer.",
        }, _planner)).Id!.Value;
    }

    private T Get<T>(IServiceScope scope) where T : notnull => scope.ServiceProvider.GetRequiredService<T>();

    private SqlCommands RecordSql() => new(new SqliteConnectionStringBuilder(App.ConnectionString).DataSource);

    private static void AssertEachReferenceTableReadOnce(SqlCommands sql)
    {
        foreach (var table in ReferenceTables)
            Assert.True(sql.Count(text => text.Contains($"FROM \"{table}\"", StringComparison.Ordinal)) == 1,
                $"\"{table}\" was read {sql.Count(text => text.Contains($"FROM \"{table}\"", StringComparison.Ordinal))} times in one Generate click.");
    }

    [Fact]
    public async Task Both_columns_plan_from_one_read_of_the_brief_market_currency_and_benchmarks()
    {
        var briefId = await BriefAsync();
        using var scope = App.Services.CreateScope();
        using var sql = RecordSql();

        var run = await Get<PlanGenerator>(scope).GenerateSideBySideAsync(briefId, _planner);
        var results = await Task.WhenAll(run.Primary, run.Comparison!);

        Assert.All(results, r => Assert.True(r.Succeeded, r.Error));
        Assert.Equal([ModelRole.Base, ModelRole.FineTuned], results.Select(r => r.Role).Order());
        AssertEachReferenceTableReadOnce(sql);
    }

    [Fact]
    public async Task A_fallback_to_the_base_model_plans_from_the_read_the_failed_fine_tuned_call_used()
    {
        using var scope = App.Services.CreateScope();
        await Get<SettingsService>(scope).SaveSelectionAsync(SelectionSettings.Default with { Strategy = SelectionStrategy.FineTunedOnly }, Admin);
        FakeServer.Chat.UnknownModels.Add(FineTuned);
        var briefId = await BriefAsync();
        using var sql = RecordSql();

        var plans = await Get<PlanGenerator>(scope).GenerateAsync(briefId, _planner);

        Assert.NotEmpty(plans);
        Assert.All(plans, p => Assert.Equal(ModelRole.Base, p.Entity.Role));
        await using var db = await Get<IDbContextFactory<PlannerDbContext>>(scope).CreateDbContextAsync();
        Assert.Equal([false, true], await db.ModelCalls.Where(c => c.BriefId == briefId).OrderBy(c => c.Id).Select(c => c.Succeeded).ToListAsync());
        AssertEachReferenceTableReadOnce(sql);
    }

    [Fact]
    public async Task A_columns_tokens_and_cost_are_the_same_live_after_a_reload_and_after_an_edit()
    {
        var briefId = await BriefAsync();
        // 323 input and 164 output tokens: three plans cannot share them evenly.
        FakeServer.Chat.ReportUsage((100, 50), (121, 61), (102, 53));
        using var scope = App.Services.CreateScope();
        var generator = Get<PlanGenerator>(scope);

        var column = await generator.GenerateColumnAsync(briefId, _planner, new ModelTarget("openai", BaseModel), ModelRole.Base,
            SelectionStrategy.Auto, "Test.", Guid.NewGuid(), 3, CancellationToken.None);
        var live = new PlanColumn(ModelRole.Base, column.Model, "", true, false, column, column.Plans);
        var reloaded = PlanColumn.FromPlans(ModelRole.Base, await generator.LatestPlansAsync(briefId, _planner));

        Assert.True(column.Succeeded, column.Error);
        Assert.Equal(3, column.Plans.Count);
        Assert.Equal((323 + 164, column.Cost), (live.Tokens, live.Cost));
        Assert.Equal((live.Tokens, live.Cost), (reloaded.Tokens, reloaded.Cost));

        var edited = column.Plans[0];
        var lines = PlanEdit.LinesOf(edited.Plan).ToList();
        lines[0] = lines[0] with { Spend = lines[0].Spend - 1_000m };
        lines[1] = lines[1] with { Spend = lines[1].Spend + 1_000m };
        var saved = await Get<PlanEditService>(scope).SaveAsync(edited.Entity.Id, lines, _planner);
        var afterEdit = PlanColumn.FromPlans(ModelRole.Base, await generator.LatestPlansAsync(briefId, _planner));

        Assert.True(saved.Succeeded, saved.Message);
        Assert.Contains(afterEdit.Plans, p => p.Entity.IsEdited);
        Assert.Equal((live.Tokens, live.Cost), (afterEdit.Tokens, afterEdit.Cost));
    }

    [Fact]
    public async Task A_chosen_plan_trains_on_the_prompt_the_model_saw_even_after_its_market_changed()
    {
        var briefId = await BriefAsync();
        using var scope = App.Services.CreateScope();
        var column = await Get<PlanGenerator>(scope).GenerateColumnAsync(briefId, _planner, new ModelTarget("openai", BaseModel), ModelRole.Base,
            SelectionStrategy.Auto, "Test.", Guid.NewGuid(), 3, CancellationToken.None);
        var balanced = column.Plans.Single(p => p.Plan.StrategyName == PlanAlternatives.Balanced);
        // The Balanced alternative is asked with the training prompt alone; the others add a steer line.
        var sent = FakeServer.ChatRequests.Single(r => r.Messages.Count == 2).Messages;
        await using var db = await Get<IDbContextFactory<PlannerDbContext>>(scope).CreateDbContextAsync();
        var market = await db.Markets.SingleAsync(m => m.Code == "US");
        market.AdultPopulation += 5_000_000;
        await db.SaveChangesAsync();

        var choice = await Get<TrainingCollector>(scope).ChoosePlanAsync(balanced.Entity.Id, _planner);

        Assert.True(choice.Succeeded, choice.Message);
        var example = ChatExample.Parse((await db.TrainingExamples.SingleAsync(e => e.Id == choice.ExampleId)).MessagesJson);
        Assert.Equal(sent, example.Messages.Take(2).Select(m => (m.Role, m.Content ?? "")));
        Assert.Equal([ChatRoles.Assistant], example.Messages.Skip(2).Select(m => m.Role));
        var pairs = await db.PreferencePairs.Where(p => p.ExampleId == choice.ExampleId).ToListAsync();
        Assert.NotEmpty(pairs);
        Assert.All(pairs, pair => Assert.Equal(sent, ChatExample.Parse(pair.InputJson).Messages.Select(m => (m.Role, m.Content ?? ""))));
        // Rendered again today, the prompt would name the new population: the example kept the one the model saw.
        Assert.NotEqual(sent[1].Content, PromptRenderer.UserMessage(await db.Briefs.SingleAsync(b => b.Id == briefId), market));
    }

    [Fact]
    public async Task Cancelling_a_generation_stops_the_model_calls_in_flight_and_records_no_call()
    {
        var briefId = await BriefAsync();
        FakeServer.Chat.Delay = TimeSpan.FromMinutes(5);
        using var scope = App.Services.CreateScope();
        using var leaving = new CancellationTokenSource();

        var run = await Get<PlanGenerator>(scope).GenerateSideBySideAsync(briefId, _planner, ct: leaving.Token);
        // Three alternatives from each of the two models, all held by the server.
        await FakeServer.WaitForChatsInFlightAsync(n => n == 6);
        await leaving.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.Primary);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.Comparison!);
        await FakeServer.WaitForChatsInFlightAsync(n => n == 0);
        await using var db = await Get<IDbContextFactory<PlannerDbContext>>(scope).CreateDbContextAsync();
        Assert.False(await db.ModelCalls.AnyAsync(c => c.BriefId == briefId));
        Assert.False(await db.Plans.AnyAsync(p => p.BriefId == briefId));
    }
}
