using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Planning;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MediaPlanner.Tests.Fakes;

/// <summary>The fake's routes, for aiming faults.</summary>
public enum FakeRoute { UploadFile, CreateJob, ListJobs, GetJob, ListEvents, ListCheckpoints, CancelJob, ChatCompletions, ListModels, GetModel }

/// <summary>What a route does instead of answering normally.</summary>
public abstract record FakeFault
{
    public sealed record Unauthorized : FakeFault;
    /// <summary>429 with retry-after (seconds) or retry-after-ms; code "insufficient_quota" is OpenAI's out-of-credit answer.</summary>
    public sealed record RateLimited(TimeSpan RetryAfter, bool InMilliseconds = false, string Code = "rate_limit_exceeded") : FakeFault;
    /// <summary>An error status with OpenAI's error body: 500, 503, or a 4xx such as 404; optionally with its code and message.</summary>
    public sealed record HttpStatus(int Status = 500, string? Code = null, string? Message = null) : FakeFault;
    /// <summary>Answers after this delay (normally, if the client is still waiting).</summary>
    public sealed record Slow(TimeSpan Delay) : FakeFault;
    /// <summary>200 with a body that is not JSON.</summary>
    public sealed record MalformedJson : FakeFault;
    /// <summary>Does the work, then answers with an error, as a gateway does when the reply is lost on the way.</summary>
    public sealed record ProcessThenFail(int Status = 502) : FakeFault;
}

/// <summary>What a chat answer holds instead of a plan.</summary>
public enum FakeBadContent
{
    /// <summary>Prose, not JSON.</summary>
    NotJson,
    /// <summary>A plan cut off halfway.</summary>
    Truncated,
    /// <summary>Valid plan JSON with no line items.</summary>
    NoLineItems,
}

/// <summary>
/// How /v1/chat/completions answers once a request is past the key check and any fault aimed at
/// <see cref="FakeRoute.ChatCompletions"/> (401, 429, 5xx, slow): by default a real plan for the brief in the user message.
/// </summary>
public sealed partial class FakeChatBehaviour
{
    private int _badAnswers;

    /// <summary>Every answer waits this long first, as a model generating does.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>When set, every answer is this refusal instead of a plan.</summary>
    public string? Refusal { get; set; }

    /// <summary>Leaves the usage block out, as some OpenAI-compatible servers do.</summary>
    public bool OmitUsage { get; set; }

    /// <summary>Wraps plans in a Markdown code fence, as some compatible servers do in json_object mode.</summary>
    public bool CodeFence { get; set; }

    /// <summary>Rejects response_format json_schema with OpenAI's 400, as servers without structured outputs do.</summary>
    public bool RejectJsonSchema { get; set; }

    /// <summary>
    /// Changes the strict schema the fake checks, as if the provider had sent it so: a way to test how a broken plan
    /// schema fails without breaking the real one.
    /// </summary>
    public Func<JsonNode, JsonNode>? BreakSchema { get; set; }

    /// <summary>Changes each plan before it is sent, e.g. to blank its strategy name or send the same plan every time.</summary>
    public Func<MediaPlan, MediaPlan>? EditPlan { get; set; }

    public FakeBadContent BadContent { get; private set; }

    /// <summary>Models this server does not know (a deleted fine-tune, say): they answer OpenAI's 404 model_not_found.</summary>
    public HashSet<string> UnknownModels { get; } = [];

    /// <summary>
    /// The planner each model answers with, by model name: e.g. a fine-tuned model that learned a house style. Null, or
    /// a null answer, plans with the engine's default parameters.
    /// </summary>
    public Func<string, MediaMixParameters?>? ParametersFor { get; set; }

    private readonly ConcurrentDictionary<string, int> _rateLimits = new(StringComparer.Ordinal);

    /// <summary>The next <paramref name="times"/> calls to <paramref name="model"/> answer 429 with a 30 s retry-after.</summary>
    public void RateLimit(string model, int times = 1) => _rateLimits[model] = times;

    internal bool TakeRateLimit(string model)
    {
        while (_rateLimits.TryGetValue(model, out var left))
        {
            if (left <= 0)
                return false;
            if (_rateLimits.TryUpdate(model, left == int.MaxValue ? left : left - 1, left))
                return true;
        }
        return false;
    }

    private readonly ConcurrentQueue<(int Prompt, int Completion)> _usages = new();

    /// <summary>The next answers report these token counts in turn instead of counting them.</summary>
    public void ReportUsage(params (int Prompt, int Completion)[] usages)
    {
        foreach (var usage in usages)
            _usages.Enqueue(usage);
    }

    internal (int Prompt, int Completion)? TakeUsage() => _usages.TryDequeue(out var usage) ? usage : null;

    /// <summary>The next <paramref name="times"/> answers are not usable plans; then plans again.</summary>
    public void AnswerBadly(int times = int.MaxValue, FakeBadContent content = FakeBadContent.NotJson)
    {
        BadContent = content;
        Volatile.Write(ref _badAnswers, times);
    }

    internal bool TakeBadAnswer()
    {
        while (true)
        {
            var left = Volatile.Read(ref _badAnswers);
            if (left <= 0)
                return false;
            if (left == int.MaxValue || Interlocked.CompareExchange(ref _badAnswers, left - 1, left) == left)
                return true;
        }
    }
}

