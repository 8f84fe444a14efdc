namespace MediaPlanner.Tests.Infrastructure;

/// <summary>
/// The system clock moved on by however much a test says: time still passes as usual, and a test can jump over a wait
/// (a backoff, a poll interval) instead of sleeping through it. Timers stay real.
/// </summary>
public sealed class ShiftedClock : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    /// <summary>Moves the clock on to <paramref name="at"/> (if it is still to come).</summary>
    public void AdvanceTo(DateTimeOffset at)
    {
        var by = at - GetUtcNow();
        if (by > TimeSpan.Zero)
            Interlocked.Add(ref _offsetTicks, by.Ticks);
    }
}
