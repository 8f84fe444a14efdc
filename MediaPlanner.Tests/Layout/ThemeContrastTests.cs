using MediaPlanner.Web.Components.Layout;
using MudBlazor;
using MudBlazor.Utilities;

namespace MediaPlanner.Tests.Layout;

/// <summary>WCAG 2.2 contrast of the theme's colour pairs: a colour change that fails 4.5:1 for text fails here.</summary>
public class ThemeContrastTests
{
    private const double Text = 4.5;
    private static readonly Palette Palette = MediaPlannerTheme.Theme.PaletteLight;

    public static TheoryData<string, string, string> Pairs()
    {
        var data = new TheoryData<string, string, string>();
        // Filled buttons, chips and alerts: white text on the colour.
        foreach (var (name, colour) in Colours())
            data.Add($"white on {name}", Palette.White.ToString(MudColorOutputFormats.Hex), colour);
        // Text and outlined variants: the colour as text on the page and on cards.
        foreach (var (name, colour) in Colours())
        {
            data.Add($"{name} on background", colour, Palette.Background.ToString(MudColorOutputFormats.Hex));
            data.Add($"{name} on surface", colour, Palette.Surface.ToString(MudColorOutputFormats.Hex));
        }
        foreach (var (name, colour) in new[] { ("text primary", Palette.TextPrimary), ("text secondary", Palette.TextSecondary) })
        {
            data.Add($"{name} on background", colour.ToString(MudColorOutputFormats.HexA), Palette.Background.ToString(MudColorOutputFormats.Hex));
            data.Add($"{name} on surface", colour.ToString(MudColorOutputFormats.HexA), Palette.Surface.ToString(MudColorOutputFormats.Hex));
        }
        data.Add("app bar text", Palette.AppbarText.ToString(MudColorOutputFormats.HexA), Palette.AppbarBackground.ToString(MudColorOutputFormats.Hex));
        data.Add("drawer text", Palette.DrawerText.ToString(MudColorOutputFormats.HexA), Palette.DrawerBackground.ToString(MudColorOutputFormats.Hex));
        return data;
    }

    private static IEnumerable<(string, string)> Colours() =>
        new[]
        {
            ("primary", Palette.Primary), ("secondary", Palette.Secondary), ("tertiary", Palette.Tertiary), ("info", Palette.Info),
            ("success", Palette.Success), ("warning", Palette.Warning), ("error", Palette.Error), ("dark", Palette.Dark),
        }.Select(c => (c.Item1, c.Item2.ToString(MudColorOutputFormats.Hex)));

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Theme_text_reaches_4_5_to_1(string pair, string foreground, string background)
    {
        var ratio = Contrast(new MudColor(foreground), new MudColor(background));
        Assert.True(ratio >= Text, $"{pair}: {foreground} on {background} is {ratio:0.00}:1, needs {Text}:1");
    }

    [Theory]
    [InlineData("#ffffff", "#00c853", 2.24)] // the old Success: the score chip's white text
    [InlineData("#000000", "#ffffff", 21.0)]
    [InlineData("#3f51b5", "#ffffff", 6.87)]
    public void Contrast_matches_WCAG_figures(string foreground, string background, double expected) =>
        Assert.Equal(expected, Contrast(new MudColor(foreground), new MudColor(background)), 2);

    [Fact]
    public void A_translucent_text_colour_is_measured_as_blended_on_its_background() =>
        // rgba(0,0,0,.38) on white shows as #9e9e9e: 2.68:1, not black's 21:1.
        Assert.Equal(2.68, Contrast(new MudColor("rgba(0,0,0,0.38)"), new MudColor("#ffffff")), 2);

    /// <summary>WCAG relative-luminance contrast; a translucent foreground is first blended onto the opaque background.</summary>
    public static double Contrast(MudColor foreground, MudColor background)
    {
        var a = foreground.APercentage;
        double Blend(byte f, byte b) => f * a + b * (1 - a);
        var fore = Luminance(Blend(foreground.R, background.R), Blend(foreground.G, background.G), Blend(foreground.B, background.B));
        var back = Luminance(background.R, background.G, background.B);
        return (Math.Max(fore, back) + 0.05) / (Math.Min(fore, back) + 0.05);
    }

    private static double Luminance(double r, double g, double b)
    {
        static double Channel(double c)
        {
            c /= 255;
            return c <= 0.03928 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        }
        return 0.2126 * Channel(r) + 0.7152 * Channel(g) + 0.0722 * Channel(b);
    }
}
