using System.Diagnostics;
using System.Formats.Tar;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using MediaPlanner.Tests.Infrastructure;

namespace MediaPlanner.Tests.Browser.Hosting;

/// <summary>
/// Whether this machine can run deploy/container/build-and-run-offline.sh: root, the tools it names, and permission to
/// make namespaces (a container without CAP_SYS_ADMIN has none). Skipped with the reason, unless E2E_REQUIRED=1.
/// </summary>
public sealed class ContainerFactAttribute : FactAttribute
{
    public ContainerFactAttribute()
    {
        if (!BrowserEnvironment.Required)
            Skip = ContainerImageTests.MissingPrerequisite();
    }
}

/// <summary>A Release publish and an app start: alone, so it neither slows nor is slowed by the parallel tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ContainerCollection
{
    public const string Name = "Container";
}

[Collection(ContainerCollection.Name)]
public sealed class ContainerImageTests : IDisposable
{
    private static readonly string Script = Path.Combine(Repository.Root, "deploy", "container", "build-and-run-offline.sh");
    private readonly string _work = Directory.CreateTempSubdirectory("mediaplanner-container-").FullName;

    [ContainerFact]
    public async Task ReadmeArchiveCommandBuildsAnImageThatRunsAsTheAppUserAndServesHealthzAndSignIn()
    {
        var (exitCode, output) = await RunAsync("bash", [Script, _work], TimeSpan.FromMinutes(10));

        Assert.True(exitCode == 0, $"build-and-run-offline.sh failed ({exitCode}):\n{output}");
        Assert.Contains("GET /healthz: 200", output);
        Assert.Contains("GET /Account/Login: 200, renders 'Sign in'", output);
        Assert.Contains("app process runs as uid 1654", output);
        Assert.Contains("/app/data: mediaplanner.db (1654) keys (1654)", output);

        var (tags, config) = ReadArchive(Path.Combine(_work, "mediaplanner.tar"));
        Assert.Equal(["1.0.0", "latest"], tags.Order());
        var settings = config.GetProperty("config");
        Assert.Equal("1654", settings.GetProperty("User").GetString());
        Assert.Equal("/app/", settings.GetProperty("WorkingDir").GetString());
        Assert.True(settings.GetProperty("ExposedPorts").TryGetProperty("8080/tcp", out _));
        var env = settings.GetProperty("Env").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("ASPNETCORE_HTTP_PORTS=8080", env);
        Assert.Contains("Database__Provider=Sqlite", env);
        Assert.Contains("ConnectionStrings__MediaPlanner=Data Source=/app/data/mediaplanner.db", env);
        Assert.Contains("DataProtection__KeysPath=/app/data/keys", env);
        Assert.Equal("MediaPlanner", settings.GetProperty("Labels").GetProperty("org.opencontainers.image.title").GetString());
    }

    [Fact]
    public void ReadmeContainerSectionNamesEveryVariableTheImageSetsAndTheDeploymentNeeds()
    {
        var section = Regex.Match(Repository.Readme, @"^## Container\n(.*?)(?=^## )", RegexOptions.Multiline | RegexOptions.Singleline);
        Assert.True(section.Success, "README has no '## Container' section");
        var project = XDocument.Load(Path.Combine(Repository.Root, "MediaPlanner.Web", "MediaPlanner.Web.csproj"));
        var imageVariables = project.Descendants("ContainerEnvironmentVariable")
            .Select(v => $"{v.Attribute("Include")!.Value}={v.Attribute("Value")!.Value}").ToList();
        Assert.NotEmpty(imageVariables);
        string[] deployment = ["Seed__AdminEmail", "ForwardedHeaders__KnownNetworks", "DataProtection__CertificatePath",
            "Database__Provider", "ConnectionStrings__MediaPlanner", "ConnectionStrings__Redis", "OTEL_EXPORTER_OTLP_ENDPOINT",
            "Security__AllowedOrigins__0", "docker load -i artifacts/mediaplanner.tar", "-v mediaplanner-data:/app/data",
            "(#several-app-nodes)"];
        var missing = imageVariables.Concat(deployment).Where(v => !section.Groups[1].Value.Contains(v)).ToList();
        Assert.True(missing.Count == 0, "README's Container section does not mention: " + string.Join(", ", missing));
    }

    internal static string? MissingPrerequisite()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
            return "Building and running the image without a daemon needs root on Linux; set E2E_REQUIRED=1 to make this a failure.";
        var missing = new[] { "unshare", "mount", "ip", "curl", "jq", "dpkg" }
            .Where(tool => !(Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, tool))))
            .ToList();
        if (missing.Count > 0)
            return $"Missing {string.Join(", ", missing)} (util-linux, iproute2, curl, jq); set E2E_REQUIRED=1 to make this a failure.";
        var (exitCode, output) = RunAsync("unshare", ["--net", "--mount", "--pid", "--fork", "true"], TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        return exitCode == 0 ? null : $"This machine may not make namespaces ({output.Trim()}); set E2E_REQUIRED=1 to make this a failure.";
    }

    /// <summary>The archive's tags and the image's config, read from its OCI layout (index.json) or docker-archive manifest.json.</summary>
    private static (List<string> Tags, JsonElement Config) ReadArchive(string archive)
    {
        var files = new Dictionary<string, byte[]>();
        using (var reader = new TarReader(File.OpenRead(archive)))
            while (reader.GetNextEntry() is { } entry)
                if (entry.DataStream is { Length: < 1_000_000 } data)
                {
                    using var copy = new MemoryStream();
                    data.CopyTo(copy);
                    files[entry.Name.TrimStart('.', '/')] = copy.ToArray();
                }
        JsonElement Json(string name) => JsonDocument.Parse(files[name]).RootElement;
        if (files.ContainsKey("manifest.json"))
        {
            var image = Json("manifest.json")[0];
            var tags = image.GetProperty("RepoTags").EnumerateArray().Select(t => t.GetString()!.Split(':')[^1]).ToList();
            return (tags, Json(image.GetProperty("Config").GetString()!));
        }
        var manifests = Json("index.json").GetProperty("manifests").EnumerateArray().ToList();
        var blob = (JsonElement d) => "blobs/" + d.GetProperty("digest").GetString()!.Replace(':', '/');
        var manifest = Json(blob(manifests[0]));
        return (manifests.Select(m => m.GetProperty("annotations").GetProperty("org.opencontainers.image.ref.name").GetString()!).ToList(),
            Json(blob(manifest.GetProperty("config"))));
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] args, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"timed out after {timeout}:\n{output}");
        }
        process.WaitForExit();
        lock (output)
            return (process.ExitCode, output.ToString());
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);
}
