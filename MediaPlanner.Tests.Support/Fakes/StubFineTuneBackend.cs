using MediaPlanner.Domain.FineTuning;

namespace MediaPlanner.Tests.Fakes;

/// <summary>
/// A fine-tuning backend that only answers what the pages ask before a job runs (which provider, is it configured);
/// it never trains, so tests that start a job through it must not let the runner reach it.
/// </summary>
public sealed class StubFineTuneBackend(string provider, bool configured = true) : IFineTuneBackend
{
    public string Provider => provider;

    public bool IsConfigured { get; set; } = configured;

    public Task<TimeSpan?> AdvanceAsync(FineTuneJob job, Func<CancellationToken, Task<FineTuneDataset>> dataset, IFineTuneSink sink, CancellationToken ct) =>
        throw new NotSupportedException();

    public Task CancelAsync(FineTuneJob job, IFineTuneSink sink, CancellationToken ct) => throw new NotSupportedException();
}
