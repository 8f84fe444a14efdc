using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MediaPlanner.Tests.Fakes;

/// <summary>
/// What the fake needs to stand in for Azure OpenAI's v1 API and OpenAI-compatible services as well as OpenAI: models of
/// their own to fine-tune, the create-job bodies as sent (each kind has its own shape), OpenAI's refusal of organisations
/// that may no longer fine-tune, and jobs started elsewhere (another app, the provider's dashboard) to re-attach.
/// </summary>
public sealed partial class FakeOpenAIServer
{
    /// <summary>OpenAI's answer to an organisation that may no longer fine-tune.</summary>
    public static readonly FakeFault TrainingNotAvailable = new FakeFault.HttpStatus(403, "training_not_available",
        "Fine-tuning is not available for your organization. Organizations without fine-tuned model inference in the last 60 days can no longer create fine-tuning jobs.");

    private readonly ConcurrentDictionary<string, bool> _extraModels = new(StringComparer.Ordinal);

    /// <summary>Lets the fake fine-tune these models too, e.g. a compatible service's open-weight model names.</summary>
    public void AllowFineTuning(params string[] models)
    {
        foreach (var model in models)
            _extraModels[model] = true;
    }

    /// <summary>Every create-job body received, in arrival order, refused ones included.</summary>
    public IReadOnlyList<JsonObject> CreateBodies =>
        [.. RequestsTo(FakeRoute.CreateJob).Select(r => JsonNode.Parse(r.Body) as JsonObject ?? throw new JsonException("Not a JSON object."))];

    /// <summary>
    /// Uploads the files and creates a job through the fake's own API, as another client would: the app knows nothing of
    /// it until an admin re-attaches it. Returns the job id.
    /// </summary>
    public async Task<string> StartJobElsewhereAsync(
        string model, IReadOnlyList<string> trainingLines, IReadOnlyList<string>? validationLines = null, string? suffix = null, int? seed = null,
        CancellationToken ct = default)
    {
        using var http = new HttpClient { BaseAddress = Root };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        async Task<string> UploadAsync(IReadOnlyList<string> lines, string name)
        {
            using var form = new MultipartFormDataContent
            {
                { new StringContent("fine-tune"), "purpose" },
                { new ByteArrayContent(Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n")), "file", name },
            };
            using var uploaded = await http.PostAsync("/v1/files", form, ct);
            uploaded.EnsureSuccessStatusCode();
            return JsonNode.Parse(await uploaded.Content.ReadAsStringAsync(ct))!["id"]!.GetValue<string>();
        }
        var body = new JsonObject { ["model"] = model, ["training_file"] = await UploadAsync(trainingLines, "elsewhere-train.jsonl") };
        if (validationLines is { Count: > 0 })
            body["validation_file"] = await UploadAsync(validationLines, "elsewhere-valid.jsonl");
        if (suffix is not null)
            body["suffix"] = suffix;
        if (seed is not null)
            body["seed"] = seed;
        body["method"] = new JsonObject
        {
            ["type"] = "supervised",
            ["supervised"] = new JsonObject { ["hyperparameters"] = new JsonObject { ["n_epochs"] = 2, ["batch_size"] = 4 } },
        };
        using var created = await http.PostAsync("/v1/fine_tuning/jobs", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"), ct);
        created.EnsureSuccessStatusCode();
        return JsonNode.Parse(await created.Content.ReadAsStringAsync(ct))!["id"]!.GetValue<string>();
    }

    private bool IsFineTunable(string model) => FineTunableModels.Contains(model) || _extraModels.ContainsKey(model);

    private void ResetProviders()
    {
        _extraModels.Clear();
        ResetAzureDeployments();
    }
}
