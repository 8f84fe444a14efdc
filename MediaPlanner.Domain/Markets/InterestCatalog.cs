using System.Text.RegularExpressions;

namespace MediaPlanner.Domain.Markets;

/// <summary>An interest a brief can name, the share of adults who have it, and where that share comes from.</summary>
public sealed record Interest(string Name, double Share, string Source, IReadOnlyList<string> Synonyms);

/// <summary>The interests a brief's text named: those the catalogue knows, the words it does not, and their combined share.</summary>
public sealed record InterestMatch(IReadOnlyList<Interest> Known, IReadOnlyList<string> Unknown)
{
    public static readonly InterestMatch None = new([], []);

    /// <summary>
    /// Share of adults with at least one of the known interests, treating them as independent: 1 − Π(1 − share).
    /// 1 when none is known (unknown words do not narrow).
    /// </summary>
    public double Share => Known.Count == 0 ? 1.0 : 1 - Known.Aggregate(1.0, (rest, i) => rest * (1 - i.Share));
}

/// <summary>
/// Common interests and their share of adults, applied to every market as an approximation. Where a published figure
/// exists it is named; the rest are the app's own assumptions and say so.
/// </summary>
public static partial class InterestCatalog
{
    private const string Assumption = "MediaPlanner assumption (2026-12)";

    public static readonly IReadOnlyList<Interest> All =
    [
        new("running", 0.15, $"{Assumption}; SFIA's 2014 Topline Participation Report counts 29.8 M core runners/joggers (50+ times a year) aged 6+ in the US in 2013, casual runners on top",
            ["run", "runner", "runners", "jogging", "joggers", "marathon", "trail running", "running shoes"]),
        new("fitness", 0.30, Assumption, ["gym", "gym goers", "workout", "workouts", "exercise", "fitness enthusiasts", "strength training"]),
        new("cycling", 0.12, $"{Assumption}; SFIA's 2014 Topline Participation Report counts 21.4 M core road cyclists (26+ times a year) aged 6+ in the US in 2013",
            ["cyclists", "bike", "bikes", "biking", "bicycle", "bicycles", "mountain biking"]),
        new("golf", 0.085, "National Golf Foundation, Golf Industry Facts: 26.6 M Americans aged 6+ played on a golf course in 2023 (≈ 8.5 % of that population)",
            ["golfers", "golfing"]),
        new("gaming", 0.43, "Pew Research Center (2017): 43 % of US adults say they often or sometimes play video games",
            ["gamers", "video games", "videogames", "esports", "console games", "mobile games"]),
        new("travel", 0.35, Assumption, ["travellers", "travelers", "traveling", "travelling", "holidays", "vacation", "vacations", "tourism", "trips"]),
        new("cooking", 0.30, Assumption, ["home cooking", "cooks", "recipes", "baking", "home cooks"]),
        new("food and dining", 0.30, Assumption, ["foodies", "food", "dining", "restaurants", "eating out"]),
        new("fashion", 0.20, Assumption, ["clothing", "apparel", "style", "streetwear"]),
        new("beauty", 0.20, Assumption, ["cosmetics", "skincare", "skin care", "makeup", "make-up", "haircare"]),
        new("parenting", 0.25, Assumption, ["parents", "moms", "mums", "mothers", "dads", "fathers", "families", "families with kids", "new parents"]),
        new("pets", 0.40, $"{Assumption}; pet-owning households are a larger share (APPA National Pet Owners Survey), but not every owner is in market",
            ["pet owners", "pet", "dogs", "dog owners", "cats", "cat owners"]),
        new("automotive", 0.15, Assumption, ["cars", "car buyers", "car", "auto", "autos", "motoring", "vehicles", "motorbikes", "motorcycles"]),
        new("personal finance", 0.20, Assumption, ["finance", "investing", "investors", "banking", "saving", "money", "retirement planning"]),
        new("technology", 0.25, Assumption, ["tech", "gadgets", "consumer electronics", "early adopters", "smartphones"]),
        new("music", 0.35, Assumption, ["live music", "concerts", "festivals", "music fans"]),
        new("sports fans", 0.35, Assumption, ["sports", "football", "soccer", "basketball", "baseball", "american football", "nfl", "nba", "hockey"]),
        new("outdoor", 0.20, Assumption, ["outdoors", "outdoor sports", "hiking", "hikers", "camping", "climbing", "fishing"]),
        new("home improvement", 0.20, Assumption, ["diy", "home decor", "home décor", "renovation", "interior design", "furniture"]),
        new("gardening", 0.20, Assumption, ["gardeners", "garden", "gardens", "plants"]),
        new("movies and tv", 0.40, Assumption, ["movies", "film", "films", "cinema", "streaming", "tv shows", "entertainment"]),
        new("health and wellness", 0.25, Assumption, ["wellness", "health", "nutrition", "healthy living", "wellbeing", "well-being"]),
        new("reading", 0.20, Assumption, ["books", "readers", "literature"]),
        new("yoga", 0.08, Assumption, ["pilates", "meditation", "mindfulness"]),
        new("snow sports", 0.05, Assumption, ["skiing", "skiers", "ski", "snowboarding"]),
        new("sustainability", 0.15, Assumption, ["eco", "green living", "environment", "climate", "eco-friendly"]),
    ];

    // Each term (name or synonym), longest first, so "home cooking" wins over "cooking" and "trail running" over "running".
    private static readonly (string Term, Interest Interest)[] Terms =
        [.. All.SelectMany(i => i.Synonyms.Prepend(i.Name).Select(t => (Term: t, Interest: i))).OrderByDescending(t => t.Term.Length)];

    /// <summary>
    /// The interests in a brief's text ("running, outdoor sports and travel"): the text splits at commas, semicolons,
    /// slashes, "&amp;", "and" and "or"; each part is the catalogue interest whose name or synonym it contains as whole
    /// words (longest first), or an unknown part.
    /// </summary>
    public static InterestMatch Match(string? interests)
    {
        if (string.IsNullOrWhiteSpace(interests))
            return InterestMatch.None;
        var known = new List<Interest>();
        var unknown = new List<string>();
        foreach (var part in Separators().Split(interests))
        {
            var phrase = Spaces().Replace(part.Trim().ToLowerInvariant(), " ");
            if (phrase.Length == 0)
                continue;
            var words = $" {Words().Replace(phrase, " ")} ";
            var found = Terms.FirstOrDefault(t => words.Contains($" {t.Term} ", StringComparison.Ordinal)).Interest;
            if (found is null)
            {
                if (!unknown.Contains(part.Trim()))
                    unknown.Add(part.Trim());
            }
            else if (!known.Contains(found))
            {
                known.Add(found);
            }
        }
        return new InterestMatch(known, unknown);
    }

    [GeneratedRegex(@"[,;/&+\n]|\b(?:and|or)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Separators();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Spaces();

    // Punctuation other than hyphens and accented letters becomes a space, so "runners." or "(running)" still match.
    [GeneratedRegex(@"[^\p{L}\p{N}\- ]+", RegexOptions.CultureInvariant)]
    private static partial Regex Words();
}
