using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;

namespace MediaPlanner.Web.Components.Shared.Forms;

public partial class MpField<T>
{
    [Parameter] public string? Placeholder { get; set; }
    [Parameter] public int? MaxLength { get; set; }
    /// <summary>Shows "length / Counter" under the field.</summary>
    [Parameter] public int? Counter { get; set; }
    /// <summary>More than one: an outlined text area of this many rows.</summary>
    [Parameter] public int Lines { get; set; } = 1;
    /// <summary>Updates the value as you type instead of when the field is left.</summary>
    [Parameter] public bool Immediate { get; set; }
    /// <summary>A .NET format string for numbers, e.g. N2.</summary>
    [Parameter] public string? Format { get; set; }
    [Parameter] public double? Min { get; set; }
    [Parameter] public double? Max { get; set; }
    /// <summary>For a date: the earliest and latest the browser's date picker offers.</summary>
    [Parameter] public DateTime? MinDate { get; set; }
    [Parameter] public DateTime? MaxDate { get; set; }
    /// <summary>Up and down buttons (and arrow keys) that step a number by one.</summary>
    [Parameter] public bool Spin { get; set; }

    private static readonly Type ValueType = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
    // A date is the browser's own date input: the phone's date wheel, typing by parts, and its picker, as one element.
    private static readonly bool IsDate = ValueType == typeof(DateTime) || ValueType == typeof(DateOnly);
    private static readonly bool IsNumber = ValueType != typeof(string) && !IsDate;
    private static readonly bool IsWholeNumber = ValueType == typeof(int) || ValueType == typeof(long) || ValueType == typeof(short);
    private static string? InputMode => IsDate ? null : !IsNumber ? "text" : IsWholeNumber ? "numeric" : "decimal";
    private const string DateFormat = "yyyy-MM-dd";

    private object? MinAttribute => IsDate ? MinDate?.ToString(DateFormat, CultureInfo.InvariantCulture) : Min;
    private object? MaxAttribute => IsDate ? MaxDate?.ToString(DateFormat, CultureInfo.InvariantCulture) : Max;

    // A date input always shows its parts (or the date), so its label stays above it.
    private bool Shrink => !string.IsNullOrEmpty(CurrentValueAsString) || Placeholder is not null || IsDate;

    private string ControlClass => "mud-input-control" + ErrorClass
        + (Lines > 1 ? " mud-input-outlined-with-label" : " mud-input-text-with-label") + " mud-input-input-control"
        + (IsNumber ? " mud-input-number-control" + (Spin ? " mud-input-showspin" : " mud-input-nospin") : " mud-input-sizing-fixed");

    private string InputClass => (Lines > 1 ? "mud-input mud-input-outlined mud-input-outlined-with-label" : "mud-input mud-input-text mud-input-text-with-label mud-input-underline")
        + ErrorClass + (Shrink ? " mud-shrink" : "") + " mud-typography-subtitle1 mud-input-sizing-fixed";

    private string LabelClass => "mud-input-label mud-input-label-animated " + (Lines > 1 ? "mud-input-label-outlined" : "mud-input-label-text")
        + ErrorClass + " mud-input-label-inputcontrol";

    private const string SpinClass = "mud-button-root mud-button mud-button-text mud-button-text-default mud-button-text-size-medium mud-ripple";

    private protected override bool Immediately => Immediate;

    protected override void OnParametersSet()
    {
        base.OnParametersSet();
        if (Spin)
            attributes["onkeydown"] = EventCallback.Factory.Create<KeyboardEventArgs>(this, OnKeyDown);
    }

    private void OnKeyDown(KeyboardEventArgs e)
    {
        if (e.Key == "ArrowUp") Step(1);
        else if (e.Key == "ArrowDown") Step(-1);
    }

    private void Step(int delta)
    {
        var current = decimal.TryParse(CurrentValueAsString, NumberStyles.Number, CultureInfo.CurrentCulture, out var value) ? value : (decimal)(Min ?? 0) - delta;
        var next = current + delta;
        if (Min is { } min) next = Math.Max(next, (decimal)min);
        if (Max is { } max) next = Math.Min(next, (decimal)max);
        CurrentValueAsString = next.ToString(CultureInfo.CurrentCulture);
    }

    protected override string? FormatValueAsString(T? value) => value switch
    {
        IFormattable date when IsDate => date.ToString(DateFormat, CultureInfo.InvariantCulture),
        IFormattable formattable when Format is not null => formattable.ToString(Format, CultureInfo.CurrentCulture),
        _ => BindConverter.FormatValue(value, CultureInfo.CurrentCulture)?.ToString(),
    };

    protected override bool TryParseValueFromString(string? value, [MaybeNullWhen(false)] out T result, [NotNullWhen(false)] out string? validationErrorMessage)
    {
        if (BindConverter.TryConvertTo(value, CultureInfo.CurrentCulture, out result))
        {
            validationErrorMessage = null;
            return true;
        }
        validationErrorMessage = $"{DisplayName ?? Label?.TrimEnd(' ', '*')} must be {(IsDate ? "a date" : "a number")}.";
        return false;
    }
}
