using System.Reflection;
using System.Runtime.Loader;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Tests.Fakes;
using MediaPlanner.Tests.Infrastructure;

namespace MediaPlanner.Tests.Planning;

public class PlanJsonTests
{
    private static MediaPlan Plan() => TestData.Plans(TestData.Request(TestData.Brief(budget: 12_345.67m, channels: Enum.GetValues<Channel>())))[0];

    private static JsonObject SchemaObject(JsonNode schema) => Assert.IsType<JsonObject>(schema);

    private static string JsonName(PropertyInfo p) => JsonNamingPolicy.CamelCase.ConvertName(p.Name);

    [Fact]
    public void An_engine_plan_survives_a_json_round_trip()
    {
        var plan = Plan();

        var json = PlanJson.Serialize(plan);
        var back = PlanJson.Deserialize(json);

        Assert.Equal(json, PlanJson.Serialize(back));
        Assert.Equal(plan.LineItems, back.LineItems);
        Assert.Equal(plan.Totals, back.Totals);
        Assert.Equal(plan.Assumptions, back.Assumptions);
        Assert.Equal((plan.Brand, plan.Objective, plan.Budget, plan.FlightStart, plan.FlightEnd, plan.Rationale),
            (back.Brand, back.Objective, back.Budget, back.FlightStart, back.FlightEnd, back.Rationale));
    }

    [Fact]
    public void Indented_and_compact_json_hold_the_same_plan()
    {
        var plan = Plan();

        var compact = PlanJson.Serialize(plan);
        var indented = PlanJson.Serialize(plan, indented: true);

        Assert.NotEqual(compact, indented);
        Assert.Contains('\n', indented);
        Assert.DoesNotContain('\n', compact);
        Assert.Equal(compact, PlanJson.Serialize(PlanJson.Deserialize(indented)));
    }

    [Fact]
    public void Enums_are_written_as_names()
    {
        var node = JsonNode.Parse(PlanJson.Serialize(Plan()))!;

        Assert.Equal(nameof(Objective.Awareness), node["objective"]!.GetValue<string>());
        Assert.All(node["lineItems"]!.AsArray(), i => Assert.True(Enum.TryParse<Channel>(i!["channel"]!.GetValue<string>(), out _)));
    }

    [Theory]
    [InlineData(typeof(MediaPlan), "")]
    [InlineData(typeof(PlanLineItem), "lineItems.items")]
    [InlineData(typeof(PlanTotals), "totals")]
    public void The_schema_requires_every_property_and_allows_no_others(Type type, string path)
    {
        var schema = path.Split('.', StringSplitOptions.RemoveEmptyEntries)
            .Aggregate(PlanJson.Schema(), (node, segment) => segment == "items" ? node["items"]! : node["properties"]![segment]!);

        var obj = SchemaObject(schema);
        var expected = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(JsonName).Order().ToList();
        Assert.Equal(expected, obj["properties"]!.AsObject().Select(p => p.Key).Order());
        Assert.Equal(expected, obj["required"]!.AsArray().Select(n => n!.GetValue<string>()).Order());
        Assert.False(obj["additionalProperties"]!.GetValue<bool>());
    }

    [Fact]
    public void Every_object_in_the_schema_is_closed_and_fully_required()
    {
        var objects = 0;
        void Walk(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject obj:
                    if (obj["properties"] is JsonObject props)
                    {
                        objects++;
                        Assert.Equal(props.Select(p => p.Key).Order(), obj["required"]!.AsArray().Select(n => n!.GetValue<string>()).Order());
                        Assert.False(obj["additionalProperties"]!.GetValue<bool>());
                    }
                    foreach (var (_, child) in obj)
                        Walk(child);
                    break;
                case JsonArray array:
                    foreach (var child in array)
                        Walk(child);
                    break;
            }
        }

        Walk(PlanJson.Schema());

