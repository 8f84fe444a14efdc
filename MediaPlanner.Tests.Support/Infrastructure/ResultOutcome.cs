using MediaPlanner.Domain;

namespace MediaPlanner.Tests.Infrastructure;

public static class ResultOutcome
{
    /// <summary>The two facts most assertions compare at once: whether it succeeded and what it said.</summary>
    public static (bool Succeeded, string Message) Outcome(this Result result) => (result.Succeeded, result.Message);
}
