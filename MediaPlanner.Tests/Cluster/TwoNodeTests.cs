using System.Diagnostics;
using System.Net;
using System.Threading.Channels;
using MediaPlanner.Domain.Cluster;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Providers;
using MediaPlanner.Domain.Providers.OpenAI;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace MediaPlanner.Tests.Cluster;

/// <summary>
/// Two app nodes on one database and one Redis, as behind a load balancer: what one node does, the other sees. Node A's
/// runner is off, so every job runs on node B.
/// </summary>
public sealed class TwoNodeTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly ClusterDatabase _database = new();
    private readonly List<ClusterNode> _nodes = [];

    private ClusterNode Node(params (string Key, string? Value)[] settings)
    {
        var node = ClusterNode.Start(_database, settings);
        _nodes.Add(node);
        return node;
    }

    private ClusterNode NodeWithoutRunner() => Node(("FineTuning:Runner:Enabled", "false"));

    public void Dispose()
    {
        foreach (var node in _nodes)
            node.Dispose();
        _database.Dispose();
    }

    [ClusterFact]
    public async Task A_cookie_issued_by_node_A_opens_a_planner_page_on_node_B_with_one_key_ring_in_the_database()
    {
        var a = NodeWithoutRunner();
        var b = Node();
        var cookie = await a.SignInCookieAsync("planner@demo.local");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/briefs/new");
        request.Headers.Add("Cookie", cookie);
        var response = await b.CreateCookielessClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var db = await a.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
        Assert.Equal(1, await db.DataProtectionKeys.CountAsync());
        Assert.Equal(1, await db.Settings.CountAsync(s => s.Key == InstallationIdentity.SettingKey));
        Assert.Equal(a.Services.GetRequiredService<DataProtectionPlacement>().ApplicationName,
            b.Services.GetRequiredService<DataProtectionPlacement>().ApplicationName);
    }

    [ClusterFact]
    public async Task A_local_job_run_by_node_B_reaches_a_SignalR_client_on_node_A_once_each_and_in_order()
    {
        var a = NodeWithoutRunner();
        await ValidatedExamples.SeedAsync(a.Services, 12);
        var admin = await a.DemoUserAsync("admin@demo.local");
        int jobId;
        using (var scope = a.Services.CreateScope())
        {
            var created = await scope.ServiceProvider.GetRequiredService<FineTuneService>()
                .CreateAsync(new NewJobRequest(FineTuneProviders.Local, Seed: 5, Epochs: 2, BatchSize: 4, ValidationPercent: 0), admin);
            Assert.True(created.Succeeded, string.Join("; ", created.Errors.Select(e => $"{e.Key}: {e.Value}")));
            jobId = created.Value;
        }
        var received = Channel.CreateUnbounded<string>();
        await using var client = a.FineTuningHub(await a.SignInCookieAsync("reviewer@demo.local"));
        client.On<JobUpdated>("JobUpdated", u => received.Writer.TryWrite($"update:{u.Progress.Status}:{u.Progress.CompletedSteps}"));
        client.On<JobEventAdded>("EventAdded", e => received.Writer.TryWrite($"event:{e.Id}"));
        client.On<JobCheckpointAdded>("CheckpointAdded", c => received.Writer.TryWrite($"checkpoint:{c.Id}"));
        await client.StartAsync();
        Assert.Equal(FineTuneStatus.Queued, (await client.InvokeAsync<JobUpdated?>("Subscribe", jobId))!.Progress.Status);
        var onA = new List<FineTuneNotice>();
        using var pageOnA = a.Services.GetRequiredService<FineTuneNotifications>().Subscribe(n =>
        {
            lock (onA)
                onA.Add(n);
            return Task.CompletedTask;
        });

        // Only now is there a runner: nothing of the job can have happened before the client listened.
        var b = Node();
        var done = await a.Services.WaitForJobAsync(jobId, j => j.IsFinished);

        Assert.Equal(FineTuneStatus.Succeeded, done.Job.Status);
        Assert.Null(a.Services.GetRequiredService<FineTuneRunner>().LastLoopAt);
        var messages = new List<string>();
        using var timeout = new CancellationTokenSource(Patience);
        while (messages.LastOrDefault() != $"update:{FineTuneStatus.Succeeded}:{done.Job.CompletedSteps}")
            messages.Add(await received.Reader.ReadAsync(timeout.Token));
        await using var db = await a.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
        var stored = await db.FineTuneEvents.Where(e => e.JobId == jobId).OrderBy(e => e.Id).Select(e => e.Id).ToListAsync();
        var checkpoints = await db.FineTuneCheckpoints.Where(c => c.JobId == jobId).OrderBy(c => c.Id).Select(c => c.Id).ToListAsync();
        Assert.NotEmpty(stored);
        Assert.Equal(stored.Select(id => $"event:{id}"), messages.Where(m => m.StartsWith("event:", StringComparison.Ordinal)));
        Assert.Equal(checkpoints.Select(id => $"checkpoint:{id}"), messages.Where(m => m.StartsWith("checkpoint:", StringComparison.Ordinal)));
        // The job page on node A heard the same events from node B, marked as such.
        lock (onA)
        {
            Assert.All(onA, n => Assert.True(n.Remote));
            Assert.Equal(stored, onA.OfType<JobEventAdded>().Select(e => e.Id));
        }
        output.WriteLine($"Job #{jobId} on node B: {stored.Count} events, {checkpoints.Count} checkpoints, {messages.Count} messages on node A.");
    }

    [ClusterFact]
    public async Task An_event_stored_on_node_B_reaches_a_client_on_node_A_once_and_the_delay_is_measured()
    {
        var a = NodeWithoutRunner();
        var b = NodeWithoutRunner();
        var dbFactory = b.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>();
        int jobId;
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            var job = new FineTuneJob
            {
                Provider = FineTuneProviders.Local, BaseModel = "local-mix-v1", CreatedById = "x", Status = FineTuneStatus.Running,
                NextAttemptAt = DateTimeOffset.MaxValue, CreatedAt = DateTimeOffset.UtcNow,
            };
            db.FineTuneJobs.Add(job);
            await db.SaveChangesAsync();
            jobId = job.Id;
        }
        var received = Channel.CreateUnbounded<(JobEventAdded Event, long At)>();
        await using var client = a.FineTuningHub(await a.SignInCookieAsync("admin@demo.local"));
        client.On<JobEventAdded>("EventAdded", e => received.Writer.TryWrite((e, Stopwatch.GetTimestamp())));
        await client.StartAsync();
        await client.InvokeAsync<JobUpdated?>("Subscribe", jobId);
        var sink = new FineTuneSink(dbFactory, b.Services.GetRequiredService<FineTuneNotifications>(), TimeProvider.System, jobId, "test", TimeSpan.FromMinutes(1));

        var latencies = new List<double>();
        for (var step = 1; step <= 100; step++)
        {
            var before = Stopwatch.GetTimestamp();
            await sink.EventAsync(new FineTuneEvent { ExternalId = $"step-{step}", CreatedAt = DateTimeOffset.UtcNow, Message = $"Step {step}", Step = step }, CancellationToken.None);
            using var timeout = new CancellationTokenSource(Patience);
            var (e, at) = await received.Reader.ReadAsync(timeout.Token);
            Assert.Equal($"Step {step}", e.Message);
            latencies.Add(Stopwatch.GetElapsedTime(before, at).TotalMilliseconds);
        }

        Assert.False(received.Reader.TryRead(out var extra), $"Received {extra.Event?.Message} twice.");
        latencies.Sort();
        output.WriteLine($"Event stored on node B → SignalR client (WebSockets) on node A, via Redis: median {(latencies[49] + latencies[50]) / 2:0.0} ms, " +
                         $"max {latencies[^1]:0.0} ms over 100 events");
    }

    [ClusterFact]
    public async Task Runners_on_two_nodes_never_own_one_job_at_once()
    {
        var a = Node();
        var b = Node();
        var admin = await a.DemoUserAsync("admin@demo.local");
        var dbFactory = a.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>();
        var jobs = new List<int>();
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            for (var i = 0; i < 5; i++)
            {
                // Not due, so the nodes' own runners leave them to the race below.
                var job = new FineTuneJob
                {
                    Provider = FineTuneProviders.Local, BaseModel = "local-mix-v1", Status = FineTuneStatus.Queued, CreatedAt = DateTimeOffset.UtcNow,
                    CreatedById = admin.Id, NextAttemptAt = DateTimeOffset.UtcNow.AddHours(1),
                };
                db.FineTuneJobs.Add(job);
                await db.SaveChangesAsync();
                jobs.Add(job.Id);
            }
        }
        var runners = new[] { a, a, b, b }.Select(node => ActivatorUtilities.CreateInstance<FineTuneRunner>(node.Services)).ToList();

        foreach (var id in jobs)
        {
            var claims = await Task.WhenAll(runners.Select(r => Task.Run(() => r.TryLeaseAsync(id, CancellationToken.None))));

            Assert.Equal(1, claims.Count(c => c));
            await using var db = await dbFactory.CreateDbContextAsync();
            Assert.Equal(runners[Array.IndexOf(claims, true)].Id, await db.FineTuneJobs.Where(j => j.Id == id).Select(j => j.LeaseOwner).SingleAsync());
        }
    }

    [ClusterFact]
    public async Task Settings_saved_on_node_A_apply_on_node_B_without_a_restart()
    {
        var a = NodeWithoutRunner();
        var b = NodeWithoutRunner();
        var admin = await a.DemoUserAsync("admin@demo.local");
        var privacyOnB = b.Services.GetRequiredService<PrivacySettingsService>();
        var selectionOnB = b.Services.GetRequiredService<SelectionSettingsService>();
        Assert.False(privacyOnB.AnonymiseOutbound);
        Assert.Equal(SelectionStrategy.Auto, selectionOnB.GetSelection().Strategy);
        var optionsChangedOnB = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watch = b.Services.GetRequiredService<IOptionsMonitor<OpenAIOptions>>().OnChange(_ => optionsChangedOnB.TrySetResult());
        var profilesOnB = b.Services.GetRequiredService<ProviderProfileService>();
        Assert.Null(profilesOnB.Get("compat"));
        var profileChangedOnB = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        profilesOnB.Changed += () => profileChangedOnB.TrySetResult();

        await a.Services.GetRequiredService<PrivacySettingsService>().SaveAnonymiseOutboundAsync(true, admin);
        await a.Services.GetRequiredService<SelectionSettingsService>().SaveSelectionAsync(SelectionSettings.Default with { Strategy = SelectionStrategy.BaseOnly }, admin);
        var saved = await a.Services.GetRequiredService<ProviderProfileService>().SaveAsync(
            new ProviderProfileInput("compat", "Compatible", ProviderKind.OpenAICompatible, "https://compat.example/v1",
                "sk-compat-1234", false, [new("open-model")]), admin);
        Assert.True(saved.Succeeded, string.Join("; ", saved.Errors.Select(e => $"{e.Key}: {e.Value}")));

        await optionsChangedOnB.Task.WaitAsync(Patience);
        await profileChangedOnB.Task.WaitAsync(Patience);
        Assert.True(privacyOnB.AnonymiseOutbound);
        Assert.Equal(SelectionStrategy.BaseOnly, selectionOnB.GetSelection().Strategy);
        Assert.Equal("Compatible", profilesOnB.Get("compat")?.Name);
    }

    [ClusterFact]
    public async Task A_role_removed_on_node_A_ends_the_users_access_on_node_B_at_once()
    {
        var a = NodeWithoutRunner();
        // Node B's own periodic check is an hour away: only the notice from node A can end the session in time.
        var b = Node(("FineTuning:Runner:Enabled", "false"), ("Security:RevalidationInterval", "01:00:00"));
        var cookie = await a.SignInCookieAsync("reviewer@demo.local");
        await using var connection = b.FineTuningHub(cookie);
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        await connection.StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(b, "/review", cookie)).StatusCode);
        var reviewer = await a.DemoUserAsync("reviewer@demo.local");

        using (var scope = a.Services.CreateScope())
        {
            var result = await scope.ServiceProvider.GetRequiredService<UserAdminService>()
                .SetRolesAsync(reviewer.Id, [Roles.Planner], await a.DemoUserAsync("admin@demo.local"));
            Assert.True(result.Succeeded);
        }

        await closed.Task.WaitAsync(Patience);
        var page = await GetAsync(b, "/review", cookie);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Contains("/Account/Login", page.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> GetAsync(ClusterNode node, string path, string cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", cookie);
        return await node.CreateCookielessClient().SendAsync(request);
    }
}
