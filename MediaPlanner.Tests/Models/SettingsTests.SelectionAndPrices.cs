using System.Net;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenAI.FineTuning;

namespace MediaPlanner.Tests.Models;

// Model-selection thresholds and the price book: refused at their field, saved, read back.
public sealed partial class SettingsTests
{
    public static TheoryData<AutoThresholds, string> BadThresholds => new()
    {
        { new AutoThresholds(Window: 4), nameof(AutoThresholds.Window) },
        { new AutoThresholds(Window: 1001), nameof(AutoThresholds.Window) },
        { new AutoThresholds(MinSamples: 0), nameof(AutoThresholds.MinSamples) },
        { new AutoThresholds(Window: 20, MinSamples: 21), nameof(AutoThresholds.MinSamples) },
        { new AutoThresholds(MinSuccessRate: 1.5), nameof(AutoThresholds.MinSuccessRate) },
        { new AutoThresholds(MinSuccessRate: -0.1), nameof(AutoThresholds.MinSuccessRate) },
        { new AutoThresholds(MinSuccessRate: double.NaN), nameof(AutoThresholds.MinSuccessRate) },
        { new AutoThresholds(QualityTolerance: 101), nameof(AutoThresholds.QualityTolerance) },
        { new AutoThresholds(QualityTolerance: -1), nameof(AutoThresholds.QualityTolerance) },
        { new AutoThresholds(MaxLatencyRatio: 0.5), nameof(AutoThresholds.MaxLatencyRatio) },
        { new AutoThresholds(MaxCostRatio: 0.99), nameof(AutoThresholds.MaxCostRatio) },
        { new AutoThresholds(DailyBudgetUsd: -1m), nameof(AutoThresholds.DailyBudgetUsd) },
    };

    [Theory]
    [MemberData(nameof(BadThresholds))]
    public async Task Out_of_range_thresholds_are_refused_at_their_field(AutoThresholds thresholds, string field)
    {
        var before = Selection.GetSelection();

        var result = await Selection.SaveSelectionAsync(new SelectionSettings(SelectionStrategy.Auto, thresholds), await AdminAsync());

        Assert.False(result.Succeeded);
        Assert.Equal(field, Assert.Single(result.Errors).Key);
        Assert.Equal(before, Selection.GetSelection());
    }

