using System.Collections.Immutable;

namespace MediaPlanner.Domain.Identity;

/// <summary>
/// In-process notice that a user's sessions have ended (locked, new password, roles changed, deleted, signed out): the
/// holders of open sessions (Blazor circuits, hub connections) end theirs at once instead of at their next periodic check.
/// Raised after the user's security stamp has changed, so every check from then on fails too.
/// </summary>
public sealed class SessionRevocations
{
    private ImmutableArray<Action<string>> _listeners = [];

    /// <summary>Calls <paramref name="onRevoked"/> with the user id of every revocation until the result is disposed. It must not throw.</summary>
    public IDisposable Subscribe(Action<string> onRevoked)
    {
        ImmutableInterlocked.Update(ref _listeners, l => l.Add(onRevoked));
        return new Subscription(() => ImmutableInterlocked.Update(ref _listeners, l => l.Remove(onRevoked)));
    }

    public void Revoke(string userId)
    {
        foreach (var listener in _listeners)
            listener(userId);
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;

        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
    }
}
