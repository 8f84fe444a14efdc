using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Providers;

namespace MediaPlanner.Tests.FineTuning;

/// <summary>The job's own transitions: what each records, and that a finished job stays as it ended.</summary>
public class FineTuneJobTransitionsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

    private static FineTuneJob Job(FineTuneStatus status = FineTuneStatus.Queued) =>
        new() { Id = 7, Provider = FineTuneProviders.Local, BaseModel = "local-mix-v1", CreatedById = "admin", Status = status };

    [Fact]
    public void Start_runs_the_job_and_keeps_the_first_start_time()
    {
        var job = Job();

        job.Start(Now);
        job.Start(Now.AddMinutes(5));

        Assert.Equal(FineTuneStatus.Running, job.Status);
        Assert.Equal(Now, job.StartedAt);
    }

    [Fact]
    public void Progress_sets_the_steps_and_keeps_the_total_when_none_is_given()
    {
        var job = Job();
        job.Progress(0, 12);

        job.Progress(5);

        Assert.Equal((5, 12), (job.CompletedSteps, job.TotalSteps));
    }

    [Fact]
    public void Fail_records_the_error_and_the_finish_and_drops_the_estimate()
    {
        var job = Job();
        job.Start(Now);
        job.EstimatedFinish = Now.AddHours(1);

        job.Fail("invalid_training_file", "No examples.", "training_file", Now.AddMinutes(2));

        Assert.Equal(FineTuneStatus.Failed, job.Status);
        Assert.Equal(("invalid_training_file", "No examples.", "training_file"), (job.ErrorCode, job.ErrorMessage, job.ErrorParam));
        Assert.Equal(Now.AddMinutes(2), job.FinishedAt);
        Assert.Null(job.EstimatedFinish);
    }

    [Fact]
    public void A_trained_job_runs_on_until_it_succeeds_and_keeps_the_providers_finish_time()
    {
        var job = Job();
        job.Progress(3, 10);

        job.Trained(Now, Now.AddMinutes(1));

        Assert.False(job.IsFinished);
        Assert.Equal(FineTuneStatus.Running, job.Status);
        Assert.Equal(10, job.CompletedSteps);
        job.Succeed(Now.AddMinutes(30));
        Assert.Equal(FineTuneStatus.Succeeded, job.Status);
        Assert.Equal(Now, job.FinishedAt);
    }

    [Fact]
    public void Awaiting_a_deployment_is_the_jobs_message_until_the_deployment_arrives()
    {
        var job = Job(FineTuneStatus.Running);

        job.AwaitDeployment("Deploy it first.");
        Assert.Equal((AzureDeployment.AwaitingCode, "Deploy it first."), (job.ErrorCode, job.ErrorMessage));

        job.DeploymentArrived();
        Assert.Equal((null, null), (job.ErrorCode, job.ErrorMessage));
    }

    public static TheoryData<FineTuneStatus> Finished => [FineTuneStatus.Succeeded, FineTuneStatus.Failed, FineTuneStatus.Cancelled];

    [Theory]
    [MemberData(nameof(Finished))]
    public void A_finished_job_refuses_every_transition_and_keeps_its_outcome(FineTuneStatus ended)
    {
        var job = Job(ended);

        Assert.Throws<FineTuneTransitionException>(() => job.Succeed(Now));
        Assert.Throws<FineTuneTransitionException>(() => job.Fail("x", "y", null, Now));
        Assert.Throws<FineTuneTransitionException>(() => job.Cancel(Now));
        Assert.Throws<FineTuneTransitionException>(() => job.Start(Now));
        Assert.Throws<FineTuneTransitionException>(() => job.Wait(FineTuneStatus.Queued));
        Assert.Throws<FineTuneTransitionException>(() => job.Progress(3, 4));
        Assert.Throws<FineTuneTransitionException>(() => job.AwaitDeployment("Deploy it first."));

        Assert.Equal(ended, job.Status);
        Assert.Null(job.FinishedAt);
        Assert.Null(job.ErrorCode);
    }

    [Fact]
    public void Succeeding_a_cancelled_job_says_why_it_cannot()
    {
        var job = Job();
        job.Cancel(Now);

        var refused = Assert.Throws<FineTuneTransitionException>(() => job.Succeed(Now));

        Assert.Equal("Cannot succeed job 7: it has already cancelled.", refused.Message);
    }

    [Fact]
    public void A_job_waits_only_as_validating_files_or_queued()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Job().Wait(FineTuneStatus.Succeeded));
    }

    [Fact]
    public void The_snapshot_carries_what_watchers_see()
    {
        var job = Job();
        job.Start(Now);
        job.Progress(2, 4);
        job.CancelRequested = true;

        Assert.Equal(new JobProgress(FineTuneStatus.Running, 2, 4, null, null, null, null, Now, null, true), job.Snapshot());
    }
}
