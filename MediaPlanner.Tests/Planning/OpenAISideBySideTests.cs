using System.Diagnostics;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web.Components.Pages.Briefs;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace MediaPlanner.Tests.Planning;

/// <summary>
/// Base and fine-tuned OpenAI models planning one brief through the real generator, against the fake server; a Generate click
/// does each thing once (one read of the brief and its reference data, one set of figures, the prompt the model saw kept).
/// </summary>
public sealed class OpenAISideBySideTests(ITestOutputHelper output) : FakeOpenAIAppTests
{
    private const string FineTuned = "ft:gpt-4o-mini-2024-07-18:mediaplanner:spring:abc123";
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
        return (await scope.ServiceProvider.GetRequiredService<BriefService>().CreateAsync(TestBriefs.Input("Fake Co"), _planner)).Value;
    }

    [Fact]
    public async Task Both_columns_run_at_once_so_two_one_second_models_answer_in_about_one_second()
    {
        var briefId = await BriefAsync();
        using var scope = App.Services.CreateScope();
        var generator = scope.ServiceProvider.GetRequiredService<PlanGenerator>();
        // Warm up first (JIT, EF model, connection pool), so the figure is the steady state planners see.
        var warm = await generator.GenerateSideBySideAsync(briefId, _planner);
        await Task.WhenAll(warm.Primary, warm.Comparison!);
        FakeServer.Chat.Delay = TimeSpan.FromSeconds(1);

        var watch = Stopwatch.StartNew();
        var run = await generator.GenerateSideBySideAsync(briefId, _planner);
        var results = await Task.WhenAll(run.Primary, run.Comparison!);
        watch.Stop();

        output.WriteLine($"Base + fine-tuned, 3 alternatives each, server answering after 1 s: {watch.ElapsedMilliseconds} ms; {FakeServer.MaxConcurrentChats} calls in flight at most");
        Assert.All(results, r => Assert.True(r.Succeeded, r.Error));
        Assert.Equal([FineTuned, "gpt-4o-mini-2024-07-18"], results.Select(r => r.Model).Order());
        Assert.Equal(6, FakeServer.MaxConcurrentChats);
        Assert.All(results, r => Assert.True(r.InputTokens > 0 && r.Cost > 0));
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
        var calls = await db.ModelCalls.Where(c => c.RunId == run.RunId).ToListAsync();
        Assert.Equal(2, calls.Count);
        Assert.All(calls, c => Assert.True(c.Succeeded && c.InputTokens > 0 && c.OutputTokens > 0 && c.Cost > 0));
        var price = await db.ModelPrices.SingleAsync(p => p.Model == "gpt-4o-mini-2024-07-18");
        var baseCall = calls.Single(c => c.Role == ModelRole.Base);
        Assert.Equal(ModelCost.Of(baseCall.InputTokens, baseCall.OutputTokens, price), baseCall.Cost);
        // The fine-tuned model has no price row: its cost is the base model's price, marked as an estimate.
        var fineTunedCall = calls.Single(c => c.Role == ModelRole.FineTuned);
        Assert.Equal((false, true), (baseCall.PriceEstimated, fineTunedCall.PriceEstimated));
        Assert.Equal(ModelCost.Of(fineTunedCall.InputTokens, fineTunedCall.OutputTokens, price), fineTunedCall.Cost);
    }

    [Fact]
    public async Task Fine_tuned_only_falls_back_to_the_base_model_when_the_fine_tuned_call_fails()
    {
        using var scope = App.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<SelectionSettingsService>()
            .SaveSelectionAsync(SelectionSettings.Default with { Strategy = SelectionStrategy.FineTunedOnly }, Admin);
        var selection = await scope.ServiceProvider.GetRequiredService<ModelSelector>().SelectAsync();
        FakeServer.Chat.UnknownModels.Add(FineTuned);
        var briefId = await BriefAsync();

        var plans = await scope.ServiceProvider.GetRequiredService<PlanGenerator>().GenerateAsync(briefId, _planner);

        Assert.Equal(ModelRole.FineTuned, selection.PrimaryRole);
        Assert.NotEmpty(plans);
        Assert.All(plans, p => Assert.Equal((ModelRole.Base, "gpt-4o-mini-2024-07-18"), (p.Entity.Role, p.Entity.Model)));
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
        var calls = await db.ModelCalls.Where(c => c.BriefId == briefId).OrderBy(c => c.Id).ToListAsync();
        Assert.Equal([false, true], calls.Select(c => c.Succeeded));
        Assert.Equal("model_not_found", calls[0].FailureCode);
        Assert.StartsWith("Fallback:", calls[1].Reason);
    }

    [Fact]
    public async Task A_call_that_fails_after_unusable_answers_is_recorded_with_their_tokens_and_cost()
    {
        const string baseModel = "gpt-4o-mini-2024-07-18";
        var briefId = await BriefAsync();
        FakeServer.Chat.AnswerBadly();
        FakeServer.Chat.ReportUsage((100, 50), (120, 60));
        using var scope = App.Services.CreateScope();

        var column = await scope.ServiceProvider.GetRequiredService<PlanGenerator>().GenerateColumnAsync(briefId, _planner,
            new ModelTarget("openai", baseModel), ModelRole.Base, SelectionStrategy.Auto, "Test.", Guid.NewGuid(), 1, CancellationToken.None);

        Assert.False(column.Succeeded);
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
        var call = await db.ModelCalls.SingleAsync(c => c.BriefId == briefId);
        var price = await db.ModelPrices.SingleAsync(p => p.Model == baseModel);
        Assert.False(call.Succeeded);
        Assert.Equal("invalid_output", call.FailureCode);
        Assert.Equal((220, 110), (call.InputTokens, call.OutputTokens));
        Assert.True(call.Cost > 0);
        Assert.Equal(ModelCost.Of(220, 110, price), call.Cost);
        Assert.Equal((220, 110, call.Cost), (column.InputTokens, column.OutputTokens, column.Cost));
    }

    [Fact]
    public async Task A_deployment_with_a_broken_parameter_set_fails_cleanly_and_the_base_model_still_plans()
    {
        await using (var db = await App.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync())
        {
            foreach (var d in db.Deployments.Where(d => d.EndedAt == null))
                d.EndedAt = DateTimeOffset.UtcNow;
            db.Deployments.Add(new ModelDeployment
            {
                Provider = FineTuneProviders.Local, Model = "local-mix:ft-broken", BaseModel = "local-mix-v1", ParametersJson = "{ not a parameter set",
                DeployedAt = DateTimeOffset.UtcNow, DeployedById = Admin.Id,
            });
            await db.SaveChangesAsync();
        }
        var briefId = await BriefAsync();
        using var scope = App.Services.CreateScope();

        var run = await scope.ServiceProvider.GetRequiredService<PlanGenerator>().GenerateSideBySideAsync(briefId, _planner);
        var results = await Task.WhenAll(run.Primary, run.Comparison!);

        var fineTuned = results.Single(r => r.Role == ModelRole.FineTuned);
        var baseColumn = results.Single(r => r.Role == ModelRole.Base);
        Assert.False(fineTuned.Succeeded);
        Assert.Contains("parameter set", fineTuned.Error);
        Assert.True(baseColumn.Succeeded);
        Assert.Equal("local-mix-v1", baseColumn.Model);
    }

    private static readonly string[] ReferenceTables = ["Briefs", "Markets", "Currencies", "Benchmarks"];

    private static T Get<T>(IServiceScope scope) where T : notnull => scope.ServiceProvider.GetRequiredService<T>();

    private SqlCommands RecordSql() => new(new SqliteConnectionStringBuilder(App.ConnectionString).DataSource);

    private static void AssertEachReferenceTableReadOnce(SqlCommands sql)
    {
        foreach (var table in ReferenceTables)
        {
            var reads = sql.Count(text => text.Contains($"FROM \"{table}\"", StringComparison.Ordinal));
            Assert.True(reads == 1, $"\"{table}\" was read {reads} times in one Generate click.");
        }
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
        await Get<SelectionSettingsService>(scope).SaveSelectionAsync(SelectionSettings.Default with { Strategy = SelectionStrategy.FineTunedOnly }, Admin);
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
        var example = ChatExample.Parse((await db.TrainingExamples.SingleAsync(e => e.Id == choice.Value)).MessagesJson);
        Assert.Equal(sent, example.Messages.Take(2).Select(m => (m.Role, m.Content ?? "")));
        Assert.Equal([ChatRoles.Assistant], example.Messages.Skip(2).Select(m => m.Role));
        var pairs = await db.PreferencePairs.Where(p => p.ExampleId == choice.Value).ToListAsync();
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
