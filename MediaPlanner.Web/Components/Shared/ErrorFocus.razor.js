// The first field in error, in page order, within the form or dialog that holds the summary: inputs that MudBlazor marks
// aria-invalid, and groups (like a set of checkboxes) marked data-invalid, whose first control takes the focus.
export function focusFirstError(region) {
    const scope = region.closest('form, .mud-dialog') ?? document;
    const invalid = scope.querySelector('[aria-invalid="true"], [data-invalid="true"]');
    if (!invalid) return;
    const target = invalid.matches('input, select, textarea, button, [tabindex]')
        ? invalid
        : invalid.querySelector('input, select, textarea, button, [tabindex]') ?? invalid;
    // Centred, so the fixed app bar cannot cover it.
    target.scrollIntoView({ block: 'center' });
    target.focus({ preventScroll: true });
}
