namespace MediaPlanner.Domain.Training;

/// <summary>
/// A planner's choice in a side-by-side run, as a preference: the plan they chose over one they passed over, for the same
/// brief and prompt. One pair per plan passed over. Pairs count as training data only while the chosen plan's example is
/// not rejected, and are exported as OpenAI preference-tuning (DPO) JSONL.
/// </summary>
public class PreferencePair
{
    public int Id { get; set; }
    public int BriefId { get; set; }
    public Guid RunId { get; set; }
    public int ChosenPlanId { get; set; }
    public int RejectedPlanId { get; set; }
    /// <summary>The training example the chosen plan became.</summary>
    public int? ExampleId { get; set; }
    public string? ChosenModel { get; set; }
    public string? RejectedModel { get; set; }
    public string? ChosenStrategy { get; set; }
    public string? RejectedStrategy { get; set; }
    /// <summary>The prompt both plans answered, as {"messages":[system, user]}.</summary>
    public required string InputJson { get; set; }
    /// <summary>The chosen plan's JSON (the assistant content).</summary>
    public required string PreferredContent { get; set; }
    /// <summary>The passed-over plan's JSON (the assistant content).</summary>
    public required string NonPreferredContent { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string? CreatedById { get; set; }
}
