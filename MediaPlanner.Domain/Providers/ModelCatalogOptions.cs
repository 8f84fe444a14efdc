namespace MediaPlanner.Domain.Providers;

/// <summary>How the model catalogue reads the providers' model lists, bound from the "Providers" configuration section.</summary>
public sealed class ModelCatalogOptions
{
    public const string SectionName = "Providers";

    /// <summary>How often every configured provider's model list is read again (also once at start-up).</summary>
    public TimeSpan ModelRefreshInterval { get; set; } = TimeSpan.FromHours(12);

    public static readonly TimeSpan MinRefreshInterval = TimeSpan.FromMinutes(1);

    /// <summary>Timers take at most about 49 days; a shutdown date is never much further than a month from a read.</summary>
    public static readonly TimeSpan MaxRefreshInterval = TimeSpan.FromDays(30);

    /// <summary>
    /// The day OpenAI stops accepting new self-serve fine-tuning jobs (DESIGN.md §8: 2027-01-06). From then on a job on a
    /// retiring OpenAI model is refused rather than sent to be rejected. Applies to profiles of kind OpenAI only; null turns it off.
    /// </summary>
    public DateOnly? OpenAITrainingCutoff { get; set; } = new DateOnly(2027, 1, 6);

    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (ModelRefreshInterval < MinRefreshInterval || ModelRefreshInterval > MaxRefreshInterval)
            problems.Add("Providers:ModelRefreshInterval must be between a minute and 30 days, e.g. 12:00:00.");
        return problems;
    }
}
