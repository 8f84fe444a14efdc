namespace MediaPlanner.Domain.FineTuning;

/// <summary>A job as its provider describes it, with what a re-attached job needs to be followed and evaluated.</summary>
public sealed record RemoteJobSummary(
    string ExternalId,
    string BaseModel,
    string? Status,
    string? Suffix,
    int? Seed,
    FineTuneHyperparameters Hyperparameters,
    string? TrainingFileId,
    string? ValidationFileId);

/// <summary>The provider's answer about one job id: the job, or why not (<see cref="NotFound"/>: the provider does not know it).</summary>
public sealed record RemoteJobLookup(RemoteJobSummary? Job, string? Problem, bool NotFound = false);

/// <summary>A backend that can read one of its provider's jobs by id, so an admin can re-attach a job the app lost.</summary>
public interface IRemoteJobReader
{
    bool Handles(string provider);

    Task<RemoteJobLookup> ReadRemoteJobAsync(string provider, string externalId, CancellationToken ct);
}
