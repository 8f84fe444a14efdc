namespace MediaPlanner.Domain.Providers.OpenAI;

/// <summary>
/// How to reach OpenAI (or an OpenAI-compatible server such as Azure OpenAI's v1 API), bound from the "OpenAI"
/// configuration section: OpenAI:ApiKey, OpenAI:Endpoint, OpenAI:BaseModel… (environment: OpenAI__ApiKey…).
/// </summary>
public sealed class OpenAIOptions
{
    public const string SectionName = "OpenAI";
    public const string DefaultEndpoint = "https://api.openai.com/v1";
    public const string AzureEndpointExample = "https://<resource>.openai.azure.com/openai/v1/";

    public string? ApiKey { get; set; }
    public string Endpoint { get; set; } = DefaultEndpoint;
    /// <summary>
    /// The model to fine-tune and plan with. Empty (the default) means the provider's list decides: the first active
    /// fine-tunable model it lists (<see cref="Providers.ModelCatalog.SuggestBaseModel"/>), since any named snapshot is shut down one day.
    /// </summary>
    public string BaseModel { get; set; } = "";
    /// <summary>Longest wait for one HTTP request; a request that takes longer counts as a transient failure.</summary>
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(100);
    /// <summary>When to look at a job again while OpenAI validates or queues it (and right after creating it).</summary>
    public TimeSpan PollWhileQueued { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>When to look at a job again while it trains.</summary>
    public TimeSpan PollWhileRunning { get; set; } = TimeSpan.FromSeconds(3);
    /// <summary>
    /// How many held-out briefs a finished fine-tuning job is evaluated on; each costs one plan request per model (base,
    /// fine-tuned, each checkpoint). 0 turns the evaluation off, and the job is then never recommended.
    /// </summary>
    public int EvaluationBriefs { get; set; } = 20;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(ApiKey);

    /// <summary>Azure OpenAI authenticates with an api-key header instead of a bearer token.</summary>
    public bool IsAzure => Uri.TryCreate(Endpoint?.Trim(), UriKind.Absolute, out var uri)
        && uri.Host.EndsWith(".openai.azure.com", StringComparison.OrdinalIgnoreCase);

    /// <summary>What is wrong with these settings, in words an admin can act on; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (ValidateEndpoint(Endpoint) is { } endpointProblem)
            problems.Add(endpointProblem);
        if (NetworkTimeout <= TimeSpan.Zero)
            problems.Add("OpenAI:NetworkTimeout must be positive, e.g. 00:01:40.");
        if (PollWhileQueued <= TimeSpan.Zero || PollWhileRunning <= TimeSpan.Zero)
            problems.Add("OpenAI:PollWhileQueued and OpenAI:PollWhileRunning must be positive.");
        return problems;
    }

    /// <summary>The endpoint as the SDK needs it: absolute http(s), ending in /v1 (the SDK appends /files, /fine_tuning/jobs…).</summary>
    public static string? ValidateEndpoint(string? endpoint)
    {
        if (string.IsNullOrWhiteSpace(endpoint))
            return $"OpenAI:Endpoint is empty: use {DefaultEndpoint} (Azure OpenAI: {AzureEndpointExample}).";
        if (!Uri.TryCreate(endpoint.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            return $"OpenAI:Endpoint must be an absolute http(s) URL such as {DefaultEndpoint} (Azure OpenAI: {AzureEndpointExample}).";
        // Credentials or a query in the URL would end up in logs and error messages.
        if (uri.UserInfo.Length > 0 || uri.Query.Length > 0)
            return "OpenAI:Endpoint must not carry credentials or a query string: put the key in OpenAI:ApiKey.";
        if (!uri.AbsolutePath.TrimEnd('/').EndsWith("/v1", StringComparison.Ordinal))
            return $"OpenAI:Endpoint {uri.GetLeftPart(UriPartial.Path)} must end with /v1, because the SDK appends paths such as " +
                   $"/fine_tuning/jobs to it: use {DefaultEndpoint}, or for Azure OpenAI {AzureEndpointExample}.";
        return null;
    }

    /// <summary>The endpoint without a trailing slash, so the SDK's appended paths never double it.</summary>
    public Uri EndpointUri() => new(Endpoint.Trim().TrimEnd('/'));

    /// <summary>Never shows the key: options end up in logs and debugger views.</summary>
    public override string ToString() =>
        $"OpenAIOptions {{ Endpoint = {Endpoint}, BaseModel = {BaseModel}, ApiKey = {(IsConfigured ? "(set)" : "(none)")}, NetworkTimeout = {NetworkTimeout} }}";
}
