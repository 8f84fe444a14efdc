using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Domain.Training;

namespace MediaPlanner.Domain.Demo;

/// <summary>A synthetic agency's brief, the shares its house style gives it, and the validated plan as a JSONL line.</summary>
public sealed record HouseStyleExample(CampaignBrief Brief, Market Market, IReadOnlyDictionary<Channel, double> Target, string Line, MediaPlan? Plan = null)
{
    /// <summary>The example as a held-out brief: its request, the validated shares and the validated plan.</summary>
    public FineTuning.Evaluation.HeldOutBrief HeldOut() => new(Request(), Target, Plan);

    public PlanRequest Request(IReadOnlyList<ChannelBenchmark>? benchmarks = null) => PlanRequest.Create(
        Brief, Market, SeedReferenceData.Currencies.Single(c => c.Code == Brief.Currency), benchmarks ?? SeedReferenceData.Benchmarks);
}

/// <summary>
/// Synthetic agencies for measuring the learning loop (benchmarks, tests, demo data): each plans in one consistent house
/// style whose channel mix depends on the objective × audience age band, the audience's gender and the budget size, with
/// realistic noise (multiplicative log-normal, σ = <see cref="Noise"/>). <see cref="Control"/> is an agency whose style is
/// the engine's own Balanced mix: training on it must not make plans worse. Deterministic for a seed.
/// </summary>
public sealed class HouseStyleAgency
{
    private static readonly Channel[] Channels = Enum.GetValues<Channel>();
    private static readonly (int Min, int Max)[] AgeRanges = [(18, 24), (18, 34), (25, 34), (25, 44), (35, 54), (45, 64), (55, 75), (65, 75), (25, 54)];
    private static readonly string[] Interests = ["running", "cooking", "travel", "gaming", "finance", "fashion", "home improvement", "parenting", ""];
    private static readonly string[] Markets = ["US", "US", "US", "GB", "CA", "DE", "AU"];

    private readonly Func<CampaignBrief, Channel, double> _style;
    private readonly bool _engineStyle;

    private HouseStyleAgency(string name, Func<CampaignBrief, Channel, double> style, bool engineStyle = false, double noise = 0.15)
    {
        Name = name;
        _style = style;
        _engineStyle = engineStyle;
        Noise = noise;
    }

    public string Name { get; }
    public double Noise { get; }

    /// <summary>
    /// An agency with a strong house style: young audiences live on social and online video, older ones on linear TV,
    /// radio and print; awareness leans to video and TV, conversion to search and social; women's briefs add social and
    /// podcasts; big budgets add linear and connected TV. Unlike the engine, it barely uses display.
    /// </summary>
    public static HouseStyleAgency Distinct(double noise = 0.15) => new("house-style", Style, noise: noise);

    /// <summary>An agency whose validated plans are the engine's own Balanced plans, with the same noise.</summary>
    public static HouseStyleAgency Control(double noise = 0.15) => new("control", (_, _) => 1, engineStyle: true, noise: noise);

    private static double Style(CampaignBrief brief, Channel channel)
    {
        var age = BriefPrompt.AgeBand(brief.AgeMin, brief.AgeMax);
        double w = (brief.Objective, age) switch
        {
            (Objective.Awareness, "18–34") => channel switch { Channel.Social => 5, Channel.OnlineVideo => 6, Channel.ConnectedTv => 3, Channel.OutOfHome => 2, Channel.Podcast => 1.5, _ => 0.3 },
            (Objective.Awareness, "35–54") => channel switch { Channel.ConnectedTv => 5, Channel.LinearTv => 4, Channel.OnlineVideo => 3, Channel.Radio => 2, Channel.Social => 1.5, _ => 0.4 },
            (Objective.Awareness, _) => channel switch { Channel.LinearTv => 7, Channel.Radio => 3, Channel.Print => 3, Channel.OutOfHome => 1.5, _ => 0.3 },
            (Objective.Consideration, "18–34") => channel switch { Channel.Social => 6, Channel.OnlineVideo => 4, Channel.Search => 2, Channel.Podcast => 2, _ => 0.3 },
            (Objective.Consideration, "35–54") => channel switch { Channel.Search => 4, Channel.OnlineVideo => 3, Channel.Social => 3, Channel.Podcast => 2.5, Channel.ConnectedTv => 2, _ => 0.3 },
            (Objective.Consideration, _) => channel switch { Channel.Print => 4, Channel.Radio => 3, Channel.Search => 3, Channel.LinearTv => 2, _ => 0.3 },
            (Objective.Conversion, "18–34") => channel switch { Channel.Social => 7, Channel.Search => 4, Channel.OnlineVideo => 1.5, _ => 0.2 },
            (Objective.Conversion, "35–54") => channel switch { Channel.Search => 7, Channel.Social => 3, Channel.Display => 1, _ => 0.2 },
            (Objective.Conversion, _) => channel switch { Channel.Search => 6, Channel.Print => 2, Channel.Radio => 1.5, Channel.Social => 1, _ => 0.2 },
            _ => 1,
        };
        if (channel == Channel.Display && brief.Objective != Objective.Conversion)
            w *= 0.3;
        if (brief.Gender == AudienceGender.Female && channel is Channel.Social or Channel.Podcast)
            w *= 1.8;
        if (brief.Budget >= 1_000_000m && channel is Channel.LinearTv or Channel.ConnectedTv)
            w *= 2;
        return w;
    }

