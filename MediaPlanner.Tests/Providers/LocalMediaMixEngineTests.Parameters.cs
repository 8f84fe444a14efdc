using System.Text.Json.Nodes;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Tests.Infrastructure;

namespace MediaPlanner.Tests.Providers;

// The engine's parameters as JSON: round trips, and sets that cannot be used.
public partial class LocalMediaMixEngineTests
{
    [Fact]
    public void Parameters_survive_a_json_round_trip_and_plan_identically()
    {
        var json = MediaMixParameters.Default.ToJson();

        var restored = MediaMixParameters.FromJson(json);

        Assert.Equal(MediaMixParameters.Default.ModelName, restored.ModelName);
        Assert.Equal(json, restored.ToJson());
        foreach (var request in new[] { TestData.Request(), TestData.Request(TestData.Brief(objective: Objective.Conversion, channels: Enum.GetValues<Channel>())) })
            Assert.Equal(
                TestData.Plans(request).Select(p => PlanJson.Serialize(p)),
                TestData.Plans(request, restored).Select(p => PlanJson.Serialize(p)));
    }

    [Fact]
    public void Changed_parameters_survive_a_json_round_trip()
    {
        var changed = TestData.WithShares((Channel.Search, 0.2, null), (Channel.Social, null, 0.3)) with { Version = 7, Steps = 250 };

        var restored = MediaMixParameters.FromJson(changed.ToJson());

        Assert.Equal("local-mix-v7", restored.ModelName);
        Assert.Equal(250, restored.Steps);
        Assert.Equal(0.2, restored.For(Channel.Search).MinShare);
        Assert.Equal(0.3, restored.For(Channel.Social).MaxShare);
        Assert.Equal(
            TestData.Plans(TestData.Request(), changed).Select(p => PlanJson.Serialize(p)),
            TestData.Plans(TestData.Request(), restored).Select(p => PlanJson.Serialize(p)));
    }

    public static TheoryData<string, string> InvalidParameterEdits => new()
    {
        { "min share above max share", "channels.Search.minShare=0.7" },
        { "negative min share", "channels.Search.minShare=-0.1" },
        { "max share above 1", "channels.Search.maxShare=1.5" },
        { "S-shaped Hill curve", "channels.Display.hillShape=1.5" },
        { "zero Hill shape", "channels.Display.hillShape=0" },
        { "zero half-saturation", "channels.Display.actionHalfSaturation=0" },
        { "negative preference", "channels.Social.preference.Awareness=-1" },
        { "zero preference", "channels.Social.preference.Conversion=0" },
        { "too few steps", "steps=5" },
        { "null preference map", "channels.Social.preference=null" },
        { "null channel", "channels.Social=null" },
        { "null channel map", "channels=null" },
        { "null objective map", "objectives=null" },
        { "null objective weights", "objectives.Awareness=null" },
        { "reach weight above 1", "objectives.Awareness.reach=1.5" },
        { "negative action weight", "objectives.Conversion.action=-0.2" },
    };

    [Theory]
    [MemberData(nameof(InvalidParameterEdits))]
    public void Parameters_from_json_reject_an_unusable_set(string because, string edit)
    {
        var node = JsonNode.Parse(MediaMixParameters.Default.ToJson())!;
        var (path, value) = (edit[..edit.IndexOf('=')], edit[(edit.IndexOf('=') + 1)..]);
        var segments = path.Split('.');
        var parent = segments[..^1].Aggregate(node, (n, s) => n[s]!);
        parent[segments[^1]] = JsonNode.Parse(value);

        var ex = Assert.Throws<ArgumentException>(() => MediaMixParameters.FromJson(node.ToJsonString()));
        Assert.False(string.IsNullOrWhiteSpace(ex.Message), because);
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{\"name\":\"x\"}")]
    public void Parameters_from_json_reject_text_that_is_not_a_parameter_set(string json)
    {
        Assert.Throws<ArgumentException>(() => MediaMixParameters.FromJson(json));
    }
}
