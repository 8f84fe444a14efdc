using System.Text.Json;
using System.Text.Json.Serialization;
using MediaPlanner.Domain.Briefs;

namespace MediaPlanner.Domain.Planning;

/// <summary>How much of the objective comes from reaching people and how much from responses (clicks).</summary>
public sealed record ObjectiveWeights(double Reach, double Action);

/// <summary>
/// One channel's knobs in the engine. <see cref="Preference"/> multiplies the channel's marginal
/// response per objective: it is what training learns from validated plans.
/// </summary>
public sealed record ChannelParameters(
    double MinShare,
    double MaxShare,
    double ActionHalfSaturation,
    double HillShape,
    IReadOnlyDictionary<Objective, double> Preference)
{
    public double PreferenceFor(Objective objective) => Preference.TryGetValue(objective, out var p) ? p : 1.0;
}

/// <summary>
/// The offline planner's serializable parameter set. A trained model is simply another instance of this,
/// stored as JSON, so it can replace <see cref="Default"/> without code changes.
/// </summary>
public sealed record MediaMixParameters
{
    public string Name { get; init; } = "local-mix";
    public int Version { get; init; } = 1;
    /// <summary>Budget is allocated in this many equal steps (plus the cent remainder).</summary>
    public int Steps { get; init; } = 400;
    /// <summary>Frequency the rationale checks against: a convention (Krugman 1972; Naples 1979), not a law.</summary>
    public double EffectiveFrequency { get; init; } = 3;
    public required IReadOnlyDictionary<Objective, ObjectiveWeights> Objectives { get; init; }
    public required IReadOnlyDictionary<Channel, ChannelParameters> Channels { get; init; }

    public string ModelName => $"{Name}-v{Version}";

    public ChannelParameters For(Channel channel) =>
        Channels.TryGetValue(channel, out var p) ? p : DefaultChannel;

    private static readonly ChannelParameters DefaultChannel = new(0, 0.5, 0.02, 1.0, new Dictionary<Objective, double>());

    public static MediaMixParameters Default { get; } = new()
    {
        Objectives = new Dictionary<Objective, ObjectiveWeights>
        {
            [Objective.Awareness] = new(0.85, 0.15),
            [Objective.Consideration] = new(0.55, 0.45),
            [Objective.Conversion] = new(0.20, 0.80),
        },
        Channels = Enum.GetValues<Channel>().ToDictionary(c => c, c => c switch
        {
            Channel.Search => DefaultChannel with { MaxShare = 0.6 },
            Channel.Print => DefaultChannel with { MaxShare = 0.3 },
            _ => DefaultChannel,
        }),
    };

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <exception cref="ArgumentException">The JSON is not a usable parameter set.</exception>
    public static MediaMixParameters FromJson(string json)
    {
        MediaMixParameters? parameters;
        try
        {
            parameters = JsonSerializer.Deserialize<MediaMixParameters>(json, JsonOptions);
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"The parameter set is not valid JSON: {ex.Message}", nameof(json), ex);
        }
        if (parameters is null)
            throw new ArgumentException("The parameter set is empty.", nameof(json));
        parameters.Validate();
        return parameters;
    }

    public void Validate()
    {
        if (Steps is < 10 or > 100_000)
            throw new ArgumentException("Steps must be between 10 and 100,000.");
        foreach (var (channel, p) in Channels)
        {
            if (p.MinShare < 0 || p.MaxShare > 1 || p.MinShare > p.MaxShare)
                throw new ArgumentException($"{channel}: shares must satisfy 0 ≤ min ≤ max ≤ 1.");
            // A shape above 1 makes the response S-shaped, and greedy allocation is only optimal for concave responses.
            if (p.HillShape is <= 0 or > 1 || p.ActionHalfSaturation <= 0)
                throw new ArgumentException($"{channel}: the Hill shape must be in (0, 1] and the half-saturation positive.");
            if (p.Preference.Values.Any(v => v <= 0 || double.IsNaN(v) || double.IsInfinity(v)))
                throw new ArgumentException($"{channel}: preferences must be positive numbers.");
        }
    }
}
