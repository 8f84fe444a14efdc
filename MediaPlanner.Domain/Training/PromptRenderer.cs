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

    /// <summary>The brief as the prompt's user message, as <see cref="BriefPrompt.Render"/> writes it.</summary>
    public static string UserMessage(CampaignBrief brief, Market market) => BriefPrompt.Render(brief, market);

    /// <summary>The messages sent to a model to plan the brief (system and user).</summary>
    public static IReadOnlyList<ChatMessage> PromptMessages(CampaignBrief brief, Market market) =>
    [
        new(ChatRoles.System, SystemPrompt),
        new(ChatRoles.User, UserMessage(brief, market)),
    ];

    /// <summary>A training example: the prompt and the plan as the assistant's answer.</summary>
    public static ChatExample Example(CampaignBrief brief, Market market, MediaPlan plan) => Example(PromptMessages(brief, market), plan);

    /// <summary>A training example: a prompt already rendered (the one a plan was asked with) and the plan as the assistant's answer.</summary>
    public static ChatExample Example(IReadOnlyList<ChatMessage> prompt, MediaPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return new([.. prompt, new(ChatRoles.Assistant, PlanJson.Serialize(plan))]);
    }
}
