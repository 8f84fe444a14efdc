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
    /// The plan's JSON Schema in the strict form structured outputs need: every property required and
    /// no additional properties.
    /// </summary>
    public static JsonNode Schema()
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
                }
                return node;
            },
        };
        return Options.GetJsonSchemaAsNode(typeof(MediaPlan), exporterOptions);
    }

    public static string SchemaJson => SchemaText.Value;
}
