namespace MediaPlanner.Domain.Cluster;

/// <summary>
/// A value read from the database and kept in memory until this node or another changes what it was read from. A read
/// that was under way when it was forgotten is returned to its caller but not kept: it may predate the change.
/// </summary>
public sealed class DatabaseCache<T> where T : class
{
    private readonly Lock _gate = new();
    private T? _value;
    private int _generation;

    /// <summary>The kept value, else what <paramref name="load"/> reads (an exception from it is not kept: the next call reads again).</summary>
    public T Get(Func<T> load)
    {
        if (Volatile.Read(ref _value) is { } cached)
            return cached;
        lock (_gate)
        {
            if (_value is { } loaded)
                return loaded;
            var generation = Volatile.Read(ref _generation);
            var fresh = load();
            if (generation == Volatile.Read(ref _generation))
                Volatile.Write(ref _value, fresh);
            return fresh;
        }
    }

    public void Forget()
    {
        Interlocked.Increment(ref _generation);
        Volatile.Write(ref _value, null);
    }
}
