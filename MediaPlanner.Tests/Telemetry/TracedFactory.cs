using System.Collections.Concurrent;
using System.Diagnostics;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace MediaPlanner.Tests.Telemetry;

/// <summary>
/// The app with its own tracing set-up plus an in-memory exporter, and a test source whose spans root a test's trace:
/// every tracer provider in the process hears every source, so a test keeps the spans of its own trace only.
/// </summary>
public sealed class TracedFactory : MediaPlannerFactory
{
    public static readonly ActivitySource TestSource = new("MediaPlanner.Tests");

    private readonly ConcurrentQueue<Activity> _spans = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing
            .AddSource(TestSource.Name)
            .AddProcessor(new SimpleActivityExportProcessor(new QueueExporter(_spans)))));
    }

    /// <summary>The finished spans of <paramref name="trace"/> once <paramref name="complete"/> holds for them (up to 30 s).</summary>
    public async Task<IReadOnlyList<Activity>> SpansAsync(ActivityTraceId trace, Func<IReadOnlyList<Activity>, bool> complete)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var spans = _spans.Where(s => s.TraceId == trace).ToList();
            if (complete(spans))
                return spans;
            await Task.Delay(20, timeout.Token);
        }
    }

    private sealed class QueueExporter(ConcurrentQueue<Activity> spans) : BaseExporter<Activity>
    {
        public override ExportResult Export(in Batch<Activity> batch)
        {
            foreach (var span in batch)
                spans.Enqueue(span);
            return ExportResult.Success;
        }
    }
}
