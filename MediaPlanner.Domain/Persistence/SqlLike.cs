namespace MediaPlanner.Domain.Persistence;

/// <summary>
/// A LIKE pattern that matches the user's text literally anywhere in a column: %, _ and the escape character
/// itself are escaped, so a search for "50%" finds "50%" and not everything that starts with "50". The pattern is lower
/// case: compare it with the column's <c>ToLower()</c>, because SQLite's LIKE ignores case and PostgreSQL's does not.
/// </summary>
public static class SqlLike
{
    public const string Escape = "\\";

    public static string Contains(string text) =>
        $"%{text.Trim().ToLowerInvariant().Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal)}%";
}
