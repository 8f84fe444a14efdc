using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Fakes;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaPlanner.Tests.FineTuning;

// Provider hiccups, outages, rejected keys and cancels while the real runner works the job.
public partial class FineTuningRunnerTests
{
    [SkippableFact]
    public async Task A_rate_limited_openai_job_is_retried_after_the_servers_delay_and_still_finishes()
    {
        await SeedValidatedAsync(12);
        _openAI.Inject(FakeRoute.CreateJob, new FakeFault.RateLimited(TimeSpan.FromMilliseconds(200), InMilliseconds: true), times: 2);
        var id = await CreateAsync(new NewJobRequest(FineTuneProviders.OpenAI, ValidationPercent: 0));

        var detail = await WaitForAsync(id, j => j.IsFinished);

        Assert.Equal(FineTuneStatus.Succeeded, detail.Job.Status);
        Assert.Equal(2, detail.Events.Count(e => e.Level == "warn" && e.Message.Contains("Trying again", StringComparison.Ordinal)));
        Assert.Single(_openAI.Jobs);
    }

    [SkippableFact]
    public async Task An_outage_longer_than_the_attempt_limit_after_the_job_reached_openai_only_postpones_it_until_it_succeeds()
    {
        // Short waits stand in for real ones: at the default 2 s doubling to 5 min, these 10 failed polls span about 8 minutes.
        _app.Settings["FineTuning:Runner:FirstBackoff"] = "00:00:00.020";
        _app.Settings["FineTuning:Runner:MaxBackoff"] = "00:00:00.080";
        await SeedValidatedAsync(12);
        const int failures = 10;
        Assert.True(failures > new FineTuneRunnerOptions().MaxAttempts);
        // Creating the job never reads it back, so the outage starts with the first poll, once OpenAI has the job.
        _openAI.Inject(FakeRoute.GetJob, new FakeFault.HttpStatus(503), times: failures);
        var id = await CreateAsync(new NewJobRequest(FineTuneProviders.OpenAI, ValidationPercent: 0));

        var detail = await WaitForAsync(id, j => j.IsFinished && j.LeaseOwner is null);

        Assert.Equal(FineTuneStatus.Succeeded, detail.Job.Status);
        Assert.StartsWith("ft:gpt-4o-mini-2024-07-18", detail.Job.FineTunedModel);
        Assert.Equal(0, detail.Job.FailedAttempts);
        Assert.Single(_openAI.Jobs);
        var retries = detail.Events.Where(e => e.Message.Contains("Trying again", StringComparison.Ordinal)).ToList();
        Assert.Equal(failures, retries.Count);
        Assert.All(retries, e => Assert.Contains("postponed, never failed", e.Message, StringComparison.Ordinal));
        var lost = Assert.Single(detail.Events, e => ProviderOutage.IsLost(e.ExternalId));
        Assert.Contains("Lost contact with OpenAI", lost.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("none recorded", lost.Message, StringComparison.Ordinal); // the create was the last contact
        var reached = Assert.Single(detail.Events, e => e.ExternalId == ProviderOutage.ReachedId(lost.ExternalId));
        Assert.Equal($"Reached OpenAI again after {failures} failed attempts.", reached.Message);
        Assert.Null(ProviderOutage.Current(detail.Events.Select(e => ((string?)e.ExternalId, e.CreatedAt))));
    }

    [SkippableFact]
    public async Task Before_openai_has_the_job_the_attempt_limit_still_fails_it()
    {
        _app.Settings["FineTuning:Runner:FirstBackoff"] = "00:00:00.020";
        _app.Settings["FineTuning:Runner:MaxBackoff"] = "00:00:00.080";
        await SeedValidatedAsync(12);
        _openAI.Inject(FakeRoute.UploadFile, new FakeFault.HttpStatus(503));
        var id = await CreateAsync(new NewJobRequest(FineTuneProviders.OpenAI, ValidationPercent: 0));

        var detail = await WaitForAsync(id, j => j.IsFinished && j.LeaseOwner is null);

        var maxAttempts = new FineTuneRunnerOptions().MaxAttempts;
        Assert.Equal(FineTuneStatus.Failed, detail.Job.Status);
        Assert.Equal("provider_unavailable", detail.Job.ErrorCode);
        Assert.StartsWith($"Gave up after {maxAttempts} attempts", detail.Job.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(maxAttempts, _openAI.RequestsTo(FakeRoute.UploadFile).Count());
        Assert.Null(detail.Job.ExternalId);
        Assert.Empty(_openAI.Jobs);
    }

    [SkippableFact]
    public async Task A_rejected_key_fails_that_job_while_a_local_job_still_succeeds()
    {
        await SeedValidatedAsync(12);
        _openAI.Inject(FakeRoute.UploadFile, new FakeFault.Unauthorized());
        var openai = await CreateAsync(new NewJobRequest(FineTuneProviders.OpenAI, ValidationPercent: 0));
        var local = await CreateAsync(new NewJobRequest(FineTuneProviders.Local, ValidationPercent: 0));

        var failed = await WaitForAsync(openai, j => j.IsFinished);
        var succeeded = await WaitForAsync(local, j => j.IsFinished);

        Assert.Equal(FineTuneStatus.Failed, failed.Job.Status);
        Assert.Equal("unauthorized", failed.Job.ErrorCode);
        Assert.DoesNotContain(FakeOpenAIServer.DefaultApiKey, failed.Job.ErrorMessage);
        Assert.Equal(FineTuneStatus.Succeeded, succeeded.Job.Status);
    }

    [SkippableFact]
    public async Task Cancelling_a_running_openai_job_cancels_it_at_openai()
    {
        // Slow polling keeps the job alive at OpenAI long enough to cancel it; the cancel wakes the runner at once.
        _app.Settings["OpenAI:PollWhileQueued"] = "00:01:00";
        _app.Settings["OpenAI:PollWhileRunning"] = "00:01:00";
        await SeedValidatedAsync(12);
        var id = await CreateAsync(new NewJobRequest(FineTuneProviders.OpenAI, ValidationPercent: 0));
        await WaitForAsync(id, j => j.ExternalId is not null);
        using (var scope = _app.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<FineTuneService>().CancelAsync(id, await AdminAsync());

        var detail = await WaitForAsync(id, j => j.IsFinished);

        Assert.Equal(FineTuneStatus.Cancelled, detail.Job.Status);
        Assert.Single(_openAI.RequestsTo(FakeRoute.CancelJob));
        Assert.Equal("cancelled", _openAI.Jobs.Single().Status);
    }

    [SkippableFact]
    public async Task A_three_minute_outage_mid_job_is_recorded_on_the_job_while_it_lasts_and_the_job_still_succeeds()
    {
        // A poll a minute apart on the test's clock: the job moves only when the test moves the clock on.
        _app.Settings["OpenAI:PollWhileQueued"] = "00:01:00";
        _app.Settings["OpenAI:PollWhileRunning"] = "00:01:00";
        await SeedValidatedAsync(12);
        var options = new FineTuneRunnerOptions(); // the real backoff: 2 s, doubling, capped at 5 min
        var id = await CreateAsync(new NewJobRequest(FineTuneProviders.OpenAI, ValidationPercent: 0));
        var created = await IdleAsync(id);
        Assert.NotNull(created.ExternalId);
        Assert.NotNull(created.LastContactAt);
        Assert.Null(created.UnreachableSince);

        _openAI.Inject(FakeRoute.GetJob, new FakeFault.HttpStatus(503));
        DateTimeOffset? since = null;
        var postponed = 0;
        while (since is null || _clock.GetUtcNow() - since < TimeSpan.FromMinutes(3))
        {
            var job = await NextAttemptAsync(id);
            // What the job page reads while the outage lasts.
            Assert.Equal((++postponed, false), (job.FailedAttempts, job.IsFinished));
            since ??= job.UnreachableSince;
            Assert.NotNull(since);
            Assert.Equal(since, job.UnreachableSince);
            Assert.Equal("OpenAI could not be reached while checking the job (HTTP 503).", job.UnreachableReason);
            Assert.Equal(created.LastContactAt, job.LastContactAt);
            Assert.True(job.LastContactAt < since);
        }
        Assert.True(postponed > options.MaxAttempts, $"{postponed} failed polls in three minutes");
        _openAI.ClearFaults();

        FineTuneJob done;
        do
            done = await NextAttemptAsync(id);
        while (!done.IsFinished);

        Assert.Equal(FineTuneStatus.Succeeded, done.Status);
        Assert.StartsWith("ft:gpt-4o-mini-2024-07-18", done.FineTunedModel);
        Assert.Equal((null, null, 0), (done.UnreachableSince, done.UnreachableReason, done.FailedAttempts));
        Assert.True(done.LastContactAt >= since + TimeSpan.FromMinutes(3));
        Assert.Single(_openAI.Jobs);
        var events = (await WaitForAsync(id, _ => true)).Events;
        var lost = Assert.Single(events, e => ProviderOutage.IsLost(e.ExternalId));
        Assert.Contains($"last contact {created.LastContactAt!.Value.UtcDateTime:HH:mm:ss} UTC", lost.Message, StringComparison.Ordinal);
        Assert.Contains(events, e => e.Message == $"Reached OpenAI again after {postponed} failed attempts.");
    }
}
