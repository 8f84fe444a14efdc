using MudBlazor;

namespace MediaPlanner.Web.Components.Layout;

/// <summary>
/// The app's MudBlazor theme. Every colour used as a background under white text (filled buttons, chips, alerts, the
/// app bar) and as text on the page background reaches WCAG AA's 4.5:1; ThemeContrastTests checks each pair, so a
/// colour change that fails it is caught. MudBlazor's defaults (Success #00C853, Warning #FF9800, Info #2196F3) do not.
/// </summary>
public static class MediaPlannerTheme
{
    public const string Primary = "#3f51b5";

    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = Primary,
            Secondary = "#bf360c",
            Tertiary = "#00796b",
            Info = "#1565c0",
            Success = "#2e7d32",
            Warning = "#a15c00",
            Error = "#c62828",
            AppbarBackground = Primary,
            Background = "#f5f6fb",
            TextPrimary = "#1f2333",
            TextSecondary = "#5f6373",
            DrawerText = "#1f2333",
            DrawerIcon = "#5f6373",
        },
    };
}
