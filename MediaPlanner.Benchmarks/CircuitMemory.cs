using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace MediaPlanner.Benchmarks;

/// <summary>
/// Managed heap held by each open Blazor circuit on /briefs/new. Builds and starts the app in Release as its own process
/// (so the browser driver's objects are not counted), signs in as the demo planner in Debian's Chromium, opens one
/// warm-up page, takes a gcdump (which forces a full blocking GC), opens N more pages on the brief form, takes a
/// second gcdump, and prints (after − before) / N overall and per type.
/// </summary>
internal static partial class CircuitMemory
{
    private const string Planner = "planner@demo.local";
    private const string Password = "Demo!Pass123";

    public static async Task RunAsync(string[] args)
    {
        var circuits = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 50;
        var path = args.Length > 2 ? args[2] : "/briefs/new";
        var port = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 5215;
        var root = RepositoryRoot();
        var folder = Directory.CreateTempSubdirectory("mp-circuit-memory-").FullName;
        await RunToEndAsync(root, "dotnet", "build MediaPlanner.Web -c Release --nologo -v q");

        using var app = StartApp(root, folder, port);
        try
        {
            var baseUrl = $"http://127.0.0.1:{port}";
            await WaitHealthyAsync(baseUrl, app);
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium",
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
            });
            var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseUrl, ViewportSize = new() { Width = 1440, Height = 900 } });
            context.SetDefaultTimeout(60_000);
            var signIn = await context.NewPageAsync();
            await signIn.GotoAsync("/Account/Login");
            await signIn.FillAsync("#Input\\.Email", Planner);
            await signIn.FillAsync("#Input\\.Password", Password);
            await signIn.ClickAsync("button[type=submit]");
            await signIn.WaitForURLAsync(baseUrl + "/");
            await signIn.CloseAsync();

            // The warm-up circuit stays open: code paths, caches and pools it fills are the app's, not each circuit's.
            await OpenAsync(context, path);
            var before = await HeapAsync(root, folder, app.Id, "before");
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < circuits; i++)
                await OpenAsync(context, path);
            Console.WriteLine($"Opened {circuits} circuits on {path} in {watch.Elapsed.TotalSeconds:0.0} s.");
            foreach (var page in context.Pages)
                await page.Locator("[data-interactive=true]").WaitForAsync();
            var after = await HeapAsync(root, folder, app.Id, "after");

            Console.WriteLine($"Managed heap (gcdump, after a full GC): {before.Total / 1024.0 / 1024:0.0} MB with 1 circuit, {after.Total / 1024.0 / 1024:0.0} MB with {circuits + 1}.");
            Console.WriteLine($"Per circuit: {(after.Total - before.Total) / 1024.0 / circuits:N0} KB, {(after.Objects - before.Objects) / (double)circuits:N0} objects.");
            Console.WriteLine();
            Console.WriteLine("Top types by bytes per circuit:");
            Console.WriteLine($"{"KB",9} {"objects",9}  type");
            foreach (var (type, bytes, count) in Delta(before, after).Take(25))
                Console.WriteLine($"{bytes / 1024.0 / circuits,9:N1} {count / (double)circuits,9:N1}  {type}");
            Console.WriteLine();
            Console.WriteLine("By assembly:");
            foreach (var group in Delta(before, after).GroupBy(d => AssemblyOf(d.Type)).OrderByDescending(g => g.Sum(d => d.Bytes)).Take(10))
                Console.WriteLine($"{group.Sum(d => d.Bytes) / 1024.0 / circuits,9:N1} KB  {group.Key}");
            Console.WriteLine($"gcdumps kept in {folder} (open with `dotnet dotnet-gcdump report` or PerfView).");
        }
        finally
        {
            app.Kill(entireProcessTree: true);
            await app.WaitForExitAsync();
        }
    }

    private static async Task OpenAsync(IBrowserContext context, string path)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(path);
        await page.Locator("[data-interactive=true]").WaitForAsync();
    }

    private sealed record Heap(long Total, long Objects, Dictionary<string, (long Bytes, long Count)> Types);

    private static IEnumerable<(string Type, long Bytes, long Count)> Delta(Heap before, Heap after) =>
        after.Types.Keys.Union(before.Types.Keys)
            .Select(t => (t, after.Types.GetValueOrDefault(t).Bytes - before.Types.GetValueOrDefault(t).Bytes,
                after.Types.GetValueOrDefault(t).Count - before.Types.GetValueOrDefault(t).Count))
            .OrderByDescending(d => d.Item2);

    private static string AssemblyOf(string type) => AssemblyName().Match(type) is { Success: true } m ? m.Groups[1].Value : type;

    private static async Task<Heap> HeapAsync(string root, string folder, int pid, string name)
    {
        var file = Path.Combine(folder, name + ".gcdump");
        await RunToEndAsync(root, "dotnet", $"tool run dotnet-gcdump collect -p {pid} -o \"{file}\"");
        var report = await RunToEndAsync(root, "dotnet", $"tool run dotnet-gcdump report \"{file}\"");
        long total = 0, objects = 0;
        var types = new Dictionary<string, (long Bytes, long Count)>();
        foreach (var line in report.Split('\n'))
        {
            if (Summary().Match(line) is { Success: true } s)
            {
                if (s.Groups[2].Value == "bytes") total = Number(s.Groups[1].Value); else objects = Number(s.Groups[1].Value);
            }
            else if (TypeLine().Match(line) is { Success: true } t)
            {
                // A row gives one object's size (the mean, for arrays and strings split by size: "(Bytes > 10K)"); one row per type is what a reader wants.
                var type = t.Groups[3].Value.Trim() + " " + t.Groups[4].Value;
                var (bytes, count) = types.GetValueOrDefault(type);
                var rowCount = Number(t.Groups[2].Value);
                types[type] = (bytes + Number(t.Groups[1].Value) * rowCount, count + rowCount);
            }
        }
        if (total == 0)
            throw new InvalidOperationException("dotnet-gcdump report printed no heap size:\n" + report);
        return new(total, objects, types);
    }

    private static long Number(string text) => long.Parse(text, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\s*([\d,]+)\s+GC Heap (bytes|objects)\s*$")]
    private static partial Regex Summary();

    [GeneratedRegex(@"^\s*([\d,]+)\s+([\d,]+)\s+(.+?)(?:\s+\(Bytes > \w+\))?\s+(\[[^\]]+\])\s*$")]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"\[([^\]]+)\.dll\]$")]
    private static partial Regex AssemblyName();

    private static Process StartApp(string root, string folder, int port)
    {
        var web = Path.Combine(root, "MediaPlanner.Web");
        var start = new ProcessStartInfo("dotnet", Path.Combine(web, "bin", "Release", "net10.0", "MediaPlanner.Web.dll"))
        {
            WorkingDirectory = web,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Development for the demo users (and static web assets from the build output); the code is the Release build.
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ConnectionStrings__MediaPlanner"] = $"Data Source={Path.Combine(folder, "app.db")}";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("app: " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitHealthyAsync(string baseUrl, Process app)
    {
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(2))
        {
            if (app.HasExited)
                throw new InvalidOperationException($"The app exited with code {app.ExitCode}.");
            try
            {
                if ((await http.GetAsync("/healthz")).IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"{baseUrl}/healthz did not answer within 2 minutes.");
    }

    private static async Task<string> RunToEndAsync(string directory, string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException($"{file} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {arguments} exited with {process.ExitCode}:\n{await output}\n{await error}");
        return await output;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MediaPlanner.Web.sln")))
                return dir.FullName;
        throw new InvalidOperationException("Run this from inside the repository (no MediaPlanner.Web.sln above the current folder).");
    }
}
