using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Training;
using Microsoft.Extensions.Logging;

namespace MediaPlanner.Domain.Models;

/// <summary>What may leave the app: whether client names are anonymised, a row of the <see cref="SettingsStore"/>.</summary>
public sealed class PrivacySettingsService(SettingsStore store, ILogger<PrivacySettingsService> logger)
{
    internal const string AnonymiseKey = "Privacy.AnonymiseOutbound";

    private readonly StoredValue<bool> _anonymise =
        store.Value(rows => rows.TryGetValue(AnonymiseKey, out var anonymise) && bool.TryParse(anonymise, out var on) && on);

    /// <summary>
    /// True when client names (brand, campaign, client) are replaced by placeholders in everything that leaves the app:
    /// training exports, files uploaded to a hosted provider, and plan requests to hosted models (see <see cref="Anonymiser"/>).
    /// Off by default: the data is the agency's own, going to its own provider account; an admin whose clients require
    /// more turns it on.
    /// </summary>
    public bool AnonymiseOutbound => _anonymise.Get();

    /// <summary>Turns anonymisation of outbound data on or off, audited with the value before and after; a save that changes nothing is not recorded.</summary>
    public async Task SaveAnonymiseOutboundAsync(bool on, CurrentUser user, CancellationToken ct = default)
    {
        SettingsStore.RequireAdmin(user);
        var before = AnonymiseOutbound;
        if (before == on)
            return;
        await store.WriteAsync(user, [(AnonymiseKey, on ? "true" : "false")], new SettingsAuditNote(AuditActions.SettingsPrivacy, AuditEntities.Setting, AnonymiseKey,
            on ? "Turned on anonymisation: brand, campaign and client names leave the app as placeholders"
               : "Turned off anonymisation: training data and prompts leave the app as written",
            AuditLog.Json(new { anonymiseOutbound = before }), AuditLog.Json(new { anonymiseOutbound = on })), ct);
        logger.LogInformation("Anonymisation of outbound data turned {State} by user {UserId}.", on ? "on" : "off", user.Id);
    }
}
