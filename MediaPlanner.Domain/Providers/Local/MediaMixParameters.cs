using System.Text.Json;
using System.Text.Json.Serialization;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.FineTuning;

namespace MediaPlanner.Domain.Providers.Local;

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
    /// <summary>
    /// The learned budget split of a fine-tuned model (null for the base engine). When set, the engine plans at the shares
    /// it predicts for the brief instead of its own greedy split, and costs them exactly as it costs its own.
    /// </summary>
    public ShareModel? Mix { get; init; }

    public string ModelName => $"{Name}-v{Version}";

    public ChannelParameters For(Channel channel) =>
        Channels.TryGetValue(channel, out var p) ? p : DefaultChannel;

    // Half saturation: 2 conversions per 10,000 people in the audience.
    private static readonly ChannelParameters DefaultChannel = new(0, 0.6, 0.0002, 1.0, new Dictionary<Objective, double>());

    public static MediaMixParameters Default { get; } = new()
    {
        Objectives = new Dictionary<Objective, ObjectiveWeights>
        {
            [Objective.Awareness] = new(0.85, 0.15),
            [Objective.Consideration] = new(0.55, 0.45),
            [Objective.Conversion] = new(0.20, 0.80),
        },
        // Starting preferences: MediaPlanner's assumptions on how much an impression in each channel is worth per
        // objective (attention and intent), not measured figures. Training replaces them with values learned
        // from validated plans.
        Channels = new Dictionary<Channel, ChannelParameters>
        {
            // Search response is bounded by how many people search, so it saturates sooner.
            [Channel.Search] = Prefer(0.8, 1.0, 1.2) with { ActionHalfSaturation = 0.0001 },
            [Channel.Display] = Prefer(0.45, 0.5, 0.6),
            [Channel.Social] = Prefer(0.8, 1.0, 1.0),
            [Channel.OnlineVideo] = Prefer(1.1, 1.1, 0.8),
            [Channel.ConnectedTv] = Prefer(1.3, 1.1, 0.6),
            [Channel.Radio] = Prefer(0.8, 0.7, 0.5),
            [Channel.Podcast] = Prefer(0.9, 1.0, 0.6),
            [Channel.OutOfHome] = Prefer(0.7, 0.5, 0.4),
            [Channel.LinearTv] = Prefer(1.3, 1.0, 0.5),
            [Channel.Print] = Prefer(0.7, 0.8, 0.5) with { MaxShare = 0.3 },
        },
    };

    private static ChannelParameters Prefer(double awareness, double consideration, double conversion) =>
        DefaultChannel with
        {
            Preference = new Dictionary<Objective, double>
            {
                [Objective.Awareness] = awareness,
                [Objective.Consideration] = consideration,
                [Objective.Conversion] = conversion,
            },
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
        // JSON may carry nulls where the types say there are none; reject them here rather than fail later in the engine.
        if (Objectives is null || Channels is null)
            throw new ArgumentException("The parameter set needs objectives and channels.");
        foreach (var (objective, w) in Objectives)
        {
            if (w is null || w.Reach is < 0 or > 1 || w.Action is < 0 or > 1 || double.IsNaN(w.Reach) || double.IsNaN(w.Action))
                throw new ArgumentException($"{objective}: reach and action weights must be between 0 and 1.");
        }
        foreach (var (channel, p) in Channels)
        {
            if (p?.Preference is null)
                throw new ArgumentException($"{channel}: the channel needs its shares, curve and preferences.");
            if (p.MinShare < 0 || p.MaxShare > 1 || p.MinShare > p.MaxShare)
                throw new ArgumentException($"{channel}: shares must satisfy 0 ≤ min ≤ max ≤ 1.");
            // A shape above 1 makes the response S-shaped, and greedy allocation is only optimal for concave responses.
            if (p.HillShape is <= 0 or > 1 || p.ActionHalfSaturation <= 0)
                throw new ArgumentException($"{channel}: the Hill shape must be in (0, 1] and the half-saturation positive.");
            if (p.Preference.Values.Any(v => v <= 0 || double.IsNaN(v) || double.IsInfinity(v)))
                throw new ArgumentException($"{channel}: preferences must be positive numbers.");
        }
        Mix?.Validate();
    }
}
