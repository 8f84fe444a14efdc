using MediaPlanner.Domain.Briefs;

namespace MediaPlanner.Domain.Markets;

/// <summary>A market the planner can buy in, with its adult (18+) population and where that figure comes from.</summary>
public class Market
{
    public required string Code { get; set; }
    public required string Name { get; set; }
    public long AdultPopulation { get; set; }
    public required string DefaultCurrency { get; set; }
    public required string Source { get; set; }
    public int Year { get; set; }
}

/// <summary>A currency a budget may be written in, and how many units buy one US dollar.</summary>
public class CurrencyRate
{
    public required string Code { get; set; }
    public required string Name { get; set; }
    public decimal UnitsPerUsd { get; set; }
    public required string Source { get; set; }
    public DateOnly AsOf { get; set; }
}

/// <summary>
/// Cost and response figures for one channel format (CPMs in USD). The reach-curve fields
/// calibrate the Goerg one-point model: <see cref="UniverseShare"/> is the share of adults the channel
/// can reach at all, <see cref="ReachAtOneImpressionPerPerson"/> the share of that universe reached when
/// impressions equal its size.
/// </summary>
public class ChannelBenchmark
{
    public int Id { get; set; }
    public Channel Channel { get; set; }
    public required string Format { get; set; }
    public decimal Cpm { get; set; }
    public decimal CpmLow { get; set; }
    public decimal CpmHigh { get; set; }
    /// <summary>Click-through rate as a fraction; null where the channel has no clicks.</summary>
    public double? Ctr { get; set; }
    /// <summary>Conversions per click as a fraction; null where there is no benchmark.</summary>
    public double? ConversionRate { get; set; }
    public double UniverseShare { get; set; }
    public double ReachAtOneImpressionPerPerson { get; set; }
    public required string Source { get; set; }
    public required string ReachSource { get; set; }
    public DateOnly AsOf { get; set; }
}

/// <summary>The figures the app ships with. Seeded by the initial migration; editable in the database later.</summary>
public static class SeedReferenceData
{
    private const string Oaaa = "Solomon Partners for OAAA, media CPM comparison (Jan 2022)";
    private const string ReachAssumption = "MediaPlanner default: Goerg (2014) one-point reach model, calibrated by assumption (2026-11)";
    private static readonly DateOnly Jan2022 = new(2022, 1, 1);
    private static readonly DateOnly Y2024 = new(2024, 6, 1);

    public static readonly Market[] Markets =
    [
        new() { Code = "US", Name = "United States", AdultPopulation = 258_343_281, DefaultCurrency = "USD", Source = "US Census Bureau, 2020 Census, population 18 and over", Year = 2020 },
        new() { Code = "GB", Name = "United Kingdom", AdultPopulation = 53_000_000, DefaultCurrency = "GBP", Source = "ONS mid-2020 population estimates, 18 and over (rounded)", Year = 2020 },
        new() { Code = "CA", Name = "Canada", AdultPopulation = 30_300_000, DefaultCurrency = "CAD", Source = "Statistics Canada, 2021 Census, 18 and over (rounded)", Year = 2021 },
        new() { Code = "DE", Name = "Germany", AdultPopulation = 69_400_000, DefaultCurrency = "EUR", Source = "Destatis population 2021, 18 and over (rounded)", Year = 2021 },
        new() { Code = "FR", Name = "France", AdultPopulation = 52_700_000, DefaultCurrency = "EUR", Source = "INSEE population estimates 2022, 18 and over (rounded)", Year = 2022 },
        new() { Code = "AU", Name = "Australia", AdultPopulation = 19_900_000, DefaultCurrency = "AUD", Source = "ABS 2021 Census, 18 and over (rounded)", Year = 2021 },
    ];

    public static readonly CurrencyRate[] Currencies =
    [
        new() { Code = "USD", Name = "US dollar", UnitsPerUsd = 1m, Source = "Base currency", AsOf = Y2024 },
        new() { Code = "EUR", Name = "Euro", UnitsPerUsd = 0.93m, Source = "ECB euro reference rate, June 2024 (rounded)", AsOf = Y2024 },
        new() { Code = "GBP", Name = "Pound sterling", UnitsPerUsd = 0.79m, Source = "ECB reference rates cross, June 2024 (rounded)", AsOf = Y2024 },
        new() { Code = "CAD", Name = "Canadian dollar", UnitsPerUsd = 1.37m, Source = "ECB reference rates cross, June 2024 (rounded)", AsOf = Y2024 },
        new() { Code = "AUD", Name = "Australian dollar", UnitsPerUsd = 1.50m, Source = "ECB reference rates cross, June 2024 (rounded)", AsOf = Y2024 },
    ];

