namespace MediaPlanner.Domain.Providers;

/// <summary>How the model catalogue reads the providers' model lists, bound from the "Providers" configuration section.</summary>
public sealed class ModelCatalogOptions
{
    public const string SectionName = "Providers";

    /// <summary>How often every configured provider's model list is read again (also once at start-up).</summary>
    public TimeSpan ModelRefreshInterval { get; set; } = TimeSpan.FromHours(12);

    /// <summary>
    /// The day OpenAI stops accepting new self-serve fine-tuning jobs (DESIGN.md §8: 2027-01-06). From then on a job on a
    /// retiring OpenAI model is refused rather than sent to be rejected. Applies to profiles of kind OpenAI only; null turns it off.
    /// </summary>
    public DateOnly? OpenAITrainingCutoff { get; set; } = new DateOnly(2027, 1, 6);

    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (ModelRefreshInterval < TimeSpan.FromMinutes(1))
            problems.Add("Providers:ModelRefreshInterval must be at least a minute, e.g. 12:00:00.");
        return problems;
    }
}
