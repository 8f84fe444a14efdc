namespace MediaPlanner.Tests.Infrastructure;

/// <summary>The repository the tests were built from, for tests that read the README or run its commands.</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    public static string Readme => File.ReadAllText(Path.Combine(Root, "README.md"));

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MediaPlanner.Web.sln")))
                return dir.FullName;
        throw new DirectoryNotFoundException("MediaPlanner.Web.sln not found above " + AppContext.BaseDirectory);
    }
}