    [Fact]
    public async Task Valid_selection_settings_are_saved_and_read_back_by_a_fresh_service()
    {
        var saved = new SelectionSettings(SelectionStrategy.FineTunedOnly,
            new AutoThresholds(Window: 5, MinSamples: 5, MinSuccessRate: 0, QualityTolerance: 100, MaxLatencyRatio: 1, MaxCostRatio: 1, DailyBudgetUsd: 0m));

        var result = await Selection.SaveSelectionAsync(saved, await AdminAsync());

        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Values));
        Assert.Equal(saved, Selection.GetSelection());
        var fresh = ActivatorUtilities.CreateInstance<SelectionSettingsService>(fixture.App.Services,
            ActivatorUtilities.CreateInstance<SettingsStore>(fixture.App.Services));
        Assert.Equal(saved, fresh.GetSelection());
        Assert.Contains("FineTunedOnly", (await RowsAsync())[SelectionSettingsService.SelectionKey]);
        await Selection.SaveSelectionAsync(SelectionSettings.Default, await AdminAsync());
    }

    [Fact]
    public async Task A_price_row_is_added_updated_and_deleted_and_a_fine_tuned_model_gets_its_own()
    {
        var admin = await AdminAsync();
        const string Model = "ft:gpt-4o-mini-2024-07-18:acme:spring:abc123";
        var price = new ModelPrice { Model = Model, InputPerMillion = 0.30m, OutputPerMillion = 1.20m, Source = "OpenAI pricing page (fine-tuned)", AsOf = new(2026, 11, 1) };

        Assert.True((await Prices.SavePriceAsync(price, admin)).Succeeded);
        var added = Assert.Single(await Prices.PricesAsync(), p => p.Model == Model);
        Assert.Equal(0.30m, added.InputPerMillion);
        Assert.Null(added.TrainingPerMillion);

        var update = new ModelPrice { Model = $" {Model} ", InputPerMillion = 0.25m, OutputPerMillion = 1.00m, TrainingPerMillion = 0m, Source = " Invoice ", AsOf = new(2026, 11, 20) };
        Assert.True((await Prices.SavePriceAsync(update, admin)).Succeeded);
        var updated = Assert.Single(await Prices.PricesAsync(), p => p.Model == Model);
        Assert.Equal((0.25m, 1.00m, (decimal?)0m, "Invoice", new DateOnly(2026, 11, 20)),
            (updated.InputPerMillion, updated.OutputPerMillion, updated.TrainingPerMillion, updated.Source, updated.AsOf));
        Assert.Contains(await Prices.PricesAsync(), p => p.Model == "gpt-4o-mini-2024-07-18");

        Assert.True(await Prices.DeletePriceAsync(Model, admin));
        Assert.DoesNotContain(await Prices.PricesAsync(), p => p.Model == Model);
        Assert.False(await Prices.DeletePriceAsync(Model, admin));
    }

    [Fact]
    public async Task A_price_row_for_one_provider_sits_beside_the_any_provider_row_and_an_unknown_provider_is_refused_at_its_field()
    {
        var admin = await AdminAsync();
        const string Model = "gpt-4o-2024-08-06";
        var any = Assert.Single(await Prices.PricesAsync(), p => p.Model == Model);
        var own = new ModelPrice { Provider = "openai", Model = Model, InputPerMillion = 2.00m, OutputPerMillion = 8.00m, Source = "Negotiated rate", AsOf = new(2026, 11, 1) };

        Assert.True((await Prices.SavePriceAsync(own, admin)).Succeeded);

        var rows = (await Prices.PricesAsync()).Where(p => p.Model == Model).ToList();
        Assert.Equal(["", "openai"], rows.Select(p => p.Provider));
        Assert.Equal(any.InputPerMillion, rows[0].InputPerMillion);
        await using (var db = await fixture.App.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync())
            Assert.Equal(PriceBasis.Provider, (await PriceBook.LoadAsync(db)).Find("openai", Model).Basis);

        var unknown = await Prices.SavePriceAsync(new ModelPrice
        {
            Provider = "nowhere", Model = Model, InputPerMillion = 1m, OutputPerMillion = 1m, Source = "test", AsOf = new(2026, 11, 1),
        }, admin);
        Assert.Contains("no provider nowhere", Assert.Single(unknown.Errors, e => e.Key == nameof(ModelPrice.Provider)).Value);

        Assert.True(await Prices.DeletePriceAsync("openai", Model, admin));
        Assert.Equal([""], (await Prices.PricesAsync()).Where(p => p.Model == Model).Select(p => p.Provider));
    }

    public static TheoryData<ModelPrice, string> BadPrices => new()
    {
        { Price(p => p.Model = " "), nameof(ModelPrice.Model) },
        { Price(p => p.InputPerMillion = -0.01m), nameof(ModelPrice.InputPerMillion) },
        { Price(p => p.OutputPerMillion = -1m), nameof(ModelPrice.OutputPerMillion) },
        { Price(p => p.TrainingPerMillion = -3m), nameof(ModelPrice.TrainingPerMillion) },
        { Price(p => p.Source = ""), nameof(ModelPrice.Source) },
        { Price(p => p.AsOf = default), nameof(ModelPrice.AsOf) },
        { Price(p => p.AsOf = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(30)), nameof(ModelPrice.AsOf) },
    };

    private static ModelPrice Price(Action<ModelPrice> change)
    {
        var price = new ModelPrice { Model = "bad-price-model", InputPerMillion = 1m, OutputPerMillion = 2m, Source = "test", AsOf = new(2026, 1, 1) };
        change(price);
        return price;
    }

    [Theory]
    [MemberData(nameof(BadPrices))]
    public async Task A_bad_price_is_refused_at_its_field_and_not_stored(ModelPrice price, string field)
    {
        var result = await Prices.SavePriceAsync(price, await AdminAsync());

        Assert.False(result.Succeeded);
        Assert.Equal(field, Assert.Single(result.Errors).Key);
        Assert.DoesNotContain(await Prices.PricesAsync(), p => p.Model == "bad-price-model");
    }
}
