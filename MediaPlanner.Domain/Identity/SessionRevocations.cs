using System.Collections.Immutable;
using MediaPlanner.Domain.Cluster;
using Microsoft.Extensions.Logging;

namespace MediaPlanner.Domain.Identity;

/// <summary>
/// Notice that a user's sessions have ended (locked, new password, roles changed, deleted, signed out): the holders of
/// open sessions (Blazor circuits, hub connections) end theirs at once instead of at their next periodic check, on this
/// node and, through the <see cref="IClusterBus"/>, on every other node. Raised after the user's security stamp has
/// changed, so every check from then on fails too, wherever it runs: a lost notice only delays the end to that check.
/// </summary>
public sealed class SessionRevocations
{
    private const string Channel = "sessions-revoked";

    private readonly IClusterBus? _bus;
    private readonly ILogger<SessionRevocations>? _logger;
    private ImmutableArray<Action<string>> _listeners = [];

    public SessionRevocations(IClusterBus? bus = null, ILogger<SessionRevocations>? logger = null)
    {
        (_bus, _logger) = (bus, logger);
        bus?.Subscribe(Channel, userId =>
        {
            Notify(userId);
            return Task.CompletedTask;
        });
    }

    /// <summary>Calls <paramref name="onRevoked"/> with the user id of every revocation until the result is disposed. It must not throw.</summary>
    public IDisposable Subscribe(Action<string> onRevoked)
    {
        ImmutableInterlocked.Update(ref _listeners, l => l.Add(onRevoked));
        return new Subscription(() => ImmutableInterlocked.Update(ref _listeners, l => l.Remove(onRevoked)));
    }

    public void Revoke(string userId)
    {
        Notify(userId);
        _bus?.Announce(Channel, userId, _logger);
    }

    private void Notify(string userId)
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
