using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Tests.Infrastructure;

namespace MediaPlanner.Tests.Providers;

public class LocalPlanProviderTests
{
    /// <summary>The default parameter set with one channel preferred for every objective: a fine-tuned model that plans differently.</summary>
    private static MediaMixParameters Preferring(Channel channel, string name) => MediaMixParameters.Default with
    {
        Name = name,
        Channels = MediaMixParameters.Default.Channels.ToDictionary(c => c.Key, c => c.Key == channel
            ? c.Value with { Preference = Enum.GetValues<Objective>().ToDictionary(o => o, _ => 5.0) }
            : c.Value),
    };

    [Fact]
    public async Task Concurrent_calls_for_two_fine_tuned_models_each_plan_with_their_own_parameters()
    {
        var request = TestData.Request();
        var sets = new[] { Preferring(Channel.OnlineVideo, "local-mix-ft-video"), Preferring(Channel.Social, "local-mix-ft-social") };
        var expected = sets.Select(p => PlanJson.Serialize(new LocalMediaMixEngine(p).Generate(request, 1)[0])).ToArray();
        Assert.NotEqual(expected[0], expected[1]);
        var targets = sets.Select((p, i) => new ModelTarget(LocalPlanProvider.ProviderName, $"local-mix:ft-{i}", p.ToJson())).ToArray();
        var provider = new LocalPlanProvider(MediaMixParameters.Default);
        var wrong = 0;

        // Alternating deployments replace the provider's cached engine while other calls read it.
        await Parallel.ForEachAsync(Enumerable.Range(0, 400), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var result = await provider.GenerateAsync(request, targets[i % 2], 1, ct);
            if (result.Model != targets[i % 2].Model || PlanJson.Serialize(result.Plans[0]) != expected[i % 2])
                Interlocked.Increment(ref wrong);
        });

        Assert.Equal(0, wrong);
    }
}
