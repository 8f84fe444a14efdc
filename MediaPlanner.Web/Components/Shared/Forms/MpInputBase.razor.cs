using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.AspNetCore.Components.Web;

namespace MediaPlanner.Web.Components.Shared.Forms;

public abstract partial class MpInputBase<T>
{
    /// <summary>The input's id: the label's <c>for</c>, and what tests and ErrorFocus find it by.</summary>
    [Parameter, EditorRequired] public string Id { get; set; } = default!;
    [Parameter] public string? Label { get; set; }
    [Parameter] public string? HelperText { get; set; }
    [Parameter] public bool AutoFocus { get; set; }

    private protected Dictionary<string, object> attributes = [];
    private protected ElementReference element;
    private protected string? Error => EditContext.GetValidationMessages(FieldIdentifier).FirstOrDefault();
    private protected string? DescribedBy => Error is not null || HelperText is not null ? $"{Id}-helper-text" : null;
    private protected string ErrorClass => Error is null ? "" : " mud-input-error";
    private protected string AriaInvalid => Error is null ? "false" : "true";

    /// <summary>Whether the value is read as it is typed (input) rather than when the field is left (change).</summary>
    private protected virtual bool Immediately => false;

    protected override void OnParametersSet()
    {
        // The value event is chosen per field (input or change), so it goes with the splatted attributes.
        attributes = AdditionalAttributes is null ? [] : new(AdditionalAttributes);
        attributes[Immediately ? "oninput" : "onchange"] = EventCallback.Factory.Create<ChangeEventArgs>(this, e => CurrentValueAsString = e.Value as string);
        // Leaving a field is an event it answers, as MudBlazor's fields do (the form tests leave fields by blurring them).
        attributes["onblur"] = EventCallback.Factory.Create<FocusEventArgs>(this, () => { });
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender && AutoFocus)
            await element.FocusAsync();
    }
}
