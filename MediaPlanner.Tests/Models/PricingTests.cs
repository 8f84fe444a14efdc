using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaPlanner.Tests.Models;

/// <summary>Calls through the real generator against the fake OpenAI, priced by the price book and reported on insights.</summary>
public sealed class PricingTests : FakeOpenAIAppTests
{
    private const string OpenAIFineTune = "ft:gpt-4o-mini-2024-07-18:mediaplanner:spring:abc123";
    private const string AzureFineTune = "gpt-4o-mini-2024-07-18.ft-0123456789abcdef-spring";

    private T Get<T>() where T : notnull => App.Services.GetRequiredService<T>();

    private async Task<int> BriefAsync(IServiceProvider services) =>
        (await services.GetRequiredService<BriefService>().CreateAsync(TestBriefs.Input("Fake Co", channels: [Channel.Search, Channel.Social, Channel.Display],
            text: "Build awareness of the new range among adults 25-54 ahead of the summer."), Admin)).Value;

    private async Task<ModelCall> PlanAsync(ModelTarget target)
    {
        using var scope = App.Services.CreateScope();
        var briefId = await BriefAsync(scope.ServiceProvider);
        var column = await scope.ServiceProvider.GetRequiredService<PlanGenerator>().GenerateColumnAsync(briefId, Admin, target,
            ModelRole.FineTuned, SelectionStrategy.FineTunedOnly, "Test.", Guid.NewGuid(), 1, CancellationToken.None);
        Assert.True(column.Succeeded, column.Error);
        await using var db = await Get<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
        return await db.ModelCalls.SingleAsync(c => c.BriefId == briefId);
    }

    private static ModelPrice Price(string provider, string model, decimal input, decimal output) => new()
    {
        Provider = provider, Model = model, InputPerMillion = input, OutputPerMillion = output, Source = "test", AsOf = new(2026, 11, 1),
    };

    [Fact]
    public async Task An_azure_fine_tune_called_through_its_deployment_is_recorded_and_priced_by_its_own_row()
    {
        var saved = await Get<ProviderProfileService>().SaveAsync(new ProviderProfileInput("azure-east", "Azure OpenAI (East US)",
            ProviderKind.AzureOpenAI, new Uri(FakeServer.Root, "/openai/v1").ToString(), FakeServer.ApiKey, false, [new(BaseModel, "mini-base")]), Admin);
        Assert.True(saved.Succeeded, string.Join("; ", saved.Errors.Values));
        var settings = Get<PriceSettingsService>();
        Assert.True((await settings.SavePriceAsync(Price("azure-east", AzureFineTune, 0.33m, 1.32m), Admin)).Succeeded);
        // A row under the deployment name must not be what prices the call.
        Assert.True((await settings.SavePriceAsync(Price("", "spring-deploy", 90m, 90m), Admin)).Succeeded);

        var call = await PlanAsync(new ModelTarget("azure-east", AzureFineTune, Deployment: "spring-deploy"));

        Assert.Equal("spring-deploy", Assert.Single(FakeServer.ChatRequests).Model);
        Assert.Equal(("azure-east", AzureFineTune), (call.Provider, call.Model));
        Assert.True(call.InputTokens > 0 && call.OutputTokens > 0);
        Assert.Equal(ModelCost.Of(call.InputTokens, call.OutputTokens, Price("", AzureFineTune, 0.33m, 1.32m)), call.Cost);
        Assert.False(call.PriceEstimated);
    }

    [Fact]
    public async Task A_fine_tune_without_a_price_row_is_estimated_at_its_base_price_and_flagged_on_insights_until_it_gets_one()
    {
        var call = await PlanAsync(new ModelTarget("openai", OpenAIFineTune));

        await using (var db = await Get<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync())
        {
            var basePrice = await db.ModelPrices.SingleAsync(p => p.Provider == "" && p.Model == BaseModel);
            Assert.Equal(ModelCost.Of(call.InputTokens, call.OutputTokens, basePrice), call.Cost);
        }
        Assert.True(call.PriceEstimated);
        using (var scope = App.Services.CreateScope())
        {
            var insights = await scope.ServiceProvider.GetRequiredService<InsightsService>().GetAsync(Admin);
            Assert.True(Assert.Single(insights.Models, m => m.Model == OpenAIFineTune).CostEstimated);
            var alert = Assert.Single(insights.Alerts, a => a.Contains(OpenAIFineTune, StringComparison.Ordinal));
            Assert.Contains("estimated at the base model's price", alert);
            Assert.Contains("Add a price row in settings", alert);
        }

        Assert.True((await Get<PriceSettingsService>().SavePriceAsync(Price("openai", OpenAIFineTune, 0.30m, 1.20m), Admin)).Succeeded);
        var priced = await PlanAsync(new ModelTarget("openai", OpenAIFineTune));

        Assert.False(priced.PriceEstimated);
        Assert.Equal(ModelCost.Of(priced.InputTokens, priced.OutputTokens, Price("", OpenAIFineTune, 0.30m, 1.20m)), priced.Cost);
        using (var scope = App.Services.CreateScope())
        {
            var insights = await scope.ServiceProvider.GetRequiredService<InsightsService>().GetAsync(Admin);
            Assert.DoesNotContain(insights.Alerts, a => a.Contains(OpenAIFineTune, StringComparison.Ordinal));
            // The earlier call's cost stays an estimate, and says so.
            Assert.True(Assert.Single(insights.Models, m => m.Model == OpenAIFineTune).CostEstimated);
        }
    }

    [Fact]
    public async Task A_provider_specific_price_row_wins_over_the_any_provider_row()
    {
        Assert.True((await Get<PriceSettingsService>().SavePriceAsync(Price("openai", BaseModel, 0.10m, 0.40m), Admin)).Succeeded);

        var call = await PlanAsync(new ModelTarget("openai", BaseModel));

        Assert.Equal(ModelCost.Of(call.InputTokens, call.OutputTokens, Price("openai", BaseModel, 0.10m, 0.40m)), call.Cost);
        Assert.False(call.PriceEstimated);
    }
}
