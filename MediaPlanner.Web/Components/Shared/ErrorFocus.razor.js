// The first field in error, in page order, within the given scope (else the form or dialog that holds the summary):
// inputs MudBlazor marks aria-invalid or mud-input-error, groups (like a set of checkboxes) marked data-invalid, or an
// error alert; the first control inside takes the focus.
export function focusFirstError(region, scope) {
    const root = (scope && document.querySelector(scope)) ?? region.closest('form, .mud-dialog') ?? document;
    const invalid = root.querySelector('[aria-invalid="true"], [data-invalid="true"], .mud-input-control.mud-input-error')
        ?? root.querySelector('.mud-alert-text-error, [data-field-error]');
    if (!invalid) return;
    const target = invalid.matches('input, select, textarea, button, [tabindex]')
        ? invalid
        : invalid.querySelector('input:not([type=hidden]):not([tabindex="-1"]), select, textarea, [role=combobox], button, [tabindex]:not([tabindex="-1"])') ?? invalid;
    // Centred, so the fixed app bar cannot cover it.
    target.scrollIntoView({ block: 'center' });
    target.focus({ preventScroll: true });
}