    /// <summary><paramref name="count"/> examples starting at <paramref name="first"/> (the same index always gives the same example).</summary>
    public IReadOnlyList<HouseStyleExample> Examples(int first, int count, int seed = 1) =>
        [.. Enumerable.Range(first, count).Select(i => Example(i, seed))];

    public HouseStyleExample Example(int index, int seed = 1)
    {
        // Not HashCode.Combine: it is randomised per process, and the same index must give the same example everywhere.
        var random = new Random(unchecked(seed * 1_000_003 + index * 7_919 + 17));
        var brief = RandomBrief(random, index);
        var market = SeedReferenceData.Markets.Single(m => m.Code == brief.MarketCode);
        var request = PlanRequest.Create(brief, market, SeedReferenceData.Currencies.Single(c => c.Code == brief.Currency), SeedReferenceData.Benchmarks);
        var plannable = brief.Channels.Where(c => SeedReferenceData.Benchmarks.Any(b => b.Channel == c && b.Cpm > 0)).Distinct().Order().ToList();

        IReadOnlyDictionary<Channel, double> style = _engineStyle
            ? new LocalMediaMixEngine(MediaMixParameters.Default).EngineShares(request)
            : plannable.ToDictionary(c => c, c => _style(brief, c));
        // Noise: each channel's weight times a log-normal factor, as planners' judgement varies brief to brief.
        var noisy = plannable.ToDictionary(c => c, c => style.GetValueOrDefault(c) * Math.Exp(Noise * Gaussian(random)));
        var target = Slivers(noisy);
        var plan = Plan(request, target);
        var line = PromptRenderer.Example(brief, market, plan).ToJsonLine();
        return new HouseStyleExample(brief, market, target, line, plan);
    }

    private static Dictionary<Channel, double> Slivers(Dictionary<Channel, double> weights)
    {
        var sum = weights.Values.Sum();
        var shares = weights.ToDictionary(p => p.Key, p => p.Value / sum);
        var kept = shares.Where(p => p.Value >= LocalMediaMixEngine.MinLineShare).ToDictionary(p => p.Key, p => p.Value);
        var keptSum = kept.Values.Sum();
        return shares.ToDictionary(p => p.Key, p => kept.TryGetValue(p.Key, out var v) ? v / keptSum : 0);
    }

