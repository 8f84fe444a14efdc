using System.Text.Json.Nodes;

namespace MediaPlanner.Tests.Infrastructure;

/// <summary>Chat-format JSONL lines for a fine-tuning file, numbered within their part ("train", "valid").</summary>
public static class FineTuneLines
{
    public static List<string> Lines(string part, int count) =>
        [.. Enumerable.Range(1, count).Select(i => new JsonObject
        {
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "system", ["content"] = "You are a media planner." },
                new JsonObject { ["role"] = "user", ["content"] = $"Brief {part} {i}: awareness, US, $50,000." },
                new JsonObject { ["role"] = "assistant", ["content"] = $"{{\"plan\": \"{part}-{i}\"}}" }),
        }.ToJsonString())];
}