        Assert.Equal(3, objects);
    }

    [Fact]
    public void The_schema_lists_enum_values_as_strings()
    {
        var schema = PlanJson.Schema();

        var channels = schema["properties"]!["lineItems"]!["items"]!["properties"]!["channel"]!["enum"]!.AsArray().Select(n => n!.GetValue<string>());
        var objectives = schema["properties"]!["objective"]!["enum"]!.AsArray().Select(n => n!.GetValue<string>());

        Assert.Contains("Search", channels);
        Assert.Equal(Enum.GetNames<Channel>(), channels);
        Assert.Equal(Enum.GetNames<Objective>(), objectives);
    }

    [Fact]
    public void The_schema_follows_every_strict_structured_output_rule()
    {
        var violations = StrictSchemaRules.Check(PlanJson.Schema());

        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    [Fact]
    public void Enums_in_the_schema_are_typed_strings()
    {
        var schema = PlanJson.Schema();

        Assert.Equal("string", schema["properties"]!["objective"]!["type"]!.GetValue<string>());
        Assert.Equal("string", schema["properties"]!["lineItems"]!["items"]!["properties"]!["channel"]!["type"]!.GetValue<string>());
    }

    private sealed record Optionals(Channel? Channel, string? Note, [property: System.ComponentModel.Description("Kept.")] int Count = 3);

    [Fact]
    public void Nullable_values_are_typed_with_null_and_unsupported_keywords_are_dropped()
    {
        var schema = PlanJson.Schema(typeof(Optionals));

        Assert.Empty(StrictSchemaRules.Check(schema));
        Assert.Equal(["string", "null"], schema["properties"]!["channel"]!["type"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Contains(schema["properties"]!["channel"]!["enum"]!.AsArray(), v => v is null);
        Assert.Equal(["string", "null"], schema["properties"]!["note"]!["type"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Null(schema["properties"]!["count"]!["default"]);
        Assert.Equal("Kept.", schema["properties"]!["count"]!["description"]!.GetValue<string>());
    }

    [Fact]
    public void Plans_for_every_objective_and_channel_fit_the_schemas_types_and_enums()
    {
        var schema = PlanJson.Schema();
        var plans = Enum.GetValues<Objective>()
            .Select(o => TestData.Plans(TestData.Request(TestData.Brief(objective: o, channels: Enum.GetValues<Channel>())))[0])
            .ToList();
        var seen = new HashSet<string>();

        void Walk(JsonNode schemaNode, JsonNode? value, string path)
        {
            var types = schemaNode["type"] is JsonArray many ? many.Select(t => t!.GetValue<string>()).ToList() : [schemaNode["type"]!.GetValue<string>()];
            var type = StrictSchemaRules.TypeOf(value);
            Assert.True(types.Contains(type) || (type == "integer" && types.Contains("number")), $"{path}: {type} is not one of [{string.Join(", ", types)}]");
            if (schemaNode["enum"] is JsonArray allowed)
            {
                Assert.Contains(allowed, a => JsonNode.DeepEquals(a, value));
                seen.Add(value!.GetValue<string>());
            }
            if (value is JsonObject obj)
                foreach (var (key, child) in obj)
                    Walk(schemaNode["properties"]![key]!, child, $"{path}.{key}");
            else if (value is JsonArray array)
                foreach (var child in array)
                    Walk(schemaNode["items"]!, child, $"{path}[]");
        }

        foreach (var plan in plans)
            Walk(schema, JsonNode.Parse(PlanJson.Serialize(plan)), "$");

        Assert.Superset(Enum.GetNames<Objective>().ToHashSet(), seen);
        Assert.Superset(Enum.GetNames<Channel>().Where(c => plans.Any(p => p.LineItems.Any(i => i.Channel.ToString() == c))).ToHashSet(), seen);
    }

    [Fact]
    public void The_schema_carries_the_property_descriptions()
    {
        var schema = PlanJson.Schema();

        Assert.Equal("ISO 4217 code of budget and spend.", schema["properties"]!["currency"]!["description"]!.GetValue<string>());
        Assert.Equal("Impressions divided by reach.", schema["properties"]!["lineItems"]!["items"]!["properties"]!["frequency"]!["description"]!.GetValue<string>());
    }

    [Fact]
    public void The_schemas_property_names_match_a_serialized_plan()
    {
        var json = JsonNode.Parse(PlanJson.Serialize(Plan()))!;
        var compared = 0;

        void Walk(JsonNode schema, JsonNode? value, string path)
        {
            switch (value)
            {
                case JsonObject obj:
                    var properties = schema["properties"]!.AsObject();
                    Assert.True(properties.Select(p => p.Key).Order().SequenceEqual(obj.Select(p => p.Key).Order()),
                        $"{path}: schema has [{string.Join(", ", properties.Select(p => p.Key))}], JSON has [{string.Join(", ", obj.Select(p => p.Key))}]");
                    compared++;
                    foreach (var (key, child) in obj)
                        Walk(properties[key]!, child, $"{path}.{key}");
                    break;
                case JsonArray array:
                    Assert.NotNull(schema["items"]);
                    foreach (var child in array)
                        Walk(schema["items"]!, child, $"{path}[]");
                    break;
                default:
                    Assert.Null(schema["properties"]);
                    break;
            }
        }

        Walk(PlanJson.Schema(), json, "$");

        Assert.True(compared >= 3, "the walk must reach the plan, a line item and the totals");
    }

    [Fact]
    public void The_schema_can_be_built_before_anything_has_been_serialized()
    {
        // Statics are per load context: load the domain assembly afresh so PlanJson's options are untouched.
        var context = new AssemblyLoadContext("fresh-domain", isCollectible: true);
        try
        {
            var assembly = context.LoadFromAssemblyPath(typeof(PlanJson).Assembly.Location);
            var planJson = assembly.GetType(typeof(PlanJson).FullName!)!;

            var schema = (string)planJson.GetProperty(nameof(PlanJson.SchemaJson))!.GetValue(null)!;

            Assert.Contains("\"lineItems\"", schema, StringComparison.Ordinal);
        }
        finally
        {
            context.Unload();
        }
    }

    [Fact]
    public void The_schema_text_is_the_schema()
    {
        Assert.True(JsonNode.DeepEquals(PlanJson.Schema(), JsonNode.Parse(PlanJson.SchemaJson)));
    }

    public static TheoryData<string, string> NotPlans => new()
    {
        { "truncated", "{\"brand\":\"Northwind\"," },
        { "not JSON", "here is your plan: Search 40%" },
        { "empty", "" },
        { "null", "null" },
        { "array", "[]" },
        { "missing totals", "remove:totals" },
        { "null brand", "set:brand=null" },
        { "unknown channel", "set:lineItems.0.channel=\"Telepathy\"" },
        { "text for a number", "set:lineItems.0.impressions=\"lots\"" },
    };

    [Theory]
    [MemberData(nameof(NotPlans))]
    public void Try_deserialize_rejects_text_that_is_not_a_plan(string because, string input)
    {
        var json = input;
        if (input.StartsWith("remove:", StringComparison.Ordinal) || input.StartsWith("set:", StringComparison.Ordinal))
        {
            var node = JsonNode.Parse(PlanJson.Serialize(Plan()))!.AsObject();
            if (input.StartsWith("remove:", StringComparison.Ordinal))
                node.Remove(input["remove:".Length..]);
            else
            {
                var (path, value) = (input[4..input.IndexOf('=')], input[(input.IndexOf('=') + 1)..]);
                var segments = path.Split('.');
                var parent = segments[..^1].Aggregate((JsonNode)node, (n, s) => int.TryParse(s, out var k) ? n[k]! : n[s]!);
                parent[segments[^1]] = JsonNode.Parse(value);
            }
            json = node.ToJsonString();
        }

        var ok = PlanJson.TryDeserialize(json, out var plan, out var error);

        Assert.False(ok, because);
        Assert.Null(plan);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public void Try_deserialize_accepts_a_real_plan()
    {
        var json = PlanJson.Serialize(Plan());

        Assert.True(PlanJson.TryDeserialize(json, out var plan, out var error));
        Assert.Null(error);
        Assert.Equal(json, PlanJson.Serialize(plan!));
    }
}
