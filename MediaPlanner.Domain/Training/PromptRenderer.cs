using System.Globalization;
using System.Text;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Planning;

namespace MediaPlanner.Domain.Training;

/// <summary>
/// The one rendering of a brief into chat messages, shared by plan generation and training data so a
/// fine-tuned model sees at inference exactly what it was trained on.
/// </summary>
public static class PromptRenderer
{
    public const string SystemPrompt =
        "You are an experienced media planner. Given a campaign brief, return exactly one media plan as a single JSON " +
        "object that matches the MediaPlan schema, with no other text. Spend exactly the budget, in the brief's currency: " +
        "the line items' spend must add up to it. Use only the channels the brief allows. Use CPMs that are realistic for " +
        "the market and format, and keep the numbers consistent: impressions = spend / CPM x 1000, frequency = impressions / reach, " +
        "reach never above the audience, totals equal to the sum of the line items. In the rationales, explain each choice " +
        "with numbers: share of budget, CPM, expected reach and frequency, and the trade-offs against the objective.";

    public static string UserMessage(CampaignBrief brief, Market market)
    {
        ArgumentNullException.ThrowIfNull(brief);
        ArgumentNullException.ThrowIfNull(market);
        if (!string.Equals(brief.MarketCode, market.Code, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"The brief is for market {brief.MarketCode}, not {market.Code}.", nameof(market));

        var inv = CultureInfo.InvariantCulture;
        // "\n" rather than AppendLine: the prompt must be byte-identical on every OS.
        var text = new StringBuilder(256 + brief.BriefText.Length);
        text.Append(inv, $"Brand: {brief.Brand}\n");
        text.Append(inv, $"Campaign: {brief.CampaignName}\n");
        text.Append(inv, $"Budget: {brief.Currency} {brief.Budget:0.00}\n");
        text.Append(inv, $"Market: {market.Code} ({market.Name}, {market.AdultPopulation:N0} adults)\n");
        text.Append(inv, $"Objective: {brief.Objective}\n");
        text.Append(inv, $"Audience: {brief.AudienceDescription}\n");
        text.Append(inv, $"Flight: {brief.FlightStart:yyyy-MM-dd} to {brief.FlightEnd:yyyy-MM-dd}\n");
        text.Append("Channels: ").AppendJoin(", ", brief.Channels).Append('\n');
        text.Append("KPIs: ").Append(string.IsNullOrWhiteSpace(brief.Kpis) ? "none given" : brief.Kpis).Append('\n');
        text.Append("\nBrief:\n").Append(brief.BriefText);
        return text.ToString();
    }

    /// <summary>The messages sent to a model to plan the brief (system and user).</summary>
    public static IReadOnlyList<ChatMessage> PromptMessages(CampaignBrief brief, Market market) =>
    [
        new(ChatRoles.System, SystemPrompt),
        new(ChatRoles.User, UserMessage(brief, market)),
    ];

    /// <summary>A training example: the prompt and the plan as the assistant's answer.</summary>
    public static ChatExample Example(CampaignBrief brief, Market market, MediaPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return new([.. PromptMessages(brief, market), new(ChatRoles.Assistant, PlanJson.Serialize(plan))]);
    }
}
