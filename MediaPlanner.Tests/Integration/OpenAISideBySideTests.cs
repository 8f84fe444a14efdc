using System.Diagnostics;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace MediaPlanner.Tests.Integration;

/// <summary>Base and fine-tuned OpenAI models planning one brief through the real generator, against the fake server.</summary>
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
        return (await scope.ServiceProvider.GetRequiredService<BriefService>().CreateAsync(new BriefInput
        {
            Brand = "Fake Co", CampaignName = "Launch", Budget = 100_000m, Currency = "USD", MarketCode = "US", Objective = Objective.Awareness,
            FlightStart = new DateTime(2027, 5, 1), FlightEnd = new DateTime(2027, 6, 1), Channels = [Channel.Search, Channel.Social, Channel.Display, Channel.OnlineVideo],
            BriefText = "Build awareness of the new range among adults 25-54 ahead of the summer, with a steady weekly presence.",
        }, _planner)).Id!.Value;
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
}
