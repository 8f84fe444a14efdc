using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace MediaPlanner.Web.Components.Shared;

/// <summary>
/// A component whose actions disable its buttons while they run. <see cref="RunBusyAsync"/> is the one place that sets
/// <see cref="Busy"/>, awaits and clears it: an unexpected exception is logged and shown as an error, and the buttons come
/// back, where before it left them disabled (or ended the circuit) with no word to the user.
/// </summary>
public abstract class BusyComponent : ComponentBase
{
    internal const string UnexpectedError = "That did not work because of an unexpected error. Try again; if it keeps failing, the server log has the details.";

    // Named apart from the derived components' own @inject Snackbar.
    [Inject] private ISnackbar BusySnackbar { get; set; } = default!;
    [Inject] private ILogger<BusyComponent> BusyLogger { get; set; } = default!;

    protected bool Busy { get; private set; }

    protected Task RunBusyAsync(Func<Task> action) => RunBusyAsync(busy => Busy = busy, action);

    /// <summary>
    /// The same for a component with more than one busy state (a page that generates and also chooses): the action's own
    /// flag is set while it runs, through <paramref name="busy"/>, and an unexpected error is handled as above.
    /// </summary>
    protected async Task RunBusyAsync(Action<bool> busy, Func<Task> action)
    {
        busy(true);
        try
        {
            await action();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            BusyLogger.LogError(ex, "An action on {Component} failed", GetType().Name);
            BusySnackbar.Add(UnexpectedError, Severity.Error);
        }
        finally
        {
            busy(false);
        }
    }
}
