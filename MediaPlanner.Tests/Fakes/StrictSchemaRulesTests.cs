using System.Text.Json.Nodes;

namespace MediaPlanner.Tests.Fakes;

public class StrictSchemaRulesTests
{
    private static JsonNode Schema(string json) => JsonNode.Parse(json)!;

    [Fact]
    public void An_enum_without_a_type_is_reported_at_its_path()
    {
        // The shape the exporter gave enums before the fix.
        var schema = Schema("""
            {"type":"object","properties":{
              "objective":{"enum":["Awareness","Conversion"]},
              "lineItems":{"type":"array","items":{"type":"object","properties":{"channel":{"enum":["Search"]}},"required":["channel"],"additionalProperties":false}}},
             "required":["objective","lineItems"],"additionalProperties":false}
            """);

        var violations = StrictSchemaRules.Check(schema);

        Assert.Equal(["#/properties/objective", "#/properties/lineItems/items/properties/channel"], violations.Select(v => v.Path));
        Assert.All(violations, v => Assert.Equal("schema must have a 'type' key", v.Problem));
        Assert.Equal("('properties', 'objective')", violations[0].Context);
    }

    [Fact]
    public void A_typed_closed_fully_required_schema_passes()
    {
        var schema = Schema("""
            {"type":"object","properties":{
              "objective":{"type":"string","enum":["Awareness","Conversion"],"description":"Goal."},
              "note":{"type":["string","null"]},
              "start":{"type":"string","format":"date"},
              "share":{"type":"number","minimum":0,"maximum":1},
              "tags":{"type":"array","items":{"type":"string"},"minItems":1}},
             "required":["objective","note","start","share","tags"],"additionalProperties":false}
            """);

        Assert.Empty(StrictSchemaRules.Check(schema));
    }

    [Fact]
    public void An_object_that_leaves_a_property_optional_or_stays_open_is_reported()
    {
        var schema = Schema("""
            {"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},"required":["a"]}
            """);

        var problems = StrictSchemaRules.Check(schema).Select(v => v.Problem).ToList();

        Assert.Contains("'required' must list every property: [a, b]", problems);
        Assert.Contains("'additionalProperties' must be false", problems);
    }

    [Theory]
    [InlineData("default", "\"x\"")]
    [InlineData("title", "\"Brand\"")]
    [InlineData("$schema", "\"https://json-schema.org/draft/2020-12/schema\"")]
    [InlineData("minLength", "1")]
    public void A_keyword_strict_mode_does_not_support_is_reported(string keyword, string value)
    {
        var schema = Schema($$$"""
            {"type":"object","properties":{"brand":{"type":"string","{{{keyword}}}":{{{value}}}}},"required":["brand"],"additionalProperties":false}
            """);

        var violation = Assert.Single(StrictSchemaRules.Check(schema));

        Assert.Equal("#/properties/brand", violation.Path);
        Assert.Equal($"'{keyword}' is not permitted", violation.Problem);
    }

    [Fact]
    public void A_number_keyword_on_a_string_is_reported()
    {
        var schema = Schema("""
            {"type":"object","properties":{"brand":{"type":"string","minimum":1}},"required":["brand"],"additionalProperties":false}
            """);

        Assert.Equal("'minimum' is only permitted on number or integer schemas", Assert.Single(StrictSchemaRules.Check(schema)).Problem);
    }

    [Fact]
    public void A_null_enum_value_needs_null_in_the_type()
    {
        var schema = Schema("""
            {"type":"object","properties":{"channel":{"type":"string","enum":["Search",null]}},"required":["channel"],"additionalProperties":false}
            """);

        Assert.Equal("enum value null does not match 'type' [string]", Assert.Single(StrictSchemaRules.Check(schema)).Problem);
    }

    [Theory]
    [InlineData("""{"type":"array","items":{"type":"string"}}""")]
    [InlineData("""{"anyOf":[{"type":"object","properties":{},"required":[],"additionalProperties":false}]}""")]
    [InlineData("[]")]
    public void The_root_must_be_an_object(string json)
    {
        var violations = StrictSchemaRules.Check(Schema(json));

        Assert.Contains(violations, v => v.Path == "#" && v.Problem.Contains("root", StringComparison.Ordinal));
    }
}