/// <summary>A chat completion request as the fake received it.</summary>
public sealed record FakeChatRequest(
    string? Model, string? ResponseFormatType, JsonObject? JsonSchema, double? Temperature,
    IReadOnlyList<(string Role, string Content)> Messages, JsonObject Body)
{
    public static FakeChatRequest Parse(string body)
    {
        var json = JsonNode.Parse(body) as JsonObject ?? throw new JsonException("The chat request is not a JSON object.");
        var format = json["response_format"] as JsonObject;
        var messages = (json["messages"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(m => (m["role"]?.GetValue<string>() ?? "", ContentText(m["content"])))
            .ToList();
        return new FakeChatRequest(
            json["model"]?.GetValue<string>(),
            format?["type"]?.GetValue<string>(),
            format?["json_schema"] as JsonObject,
            json["temperature"] is JsonValue t && t.TryGetValue<double>(out var temperature) ? temperature : null,
            messages,
            json);
    }

    /// <summary>Content is a string, or an array of parts whose text parts are joined.</summary>
    internal static string ContentText(JsonNode? content) => content switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonArray parts => string.Concat(parts.OfType<JsonObject>().Select(p => p["text"]?.GetValue<string>() ?? "")),
        _ => "",
    };
}

/// <summary>How a job ends at the fake OpenAI when told to fail: OpenAI's error object.</summary>
public sealed record FakeJobFailure(string Code, string Message, string? Param);

/// <summary>One request as the fake saw it; credentials are replaced by "(redacted)".</summary>
public sealed record RecordedRequest(
    string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body, bool Authorized)
{
    public FakeRoute? Route => FakeOpenAIServer.RouteOf(Method, Path);
}

public sealed class FakeFile
{
    public required string Id { get; init; }
    public required string Filename { get; init; }
    public required string Purpose { get; init; }
    public required string Content { get; init; }
    /// <summary>The file exactly as uploaded (a byte-order mark included), where <see cref="Content"/> is the decoded text.</summary>
    public byte[] Bytes { get; init; } = [];
    public long CreatedAt { get; init; }

    public int Lines => Content.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
}

public sealed class FakeJob
{
    public required string Id { get; init; }
    public required string Model { get; init; }
    public required string TrainingFile { get; init; }
    public string? ValidationFile { get; init; }
    public string? Suffix { get; init; }
    public long Seed { get; init; }
    /// <summary>The create request as received.</summary>
    public required JsonObject Request { get; init; }
    public string MethodType { get; init; } = "supervised";
    /// <summary>The hyperparameters as asked: a number or "auto".</summary>
    public required JsonNode RequestedEpochs { get; init; }
    public required JsonNode RequestedBatchSize { get; init; }
    public required JsonNode RequestedLearningRate { get; init; }
    public int Epochs { get; init; }
    public int BatchSize { get; init; }
    public double LearningRateMultiplier { get; init; }
    public int TotalSteps { get; init; }
    public long CreatedAt { get; init; }

    public string Status { get; set; } = "validating_files";
    public int StepsDone { get; set; }
    public long? FinishedAt { get; set; }
    public long? EstimatedFinish { get; set; }
    public string? FineTunedModel { get; set; }
    public long? TrainedTokens { get; set; }
    public FakeJobFailure? Error { get; set; }
    public int Polls { get; set; }
    /// <summary>Oldest first; the API lists them newest first.</summary>
    public List<JsonObject> Events { get; } = [];
    /// <summary>Oldest first; the API lists them newest first.</summary>
    public List<JsonObject> Checkpoints { get; } = [];

    public bool IsFinished => Status is "succeeded" or "failed" or "cancelled";
}

/// <summary>
/// A fake OpenAI API on a real loopback port (Kestrel), speaking the documented JSON of files, fine-tuning jobs and chat
/// completions. Each GET of a job moves it one stage along a scripted lifecycle: validating_files → queued → running
/// (metrics events, a checkpoint per epoch) → succeeded. A chat completion answers with a real plan for the brief in its
/// user message, made by the local engine, with parameters per model if set (<see cref="Chat"/> switches to delays,
/// refusals, bad answers, per-model planners and rate limits…). Faults can be
/// aimed at a route, and every request is recorded.
/// Use as an xunit class fixture and call <see cref="Reset"/> per test.
/// </summary>
public sealed partial class FakeOpenAIServer : IAsyncLifetime, IAsyncDisposable
{
    public const string DefaultApiKey = "sk-fake-test-key-1234567890";
    private const string Organization = "mediaplanner";

    private static readonly string[] FineTunableModels =
        ["gpt-4o-mini-2024-07-18", "gpt-4o-2024-08-06", "gpt-3.5-turbo-0125", "gpt-4.1-mini-2025-04-14"];

    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly ConcurrentDictionary<FakeRoute, (FakeFault Fault, int Remaining)> _faults = new();
    private readonly Lock _state = new();
    private readonly Dictionary<string, FakeFile> _files = [];
    private readonly List<FakeJob> _jobs = [];
    private int _sequence;
    /// <summary>Answers per model, so each model's concurrent calls get the engine's alternatives in turn.</summary>
    private readonly ConcurrentDictionary<string, int> _chatAnswers = new(StringComparer.Ordinal);
    private int _chatsInFlight;
    private int _maxChatsInFlight;
    private WebApplication? _app;

    public FakeOpenAIServer() : this(DefaultApiKey)
    {
    }

    private FakeOpenAIServer(string apiKey) => ApiKey = apiKey;

    /// <summary>The key the fake accepts, as a bearer token or an api-key header.</summary>
    public string ApiKey { get; }

    /// <summary>http://127.0.0.1:port — the root, without /v1.</summary>
    public Uri Root { get; private set; } = null!;

    /// <summary>What OpenAIOptions.Endpoint should be: the root plus /v1.</summary>
    public Uri BaseAddress => new(Root, "/v1");

    public int Port => Root.Port;

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>When set, jobs fail at OpenAI (status failed with this error) at their next poll.</summary>
    public FakeJobFailure? FailJobsWith { get; set; }

    public IReadOnlyList<FakeJob> Jobs { get { lock (_state) return [.. _jobs]; } }

    public IReadOnlyList<FakeFile> Files { get { lock (_state) return [.. _files.Values]; } }

    public IEnumerable<RecordedRequest> RequestsTo(FakeRoute route) => Requests.Where(r => r.Route == route);

    /// <summary>How chat completions answer; reset with the server.</summary>
    public FakeChatBehaviour Chat { get; private set; } = new();

    /// <summary>Every chat completion request, including those a fault answered, in arrival order.</summary>
    public IReadOnlyList<FakeChatRequest> ChatRequests =>
        [.. RequestsTo(FakeRoute.ChatCompletions).Select(r => FakeChatRequest.Parse(r.Body))];

    /// <summary>The most chat completions the fake was working on at one moment (past faults, within the delay).</summary>
    public int MaxConcurrentChats => Volatile.Read(ref _maxChatsInFlight);

    public static async Task<FakeOpenAIServer> StartAsync(string apiKey = DefaultApiKey)
    {
        var server = new FakeOpenAIServer(apiKey);
        await server.InitializeAsync();
        return server;
    }

    /// <summary>Makes the route answer with the fault, the given number of times (then normally again).</summary>
    public void Inject(FakeRoute route, FakeFault fault, int times = int.MaxValue) => _faults[route] = (fault, times);

    public void ClearFaults() => _faults.Clear();

    /// <summary>Forgets requests, faults, files and jobs: a fresh server for the next test.</summary>
    public void Reset()
    {
        _requests.Clear();
        _faults.Clear();
        FailJobsWith = null;
        Chat = new FakeChatBehaviour();
        _chatAnswers.Clear();
        Interlocked.Exchange(ref _maxChatsInFlight, 0);
        ResetProviders();
        ResetModels();
        lock (_state)
        {
            _files.Clear();
            _jobs.Clear();
        }
    }

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        // A "slow" request still in flight must not hold the test run at shutdown.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        _app = builder.Build();
        _app.Use(RecordAuthorizeAndFaultAsync);
        _app.UseRouting(); // after the middleware, so routing sees Azure's /openai/v1 paths rewritten
        Map(_app);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Root = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
    }

    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (_app is null)
            return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    public static FakeRoute? RouteOf(string method, string path)
    {
        // Azure OpenAI's v1 API is the same under /openai/v1.
        if (path.StartsWith("/openai/v1/", StringComparison.Ordinal))
            path = path["/openai".Length..];
        return (method, path) switch
        {
            ("POST", "/v1/files") => FakeRoute.UploadFile,
            ("POST", "/v1/fine_tuning/jobs") => FakeRoute.CreateJob,
            ("POST", "/v1/chat/completions") => FakeRoute.ChatCompletions,
            ("GET", "/v1/fine_tuning/jobs") => FakeRoute.ListJobs,
            ("GET", "/v1/models") => FakeRoute.ListModels,
            ("GET", var p) when p.StartsWith("/v1/models/", StringComparison.Ordinal) => FakeRoute.GetModel,
            ("POST", var p) when JobPath().Match(p) is { Success: true } m && m.Groups["rest"].Value == "/cancel" => FakeRoute.CancelJob,
            ("GET", var p) when JobPath().Match(p) is { Success: true } m => m.Groups["rest"].Value switch
            {
                "" => FakeRoute.GetJob,
                "/events" => FakeRoute.ListEvents,
                "/checkpoints" => FakeRoute.ListCheckpoints,
                _ => null,
            },
            _ => null,
        };
    }

    [GeneratedRegex("^/v1/fine_tuning/jobs/(?<id>[^/]+)(?<rest>/[a-z_]+)?$")]
    private static partial Regex JobPath();

    private async Task RecordAuthorizeAndFaultAsync(HttpContext ctx, RequestDelegate next)
    {
        var path = ctx.Request.Path.Value ?? "";
        if (ctx.Request.Path.StartsWithSegments("/openai/v1", out var rest))
        {
            ctx.Request.Path = "/v1" + rest;
            MarkAzure(ctx);
        }

        ctx.Request.EnableBuffering();
        string body;
        using (var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8, leaveOpen: true))
            body = await reader.ReadToEndAsync(ctx.RequestAborted);
        ctx.Request.Body.Position = 0;

        var headers = ctx.Request.Headers.ToDictionary(
            h => h.Key.ToLowerInvariant(),
            h => h.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase) || h.Key.Equals("api-key", StringComparison.OrdinalIgnoreCase)
                ? "(redacted)"
                : h.Value.ToString());
        var presented = ctx.Request.Headers.Authorization.ToString() is { Length: > 7 } bearer && bearer.StartsWith("Bearer ", StringComparison.Ordinal)
            ? bearer["Bearer ".Length..]
            : ctx.Request.Headers["api-key"].ToString();
        var authorized = presented == ApiKey;
        _requests.Enqueue(new RecordedRequest(ctx.Request.Method, path, ctx.Request.QueryString.Value ?? "", headers, body, authorized));

        if (!authorized)
        {
            // The real API quotes the presented key (masked); the fake quotes it whole, so any leak shows in tests.
            await WriteErrorAsync(ctx, 401, "invalid_api_key",
                $"Incorrect API key provided: {presented}. You can find your API key at https://platform.openai.com/account/api-keys.", null);
            return;
        }

        var route = RouteOf(ctx.Request.Method, ctx.Request.Path.Value ?? "");
        if (route is { } r && TakeFault(r) is { } fault)
        {
            switch (fault)
            {
                case FakeFault.Unauthorized:
                    await WriteErrorAsync(ctx, 401, "invalid_api_key", $"Incorrect API key provided: {presented}.", null);
                    return;
                case FakeFault.RateLimited limited:
                    if (limited.InMilliseconds)
                        ctx.Response.Headers["retry-after-ms"] = limited.RetryAfter.TotalMilliseconds.ToString(CultureInfo.InvariantCulture);
                    else
                        ctx.Response.Headers.RetryAfter = ((int)limited.RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                    await WriteErrorAsync(ctx, 429, limited.Code, limited.Code == "insufficient_quota"
                        ? "You exceeded your current quota, please check your plan and billing details."
                        : "Rate limit reached for requests. Please try again later.", null);
                    return;
                case FakeFault.HttpStatus error:
                    await WriteErrorAsync(ctx, error.Status, error.Code, error.Message ?? (error.Status >= 500
                        ? "The server had an error while processing your request. Sorry about that!"
                        : $"Request failed with status {error.Status}."), null);
                    return;
                case FakeFault.MalformedJson:
                    ctx.Response.StatusCode = 200;
                    ctx.Response.ContentType = "application/json";
                    await ctx.Response.WriteAsync("{\"object\": \"fine_tuning.job\", \"id\": \"ftjob-", ctx.RequestAborted);
                    return;
                case FakeFault.Slow slow:
                    try
                    {
                        await Task.Delay(slow.Delay, ctx.RequestAborted);
                    }
                    catch (OperationCanceledException)
                    {
                        return; // the client gave up: do nothing, as a server whose work never started
                    }
                    break;
                case FakeFault.ProcessThenFail lost:
                    var original = ctx.Response.Body;
                    ctx.Response.Body = new MemoryStream();
                    await next(ctx);
                    ctx.Response.Body = original;
                    ctx.Response.ContentLength = null;
                    ctx.Response.StatusCode = lost.Status;
                    ctx.Response.ContentType = "text/html";
                    await ctx.Response.WriteAsync("<html><body>Bad gateway</body></html>", ctx.RequestAborted);
                    return;
            }
        }
        await next(ctx);
    }

    private FakeFault? TakeFault(FakeRoute route)
    {
        while (_faults.TryGetValue(route, out var entry))
        {
            if (entry.Remaining <= 0)
                return null;
            var left = entry.Remaining == int.MaxValue ? int.MaxValue : entry.Remaining - 1;
            if (_faults.TryUpdate(route, (entry.Fault, left), entry))
                return entry.Fault;
        }
        return null;
    }

    private void Map(WebApplication app)
    {
        app.MapPost("/v1/files", (Func<HttpContext, Task<IResult>>)UploadAsync);
        app.MapPost("/v1/fine_tuning/jobs", (Func<HttpContext, Task<IResult>>)CreateJobAsync);
        app.MapPost("/v1/chat/completions", (Func<HttpContext, Task<IResult>>)ChatAsync);
        MapModels(app);
        app.MapGet("/v1/fine_tuning/jobs", (HttpContext ctx) =>
        {
            lock (_state)
            {
                var newestFirst = Enumerable.Reverse(_jobs).Select(JobJson);
                return Page(ctx, newestFirst, j => j["id"]!.GetValue<string>(), 20);
            }
        });
        app.MapGet("/v1/fine_tuning/jobs/{id}", (string id) =>
        {
            lock (_state)
            {
                if (Find(id) is not { } job)
                    return NotFound(id);
                Advance(job);
                return Json(JobJson(job));
            }
        });
        app.MapGet("/v1/fine_tuning/jobs/{id}/events", (HttpContext ctx, string id) =>
        {
            lock (_state)
            {
                if (Find(id) is not { } job)
                    return NotFound(id);
                return Page(ctx, Enumerable.Reverse(job.Events).Select(e => (JsonObject)e.DeepClone()), e => e["id"]!.GetValue<string>(), 20);
            }
        });
        app.MapGet("/v1/fine_tuning/jobs/{id}/checkpoints", (HttpContext ctx, string id) =>
        {
            lock (_state)
            {
                if (Find(id) is not { } job)
                    return NotFound(id);
                return Page(ctx, Enumerable.Reverse(job.Checkpoints).Select(c => (JsonObject)c.DeepClone()), c => c["id"]!.GetValue<string>(), 10);
            }
        });
        app.MapPost("/v1/fine_tuning/jobs/{id}/cancel", (string id) =>
        {
            lock (_state)
            {
                if (Find(id) is not { } job)
                    return NotFound(id);
                if (job.IsFinished)
                    return Error(400, null, $"Job has already completed: {id}", null);
                job.Status = "cancelled";
                job.FinishedAt = Now();
                job.EstimatedFinish = null;
                AddEvent(job, "info", "Fine-tuning job cancelled");
                return Json(JobJson(job));
            }
        });
        app.MapFallback((HttpContext ctx) => Error(404, "unknown_url", $"Unrecognized request URL ({ctx.Request.Method}: {ctx.Request.Path}).", null));
    }

    private async Task<IResult> UploadAsync(HttpContext ctx)
    {
        if (!ctx.Request.HasFormContentType)
            return Error(400, null, "Expected a multipart/form-data body.", null);
        var form = await ctx.Request.ReadFormAsync(ctx.RequestAborted);
        var purpose = form["purpose"].ToString();
        if (purpose is not ("fine-tune" or "batch" or "assistants" or "vision" or "user_data" or "evals"))
            return Error(400, null, $"'{purpose}' is not one of ['fine-tune', 'assistants', 'batch', 'user_data', 'vision', 'evals'] - 'purpose'", "purpose");
        if (form.Files.GetFile("file") is not { } upload)
            return Error(400, null, "Missing file", "file");
        using var raw = new MemoryStream();
        await upload.CopyToAsync(raw, ctx.RequestAborted);
        var bytes = raw.ToArray();
        string content;
        using (var reader = new StreamReader(new MemoryStream(bytes), Encoding.UTF8))
            content = await reader.ReadToEndAsync(ctx.RequestAborted);
        var file = new FakeFile { Id = $"file-{NextId()}", Filename = upload.FileName, Purpose = purpose, Content = content, Bytes = bytes, CreatedAt = Now() };
        lock (_state)
            _files[file.Id] = file;
        return Json(new JsonObject
        {
            ["object"] = "file",
            ["id"] = file.Id,
            ["purpose"] = file.Purpose,
            ["filename"] = file.Filename,
            ["bytes"] = Encoding.UTF8.GetByteCount(content),
            ["created_at"] = file.CreatedAt,
            ["expires_at"] = null,
            ["status"] = "processed",
            ["status_details"] = null,
        });
    }

    private async Task<IResult> CreateJobAsync(HttpContext ctx)
    {
        JsonObject request;
        try
        {
            request = await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted) as JsonObject
                ?? throw new JsonException("not an object");
        }
        catch (JsonException)
        {
            return Error(400, null, "We could not parse the JSON body of your request.", null);
        }

        var model = Str(request, "model");
        var trainingFile = Str(request, "training_file");
        var validationFile = Str(request, "validation_file");
        var suffix = Str(request, "suffix");
        if (string.IsNullOrEmpty(model))
            return Error(400, null, "Missing required parameter: 'model'.", "model");
        if (!IsFineTunable(model))
            return Error(400, "model_not_available", $"Model {model} is not available for fine-tuning or does not exist.", "model");
        if (suffix is { Length: > 64 })
            return Error(400, null, "suffix is too long (maximum 64 characters)", "suffix");

        FakeFile? training;
        lock (_state)
            training = trainingFile is null ? null : _files.GetValueOrDefault(trainingFile);
        if (training is null)
            return Error(400, null, $"invalid training_file: {trainingFile}", "training_file");
        if (training.Purpose != "fine-tune")
            return Error(400, null, $"File {trainingFile} has purpose '{training.Purpose}', expected 'fine-tune'.", "training_file");
        bool validationKnown;
        lock (_state)
            validationKnown = validationFile is null || _files.ContainsKey(validationFile);
        if (!validationKnown)
            return Error(400, null, $"invalid validation_file: {validationFile}", "validation_file");

        var methodType = request["method"]?["type"]?.GetValue<string>() ?? "supervised";
        var hyper = request["method"]?[methodType]?["hyperparameters"] ?? request["hyperparameters"];
        JsonNode Requested(string name) => hyper?[name]?.DeepClone() ?? JsonValue.Create("auto")!;
        var requestedEpochs = Requested("n_epochs");
        var requestedBatch = Requested("batch_size");
        var requestedRate = Requested("learning_rate_multiplier");

        var examples = training.Lines;
        var epochs = Number(requestedEpochs) is { } e ? (int)e : DefaultEpochs(examples);
        var batch = Number(requestedBatch) is { } b ? (int)b : 1;
        var rate = Number(requestedRate) ?? 1.8;
        var job = new FakeJob
        {
            Id = $"ftjob-{NextId()}",
            Model = model,
            TrainingFile = training.Id,
            ValidationFile = validationFile,
            Suffix = suffix,
            Seed = request["seed"] is JsonValue seed ? seed.GetValue<long>() : 1234567,
            Request = request,
            MethodType = methodType,
            RequestedEpochs = requestedEpochs,
            RequestedBatchSize = requestedBatch,
            RequestedLearningRate = requestedRate,
            Epochs = epochs,
            BatchSize = batch,
            LearningRateMultiplier = rate,
            TotalSteps = epochs * (int)Math.Ceiling(examples / (double)batch),
            CreatedAt = Now(),
        };
        RememberJob(ctx, job);
        lock (_state)
        {
            _jobs.Add(job);
            AddEvent(job, "info", $"Created fine-tuning job: {job.Id}");
            AddEvent(job, "info", $"Validating training file: {job.TrainingFile}" +
                (job.ValidationFile is null ? "" : $" and validation file: {job.ValidationFile}"));
            return Json(JobJson(job));
        }
    }

    private async Task<IResult> ChatAsync(HttpContext ctx)
    {
        FakeChatRequest request;
        try
        {
            using var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8);
            request = FakeChatRequest.Parse(await reader.ReadToEndAsync(ctx.RequestAborted));
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return Error(400, null, "We could not parse the JSON body of your request.", null);
        }
        if (string.IsNullOrEmpty(request.Model))
            return Error(400, null, "you must provide a model parameter", "model");
        if (request.Messages.Count == 0)
            return Error(400, null, "[] is too short - 'messages'", "messages");
        var behaviour = Chat;
        if (behaviour.UnknownModels.Contains(request.Model))
            return Error(404, "model_not_found", $"The model `{request.Model}` does not exist or you do not have access to it.", null);
        if (ChatModel(ctx, request.Model) is not { } model)
            return DeploymentNotFoundAnswer();
        if (behaviour.TakeRateLimit(request.Model))
        {
            ctx.Response.Headers.RetryAfter = "30";
            return Error(429, "rate_limit_exceeded", $"Rate limit reached for {request.Model}. Please try again in 30s.", null);
        }
        if (request.ResponseFormatType == "json_schema" && behaviour.RejectJsonSchema)
            return Error(400, null, "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.", "response_format");
        // OpenAI checks a strict schema before anything else and answers 400 naming the first bad node; without this a
        // broken schema would pass every provider test and fail only against the real API.
        if (request.ResponseFormatType == "json_schema" && request.JsonSchema?["strict"] is JsonValue strict
            && strict.GetValueKind() == JsonValueKind.True
            && StrictSchemaRules.Check(behaviour.BreakSchema is { } breakSchema && request.JsonSchema["schema"] is { } sent
                ? breakSchema(sent.DeepClone())
                : request.JsonSchema["schema"]) is [var violation, ..])
            return Error(400, null,
                $"Invalid schema for response_format '{request.JsonSchema["name"]?.GetValue<string>()}': In context={violation.Context}, {violation.Problem}.",
                "response_format");
        if (request.ResponseFormatType == "json_object"
            && !request.Messages.Any(m => m.Content.Contains("json", StringComparison.OrdinalIgnoreCase)))
            return Error(400, null, "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.", "messages");

        var inFlight = Interlocked.Increment(ref _chatsInFlight);
        try
        {
            for (var max = Volatile.Read(ref _maxChatsInFlight); inFlight > max; max = Volatile.Read(ref _maxChatsInFlight))
                if (Interlocked.CompareExchange(ref _maxChatsInFlight, inFlight, max) == max)
                    break;
            if (behaviour.Delay > TimeSpan.Zero)
                await Task.Delay(behaviour.Delay, ctx.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            return Results.Empty; // the client gave up
        }
        finally
        {
            Interlocked.Decrement(ref _chatsInFlight);
        }

        var answer = _chatAnswers.AddOrUpdate(request.Model, 1, (_, n) => n + 1);
        string? content = null;
        string? refusal = behaviour.Refusal;
        if (refusal is null)
        {
            content = behaviour.TakeBadAnswer()
                ? BadContent(behaviour.BadContent)
                : PlanFor(request, answer, behaviour.EditPlan, behaviour.ParametersFor?.Invoke(model), behaviour.Deterministic);
            if (behaviour.CodeFence)
                content = $"```json\n{content}\n```";
        }
        var (promptTokens, completionTokens) = behaviour.TakeUsage() ?? (
            request.Messages.Sum(m => 4 + (int)Math.Ceiling(m.Content.Length / 4.0)) + 3,
            (int)Math.Ceiling((content ?? refusal ?? "").Length / 4.0));
        var completion = new JsonObject
        {
            ["id"] = $"chatcmpl-{NextId()}",
            ["object"] = "chat.completion",
            ["created"] = Now(),
            ["model"] = model,
            ["system_fingerprint"] = "fp_fake",
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject
                {
                    ["role"] = "assistant",
                    ["content"] = content,
                    ["refusal"] = refusal,
                    ["annotations"] = new JsonArray(),
                },
                ["logprobs"] = null,
                ["finish_reason"] = "stop",
            }),
            ["service_tier"] = "default",
        };
        if (!behaviour.OmitUsage)
            completion["usage"] = new JsonObject
            {
                ["prompt_tokens"] = promptTokens,
                ["completion_tokens"] = completionTokens,
                ["total_tokens"] = promptTokens + completionTokens,
                ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = 0, ["audio_tokens"] = 0 },
                ["completion_tokens_details"] = new JsonObject
                {
                    ["reasoning_tokens"] = 0,
                    ["audio_tokens"] = 0,
                    ["accepted_prediction_tokens"] = 0,
                    ["rejected_prediction_tokens"] = 0,
                },
            };
        return Json(completion);
    }

    /// <summary>
    /// The local engine's plan for the brief in the last user message, the model's next alternative in turn so that
    /// concurrent calls differ; prose when the message holds no brief.
    /// </summary>
    private static string PlanFor(FakeChatRequest request, int answer, Func<MediaPlan, MediaPlan>? edit, MediaMixParameters? parameters,
        bool deterministic)
    {
        var user = request.Messages.LastOrDefault(m => m.Role == "user").Content;
        if (BriefPrompt.Parse(user, out var error) is not { } parsed)
            return $"I could not find a campaign brief in your message ({error}).";
        var market = SeedReferenceData.Markets.FirstOrDefault(m => m.Code == parsed.Market.Code) ?? parsed.Market;
        if (SeedReferenceData.Currencies.FirstOrDefault(c => c.Code == parsed.Brief.Currency) is not { } currency)
            return $"I have no exchange rate for {parsed.Brief.Currency}.";
        var engine = new LocalMediaMixEngine(parameters ?? MediaMixParameters.Default);
        var planRequest = PlanRequest.Create(parsed.Brief, market, currency, SeedReferenceData.Benchmarks);
        var plans = engine.Generate(planRequest, LocalMediaMixEngine.MaxAlternatives);
        var plan = deterministic ? AskedFor(request, engine, planRequest) : plans[(answer - 1) % plans.Count];
        return PlanJson.Serialize(edit is null ? plan : edit(plan));
    }

    private static string BadContent(FakeBadContent kind) => kind switch
    {
        FakeBadContent.Truncated => PlanJson.Serialize(SamplePlan.Value)[..200],
        FakeBadContent.NoLineItems => PlanJson.Serialize(SamplePlan.Value with { LineItems = [] }),
        _ => "Here is a plan for your brief: put 40% into Search and the rest into Social.",
    };

    private static readonly Lazy<MediaPlan> SamplePlan = new(() =>
    {
        var market = SeedReferenceData.Markets.First(m => m.Code == "US");
        var brief = new CampaignBrief
        {
            OwnerId = "",
            Brand = "Sample",
            CampaignName = "Sample",
            Budget = 50_000m,
            Currency = "USD",
            MarketCode = market.Code,
            Objective = Objective.Awareness,
            AgeMin = 18,
            AgeMax = 54,
            FlightStart = new DateOnly(2027, 1, 1),
            FlightEnd = new DateOnly(2027, 1, 31),
            Channels = [Channel.Search, Channel.Social],
            BriefText = "Sample brief.",
        };
        var request = PlanRequest.Create(brief, market, SeedReferenceData.Currencies.First(c => c.Code == "USD"), SeedReferenceData.Benchmarks);
        return new LocalMediaMixEngine(MediaMixParameters.Default).Generate(request, 1)[0];
    });

    /// <summary>One stage per poll, so a test sees every status on its way.</summary>
    private void Advance(FakeJob job)
    {
        job.Polls++;
        if (job.IsFinished)
            return;
        if (FailJobsWith is { } failure)
        {
            job.Status = "failed";
            job.Error = failure;
            job.FinishedAt = Now();
            job.EstimatedFinish = null;
            AddEvent(job, "error", failure.Message);
            return;
        }
        switch (job.Status)
        {
            case "validating_files":
                job.Status = "queued";
                AddEvent(job, "info", "Files validated, moving job to queued state");
                break;
            case "queued":
                job.Status = "running";
                job.EstimatedFinish = Now() + 600;
                AddEvent(job, "info", "Fine-tuning job started");
                break;
            case "running" when job.StepsDone < job.TotalSteps:
                var chunk = Math.Max(1, (int)Math.Ceiling(job.TotalSteps / 3.0));
                var stepsPerEpoch = job.TotalSteps / job.Epochs;
                for (var i = 0; i < chunk && job.StepsDone < job.TotalSteps; i++)
                {
                    var step = ++job.StepsDone;
                    AddMetrics(job, step);
                    if (stepsPerEpoch > 0 && step % stepsPerEpoch == 0)
                        AddCheckpoint(job, step);
                }
                break;
            case "running":
                job.Status = "succeeded";
                job.FineTunedModel = FineTunedName(job);
                job.TrainedTokens = TrainedTokens(job);
                job.FinishedAt = Now();
                job.EstimatedFinish = null;
                AddEvent(job, "info", $"New fine-tuned model created: {job.FineTunedModel}");
                AddEvent(job, "info", "The job has successfully completed");
                break;
        }
    }

    private long TrainedTokens(FakeJob job)
    {
        var content = _files[job.TrainingFile].Content;
        var perEpoch = content.Split('\n', StringSplitOptions.RemoveEmptyEntries).Sum(line => (long)Math.Ceiling(line.Length / 4.0));
        return perEpoch * job.Epochs;
    }

    private static (double TrainLoss, double TrainAccuracy, double ValidLoss, double ValidAccuracy) Metrics(int step) =>
        (Math.Round(2.0 / (1 + step), 4), Math.Round(0.5 + 0.4 * step / (step + 4.0), 4),
         Math.Round(2.2 / (1 + step), 4), Math.Round(0.45 + 0.4 * step / (step + 4.0), 4));

    private void AddMetrics(FakeJob job, int step)
    {
        var m = Metrics(step);
        var data = new JsonObject
        {
            ["step"] = step,
            ["train_loss"] = m.TrainLoss,
            ["train_mean_token_accuracy"] = m.TrainAccuracy,
            ["total_steps"] = job.TotalSteps,
        };
        var message = $"Step {step}/{job.TotalSteps}: training loss={m.TrainLoss:0.0000}";
        if (job.ValidationFile is not null)
        {
            data["valid_loss"] = m.ValidLoss;
            data["valid_mean_token_accuracy"] = m.ValidAccuracy;
            message += $", validation loss={m.ValidLoss:0.0000}";
        }
        AddEvent(job, "info", message, "metrics", data);
    }

    private void AddCheckpoint(FakeJob job, int step)
    {
        var m = Metrics(step);
        var metrics = new JsonObject
        {
            ["step"] = step,
            ["train_loss"] = m.TrainLoss,
            ["train_mean_token_accuracy"] = m.TrainAccuracy,
        };
        if (job.ValidationFile is not null)
        {
            metrics["valid_loss"] = m.ValidLoss;
            metrics["valid_mean_token_accuracy"] = m.ValidAccuracy;
            metrics["full_valid_loss"] = m.ValidLoss + 0.01;
            metrics["full_valid_mean_token_accuracy"] = m.ValidAccuracy - 0.01;
        }
        job.Checkpoints.Add(new JsonObject
        {
            ["object"] = "fine_tuning.job.checkpoint",
            ["id"] = $"ftckpt_{NextId()}",
            ["created_at"] = Now(),
            ["fine_tuned_model_checkpoint"] = $"{FineTunedName(job)}:ckpt-step-{step}",
            ["step_number"] = step,
            ["metrics"] = metrics,
            ["fine_tuning_job_id"] = job.Id,
        });
    }

    private void AddEvent(FakeJob job, string level, string message, string type = "message", JsonObject? data = null) =>
        job.Events.Add(new JsonObject
        {
            ["object"] = "fine_tuning.job.event",
            ["id"] = $"ftevent-{NextId()}",
            ["created_at"] = Now(),
            ["level"] = level,
            ["message"] = message,
            ["data"] = data ?? new JsonObject(),
            ["type"] = type,
        });

    private JsonObject JobJson(FakeJob job)
    {
        // OpenAI shows "auto" until it has resolved the values, which it has once the files are validated.
        var resolved = job.Status != "validating_files";
        JsonObject Hyperparameters() => new()
        {
            ["n_epochs"] = resolved ? job.Epochs : job.RequestedEpochs.DeepClone(),
            ["batch_size"] = resolved ? job.BatchSize : job.RequestedBatchSize.DeepClone(),
            ["learning_rate_multiplier"] = resolved ? job.LearningRateMultiplier : job.RequestedLearningRate.DeepClone(),
        };
        return new JsonObject
        {
            ["object"] = "fine_tuning.job",
            ["id"] = job.Id,
            ["model"] = job.Model,
            ["created_at"] = job.CreatedAt,
            ["finished_at"] = job.FinishedAt,
            ["fine_tuned_model"] = job.FineTunedModel,
            ["organization_id"] = $"org-{Organization}",
            ["result_files"] = job.Status == "succeeded" ? new JsonArray($"file-result-{job.Id}") : new JsonArray(),
            ["status"] = job.Status,
            ["validation_file"] = job.ValidationFile,
            ["training_file"] = job.TrainingFile,
            ["hyperparameters"] = Hyperparameters(),
            ["trained_tokens"] = job.TrainedTokens,
            ["error"] = job.Error is { } error
                ? new JsonObject { ["code"] = error.Code, ["message"] = error.Message, ["param"] = error.Param }
                : null,
            ["user_provided_suffix"] = job.Suffix,
            ["seed"] = job.Seed,
            ["estimated_finish"] = job.EstimatedFinish,
            ["integrations"] = new JsonArray(),
            ["metadata"] = null,
            ["method"] = new JsonObject
            {
                ["type"] = job.MethodType,
                [job.MethodType] = new JsonObject { ["hyperparameters"] = Hyperparameters() },
            },
        };
    }

    private static IResult Page(HttpContext ctx, IEnumerable<JsonObject> newestFirst, Func<JsonObject, string> id, int defaultLimit)
    {
        var after = ctx.Request.Query["after"].ToString();
        var limit = int.TryParse(ctx.Request.Query["limit"], out var l) && l > 0 ? l : defaultLimit;
        var items = newestFirst.ToList();
        var start = after.Length == 0 ? 0 : items.FindIndex(i => id(i) == after) + 1;
        if (after.Length > 0 && start == 0)
            start = items.Count; // an unknown cursor pages past the end, as the API does
        var page = items.Skip(start).Take(limit).ToList();
        return Json(new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray([.. page]),
            ["has_more"] = start + page.Count < items.Count,
            ["first_id"] = page.Count > 0 ? id(page[0]) : null,
            ["last_id"] = page.Count > 0 ? id(page[^1]) : null,
        });
    }

    private FakeJob? Find(string id) => _jobs.FirstOrDefault(j => j.Id == id);

    private static IResult NotFound(string id) =>
        Error(404, "fine_tune_not_found", $"Could not find fine tune: {id}", "id");

    private static IResult Json(JsonNode node, int status = 200) =>
        Results.Text(node.ToJsonString(), "application/json", Encoding.UTF8, status);

    private static IResult Error(int status, string? code, string message, string? param) =>
        Json(ErrorJson(status, code, message, param), status);

    private static JsonObject ErrorJson(int status, string? code, string message, string? param) => new()
    {
        ["error"] = new JsonObject
        {
            ["message"] = message,
            ["type"] = status >= 500 ? "server_error" : "invalid_request_error",
            ["param"] = param,
            ["code"] = code,
        },
    };

    private static async Task WriteErrorAsync(HttpContext ctx, int status, string? code, string message, string? param)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(ErrorJson(status, code, message, param).ToJsonString(), ctx.RequestAborted);
    }

    private static string? Str(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static double? Number(JsonNode node) => node is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;

    /// <summary>OpenAI's default: 3 epochs, more for small sets (each example seen about 100 times in all), fewer for huge ones.</summary>
    private static int DefaultEpochs(int examples) =>
        examples <= 0 ? 3 : examples * 3 < 100 ? Math.Min(25, 100 / examples) : examples * 3 > 25_000 ? Math.Max(1, 25_000 / examples) : 3;

    private string NextId() => Interlocked.Increment(ref _sequence).ToString("D6", CultureInfo.InvariantCulture);

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();
}
