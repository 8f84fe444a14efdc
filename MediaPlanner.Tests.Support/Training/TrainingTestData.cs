using System.Text.Json.Nodes;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Infrastructure;

namespace MediaPlanner.Tests.Training;

/// <summary>Training examples built the way the app builds them: a real brief and an engine plan.</summary>
internal static class TrainingTestData
{
    public const string Model = "gpt-4o-mini-2024-07-18";

    public static Market Market(string code = "US") => SeedReferenceData.Markets.Single(m => m.Code == code);

    public static MediaPlan Plan(CampaignBrief? brief = null) => TestData.Plans(TestData.Request(brief ?? TestData.Brief()))[0];

    public static ChatExample Example(CampaignBrief? brief = null)
    {
        brief ??= TestData.Brief();
        return PromptRenderer.Example(brief, Market(brief.MarketCode), Plan(brief));
    }

    public static string Line() => Example().ToJsonLine();

    /// <summary>The valid example's line, changed through its JSON: for lines no <see cref="ChatExample"/> can express.</summary>
    public static string EditLine(Action<JsonArray> edit)
    {
        var root = JsonNode.Parse(Line())!.AsObject();
        edit(root["messages"]!.AsArray());
        return root.ToJsonString();
    }

    /// <summary>The valid example with one message's content replaced.</summary>
    public static ChatExample WithContent(string role, Func<string, string> change)
    {
        var example = Example();
        return new ChatExample([.. example.Messages.Select(m => m.Role == role ? m with { Content = change(m.Content!) } : m)]);
    }

    public static ChatExample Without(string role) =>
        new([.. Example().Messages.Where(m => m.Role != role)]);
}