    private static CampaignBrief RandomBrief(Random random, int index)
    {
        var (ageMin, ageMax) = AgeRanges[random.Next(AgeRanges.Length)];
        var marketCode = Markets[random.Next(Markets.Length)];
        var market = SeedReferenceData.Markets.Single(m => m.Code == marketCode);
        var currency = SeedReferenceData.Currencies.FirstOrDefault(c => c.Code == market.DefaultCurrency) ?? SeedReferenceData.Currencies[0];
        // Budgets from about 20,000 to 3,000,000 US dollars, log-uniform, in the market's currency.
        var usd = Math.Exp(Math.Log(20_000) + random.NextDouble() * (Math.Log(3_000_000) - Math.Log(20_000)));
        var budget = decimal.Round((decimal)usd * currency.UnitsPerUsd, 0);
        var channels = Channels.Where(_ => random.NextDouble() < 0.6).ToList();
        while (channels.Count < 3)
        {
            var extra = Channels[random.Next(Channels.Length)];
            if (!channels.Contains(extra))
                channels.Add(extra);
        }
        var objective = (Objective)random.Next(3);
        var gender = random.NextDouble() switch { < 0.6 => AudienceGender.All, < 0.8 => AudienceGender.Female, _ => AudienceGender.Male };
        var start = new DateOnly(2027, 1, 4).AddDays(random.Next(300));
        // Drawn and dropped so every other field stays as it was: interests narrow the audience now, and budgets drawn
        // for a whole age/gender audience would leave up to US$3 M on a few hundred thousand people.
        _ = Interests[random.Next(Interests.Length)];
        return new CampaignBrief
        {
            OwnerId = "synthetic",
            Brand = $"Brand {index % 97}",
            CampaignName = $"Campaign {index}",
            Budget = budget,
            Currency = currency.Code,
            MarketCode = marketCode,
            Objective = objective,
            AgeMin = ageMin,
            AgeMax = ageMax,
            Gender = gender,
            Interests = "",
            FlightStart = start,
            FlightEnd = start.AddDays(13 + random.Next(60)),
            Channels = [.. channels.Order()],
            Kpis = "",
            BriefText = $"{objective} campaign {index} for {(gender == AudienceGender.All ? "adults" : gender.ToString().ToLowerInvariant())} aged {ageMin}–{ageMax}.",
            CreatedAt = DateTimeOffset.UnixEpoch,
        };
    }

    /// <summary>The validated plan: one line per funded channel (its first benchmark format) at the target share, costed at the benchmarks.</summary>
    private static MediaPlan Plan(PlanRequest request, IReadOnlyDictionary<Channel, double> target)
    {
        var budgetCents = (long)(request.Brief.Budget * 100);
        var funded = target.Where(p => p.Value > 0).OrderBy(p => p.Key).ToList();
        var cents = funded.Select(p => (long)Math.Floor(p.Value * budgetCents)).ToArray();
        cents[Array.IndexOf(cents, cents.Max())] += budgetCents - cents.Sum();
        var items = new List<PlanLineItem>();
        for (var k = 0; k < funded.Count; k++)
        {
            var benchmark = request.Benchmarks.Where(b => b.Channel == funded[k].Key && b.Cpm > 0).OrderBy(b => b.Id).First();
            var cpm = decimal.Round(benchmark.Cpm * request.Currency.UnitsPerUsd, 2);
            var spend = cents[k] / 100m;
            var impressions = (long)Math.Round((double)(spend / cpm * 1000m));
            var reach = Math.Max(1, Math.Min(request.AudienceSize, impressions / 3));
            var clicks = (long)Math.Round(impressions * (benchmark.Ctr ?? 0));
            items.Add(new PlanLineItem(funded[k].Key, benchmark.Format, spend, cents[k] / (double)budgetCents, cpm, impressions, clicks, reach,
                Math.Round(impressions / (double)reach, 2), $"{funded[k].Value:P0} of the budget, as the agency plans briefs like this."));
        }
        var totalImpressions = items.Sum(i => i.Impressions);
        var reachTotal = Math.Min(request.AudienceSize, items.Sum(i => i.Reach));
        var totals = new PlanTotals(items.Sum(i => i.Spend), totalImpressions, items.Sum(i => i.Clicks), reachTotal,
            Math.Round(reachTotal * 100.0 / request.AudienceSize, 2), Math.Round(totalImpressions / (double)Math.Max(1, reachTotal), 2),
            totalImpressions > 0 ? decimal.Round(items.Sum(i => i.Spend) / totalImpressions * 1000m, 2) : 0m,
            Math.Round(reachTotal * 100.0 / request.AudienceSize * totalImpressions / Math.Max(1, reachTotal), 1));
        var brief = request.Brief;
        return new MediaPlan(brief.Brand, brief.CampaignName, brief.Objective, brief.MarketCode, brief.AudienceDescription, request.AudienceSize,
            brief.FlightStart, brief.FlightEnd, brief.Budget, brief.Currency, "Balanced", items, totals,
            "The agency's house style for this objective and audience.", ["Synthetic validated plan."]);
    }

    private static double Gaussian(Random random)
    {
        // Box–Muller.
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
