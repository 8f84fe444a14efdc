using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Training;
using Microsoft.EntityFrameworkCore;

namespace MediaPlanner.Domain.Models;

/// <summary>Where a price came from.</summary>
public enum PriceBasis
{
    /// <summary>No row for the model, nor (for a fine-tune) for its base model: calls count as free.</summary>
    Unpriced,
    /// <summary>A row for this provider profile and model.</summary>
    Provider,
    /// <summary>A row for the model that applies to any provider.</summary>
    AnyProvider,
    /// <summary>A fine-tune or checkpoint without a row of its own, priced at its base model's row: an estimate.</summary>
    BaseModel,
}

/// <summary>A price lookup's answer: the row that applies (if any) and how it was found.</summary>
public sealed record PriceQuote(ModelPrice? Price, PriceBasis Basis)
{
    public static PriceQuote None { get; } = new(null, PriceBasis.Unpriced);

    public bool Priced => Price is not null;

    /// <summary>True when the price is the base model's, standing in for a fine-tune's own.</summary>
    public bool Estimated => Basis == PriceBasis.BaseModel;

    /// <summary>USD for the tokens; 0 when unpriced.</summary>
    public decimal Cost(int inputTokens, int outputTokens) =>
        Price is null ? 0m : Planning.ModelCost.Of(inputTokens, outputTokens, Price);
}

/// <summary>
/// The one place prices are read. A price belongs to a provider profile and a model name: the profile's own row wins,
/// then the row for any provider (Provider ""), then — for a fine-tuned model or checkpoint, whose own price is usually
/// higher than its base model's — the base model's row the same way, marked estimated so it can be flagged. Names are
/// parsed with <see cref="ModelName"/>, so OpenAI <c>ft:</c> names and Azure <c>{base}.ft-{id}</c> names find their base
/// alike. Azure deployment names are not model names: callers pass the model (<see cref="Planning.ModelTarget.Model"/>).
/// </summary>
public sealed class PriceBook
{
    private readonly Dictionary<(string Provider, string Model), ModelPrice> _rows;

    public PriceBook(IEnumerable<ModelPrice> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        _rows = [];
        foreach (var row in rows)
            _rows[(row.Provider.Trim(), row.Model.Trim())] = row;
    }

    public IReadOnlyCollection<ModelPrice> Rows => _rows.Values;

    public static async Task<PriceBook> LoadAsync(PlannerDbContext db, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        return new(await db.ModelPrices.AsNoTracking().ToListAsync(ct));
    }

    /// <summary>The price of <paramref name="model"/> as served by the profile <paramref name="provider"/>.</summary>
    public PriceQuote Find(string? provider, string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var key = provider?.Trim() ?? "";
        var name = ModelName.Parse(model);
        if (Row(key, name.Value) is { } own)
            return own;
        if (name.IsFineTuned && name.BaseModel is { Length: > 0 } baseModel && Row(key, baseModel) is { Price: var price })
            return new(price, PriceBasis.BaseModel);
        return PriceQuote.None;
    }

    private PriceQuote? Row(string provider, string model)
    {
        if (provider.Length > 0 && _rows.TryGetValue((provider, model), out var own))
            return new(own, PriceBasis.Provider);
        return _rows.TryGetValue(("", model), out var any) ? new(any, PriceBasis.AnyProvider) : null;
    }
}
