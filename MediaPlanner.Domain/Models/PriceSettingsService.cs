using System.Globalization;
using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Training;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace MediaPlanner.Domain.Models;

/// <summary>The price table an admin edits on the settings page: one <see cref="ModelPrice"/> row per model and provider, every change audited.</summary>
public sealed class PriceSettingsService(
    IDbContextFactory<PlannerDbContext> dbFactory,
    TimeProvider clock,
    ILogger<PriceSettingsService> logger,
    AuditLog audit)
{
    public async Task<IReadOnlyList<ModelPrice>> PricesAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.ModelPrices.AsNoTracking().OrderBy(p => p.Model).ThenBy(p => p.Provider).ToListAsync(ct);
    }

    /// <summary>
    /// Adds or replaces the price row for <see cref="ModelPrice.Provider"/> and <see cref="ModelPrice.Model"/> (a fine-tuned
    /// model can have its own). Provider "" is any provider; otherwise it must be a provider profile's key.
    /// </summary>
    public async Task<Result> SavePriceAsync(ModelPrice price, CurrentUser user, CancellationToken ct = default)
    {
        SettingsStore.RequireAdmin(user);
        var errors = new Dictionary<string, string>(ValidatePrice(price, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime)));
        var model = price.Model?.Trim() ?? "";
        var provider = price.Provider?.Trim() ?? "";
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (provider.Length > 0 && provider != Providers.ProviderProfile.PrimaryKey && !await db.ProviderProfiles.AnyAsync(p => p.Key == provider, ct))
            errors[nameof(ModelPrice.Provider)] = $"There is no provider {provider}: choose one of the providers in settings, or any provider.";
        if (errors.Count > 0)
            return Result.Invalid(errors);
        var row = await db.ModelPrices.SingleOrDefaultAsync(p => p.Provider == provider && p.Model == model, ct);
        var before = row is null ? null : PriceJson(row);
        if (row is null)
        {
            row = new ModelPrice { Provider = provider, Model = model, Source = "" };
            db.ModelPrices.Add(row);
        }
        row.InputPerMillion = price.InputPerMillion;
        row.OutputPerMillion = price.OutputPerMillion;
        row.TrainingPerMillion = price.TrainingPerMillion;
        row.Source = price.Source!.Trim();
        row.AsOf = price.AsOf;
        var name = PriceName(provider, model);
        await audit.AddAsync(db, user, AuditActions.SettingsPrice, AuditEntities.ModelPrice, PriceEntityId(provider, model),
            string.Create(CultureInfo.InvariantCulture,
                $"{(before is null ? "Added" : "Changed")} the price of {name}: input {row.InputPerMillion}, output {row.OutputPerMillion}, training {(row.TrainingPerMillion?.ToString(CultureInfo.InvariantCulture) ?? "unknown")} per 1M tokens"),
            before, PriceJson(row), ct);
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Price row for {Model} ({Provider}) saved by user {UserId}.", model, provider.Length == 0 ? "any provider" : provider, user.Id);
        return Result.Ok("Saved.");
    }

    /// <summary>Removes the any-provider price row of <paramref name="model"/>; false when there was none.</summary>
    public Task<bool> DeletePriceAsync(string model, CurrentUser user, CancellationToken ct = default) => DeletePriceAsync("", model, user, ct);

    /// <summary>Removes a price row (provider "" = the any-provider row); false when there was none.</summary>
    public async Task<bool> DeletePriceAsync(string provider, string model, CurrentUser user, CancellationToken ct = default)
    {
        SettingsStore.RequireAdmin(user);
        provider = provider?.Trim() ?? "";
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var rows = db.ModelPrices.Where(p => p.Provider == provider && p.Model == model);
        var row = await rows.AsNoTracking().SingleOrDefaultAsync(ct);
        var deleted = row is not null && await rows.ExecuteDeleteAsync(ct) > 0;
        if (deleted)
        {
            await audit.AddAsync(db, user, AuditActions.SettingsPriceDelete, AuditEntities.ModelPrice, PriceEntityId(provider, model),
                $"Deleted the price of {PriceName(provider, model)}", PriceJson(row!), null, ct);
            await db.SaveChangesAsync(ct);
        }
        await transaction.CommitAsync(ct);
        if (deleted)
            logger.LogInformation("Price row for {Model} ({Provider}) deleted by user {UserId}.", model, provider.Length == 0 ? "any provider" : provider, user.Id);
        return deleted;
    }

    // The any-provider row keeps the id and wording it had before prices belonged to providers.
    private static string PriceEntityId(string provider, string model) => provider.Length == 0 ? model : $"{provider}/{model}";

    private static string PriceName(string provider, string model) => provider.Length == 0 ? model : $"{model} at {provider}";

    private static string PriceJson(ModelPrice p) => AuditLog.Json(new
    {
        input = p.InputPerMillion, output = p.OutputPerMillion, training = p.TrainingPerMillion, source = p.Source,
        asOf = p.AsOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
    });

    public static IReadOnlyDictionary<string, string> ValidatePrice(ModelPrice price, DateOnly today)
    {
        const decimal Max = 1_000_000m;
        var errors = new Dictionary<string, string>();
        var model = price.Model?.Trim() ?? "";
        if (model.Length == 0)
            errors[nameof(ModelPrice.Model)] = "Name the model, e.g. gpt-4o-mini-2024-07-18 or a fine-tuned ft:… name.";
        else if (model.Length > 200)
            errors[nameof(ModelPrice.Model)] = "A model name is at most 200 characters.";
        if (price.InputPerMillion is < 0 or > Max)
            errors[nameof(ModelPrice.InputPerMillion)] = "The input price must be between 0 and 1,000,000 per 1M tokens.";
        if (price.OutputPerMillion is < 0 or > Max)
            errors[nameof(ModelPrice.OutputPerMillion)] = "The output price must be between 0 and 1,000,000 per 1M tokens.";
        if (price.TrainingPerMillion is < 0 or > Max)
            errors[nameof(ModelPrice.TrainingPerMillion)] = "The training price must be between 0 and 1,000,000 per 1M tokens (empty = unknown).";
        var source = price.Source?.Trim() ?? "";
        if (source.Length == 0)
            errors[nameof(ModelPrice.Source)] = "Say where the price comes from, e.g. OpenAI pricing page.";
        else if (source.Length > 300)
            errors[nameof(ModelPrice.Source)] = "The source is at most 300 characters.";
        if (price.AsOf == default)
            errors[nameof(ModelPrice.AsOf)] = "Give the date the price was read.";
        else if (price.AsOf > today.AddDays(1))
            errors[nameof(ModelPrice.AsOf)] = "The date the price was read cannot be in the future.";
        return errors;
    }
}
