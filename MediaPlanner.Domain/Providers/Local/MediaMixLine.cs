using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Planning;

namespace MediaPlanner.Domain.Providers.Local;

/// <summary>One plannable format with its response curves, in the brief's currency.</summary>
internal sealed class MediaMixLine
{
    private readonly double _audience;
    private readonly double _universe;
    private readonly double _rho;
    private readonly double _cpm;
    private readonly ChannelParameters _parameters;

    public MediaMixLine(ChannelBenchmark benchmark, decimal cpm, long audience, ChannelParameters parameters)
    {
        Channel = benchmark.Channel;
        Format = benchmark.Format;
        Cpm = Math.Max(0.01m, cpm);
        Ctr = benchmark.Ctr is > 0 ? benchmark.Ctr : null;
        ConversionRate = benchmark.ConversionRate is > 0 ? benchmark.ConversionRate : null;
        _cpm = (double)Cpm;
        _audience = audience;
        _universe = audience * Math.Clamp(benchmark.UniverseShare, 0.01, 1.0);
        // Goerg one-point model with the benchmark point (I₀ = universe, R₀ = r0 · universe): ρ = I₀R₀ / (I₀ − R₀).
        _rho = ReachModel.Rho(_universe, benchmark.ReachAtOneImpressionPerPerson);
        _parameters = parameters;
    }

    public Channel Channel { get; }
    public string Format { get; }
    public decimal Cpm { get; }
    public double? Ctr { get; }
    public double? ConversionRate { get; }

    public double Preference(Objective objective) => _parameters.PreferenceFor(objective);

    public double Impressions(double spend) => spend / _cpm * 1000;

    public double ReachPeople(double impressions) =>
        impressions <= 0 ? 0 : Math.Min(_universe, _rho * impressions / (impressions + _rho));

    public double ReachFraction(double spend) => ReachPeople(Impressions(spend)) / _audience;

    public double MarginalReachRatio(double impressions) => Math.Pow(_rho / (impressions + _rho), 2);

    /// <summary>
    /// Hill-saturated response: conversions per person x (impressions × CTR × conversion rate / audience),
    /// scored x^p / (x^p + K^p). Conversions, not clicks, so a cheap click with little intent does not win on volume.
    /// </summary>
    public double ActionFraction(double spend)
    {
        if (Ctr is not { } ctr || ConversionRate is not { } cvr || spend <= 0)
            return 0;
        var perPerson = Impressions(spend) * ctr * cvr / _audience;
        var p = _parameters.HillShape;
        var xp = p == 1 ? perPerson : Math.Pow(perPerson, p);
        var kp = p == 1 ? _parameters.ActionHalfSaturation : Math.Pow(_parameters.ActionHalfSaturation, p);
        return xp / (xp + kp);
    }
}
