using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Training;

namespace MediaPlanner.Tests.Models;

public class PriceBookTests
{
    private const string Base = "gpt-4o-mini-2024-07-18";
    private const string OpenAIFineTune = "ft:gpt-4o-mini-2024-07-18:acme:spring:abc123";
    private const string AzureFineTune = "gpt-4o-mini-2024-07-18.ft-0123456789abcdef-spring";

    private static ModelPrice Row(string model, decimal input, decimal output, string provider = "") => new()
    {
        Provider = provider, Model = model, InputPerMillion = input, OutputPerMillion = output, TrainingPerMillion = 3m,
        Source = "test", AsOf = new DateOnly(2026, 12, 1),
    };

    [Fact]
    public void A_provider_specific_row_wins_over_the_any_provider_row_and_other_providers_get_the_any_provider_row()
    {
        var book = new PriceBook([Row(Base, 0.15m, 0.60m), Row(Base, 0.165m, 0.66m, provider: "azure-east")]);

        var azure = book.Find("azure-east", Base);
        var openAI = book.Find("openai", Base);

        Assert.Equal((PriceBasis.Provider, 0.165m), (azure.Basis, azure.Price!.InputPerMillion));
        Assert.Equal((PriceBasis.AnyProvider, 0.15m), (openAI.Basis, openAI.Price!.InputPerMillion));
        Assert.False(azure.Estimated || openAI.Estimated);
        Assert.Equal(0.165m + 0.66m, azure.Cost(1_000_000, 1_000_000));
    }

    [Fact]
    public void An_azure_fine_tune_is_priced_by_its_own_row_not_its_base_models()
    {
        var book = new PriceBook([Row(Base, 0.15m, 0.60m), Row(AzureFineTune, 0.30m, 1.20m, provider: "azure-east")]);

        var quote = book.Find("azure-east", AzureFineTune);

        Assert.Equal(PriceBasis.Provider, quote.Basis);
        Assert.False(quote.Estimated);
        Assert.Equal(0.30m + 1.20m, quote.Cost(1_000_000, 1_000_000));
    }

    [Theory]
    [InlineData("openai", OpenAIFineTune)]
    [InlineData("openai", OpenAIFineTune + ":ckpt-step-20")]
    [InlineData("azure-east", AzureFineTune)]
    public void A_fine_tune_or_checkpoint_without_a_row_is_estimated_at_its_base_models_price(string provider, string model)
    {
        var book = new PriceBook([Row(Base, 0.15m, 0.60m), Row(Base, 0.165m, 0.66m, provider: "azure-east")]);

        var quote = book.Find(provider, model);

        Assert.True(quote.Estimated);
        Assert.Equal(PriceBasis.BaseModel, quote.Basis);
        Assert.Equal(provider == "azure-east" ? 0.165m : 0.15m, quote.Price!.InputPerMillion);
    }

    [Fact]
    public void A_model_without_a_row_and_without_a_priced_base_is_unpriced_and_free()
    {
        var book = new PriceBook([Row(Base, 0.15m, 0.60m)]);

        Assert.Equal(PriceQuote.None, book.Find("openai", "gpt-4.1-2025-04-14"));
        Assert.Equal(PriceQuote.None, book.Find("openai", "ft:gpt-4.1-2025-04-14:acme::x1"));
        Assert.Equal(0m, book.Find("nebius", "meta-llama/Llama-3.1-8B-Instruct").Cost(1_000, 1_000));
        // A deployment name is not a model name: it finds nothing, which is why callers price by the model.
        Assert.False(book.Find("azure-east", "planner-mini").Priced);
    }
}
