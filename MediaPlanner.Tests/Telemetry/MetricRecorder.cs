using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using MediaPlanner.Domain.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace MediaPlanner.Tests.Telemetry;

/// <summary>One measurement of the app's meter: instrument, value and tags.</summary>
public sealed record Recorded(string Instrument, double Value, IReadOnlyDictionary<string, string?> Tags)
{
    public string? this[string tag] => Tags.GetValueOrDefault(tag);
}

/// <summary>
/// Listens to the "MediaPlanner" meter of one app instance only (the meter its <see cref="IMeterFactory"/> made), so
/// other apps running in parallel in this process never add to what a test sees.
/// </summary>
public sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<Recorded> _recorded = new();

    public MetricRecorder(IServiceProvider services)
    {
        var factory = services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == PlannerMetrics.Name && ReferenceEquals(instrument.Meter.Scope, factory))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
        _listener.Start();
    }

    /// <summary>Everything recorded so far for <paramref name="instrument"/>, observable instruments read now.</summary>
    public IReadOnlyList<Recorded> Of(string instrument)
    {
        _listener.RecordObservableInstruments();
        return _recorded.Where(r => r.Instrument == instrument).ToList();
    }

    /// <summary>The latest observation per tag set of an observable gauge, read now.</summary>
    public IReadOnlyList<Recorded> Observe(string instrument)
    {
        var before = _recorded.Count;
        _listener.RecordObservableInstruments();
        return _recorded.Skip(before).Where(r => r.Instrument == instrument).ToList();
    }

    public double Sum(string instrument, Func<Recorded, bool>? where = null) => Of(instrument).Where(where ?? (_ => true)).Sum(r => r.Value);

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var map = new Dictionary<string, string?>();
        foreach (var (key, tagValue) in tags)
            map[key] = tagValue?.ToString();
        _recorded.Enqueue(new Recorded(instrument.Name, value, map));
    }

    public void Dispose() => _listener.Dispose();
}
