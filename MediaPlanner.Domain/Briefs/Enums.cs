using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using MediaPlanner.Domain.Text;

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
    [Display(Name = "Front-loaded")] FrontLoaded,
    /// <summary>Bursts: weeks on and off in turn.</summary>
    [Display(Name = "Pulsed (bursts)")] Pulsed,
    /// <summary>The brief's own on/off weeks.</summary>
    [Display(Name = "Custom weeks")] Custom,
}

[JsonConverter(typeof(JsonStringEnumConverter<Channel>))]
public enum Channel
{
    Search,
    Display,
    Social,
    [Display(Name = "Online video")] OnlineVideo,
    [Display(Name = "CTV / OTT")] ConnectedTv,
    Radio,
    Podcast,
    [Display(Name = "Out of home")] OutOfHome,
    [Display(Name = "Linear TV")] LinearTv,
    Print,
}

public static class ChannelNames
{
    public static string Display(this Channel channel) => ((Enum)channel).DisplayName();
}
