using MediaPlanner.Domain.Text;

namespace MediaPlanner.Domain.Briefs;

/// <summary>How the brief form names and explains flighting patterns, and how it reads custom on/off weeks.</summary>
public static class FlightingText
{
    public static string DisplayName(this FlightingPattern pattern) => ((Enum)pattern).DisplayName();

    public static string Description(this FlightingPattern pattern) => pattern switch
    {
        FlightingPattern.FrontLoaded => "Heavier at launch, tapering towards the end of the flight.",
        FlightingPattern.Pulsed => "Bursts of activity with weeks off in between.",
        FlightingPattern.Custom => "You choose which weeks are on and which are off.",
        _ => "The same weight every week of the flight.",
    };

    /// <summary>Weeks the flight touches: a 42-day flight has 6, a 43-day one 7.</summary>
    public static int Weeks(DateOnly start, DateOnly end) =>
        end < start ? 0 : (end.DayNumber - start.DayNumber + 1 + 6) / 7;

    /// <summary>
    /// Reads on/off weeks written as "1101", "1 1 0 1" or "on on off on" (commas also separate) into "1101";
    /// null with <paramref name="error"/> saying what is wrong otherwise.
    /// </summary>
    public static string? ParseWeeks(string? text, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "Enter the weeks on and off, e.g. 1101 or \"on on off on\".";
            return null;
        }
        var tokens = text.Split([' ', ',', '\t', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        // A single run of 0s and 1s is one week per character.
        if (tokens.Length == 1 && tokens[0].All(c => c is '0' or '1'))
            return tokens[0];
        var weeks = new char[tokens.Length];
        for (var i = 0; i < tokens.Length; i++)
        {
            weeks[i] = tokens[i].ToLowerInvariant() switch
            {
                "1" or "on" => '1',
                "0" or "off" => '0',
                _ => '?',
            };
            if (weeks[i] == '?')
            {
                var shown = tokens[i].Length > 20 ? tokens[i][..20] + "…" : tokens[i];
                error = $"Week {i + 1} reads \"{shown}\": write 1 or on for a week on, 0 or off for a week off.";
                return null;
            }
        }
        return new string(weeks);
    }

    /// <summary>"on on off on" for "1101", as the brief page shows it.</summary>
    public static string Describe(string weeks) =>
        string.Join(' ', weeks.Select(c => c == '1' ? "on" : "off"));
}
