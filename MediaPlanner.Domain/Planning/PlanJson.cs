using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace MediaPlanner.Domain.Planning;

/// <summary>JSON form of <see cref="MediaPlan"/> and its JSON Schema, generated from the type.</summary>
public static class PlanJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = false,
        RespectNullableAnnotations = true,
        // Web defaults accept numbers written as strings, which makes the schema say "string or number":
        // structured outputs and training data want plain numbers.
        NumberHandling = JsonNumberHandling.Strict,
        RespectRequiredConstructorParameters = true,
        Converters = { new JsonStringEnumConverter() },
        // Set explicitly: the schema exporter needs a resolver, and one is only filled in lazily by the
        // first Serialize/Deserialize call, so Schema() would otherwise throw when it runs first.
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    private static readonly JsonSerializerOptions IndentedOptions = new(Options) { WriteIndented = true };

    public static string Serialize(MediaPlan plan, bool indented = false) =>
        JsonSerializer.Serialize(plan, indented ? IndentedOptions : Options);

    /// <exception cref="JsonException">The text is not a plan.</exception>
    public static MediaPlan Deserialize(string json) =>
        JsonSerializer.Deserialize<MediaPlan>(json, Options) ?? throw new JsonException("The plan JSON is null.");

    public static bool TryDeserialize(string json, out MediaPlan? plan, out string? error)
    {
        try
        {
            plan = Deserialize(json);
            error = null;
            return true;
        }
        catch (JsonException ex)
        {
            plan = null;
            error = ex.Message;
            return false;
        }
    }

    private static readonly Lazy<string> SchemaText = new(() => Schema().ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

    /// <summary>
    /// The plan's JSON Schema in the strict form structured outputs need: every node typed, every property
    /// required, no additional properties, and only the keywords strict mode accepts.
    /// </summary>
    public static JsonNode Schema() => Schema(typeof(MediaPlan));

    /// <summary>Any type's schema in the same strict form; <see cref="Schema()"/> is the plan's.</summary>
    internal static JsonNode Schema(Type type)
    {
        var exporterOptions = new JsonSchemaExporterOptions
        {
            TreatNullObliviousAsNonNullable = true,
            TransformSchemaNode = (context, node) =>
            {
                if (node is JsonObject obj)
                {
                    var description = context.PropertyInfo?.AttributeProvider?
                        .GetCustomAttributes(typeof(System.ComponentModel.DescriptionAttribute), inherit: true)
                        .OfType<System.ComponentModel.DescriptionAttribute>().FirstOrDefault()?.Description;
                    if (description is not null)
                        obj["description"] = description;
                    if (obj["properties"] is JsonObject props)
                    {
                        obj["required"] = new JsonArray([.. props.Select(p => (JsonNode)JsonValue.Create(p.Key)!)]);
                        obj["additionalProperties"] = false;
                    }
                    MakeStrict(obj);
                }
                return node;
            },
        };
        return Options.GetJsonSchemaAsNode(type, exporterOptions);
    }

    public static string SchemaJson => SchemaText.Value;

    private static readonly HashSet<string> StrictKeywords =
    [
        "type", "properties", "required", "additionalProperties", "items", "enum", "const", "anyOf", "$ref", "$defs", "description",
        "pattern", "format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minItems", "maxItems",
    ];

    /// <summary>
    /// Strict structured outputs answer 400 to a node without "type" or with a keyword they do not support, and the
    /// exporter writes enums as a bare "enum" (plus null when nullable) and may add "default" or "title".
    /// </summary>
    private static void MakeStrict(JsonObject node)
    {
        if (node["type"] is null && node["enum"] is JsonArray values)
        {
            var types = values.Select(TypeOf).Distinct().ToList();
            // "integer" values under a "number" type are numbers already; listing both would be redundant.
            if (types.Contains("number"))
                types.Remove("integer");
            node["type"] = types.Count == 1 ? types[0] : new JsonArray([.. types.Select(t => (JsonNode)JsonValue.Create(t)!)]);
        }
        foreach (var keyword in node.Select(p => p.Key).Where(k => !StrictKeywords.Contains(k)).ToList())
            node.Remove(keyword);
    }

    private static string TypeOf(JsonNode? value) => value?.GetValueKind() switch
    {
        null or JsonValueKind.Null => "null",
        JsonValueKind.String => "string",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Number => value.AsValue().TryGetValue<long>(out _) ? "integer" : "number",
        _ => throw new NotSupportedException($"An enum value of kind {value.GetValueKind()} has no strict-mode type."),
    };
}
