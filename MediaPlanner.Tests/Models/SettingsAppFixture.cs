using System.Collections.Concurrent;
using System.Net;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Providers.OpenAI;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Fakes;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenAI.FineTuning;

namespace MediaPlanner.Tests.Models;

/// <summary>Records every log line the app writes, at every level, formatted and with its structured values and exception.</summary>
public sealed class LogRecorder : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Recorder(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Recorder(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            lines.Enqueue($"{category} scope: {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(", ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} [{values}] {exception}");
        }
    }
}

/// <summary>
/// The app over a private database, with a private Data Protection key ring (so a second app over the same database
/// and key ring can be started, and one with another key ring) and every log line recorded.
/// </summary>
public sealed class SettingsAppFixture : IDisposable
{
    public SettingsAppFixture()
    {
        Factory.Settings["DataProtection:KeysPath"] = KeysPath;
        App = Factory.WithWebHostBuilder(b => b.ConfigureLogging(logging =>
        {
            logging.AddProvider(Logs);
            logging.AddFilter<LogRecorder>(null, LogLevel.Trace);
        }));
    }

    public string KeysPath { get; } = Directory.CreateTempSubdirectory("mp-keys-").FullName;

    public LogRecorder Logs { get; } = new();

    public MediaPlannerFactory Factory { get; } = new();

    public WebApplicationFactory<Program> App { get; }

    public async Task<HttpClient> SignInAsync(string email)
    {
        var client = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var response = await MediaPlannerFactory.PostLoginAsync(client, email, DatabaseInitializer.DemoPassword);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    public void Dispose()
    {
        Factory.Dispose();
        try
        {
            Directory.Delete(KeysPath, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}
