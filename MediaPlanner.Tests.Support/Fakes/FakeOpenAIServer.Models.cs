using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;

namespace MediaPlanner.Tests.Fakes;

/// <summary>One model as the fake's <c>GET /v1/models</c> lists it.</summary>
public sealed record FakeModel(string Id, DateOnly? ShutdownDate = null, string OwnedBy = "system", long Created = 1721172741);

/// <summary>
/// <c>GET /v1/models</c> and <c>GET /v1/models/{id}</c>: the settable <see cref="Models"/> (by default the fine-tunable
/// models, none with a shutdown date), then the fine-tuned models of succeeded jobs, owned by the organisation, as
/// OpenAI lists them.
/// </summary>
public sealed partial class FakeOpenAIServer
{
    private IReadOnlyList<FakeModel> _models = DefaultModels;

    /// <summary>The fake's base models, gpt-4o-mini-2024-07-18 first, with no shutdown dates.</summary>
    // Computed, not a static initializer: the order of static initializers across partial files is not defined.
    public static IReadOnlyList<FakeModel> DefaultModels => [.. FineTunableModels.Select(id => new FakeModel(id))];

    /// <summary>What the model list names besides the fine-tuned models of succeeded jobs.</summary>
    public IReadOnlyList<FakeModel> Models
    {
        get => Volatile.Read(ref _models);
        set => Volatile.Write(ref _models, value);
    }

    /// <summary>Sets the listed models, e.g. with OpenAI's shutdown dates.</summary>
    public void SetModels(params FakeModel[] models) => Models = models;

    private void ResetModels() => Models = DefaultModels;

    private void MapModels(WebApplication app)
    {
        app.MapGet("/v1/models", () => Json(new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray([.. Listed().Select(ModelJson)]),
        }));
        app.MapGet("/v1/models/{id}", (string id) => Listed().FirstOrDefault(m => m.Id == id) is { } model
            ? Json(ModelJson(model))
            : Error(404, "model_not_found", $"The model '{id}' does not exist", "model"));
    }

    private List<FakeModel> Listed()
    {
        var listed = Models.ToList();
        lock (_state)
            listed.AddRange(_jobs.Where(j => j is { Status: "succeeded", FineTunedModel: not null } && listed.All(m => m.Id != j.FineTunedModel))
                .Select(j => new FakeModel(j.FineTunedModel!, null, $"user-{Organization}", j.FinishedAt ?? j.CreatedAt)));
        return listed;
    }

    private static JsonObject ModelJson(FakeModel m) => new()
    {
        ["id"] = m.Id,
        ["object"] = "model",
        ["created"] = m.Created,
        ["owned_by"] = m.OwnedBy,
        ["shutdown_date"] = m.ShutdownDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
    };
}
