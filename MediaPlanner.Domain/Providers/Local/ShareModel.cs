using System.Globalization;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Planning;

namespace MediaPlanner.Domain.Providers.Local;

/// <summary>
/// A learned budget split: for a brief, the share of budget each allowed channel gets, as the agency's validated plans
/// split it. Multinomial (softmax) regression on the brief's features with the engine's own mix as the offset:
/// <c>share_c ∝ exp(EngineWeight · ln engine_c + Σ_f w_fc)</c> over the features f the brief has. With no weights
/// (or features never seen in training) the prediction is the engine's own mix, so thin data shrinks toward it;
/// interaction features (objective × age band, …) sit on top of their main effects, which carry unseen combinations.
/// The engine then costs the plan at the predicted shares, so every figure stays arithmetically sound.
/// </summary>
public sealed record ShareModel
{
    /// <summary>Floor on the engine's own shares before the logarithm: an unfunded channel still has a finite offset.</summary>
    public const double EngineFloor = 0.01;

    /// <summary>How much the engine's own mix counts (1 = as a full offset; 0 = ignored).</summary>
    public double EngineWeight { get; init; } = 1;

    /// <summary>How far the reach-led and performance-led alternatives move from the learned mix, as a fraction of the engine's own move.</summary>
    public double Spread { get; init; } = 0.75;

    /// <summary>Weights by feature name and channel. Features absent here add nothing.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<Channel, double>> Weights { get; init; }

    /// <summary>How many validated plans the model was trained on (for the rationale and the UI).</summary>
    public int TrainedOn { get; init; }

    /// <summary>The predicted shares over <paramref name="engineShares"/>' channels (the brief's plannable ones); they sum to 1.</summary>
    public IReadOnlyDictionary<Channel, double> Predict(PlanRequest request, IReadOnlyDictionary<Channel, double> engineShares)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(engineShares);
        var channels = engineShares.Keys.Order().ToArray();
        var logits = new double[channels.Length];
        var features = Features(request);
        for (var k = 0; k < channels.Length; k++)
        {
            var logit = EngineWeight * Math.Log(Math.Max(engineShares[channels[k]], EngineFloor));
            foreach (var f in features)
                if (Weights.TryGetValue(f, out var byChannel) && byChannel.TryGetValue(channels[k], out var w))
                    logit += w;
            logits[k] = logit;
        }
        var max = logits.Length == 0 ? 0 : logits.Max();
        var sum = 0.0;
        for (var k = 0; k < logits.Length; k++)
            sum += logits[k] = Math.Exp(logits[k] - max);
        var result = new Dictionary<Channel, double>(channels.Length);
        for (var k = 0; k < channels.Length; k++)
            result[channels[k]] = logits[k] / sum;
        return result;
    }

    public void Validate()
    {
        if (Weights is null)
            throw new ArgumentException("The mix model needs its weights.");
        if (!double.IsFinite(EngineWeight) || EngineWeight is < 0 or > 10)
            throw new ArgumentException("The mix model's engine weight must be between 0 and 10.");
        if (!double.IsFinite(Spread) || Spread is < 0 or > 2)
            throw new ArgumentException("The mix model's spread must be between 0 and 2.");
        foreach (var (feature, byChannel) in Weights)
            if (byChannel is null || byChannel.Values.Any(v => !double.IsFinite(v) || Math.Abs(v) > 50))
                throw new ArgumentException($"The mix model's weights for {feature} must be finite numbers within ±50.");
    }

    // ---- features ----

    /// <summary>Budget size in US dollars, in bands a planner would recognise.</summary>
    public static string BudgetBand(decimal budget, decimal unitsPerUsd)
    {
        var usd = unitsPerUsd > 0 ? budget / unitsPerUsd : budget;
        return usd switch
        {
            < 50_000m => "<50k",
            < 250_000m => "50k–250k",
            < 1_000_000m => "250k–1M",
            _ => "1M+",
        };
    }

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal) { "and", "the", "with", "for", "who", "are", "interested" };
    private const int MaxInterestWords = 6;

    /// <summary>The brief's interest words (lower case, 3+ letters, first few), one feature each.</summary>
    public static IEnumerable<string> InterestWords(string? interests)
    {
        if (string.IsNullOrWhiteSpace(interests))
            return [];
        var words = new List<string>();
        var start = -1;
        var text = interests.ToLowerInvariant();
        for (var i = 0; i <= text.Length; i++)
        {
            var letter = i < text.Length && char.IsLetter(text[i]);
            if (letter && start < 0)
                start = i;
            else if (!letter && start >= 0)
            {
                var word = text[start..i];
                if (word.Length >= 3 && !StopWords.Contains(word) && !words.Contains(word))
                    words.Add(word);
                start = -1;
            }
        }
        return words.Take(MaxInterestWords);
    }

    /// <summary>
    /// The brief's features: objective, age band, gender, market, budget band, interest words, allowed channels, and the
    /// interactions a house style typically has (objective × age band, × gender, × budget band, × market).
    /// </summary>
    public static IReadOnlyList<string> Features(PlanRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var brief = request.Brief;
        var objective = brief.Objective.ToString();
        var age = BriefPrompt.AgeBand(brief.AgeMin, brief.AgeMax);
        var gender = brief.Gender.ToString();
        var market = brief.MarketCode.ToUpperInvariant();
        var budget = BudgetBand(brief.Budget, request.Currency.UnitsPerUsd);
        var list = new List<string>(24)
        {
            "bias",
            "objective:" + objective,
            "age:" + age,
            "gender:" + gender,
            "market:" + market,
            "budget:" + budget,
            "objective×age:" + objective + "|" + age,
            "objective×gender:" + objective + "|" + gender,
            "objective×budget:" + objective + "|" + budget,
            "objective×market:" + objective + "|" + market,
            "age×gender:" + age + "|" + gender,
        };
        foreach (var word in InterestWords(brief.Interests))
            list.Add("interest:" + word);
        foreach (var channel in brief.Channels.Distinct().Order())
            list.Add("allows:" + channel.ToString());
        return list;
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"mix model: {Weights.Count} features, engine weight {EngineWeight:0.00}, trained on {TrainedOn}");
}
