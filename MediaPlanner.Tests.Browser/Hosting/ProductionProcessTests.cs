using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web;
using Xunit.Abstractions;

namespace MediaPlanner.Tests.Browser.Hosting;

/// <summary>
/// Real processes build and start the app one at a time, after the parallel tests: on two cores a build next to the
/// rest of the suite is slow enough to make any start-up wait flaky.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealProcessCollection
{
    public const string Name = "Real process";
}

/// <summary>
/// The README's commands run as written through bash and <c>dotnet run</c> — launch settings and all, which
/// WebApplicationFactory never reads — from the repository root. The only substitutions: the production command's
/// data folder (/var/lib/mediaplanner) becomes a temp folder and its port (5080) a free one; the development command
/// gets <c>--urls</c> with a free port (the README's own way to pick the address) and a temp database through
/// ConnectionStrings__MediaPlanner, so nothing is written into the repository.
/// </summary>
[Collection(RealProcessCollection.Name)]
public sealed class ProductionProcessTests(ITestOutputHelper output) : IDisposable
{
    private const string AuthCookie = ".AspNetCore.Identity.Application";
    private const string Site = "mediaplanner.example";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);
    private readonly string _data = Directory.CreateTempSubdirectory("mp-process-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task The_readme_production_command_starts_in_production_with_no_demo_account_secure_cookies_and_no_stack_traces()
    {
        var command = ReadmeCommand("## Running in production");
        Assert.Contains("--no-launch-profile", command);
        Assert.Contains("/var/lib/mediaplanner", command);
        Assert.Contains(":5080", command);
        var adminEmail = Regex.Match(command, @"Seed__AdminEmail=(\S+)").Groups[1].Value;
        var adminPassword = Regex.Match(command, @"Seed__AdminPassword='([^']+)'").Groups[1].Value;
        var port = FreePort();

        await using var app = await RealApp.StartAsync(
            command.Replace("/var/lib/mediaplanner", _data, StringComparison.Ordinal).Replace(":5080", $":{port}", StringComparison.Ordinal),
            port, [], output);
        var proxy = new ProxiedClient(app.BaseUrl);

        Assert.Contains("Hosting environment: Production", app.Log);
        Assert.Contains("are not encrypted at rest", app.Log);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(_data, "keys"), "key-*.xml"));
        Assert.True(File.Exists(Path.Combine(_data, "mediaplanner.db" + DataProtectionPlacement.InstallationIdSuffix)));

        // Straight to Kestrel without the proxy's X-Forwarded-Proto: sent to https.
        var plain = await proxy.SendAsync(HttpMethod.Get, "/Account/Login", forwardedProto: null);
        Assert.Equal(HttpStatusCode.TemporaryRedirect, plain.StatusCode);
        Assert.StartsWith($"https://{Site}/Account/Login", plain.Headers.Location!.OriginalString, StringComparison.Ordinal);

        var login = await proxy.SendAsync(HttpMethod.Get, "/Account/Login");
        var loginHtml = await login.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.True(login.Headers.Contains("Strict-Transport-Security"), "No HSTS behind the proxy.");
        Assert.DoesNotContain(DatabaseInitializer.DemoPassword, loginHtml);
        Assert.DoesNotContain("@demo.local", loginHtml);

        foreach (var (email, _, _) in DatabaseInitializer.DemoUsers)
        {
            var demo = await proxy.SignInAsync(email, DatabaseInitializer.DemoPassword);
            Assert.Equal(HttpStatusCode.OK, demo.StatusCode);
            Assert.False(proxy.Has(AuthCookie), $"{email} got a sign-in cookie.");
        }

        var admin = await proxy.SignInAsync(adminEmail, adminPassword);
        Assert.Equal(HttpStatusCode.Redirect, admin.StatusCode);
        var cookie = admin.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(AuthCookie + "=", StringComparison.Ordinal));
        var attributes = cookie.Split(';').Select(a => a.Trim().ToLowerInvariant()).ToList();
        Assert.Contains("secure", attributes);
        Assert.Contains("httponly", attributes);

        var missing = await proxy.SendAsync(HttpMethod.Get, "/no-such-page");
        var badRequest = await proxy.SendAsync(HttpMethod.Get, "/api/training-data/export?validationPercent=not-a-number");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badRequest.StatusCode);
        foreach (var body in new[] { await missing.Content.ReadAsStringAsync(), await badRequest.Content.ReadAsStringAsync() })
        {
            Assert.DoesNotContain("Exception", body);
            Assert.DoesNotMatch(@"\bat [\w.`]+\.\w+\(", body);
        }

        await app.DisposeAsync();
        Assert.True(app.Exited, "dotnet run is still running after being killed.");
        using var afterwards = new HttpClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => afterwards.GetAsync($"{app.BaseUrl}/healthz"));
    }

    [Fact]
    public async Task The_readme_development_command_still_starts_in_development_with_the_demo_accounts()
    {
        var command = ReadmeCommand("## Run it");
        Assert.Equal("dotnet run --project MediaPlanner.Web", command);
        var port = FreePort();

        await using var app = await RealApp.StartAsync($"{command} --urls http://127.0.0.1:{port}", port,
            new() { ["ConnectionStrings__MediaPlanner"] = $"Data Source={Path.Combine(_data, "mediaplanner.db")}" }, output);
        var client = new ProxiedClient(app.BaseUrl);

        Assert.Contains("Hosting environment: Development", app.Log);
        Assert.Contains(DatabaseInitializer.DemoPassword, await (await client.SendAsync(HttpMethod.Get, "/Account/Login", forwardedProto: null)).Content.ReadAsStringAsync());
        var admin = await client.SignInAsync("admin@demo.local", DatabaseInitializer.DemoPassword, forwardedProto: null);
        Assert.Equal(HttpStatusCode.Redirect, admin.StatusCode);
        Assert.True(client.Has(AuthCookie));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(_data, "keys"), "key-*.xml"));
    }

    [Fact]
    public async Task The_readme_kestrel_https_command_serves_https_from_its_certificate_in_production()
    {
        var command = ReadmeCommand("## Running in production", "Kestrel__Certificates__Default__Path");
        Assert.Contains("--no-launch-profile", command);
        foreach (var part in new[] { "/etc/mediaplanner/tls.pfx", "/var/lib/mediaplanner", ":8443", ":8080" })
            Assert.Contains(part, command);
        var pfxPassword = Regex.Match(command, @"Kestrel__Certificates__Default__Password='([^']+)'").Groups[1].Value;
        var adminEmail = Regex.Match(command, @"Seed__AdminEmail=(\S+)").Groups[1].Value;
        var adminPassword = Regex.Match(command, @"Seed__AdminPassword='([^']+)'").Groups[1].Value;
        var pfx = Path.Combine(_data, "tls.pfx");
        string thumbprint;
        using (var rsa = RSA.Create(2048))
        {
            var request = new CertificateRequest($"CN={Site}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName(Site);
            request.CertificateExtensions.Add(names.Build());
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
            thumbprint = certificate.Thumbprint;
            await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pfx, pfxPassword));
        }
        var (httpsPort, httpPort) = (FreePort(), FreePort());

        await using var app = await RealApp.StartAsync(command
                .Replace("/etc/mediaplanner/tls.pfx", pfx, StringComparison.Ordinal)
                .Replace("/var/lib/mediaplanner", _data, StringComparison.Ordinal)
                .Replace(":8443", $":{httpsPort}", StringComparison.Ordinal)
                .Replace(":8080", $":{httpPort}", StringComparison.Ordinal),
            httpPort, [], output);
        var https = new ProxiedClient($"https://127.0.0.1:{httpsPort}", certificate => certificate?.Thumbprint == thumbprint);

        Assert.Contains("Hosting environment: Production", app.Log);
        Assert.Contains($"Now listening on: https://0.0.0.0:{httpsPort}", app.Log);
        var login = await https.SendAsync(HttpMethod.Get, "/Account/Login", forwardedProto: null);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.True(login.Headers.Contains("Strict-Transport-Security"), "No HSTS over Kestrel's own HTTPS.");
        var admin = await https.SignInAsync(adminEmail, adminPassword, forwardedProto: null);
        Assert.Equal(HttpStatusCode.Redirect, admin.StatusCode);
        Assert.Contains(admin.Headers.GetValues("Set-Cookie"), c => c.StartsWith(AuthCookie + "=", StringComparison.Ordinal)
            && c.Split(';').Select(a => a.Trim().ToLowerInvariant()).Contains("secure"));
        // The plain-http port only sends browsers to the certificate's port.
        var plain = await new ProxiedClient(app.BaseUrl).SendAsync(HttpMethod.Get, "/Account/Login", forwardedProto: null);
        Assert.Equal(HttpStatusCode.TemporaryRedirect, plain.StatusCode);
        Assert.StartsWith($"https://{Site}:{httpsPort}/Account/Login", plain.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    /// <summary>The first bash block after the heading (that contains <paramref name="containing"/>), its continuation lines joined.</summary>
    private static string ReadmeCommand(string heading, string containing = "")
    {
        var readme = Repository.Readme;
        var section = readme[(readme.IndexOf("\n" + heading + "\n", StringComparison.Ordinal) + 1)..];
        var block = Regex.Matches(section, "```bash\n(.*?)```", RegexOptions.Singleline)
            .Select(m => m.Groups[1].Value).First(b => b.Contains(containing, StringComparison.Ordinal));
        return Regex.Replace(block, @"\\\n\s*", " ").Trim();
    }


    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The command in bash, its output kept; ready once the app logs that it started and /healthz answers.</summary>
    private sealed class RealApp : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _lines = new();
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private RealApp(Process process, int port)
        {
            _process = process;
            BaseUrl = $"http://127.0.0.1:{port}";
        }

        public string BaseUrl { get; }

        public string Log => string.Join('\n', _lines);

        public bool Exited => _process.HasExited;

        public static async Task<RealApp> StartAsync(string command, int port, Dictionary<string, string> environment, ITestOutputHelper output)
        {
            var start = new ProcessStartInfo("bash", ["-c", command])
            {
                WorkingDirectory = Repository.Root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            // The test host's own settings (environment, MSBuild's) must not decide what the command does.
            foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
                         || k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.Contains("__", StringComparison.Ordinal)
                         || k.Equals("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase)).ToList())
                start.Environment.Remove(key);
            foreach (var (key, value) in environment)
                start.Environment[key] = value;
            start.Environment["DOTNET_NOLOGO"] = "1";
            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

            output.WriteLine($"$ {command}");
            var app = new RealApp(new Process { StartInfo = start, EnableRaisingEvents = true }, port);
            app._process.OutputDataReceived += (_, e) => app.Received(e.Data);
            app._process.ErrorDataReceived += (_, e) => app.Received(e.Data);
            app._process.Exited += (_, _) => app._started.TrySetException(new InvalidOperationException("The app exited before it started."));
            app._process.Start();
            app._process.BeginOutputReadLine();
            app._process.BeginErrorReadLine();
            try
            {
                await app._started.Task.WaitAsync(StartTimeout);
                using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(app.BaseUrl) };
                Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
            }
            catch
            {
                await app.DisposeAsync();
                output.WriteLine(app.Log);
                throw;
            }
            return app;
        }

        private void Received(string? line)
        {
            if (line is null)
                return;
            _lines.Enqueue(line);
            // The last of the start-up lines, after "Application started." and "Hosting environment: …".
            if (line.Contains("Content root path:", StringComparison.Ordinal))
                _started.TrySetResult();
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
    }

    /// <summary>
    /// Talks to the app as the reverse proxy would (X-Forwarded-Proto: https, the public host name), keeping cookies
    /// itself: HttpClient's cookie container holds back Secure cookies from an http:// address.
    /// </summary>
    private sealed class ProxiedClient(string baseUrl, Func<X509Certificate2?, bool>? trustServer = null)
    {
        private readonly HttpClient _http = new(new HttpClientHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            ServerCertificateCustomValidationCallback = trustServer is null ? null : (_, certificate, _, _) => trustServer(certificate),
        }) { BaseAddress = new Uri(baseUrl) };
        private readonly Dictionary<string, string> _cookies = [];

        public bool Has(string cookie) => _cookies.ContainsKey(cookie);

        public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? forwardedProto = "https", HttpContent? content = null)
        {
            using var request = new HttpRequestMessage(method, path) { Content = content };
            request.Headers.Host = Site;
            if (forwardedProto is not null)
                request.Headers.Add("X-Forwarded-Proto", forwardedProto);
            if (_cookies.Count > 0)
                request.Headers.Add("Cookie", string.Join("; ", _cookies.Select(c => $"{c.Key}={c.Value}")));
            var response = await _http.SendAsync(request);
            if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
                foreach (var pair in setCookies.Select(c => c.Split(';')[0].Split('=', 2)))
                    _cookies[pair[0]] = pair[1];
            return response;
        }

        public async Task<HttpResponseMessage> SignInAsync(string email, string password, string? forwardedProto = "https")
        {
            var page = await SendAsync(HttpMethod.Get, "/Account/Login", forwardedProto);
            return await SendAsync(HttpMethod.Post, "/Account/Login", forwardedProto, new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["_handler"] = "login",
                ["__RequestVerificationToken"] = MediaPlannerFactory.AntiforgeryToken(await page.Content.ReadAsStringAsync()),
                ["Input.Email"] = email,
                ["Input.Password"] = password,
            }));
        }
    }
}
