using MediaPlanner.Domain.FineTuning.Evaluation;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Fakes;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MediaPlanner.Domain;

namespace MediaPlanner.Tests.FineTuning;

// A job started outside the app, followed by its provider id.
public partial class FineTuningRunnerTests
{
    [SkippableFact]
    public async Task A_job_started_elsewhere_is_reattached_by_its_id_and_followed_to_success_with_its_evaluation()
    {
        await SeedValidatedAsync(20);
        var externalId = await _openAI.StartJobElsewhereAsync("gpt-4o-mini-2024-07-18",
            OpenAIFineTuneBackendTests.Lines("train", 12), OpenAIFineTuneBackendTests.Lines("valid", 3), suffix: "lost", seed: 5);
        var remote = Assert.Single(_openAI.Jobs);

        Result<int> result;
        using (var scope = _app.Services.CreateScope())
            result = await scope.ServiceProvider.GetRequiredService<FineTuneService>().ReattachAsync(FineTuneProviders.OpenAI, externalId, await AdminAsync());
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => $"{e.Key}: {e.Value}")));

        var detail = await WaitForAsync(result.Value, j => j.IsFinished && j.LeaseOwner is null);

        var job = detail.Job;
        Assert.Equal((FineTuneStatus.Succeeded, externalId), (job.Status, job.ExternalId));
        Assert.Equal(("gpt-4o-mini-2024-07-18", "lost", 5, 2, 4), (job.BaseModel, job.Suffix, job.Seed, job.Epochs, job.BatchSize));
        Assert.Equal((remote.TrainingFile, remote.ValidationFile), (job.TrainingFileId, job.ValidationFileId));
        Assert.Equal("ft:gpt-4o-mini-2024-07-18:mediaplanner:lost:abc123", job.FineTunedModel);
        Assert.NotEmpty(detail.Checkpoints);
        Assert.Equal(remote.Events.Select(e => e["id"]!.GetValue<string>()),
            detail.Events.Where(e => e.ExternalId.StartsWith("ftevent-", StringComparison.Ordinal)).Select(e => e.ExternalId));
        Assert.Contains(detail.Events, e => e.ExternalId == $"reattached-{externalId}");
        // Followed to the end: compared with its base model on held-out briefs, like a job started here.
        Assert.NotNull(JobEvaluation.FromJson(job.EvaluationJson));
        Assert.NotNull(job.Verdict);
        Assert.Single(_openAI.RequestsTo(FakeRoute.CreateJob));
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
        Assert.Contains(await db.AuditEntries.Select(a => a.Summary).ToListAsync(),
            s => s == $"Re-attached OpenAI fine-tuning job {externalId} as #{job.Id} on gpt-4o-mini-2024-07-18");
    }

    [SkippableFact]
    public async Task Reattaching_refuses_a_followed_id_an_unknown_id_an_unknown_provider_and_anyone_but_an_admin()
    {
        var admin = await AdminAsync();
        var externalId = await _openAI.StartJobElsewhereAsync("gpt-4o-mini-2024-07-18", OpenAIFineTuneBackendTests.Lines("train", 12));
        using var scope = _app.Services.CreateScope();
        var service = scope.ServiceProvider.GetRequiredService<FineTuneService>();

        var first = await service.ReattachAsync(FineTuneProviders.OpenAI, externalId, admin);
        var again = await service.ReattachAsync(FineTuneProviders.OpenAI, $" {externalId} ", admin);
        var unknown = await service.ReattachAsync(FineTuneProviders.OpenAI, "ftjob-nobody-made", admin);
        var noProvider = await service.ReattachAsync("azure-nowhere", externalId, admin);
        var badId = await service.ReattachAsync(FineTuneProviders.OpenAI, "ftjob-1/../files", admin);

        Assert.True(first.Succeeded);
        Assert.Equal($"Job #{first.Value} already follows {externalId}.", again.Errors["ExternalId"]);
        Assert.StartsWith("OpenAI does not know a fine-tuning job ftjob-nobody-made", unknown.Errors["ExternalId"], StringComparison.Ordinal);
        Assert.Equal("There is no provider azure-nowhere: add it in settings first.", noProvider.Errors["Provider"]);
        Assert.Contains("letters, digits", badId.Errors["ExternalId"], StringComparison.Ordinal);
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => service.ReattachAsync(FineTuneProviders.OpenAI, externalId, admin with { IsAdmin = false }));
        Assert.Equal(1, (await service.ListAsync(0, 10)).Total);
    }
}
