using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
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

/// <summary>One request as the fake saw it; credentials are replaced by "(redacted)".</summary>
public sealed record RecordedRequest(
    string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body, bool Authorized)
{
    public FakeRoute? Route => FakeOpenAIServer.RouteOf(Method, Path);
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
        MapFineTuning(app);
        app.MapFallback((HttpContext ctx) => Error(404, "unknown_url", $"Unrecognized request URL ({ctx.Request.Method}: {ctx.Request.Path}).", null));
    }

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

    private string NextId() => Interlocked.Increment(ref _sequence).ToString("D6", CultureInfo.InvariantCulture);

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();
}
