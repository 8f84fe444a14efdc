using MediaPlanner.Domain.Briefs;

namespace MediaPlanner.Domain.Training;

/// <summary>
/// One group of training examples as the summary tells them apart, with its running totals. The database keeps these
/// rows in step with <c>TrainingExamples</c> by triggers (<see cref="Persistence.SummaryTriggers"/>), so every write —
/// the app's, a bulk update, an import, a hand-run SQL statement — counts, and reading the summary costs the number of
/// groups, not the number of examples. A missing objective, market or model is stored as "" so the key has no NULLs.
/// </summary>
public sealed class TrainingSummaryCount
{
    public bool IsDuplicate { get; init; }
    public ExampleStatus Status { get; init; }
    public bool HasErrors { get; init; }
    public string Objective { get; init; } = "";
    public string MarketCode { get; init; } = "";
    public string Model { get; init; } = "";
    public int Count { get; init; }
    public long Tokens { get; init; }
    public double QualitySum { get; init; }
    public int Rated { get; init; }

    public Objective? ObjectiveValue => Enum.TryParse<Objective>(Objective, out var value) ? value : null;
}
