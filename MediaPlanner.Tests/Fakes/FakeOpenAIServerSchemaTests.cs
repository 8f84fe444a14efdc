using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MediaPlanner.Domain.Planning;

namespace MediaPlanner.Tests.Fakes;

/// <summary>The fake answers strict json_schema requests the way OpenAI does, so a broken plan schema fails the provider tests.</summary>
public sealed class FakeOpenAIServerSchemaTests : IClassFixture<FakeOpenAIServer>
{
    private readonly FakeOpenAIServer _server;

    public FakeOpenAIServerSchemaTests(FakeOpenAIServer server)
    {
        _server = server;
        _server.Reset();
    }

    private async Task<(HttpStatusCode Status, JsonNode? Body)> ChatAsync(JsonNode schema, bool strict)
    {
        using var http = new HttpClient { BaseAddress = _server.Root };
        http.DefaultRequestHeaders.Authorization = new("Bearer", _server.ApiKey);
        var body = new JsonObject
        {
            ["model"] = "gpt-4o-mini-2024-07-18",
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Plan the campaign." }),
            ["response_format"] = new JsonObject
            {
                ["type"] = "json_schema",
                ["json_schema"] = new JsonObject { ["name"] = "media_plan", ["strict"] = strict, ["schema"] = schema },
            },
        };
        using var response = await http.PostAsync("/v1/chat/completions", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync()));
    }

    private static JsonNode SchemaWithUntypedEnum()
    {
        var schema = PlanJson.Schema();
        schema["properties"]!["objective"]!.AsObject().Remove("type");
        return schema;
    }

    [Fact]
    public async Task A_strict_schema_with_an_untyped_enum_is_refused_with_openais_400()
    {
        var (status, body) = await ChatAsync(SchemaWithUntypedEnum(), strict: true);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("Invalid schema for response_format 'media_plan': In context=('properties', 'objective'), schema must have a 'type' key.",
            body!["error"]!["message"]!.GetValue<string>());
        Assert.Equal("response_format", body["error"]!["param"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_non_strict_schema_is_not_checked()
    {
        var (status, _) = await ChatAsync(SchemaWithUntypedEnum(), strict: false);

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task The_plan_schema_is_accepted_in_strict_mode()
    {
        var (status, _) = await ChatAsync(PlanJson.Schema(), strict: true);

        Assert.Equal(HttpStatusCode.OK, status);
    }
}
