using System.Globalization;
using System.Text.Json;
using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Identity;
using Microsoft.Extensions.Logging;

namespace MediaPlanner.Domain.Models;

/// <summary>The model-selection strategy and its auto thresholds, saved as one JSON row of the <see cref="SettingsStore"/>.</summary>
public sealed class SelectionSettingsService
{
    internal const string SelectionKey = "Models.Selection";

    private readonly SettingsStore _store;
    private readonly ILogger<SelectionSettingsService> _logger;
    private readonly StoredValue<SelectionSettings> _selection;

    public SelectionSettingsService(SettingsStore store, ILogger<SelectionSettingsService> logger)
    {
        _store = store;
        _logger = logger;
        _selection = store.Value(Read);
    }

    public SelectionSettings GetSelection() => _selection.Get();

    public async Task<Result> SaveSelectionAsync(SelectionSettings selection, CurrentUser user, CancellationToken ct = default)
    {
        SettingsStore.RequireAdmin(user);
        var errors = ValidateSelection(selection);
        if (errors.Count > 0)
            return Result.Invalid(errors);
        var before = GetSelection();
        var after = JsonSerializer.Serialize(selection, SettingsStore.JsonOptions);
        await _store.WriteAsync(user, [(SelectionKey, after)], new SettingsAuditNote(AuditActions.SettingsSelection, AuditEntities.Setting, SelectionKey,
            $"Saved the model selection: {SelectionChanges(before, selection)}", JsonSerializer.Serialize(before, SettingsStore.JsonOptions), after), ct);
        _logger.LogInformation("Model selection settings saved by user {UserId}.", user.Id);
        return Result.Ok("Saved.");
    }

    private static string SelectionChanges(SelectionSettings before, SelectionSettings after)
    {
        var changes = new List<string>();
        if (before.Strategy != after.Strategy)
            changes.Add($"strategy {before.Strategy} → {after.Strategy}");
        foreach (var property in typeof(AutoThresholds).GetProperties())
        {
            var (was, now) = (property.GetValue(before.Thresholds), property.GetValue(after.Thresholds));
            if (!Equals(was, now))
                changes.Add(string.Create(CultureInfo.InvariantCulture, $"{property.Name} {was} → {now}"));
        }
        return changes.Count == 0 ? "no changes" : string.Join(", ", changes);
    }

    /// <summary>Problems with a selection, keyed by the <see cref="AutoThresholds"/> property (or "Strategy").</summary>
    public static IReadOnlyDictionary<string, string> ValidateSelection(SelectionSettings selection)
    {
        var errors = new Dictionary<string, string>();
        if (!Enum.IsDefined(selection.Strategy))
            errors["Strategy"] = "Choose auto, base only or fine-tuned only.";
        var t = selection.Thresholds;
        if (t is null)
        {
            errors["Thresholds"] = "The auto thresholds are missing.";
            return errors;
        }
        var windowValid = t.Window is >= 5 and <= 1000;
        if (!windowValid)
            errors[nameof(t.Window)] = "The window must be between 5 and 1000 calls.";
        // Against a window that is itself wrong the comparison would only repeat that error.
        if (t.MinSamples < 1 || (windowValid && t.MinSamples > t.Window))
            errors[nameof(t.MinSamples)] = $"Minimum samples must be between 1 and the window ({t.Window}).";
        // Written as !(in range) so NaN fails too.
        if (!(t.MinSuccessRate >= 0 && t.MinSuccessRate <= 1))
            errors[nameof(t.MinSuccessRate)] = "The minimum success rate is a share between 0 and 1, e.g. 0.9 for 90%.";
        if (!(t.QualityTolerance >= 0 && t.QualityTolerance <= 100))
            errors[nameof(t.QualityTolerance)] = "The quality tolerance must be between 0 and 100 points.";
        if (!(t.MaxLatencyRatio >= 1) || double.IsInfinity(t.MaxLatencyRatio))
            errors[nameof(t.MaxLatencyRatio)] = "The latency ratio must be at least 1 (1 = no slower than the base model).";
        if (!(t.MaxCostRatio >= 1) || double.IsInfinity(t.MaxCostRatio))
            errors[nameof(t.MaxCostRatio)] = "The cost ratio must be at least 1 (1 = no dearer than the base model).";
        if (t.DailyBudgetUsd < 0)
            errors[nameof(t.DailyBudgetUsd)] = "The daily budget cannot be negative (0 = no budget).";
        return errors;
    }

    private SelectionSettings Read(IReadOnlyDictionary<string, string> rows)
    {
        if (!rows.TryGetValue(SelectionKey, out var json))
            return SelectionSettings.Default;
        try
        {
            var parsed = JsonSerializer.Deserialize<SelectionSettings>(json, SettingsStore.JsonOptions);
            if (parsed is not null && ValidateSelection(parsed).Count == 0)
                return parsed;
            _logger.LogWarning("The saved model selection settings are out of range; the defaults apply until an admin saves them again.");
        }
        catch (JsonException)
        {
            _logger.LogWarning("The saved model selection settings could not be read; the defaults apply until an admin saves them again.");
        }
        return SelectionSettings.Default;
    }
}
