namespace MediaPlanner.Domain.Training;

public enum ImportRunStatus
{
    /// <summary>Reading the file; batches are stored as they fill.</summary>
    Running,
    /// <summary>Read to the end; every valid line stored.</summary>
    Completed,
    /// <summary>Stopped by an error or a cancelled upload; what was stored before stays stored.</summary>
    Failed,
    /// <summary>Found still running at start-up: the process that ran it stopped (crash, kill, restart).</summary>
    Interrupted,
}

/// <summary>
/// One JSONL import: who started it, when, from which file, and what it stored so far. The counts are saved in the same
/// transaction as each batch of examples, so an import cut off by a crash still says exactly what it stored, and the
/// examples it stored point back at it (<see cref="TrainingExample.ImportRunId"/>).
/// </summary>
public class ImportRun
{
    public int Id { get; set; }
    public ImportRunStatus Status { get; set; }
    public string? FileName { get; set; }
    public bool MarkValidated { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public string? StartedById { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    /// <summary>Lines read so far (blank lines included), as of the last stored batch or the end.</summary>
    public int Lines { get; set; }
    /// <summary>Examples stored so far (originals and flagged duplicates).</summary>
    public int Stored { get; set; }
    public int Duplicates { get; set; }
    public int Rejected { get; set; }
    /// <summary>Why it failed or was interrupted, in words.</summary>
    public string? Message { get; set; }
}
