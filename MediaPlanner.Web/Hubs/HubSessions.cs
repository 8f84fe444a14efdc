using System.Collections.Concurrent;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Web.Components.Account;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace MediaPlanner.Web.Hubs;

/// <summary>The open hub connections of each signed-in user, so that ending a user's sessions can close them.</summary>
public sealed class HubConnectionRegistry
{
    private readonly ConcurrentDictionary<string, HubCallerContext> _connections = new();

    public void Add(HubCallerContext connection) => _connections[connection.ConnectionId] = connection;

    public void Remove(HubCallerContext connection) => _connections.TryRemove(connection.ConnectionId, out _);

    public IReadOnlyList<HubCallerContext> All => [.. _connections.Values];

    /// <summary>Closes every connection of the user; returns how many.</summary>
    public int AbortUser(string userId)
    {
        var aborted = 0;
        foreach (var connection in _connections.Values.Where(c => c.UserIdentifier == userId))
        {
            connection.Abort();
            aborted++;
        }
        return aborted;
    }
}

/// <summary>
/// Keeps hub connections to the same rule as requests: registers them, and checks the user's session on every call,
/// so a connection whose user was locked, deleted or signed out can no longer subscribe to anything.
/// </summary>
public sealed class SessionHubFilter(HubConnectionRegistry registry) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var scopes = invocationContext.ServiceProvider.GetRequiredService<IServiceScopeFactory>();
        if (!await SessionValidation.IsValidAsync(scopes, invocationContext.Context.User ?? new()))
        {
            invocationContext.Context.Abort();
            throw new HubException("Your session has ended. Sign in again.");
        }
        return await next(invocationContext);
    }

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        registry.Add(context.Context);
        await next(context);
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        registry.Remove(context.Context);
        await next(context, exception);
    }
}

/// <summary>
/// Closes the hub connections of a user whose sessions the app ends, at once, and rechecks every open connection every
/// <see cref="SessionCheckOptions.RevalidationInterval"/> for changes that did not go through the app (a lock after failed
/// sign-ins, another process). A closed connection is out of every group: it receives no further job events.
/// </summary>
public sealed class HubSessionMonitor(
    HubConnectionRegistry registry,
    SessionRevocations revocations,
    IServiceScopeFactory scopes,
    IOptions<SessionCheckOptions> options,
    TimeProvider clock,
    ILogger<HubSessionMonitor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = revocations.Subscribe(userId =>
        {
            if (registry.AbortUser(userId) is var closed and > 0)
                logger.LogInformation("Closed {Count} hub connection(s) of user {UserId}: their sessions were ended.", closed, userId);
        });
        using var timer = new PeriodicTimer(options.Value.RevalidationInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                await SweepAsync();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Closes each open connection whose user no longer passes the session check.</summary>
    public async Task SweepAsync()
    {
        foreach (var connection in registry.All)
        {
            try
            {
                if (connection.User is not { } user || !await SessionValidation.IsValidAsync(scopes, user))
                {
                    connection.Abort();
                    logger.LogInformation("Closed hub connection {ConnectionId} of user {UserId}: their session is no longer valid.",
                        connection.ConnectionId, connection.UserIdentifier);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One unreadable check must not stop the others; the next sweep tries again.
                logger.LogWarning(ex, "Could not recheck hub connection {ConnectionId}.", connection.ConnectionId);
            }
        }
    }
}
