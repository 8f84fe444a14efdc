using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Markets;

namespace MediaPlanner.Domain.Planning;

/// <summary>
/// The reach model every figure in the app comes from: the engine's allocation, plan edits, the R&amp;F curves, the
/// comparison table and the quality score's effective frequency. One format's reach follows the Goerg (2014) one-point
/// curve, reach = ρ·I / (I + ρ) capped at the format's universe; that is the reach of a negative binomial exposure
/// distribution with shape 1 (geometric), so a reached person sees the ad n or more times with probability q^(n−1),
/// q = 1 − 1/frequency. Formats duplicate at random (Sainsbury): a person's exposures are the sum of independent draws.
/// </summary>
public static class ReachModel
{
    /// <summary>Goerg's ρ from the benchmark point: impressions equal to the universe reach <paramref name="reachAtOne"/> of it.</summary>
    public static double Rho(double universe, double reachAtOne)
    {
        var r0 = Math.Clamp(reachAtOne, 0.01, 0.99);
        return universe * r0 / (1 - r0);
    }

    /// <summary>People reached at least once by <paramref name="impressions"/>; never more than the impressions or the universe.</summary>
    public static double ReachPeople(double impressions, double universe, double rho) =>
        impressions <= 0 ? 0 : Math.Min(Math.Min(universe, rho * impressions / (impressions + rho)), impressions);

    /// <summary>d reach / d impressions at <paramref name="impressions"/>, as a share of the first impression's.</summary>
    public static double MarginalReachRatio(double impressions, double rho) => Math.Pow(rho / (impressions + rho), 2);

    /// <summary>Largest exposure count tracked exactly; the distribution folds anything above into this bucket.</summary>
    public const int MaxExposures = 40;

    /// <summary>
    /// Share of the audience exposed exactly k times (k = 0..<see cref="MaxExposures"/>, the last bucket "k or more"), for
    /// lines each reaching <c>reach</c> of the audience (0–1) at an average <c>frequency</c> among those reached.
    /// </summary>
    public static double[] ExposureDistribution(IEnumerable<(double Reach, double Frequency)> lines)
    {
        var combined = new double[MaxExposures + 1];
        combined[0] = 1;
        foreach (var (reach, frequency) in lines)
        {
            var r = Math.Clamp(reach, 0, 1);
            if (r <= 0)
                continue;
            var line = LineDistribution(r, Math.Max(1, frequency));
            var next = new double[MaxExposures + 1];
            for (var a = 0; a <= MaxExposures; a++)
            {
                if (combined[a] == 0)
                    continue;
                for (var b = 0; b <= MaxExposures; b++)
                    next[Math.Min(MaxExposures, a + b)] += combined[a] * line[b];
            }
            combined = next;
        }
        return combined;
    }

    /// <summary>Share of the audience exposed at least <paramref name="atLeast"/> times.</summary>
    public static double AtLeast(double[] distribution, int atLeast)
    {
        var sum = 0.0;
        for (var k = Math.Max(0, atLeast); k < distribution.Length; k++)
            sum += distribution[k];
        return Math.Clamp(sum, 0, 1);
    }

    /// <summary>Geometric exposures among the reached: P(k) = r·(1 − q)·q^(k−1), mean 1 / (1 − q) = frequency.</summary>
    private static double[] LineDistribution(double reach, double frequency)
    {
        var q = 1 - 1 / frequency;
        var d = new double[MaxExposures + 1];
        d[0] = 1 - reach;
        var p = reach * (1 - q);
        var tail = reach;
        for (var k = 1; k < MaxExposures; k++)
        {
            d[k] = p;
            tail -= p;
            p *= q;
        }
        d[MaxExposures] = Math.Max(0, tail);
        return d;
    }
}

/// <summary>The reference figures of one format in the brief's currency, with its reach curve.</summary>
public sealed record FormatBasis(Channel Channel, string Format, decimal Cpm, decimal CpmLow, decimal CpmHigh, double? Ctr, double? ConversionRate,
    double Universe, double Rho)
{
    public double ReachPeople(double impressions) => ReachModel.ReachPeople(impressions, Universe, Rho);
}

/// <summary>
/// What a plan's figures are measured against: the brief's audience, currency and effective-frequency threshold, and the
/// benchmark formats (CPMs converted to the brief's currency). Built from a <see cref="PlanRequest"/>.
/// </summary>
public sealed record PlanBasis(long AudienceSize, string Currency, int EffectiveFrequency, IReadOnlyList<FormatBasis> Formats)
{
    public static PlanBasis From(PlanRequest request) => new(
        request.AudienceSize,
        request.Currency.Code,
        Math.Clamp(request.Brief.EffectiveFrequency, 1, BriefLimits.MaxEffectiveFrequency),
        request.Benchmarks
            .Where(b => b.Cpm > 0)
            .OrderBy(b => b.Channel).ThenBy(b => b.Id)
            .Select(b => Format(b, request.Currency, request.AudienceSize))
            .ToList())
    {
        Flighting = request.Brief.Flighting,
        FlightingWeeks = request.Brief.FlightingWeeks ?? "",
        FlightStart = request.Brief.FlightStart,
        FlightEnd = request.Brief.FlightEnd,
    };

    /// <summary>The brief's flighting pattern, for the plan's flowchart (<see cref="Planning.Flighting"/>).</summary>
    public FlightingPattern Flighting { get; init; }

    /// <summary>The brief's flight: a plan is spread over these dates, whatever dates the plan itself claims.</summary>
    public DateOnly? FlightStart { get; init; }
    public DateOnly? FlightEnd { get; init; }

    /// <summary>The brief's on/off weeks for <see cref="FlightingPattern.Custom"/>.</summary>
    public string FlightingWeeks { get; init; } = "";

    public static FormatBasis Format(ChannelBenchmark b, CurrencyRate currency, long audience)
    {
        var universe = audience * Math.Clamp(b.UniverseShare, 0.01, 1.0);
        return new FormatBasis(b.Channel, b.Format,
            Math.Max(0.01m, decimal.Round(b.Cpm * currency.UnitsPerUsd, 2)),
            decimal.Round(b.CpmLow * currency.UnitsPerUsd, 2),
            decimal.Round(b.CpmHigh * currency.UnitsPerUsd, 2),
            b.Ctr is > 0 ? b.Ctr : null,
            b.ConversionRate is > 0 ? b.ConversionRate : null,
            universe,
            ReachModel.Rho(universe, b.ReachAtOneImpressionPerPerson));
    }

    /// <summary>
    /// The benchmark a plan line is measured by: its own format when the name matches, else the channel's format whose CPM
    /// is nearest the line's; null when the channel has no benchmark.
    /// </summary>
    public FormatBasis? For(Channel channel, string format, decimal cpm)
    {
        FormatBasis? best = null;
        foreach (var f in Formats)
        {
            if (f.Channel != channel)
                continue;
            if (string.Equals(f.Format, format, StringComparison.OrdinalIgnoreCase))
                return f;
            if (best is null || Math.Abs(f.Cpm - cpm) < Math.Abs(best.Cpm - cpm))
                best = f;
        }
        return best;
    }

    /// <summary>The channels the brief may buy that have benchmark figures, each with its first format.</summary>
    public IEnumerable<FormatBasis> FormatsOf(Channel channel) => Formats.Where(f => f.Channel == channel);
}
