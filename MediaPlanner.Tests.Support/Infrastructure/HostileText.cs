namespace MediaPlanner.Tests.Infrastructure;

/// <summary>Text a hostile user types, shared by the server-side and the browser hostile-input tests.</summary>
public static class HostileText
{
    public const string Markup = "<script>alert(1)</script><img src=x onerror=alert(2)>";
}
