// The first field in error in the form (Mud marks its control mud-input-error), or failing that an error alert.
export function focusFirstError(scope) {
    const root = document.querySelector(scope) ?? document;
    const field = root.querySelector('.mud-input-control.mud-input-error') ?? root.querySelector('.mud-alert-text-error, [data-field-error]');
    if (!field) return;
    field.scrollIntoView({ block: 'center' });
    const input = field.querySelector('input:not([type=hidden]):not([tabindex="-1"]), textarea, [role=combobox], [tabindex]:not([tabindex="-1"])');
    (input ?? field).focus({ preventScroll: true });
}
