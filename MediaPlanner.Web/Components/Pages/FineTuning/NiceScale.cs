namespace MediaPlanner.Web.Components.Pages.FineTuning;

/// <summary>Chart axes on round numbers: steps of 1, 2, 2.5 or 5 times a power of ten, bounds on whole steps.</summary>
public static class NiceScale
{
    /// <summary>
    /// An axis from at most <paramref name="min"/> to at least <paramref name="max"/> with about <paramref name="ticks"/>
    /// intervals. A flat series still gets a span, so its ticks stay distinct.
    /// </summary>
    public static (double Min, double Max, double Step) Axis(double min, double max, int ticks, bool wholeNumbers = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ticks, 1);
        if (max < min)
            (min, max) = (max, min);
        if (max - min < 1e-12)
        {
            var pad = Math.Abs(max) > 1e-12 ? Math.Abs(max) * 0.1 : 1;
            (min, max) = (min >= 0 && min - pad < 0 ? 0 : min - pad, max + pad);
        }
        var step = Step((max - min) / ticks);
        if (wholeNumbers)
            step = Math.Max(1, Math.Round(step));
        var low = Math.Floor(min / step + 1e-9) * step;
        var high = Math.Ceiling(max / step - 1e-9) * step;
        if (high - low < step)
            high = low + step;
        return (low, high, step);
    }

    /// <summary>The tick values from <paramref name="min"/> to <paramref name="max"/>, every <paramref name="step"/>.</summary>
    public static IReadOnlyList<double> Ticks(double min, double max, double step)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(step);
        var count = (int)Math.Round((max - min) / step);
        // Multiplying rather than adding keeps 0.1 + 0.1 + 0.1 from drifting to 0.30000000000000004.
        return Enumerable.Range(0, count + 1).Select(i => Math.Round(min + i * step, 10)).ToList();
    }

    /// <summary>The decimals a label needs to tell ticks <paramref name="step"/> apart (0.25 → 2, 5 → 0).</summary>
    public static int Decimals(double step)
    {
        for (var decimals = 0; decimals < 10; decimals++)
            if (Math.Abs(step * Math.Pow(10, decimals) - Math.Round(step * Math.Pow(10, decimals))) < 1e-6)
                return decimals;
        return 10;
    }

    private static double Step(double rough)
    {
        var power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var fraction = rough / power;
        var nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
        return nice * power;
    }
}
