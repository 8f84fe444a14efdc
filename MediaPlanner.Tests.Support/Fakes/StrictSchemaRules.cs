using System.Text.Json;
using System.Text.Json.Nodes;

namespace MediaPlanner.Tests.Fakes;

/// <summary>A schema node that breaks a strict structured-output rule; <see cref="Path"/> is a JSON pointer into the schema.</summary>
public sealed record StrictSchemaViolation(string Path, string Problem)
{
    /// <summary>The path as OpenAI's error messages write it: ('properties', 'objective').</summary>
    public string Context => "(" + string.Join(", ", Path.Split('/', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(s => $"'{s}'")) + ")";

    public override string ToString() => $"{Path}: {Problem}";
}

/// <summary>
/// OpenAI's rules for <c>strict: true</c> json_schema response formats, as documented for structured outputs. Kept
/// in one place so the fake server answers 400 to the same schemas these tests call invalid.
/// </summary>
public static class StrictSchemaRules
{
    private static readonly string[] Types = ["string", "number", "integer", "boolean", "object", "array", "null"];

    private static readonly HashSet<string> AnyType = ["type", "properties", "required", "additionalProperties", "items", "enum", "const", "anyOf", "$ref", "$defs", "description"];

    private static readonly Dictionary<string, string[]> TypeKeywords = new()
    {
        ["pattern"] = ["string"],
        ["format"] = ["string"],
        ["minimum"] = ["number", "integer"],
        ["maximum"] = ["number", "integer"],
        ["exclusiveMinimum"] = ["number", "integer"],
        ["exclusiveMaximum"] = ["number", "integer"],
        ["multipleOf"] = ["number", "integer"],
        ["minItems"] = ["array"],
        ["maxItems"] = ["array"],
    };

    private static readonly HashSet<string> Formats = ["date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"];

    public static IReadOnlyList<StrictSchemaViolation> Check(JsonNode? schema)
    {
        var violations = new List<StrictSchemaViolation>();
        if (schema is not JsonObject root || TypeNames(root) is not ["object"])
            violations.Add(new("#", "the root schema must be an object with \"type\": \"object\""));
        if (schema is JsonObject obj)
            CheckNode(obj, "#", violations);
        return violations;
    }

    private static void CheckNode(JsonObject node, string path, List<StrictSchemaViolation> violations)
    {
        void Fail(string problem) => violations.Add(new(path, problem));

        // A $ref or an anyOf takes its type from what it points to or lists; every other node states its own.
        var types = TypeNames(node);
        if (node["type"] is null && node["$ref"] is null && node["anyOf"] is null)
            Fail("schema must have a 'type' key");
        else if (node["type"] is not null && (types is null || types.Count == 0 || types.Any(t => !Types.Contains(t))))
            Fail($"'type' must be one of [{string.Join(", ", Types)}] or an array of them, not {node["type"]!.ToJsonString()}");

        foreach (var (keyword, _) in node)
        {
            if (AnyType.Contains(keyword))
                continue;
            if (!TypeKeywords.TryGetValue(keyword, out var forTypes))
                Fail($"'{keyword}' is not permitted");
            else if (types is not null && !types.Any(forTypes.Contains))
                Fail($"'{keyword}' is only permitted on {string.Join(" or ", forTypes)} schemas");
        }

        if (node["format"] is JsonValue format && format.TryGetValue<string>(out var f) && !Formats.Contains(f))
            Fail($"format '{f}' is not supported");

        if (node["enum"] is JsonArray values && types is not null)
            foreach (var value in values)
                if (!types.Contains(TypeOf(value)) && !(TypeOf(value) == "integer" && types.Contains("number")))
                    Fail($"enum value {value?.ToJsonString() ?? "null"} does not match 'type' [{string.Join(", ", types)}]");

        if (types?.Contains("object") == true || node["properties"] is not null)
        {
            var names = (node["properties"] as JsonObject)?.Select(p => p.Key).ToHashSet() ?? [];
            if (node["properties"] is not JsonObject)
                Fail("an object schema must list its 'properties'");
            var required = (node["required"] as JsonArray)?.Select(n => n?.GetValueKind() == JsonValueKind.String ? n.GetValue<string>() : "").ToHashSet();
            if (required is null || !required.SetEquals(names))
                Fail($"'required' must list every property: [{string.Join(", ", names.Order())}]");
            if (node["additionalProperties"] is not JsonValue additional || additional.GetValueKind() != JsonValueKind.False)
                Fail("'additionalProperties' must be false");
        }

        if (node["properties"] is JsonObject properties)
            foreach (var (name, child) in properties)
                Child(child, $"{path}/properties/{name}");
        if (node["$defs"] is JsonObject defs)
            foreach (var (name, child) in defs)
                Child(child, $"{path}/$defs/{name}");
        if (node["items"] is { } items)
            Child(items, $"{path}/items");
        if (node["anyOf"] is JsonArray anyOf)
            for (var i = 0; i < anyOf.Count; i++)
                Child(anyOf[i], $"{path}/anyOf/{i}");

        void Child(JsonNode? child, string childPath)
        {
            if (child is JsonObject childNode)
                CheckNode(childNode, childPath, violations);
            else
                violations.Add(new(childPath, "a schema must be a JSON object"));
        }
    }

    private static List<string>? TypeNames(JsonObject node) => node["type"] switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => [v.GetValue<string>()],
        JsonArray a when a.All(t => t?.GetValueKind() == JsonValueKind.String) => [.. a.Select(t => t!.GetValue<string>())],
        _ => null,
    };

    /// <summary>The JSON Schema type a value belongs to.</summary>
    public static string TypeOf(JsonNode? value) => value?.GetValueKind() switch
    {
        null or JsonValueKind.Null => "null",
        JsonValueKind.String => "string",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        _ => value.AsValue().TryGetValue<long>(out _) ? "integer" : "number",
    };
}