    public static readonly ChannelBenchmark[] Benchmarks =
    [
        Row(1, Channel.Search, "Paid search text ads", 38m, 20m, 60m, 0.0317, 0.85, 0.45,
            "CTR and conversion rate: WordStream Google Ads benchmarks (2018); CPM: ad-calc.com (2024)", new(2024, 1, 1), cvr: 0.0375),
        Row(2, Channel.Display, "Programmatic display banners", 2.27m, 1.50m, 5m, 0.0046, 0.95, 0.50,
            $"CPM: {Oaaa}; CTR and conversion rate: WordStream display benchmarks (2018)", Jan2022, cvr: 0.0077),
        Row(3, Channel.Social, "Facebook / Instagram feed", 7m, 4m, 12m, 0.009, 0.75, 0.55,
            "CPM: ad-calc.com (2024); CTR and conversion rate: WordStream Facebook benchmarks", new(2024, 1, 1), cvr: 0.0921),
        Row(4, Channel.OnlineVideo, "YouTube in-stream video", 10m, 6m, 15m, 0.0065, 0.85, 0.50,
            $"CPM: {Oaaa} and ad-calc.com (2024); CTR: WordStream; conversion rate: MediaPlanner assumption (display-like, 0.5%)", Jan2022, cvr: 0.005),
        Row(5, Channel.ConnectedTv, "CTV / OTT :30", 30m, 20m, 40m, null, 0.70, 0.55,
            $"CPM: {Oaaa}; range: adwave Q1 2025", Jan2022),
        Row(6, Channel.Radio, "Radio :30 spot", 6.75m, 4m, 10m, null, 0.80, 0.45, $"CPM: {Oaaa}", Jan2022),
        Row(7, Channel.Podcast, "Podcast 60s host read", 23.33m, 15m, 30m, null, 0.40, 0.40, $"CPM: {Oaaa}", Jan2022),
        Row(8, Channel.OutOfHome, "Static billboards", 2.18m, 1.50m, 3.50m, null, 0.90, 0.60, $"CPM: {Oaaa}", Jan2022),
        Row(9, Channel.OutOfHome, "Digital OOH screens", 7.50m, 5m, 11m, null, 0.85, 0.55, $"CPM: {Oaaa}", Jan2022),
        Row(10, Channel.LinearTv, "Prime-time broadcast :30", 36m, 25m, 50m, null, 0.75, 0.60, $"CPM: {Oaaa}", Jan2022),
        Row(11, Channel.LinearTv, "Cable :30", 15.50m, 12m, 19m, null, 0.80, 0.50, $"CPM: {Oaaa} (cable 12–19)", Jan2022),
        Row(12, Channel.Print, "Newspaper display ad", 46.82m, 30m, 60m, null, 0.35, 0.50, $"CPM: {Oaaa}", Jan2022),
    ];

    private static ChannelBenchmark Row(int id, Channel channel, string format, decimal cpm, decimal low, decimal high,
        double? ctr, double universe, double reachAtOne, string source, DateOnly asOf, double? cvr = null) => new()
    {
        Id = id, Channel = channel, Format = format, Cpm = cpm, CpmLow = low, CpmHigh = high, Ctr = ctr, ConversionRate = cvr,
        UniverseShare = universe, ReachAtOneImpressionPerPerson = reachAtOne, Source = source,
        ReachSource = ReachAssumption, AsOf = asOf,
    };

    /// <summary>
    /// Share of adults 18+ by age band (US Census 2020 age structure, applied to every market as an approximation).
    /// Bands are [from, to] inclusive; the last band stands for 65 and over.
    /// </summary>
    public static readonly (int From, int To, double Share)[] AgeBands =
    [
        (18, 24, 0.118), (25, 34, 0.176), (35, 44, 0.165), (45, 54, 0.155), (55, 64, 0.166), (65, 84, 0.220),
    ];

    public const double FemaleShare = 0.51;
}
