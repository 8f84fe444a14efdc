using System.Text.Json.Serialization;

namespace MediaPlanner.Domain.Briefs;

[JsonConverter(typeof(JsonStringEnumConverter<Objective>))]
public enum Objective
{
    Awareness,
    Consideration,
    Conversion,
}

[JsonConverter(typeof(JsonStringEnumConverter<AudienceGender>))]
public enum AudienceGender
{
    All,
    Female,
    Male,
}

/// <summary>How a plan's spend is spread across the weeks of the flight.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FlightingPattern>))]
public enum FlightingPattern
{
    /// <summary>Even weight on every day of the flight.</summary>
    Continuous,
    /// <summary>Heavier at launch, tapering to the end.</summary>
    FrontLoaded,
    /// <summary>Bursts: weeks on and off in turn.</summary>
    Pulsed,
    /// <summary>The brief's own on/off weeks.</summary>
    Custom,
}

[JsonConverter(typeof(JsonStringEnumConverter<Channel>))]
public enum Channel
{
    Search,
    Display,
    Social,
    OnlineVideo,
    ConnectedTv,
    Radio,
    Podcast,
    OutOfHome,
    LinearTv,
    Print,
}

public static class ChannelNames
{
    public static string Display(this Channel channel) => channel switch
    {
        Channel.OnlineVideo => "Online video",
        Channel.ConnectedTv => "CTV / OTT",
        Channel.OutOfHome => "Out of home",
        Channel.LinearTv => "Linear TV",
        Channel.Podcast => "Podcast",
        _ => channel.ToString(),
    };
}
