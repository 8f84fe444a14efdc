using MediaPlanner.Domain.Planning;

namespace MediaPlanner.Web.Components.Shared;

/// <summary>
/// What a page lets a planner do with the plan cards it shows (edit, undo a choice, see the history); cascaded to every
/// <see cref="PlanCard"/> so the card offers only what its page handles.
/// </summary>
public sealed record PlanActions(
    Func<PlanView, Task> Edit,
    Func<PlanView, Task> Undo,
    Func<PlanView, Task> History,
    Func<PlanView, bool> CanUndo);
