using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace MediaPlanner.Domain.Training;

/// <summary>One message of a chat fine-tuning example. <see cref="Weight"/> (0 or 1) only matters on assistant messages.</summary>
public sealed record ChatMessage(string Role, string? Content, string? Name = null, int? Weight = null);

/// <summary>The roles OpenAI accepts in chat fine-tuning data.</summary>
public static class ChatRoles
{
    public const string System = "system";
    public const string User = "user";
    public const string Assistant = "assistant";
    public const string Function = "function";
    public const string Tool = "tool";
}

/// <summary>A chat fine-tuning example: one line of an OpenAI chat JSONL file.</summary>
public sealed record ChatExample(IReadOnlyList<ChatMessage> Messages)
{
    // JSONL is never embedded in HTML, so the relaxed encoder is safe here and keeps non-ASCII text readable.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    /// <summary>The example as one compact JSON line, without a trailing newline.</summary>
    public string ToJsonLine()
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            Write(writer);
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public void Write(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteStartArray("messages");
        foreach (var message in Messages)
        {
            writer.WriteStartObject();
            writer.WriteString("role", message.Role);
            writer.WriteString("content", message.Content);
            if (message.Name is not null)
                writer.WriteString("name", message.Name);
            if (message.Weight is { } weight)
                writer.WriteNumber("weight", weight);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>
    /// Reads a line written by <see cref="ToJsonLine"/> (or any chat JSONL line). Keys the record does not model,
    /// such as <c>function_call</c>, are skipped; use <see cref="ExampleValidator.ValidateLine"/> to check a line's format.
    /// </summary>
    /// <exception cref="JsonException">The line is not a chat example.</exception>
    public static ChatExample Parse(string jsonLine)
    {
        ArgumentNullException.ThrowIfNull(jsonLine);
        using var document = JsonDocument.Parse(jsonLine);
        return FromElement(document.RootElement);
    }

    internal static ChatExample FromElement(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new JsonException("A chat example must be a JSON object.");
        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
            throw new JsonException("A chat example needs a \"messages\" array.");

        var list = new List<ChatMessage>(messages.GetArrayLength());
        foreach (var element in messages.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.Object)
                throw new JsonException($"Message {list.Count + 1} is not a JSON object.");
            string? role = null, content = null, name = null;
            int? weight = null;
            foreach (var property in element.EnumerateObject())
            {
                if (property.NameEquals("role"))
                    role = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : throw new JsonException($"Message {list.Count + 1}: \"role\" must be a string.");
                else if (property.NameEquals("content"))
                    content = property.Value.ValueKind switch
                    {
                        JsonValueKind.String => property.Value.GetString(),
                        JsonValueKind.Null => null,
                        _ => throw new JsonException($"Message {list.Count + 1}: \"content\" must be a string or null."),
                    };
                else if (property.NameEquals("name"))
                    name = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : throw new JsonException($"Message {list.Count + 1}: \"name\" must be a string.");
                else if (property.NameEquals("weight"))
                    weight = property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt32(out var w) ? w : throw new JsonException($"Message {list.Count + 1}: \"weight\" must be an integer.");
            }
            list.Add(new ChatMessage(role ?? throw new JsonException($"Message {list.Count + 1} has no \"role\"."), content, name, weight));
        }
        return new ChatExample(list);
    }
}
