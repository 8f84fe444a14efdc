using MediaPlanner.Domain.FineTuning;

namespace MediaPlanner.Tests.FineTuning;

public class ProviderOutageTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 20, 40, 0, TimeSpan.Zero);

    [Fact]
    public void Backoff_doubles_from_the_first_wait_and_stops_at_the_cap_however_long_the_outage()
    {
        var options = new FineTuneRunnerOptions();

        var waits = Enumerable.Range(1, 10).Select(options.Backoff).Select(t => t.TotalSeconds).ToList();

        Assert.Equal([2, 4, 8, 16, 32, 64, 128, 256, 300, 300], waits);
        Assert.Equal(options.MaxBackoff, options.Backoff(5_000));
        Assert.Equal(options.MaxBackoff, options.Backoff(int.MaxValue));
    }

    [Fact]
    public void A_three_minute_outage_outlasts_the_attempt_limit_that_once_failed_jobs_at_the_provider()
    {
        var options = new FineTuneRunnerOptions();
        var elapsed = TimeSpan.Zero;
        var failures = 0;
        while (elapsed < TimeSpan.FromMinutes(3))
            elapsed += options.Backoff(++failures);

        Assert.True(failures > options.MaxAttempts, $"{failures} failed attempts in three minutes");
    }

    [Fact]
    public void The_open_outage_is_read_from_its_events_with_the_latest_attempt_and_next_try()
    {
        var lost = ProviderOutage.LostId(T0.AddMinutes(1), T0);
        var events = new List<(string?, DateTimeOffset)>
        {
            ("openai-created-ftjob-1", T0),
            (lost, T0.AddMinutes(1)),
            (ProviderOutage.RetryId(1, T0.AddMinutes(1).AddSeconds(2)), T0.AddMinutes(1)),
            (null, T0.AddMinutes(1)),
            (ProviderOutage.RetryId(2, T0.AddMinutes(6)), T0.AddMinutes(1).AddSeconds(2)),
        };

        var outage = ProviderOutage.Current(events);

        Assert.Equal(new ProviderOutage(T0.AddMinutes(1), T0, 2, T0.AddMinutes(6)), outage);
        Assert.Null(ProviderOutage.Current([.. events, (ProviderOutage.ReachedId(lost), T0.AddMinutes(6))]));
    }

    [Fact]
    public void An_outage_that_began_before_a_restart_has_no_last_contact()
    {
        var outage = ProviderOutage.Current([(ProviderOutage.LostId(T0, null), T0)]);

        Assert.Equal(new ProviderOutage(T0, null, 0, null), outage);
    }
}
