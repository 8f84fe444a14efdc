using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Tests.Fakes;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaPlanner.Tests.Providers;

// What happens on the day a deployed or base model shuts down.
public sealed partial class ModelLifecycleTests
{
    private async Task<int> BriefAsync() => await InScopeAsync(async sp => (await sp.GetRequiredService<BriefService>().CreateAsync(TestBriefs.Input("Sunset Co"), _planner)).Value);

    [Fact]
    public async Task When_the_deployed_model_shuts_down_its_deployment_ends_as_the_system_and_the_base_model_plans()
    {
        // The fine-tune has a date of its own, before its base model's.
        _openAI.SetModels(new FakeModel(Mini), new FakeModel(FineTuned, new DateOnly(2026, 12, 20), "user-mediaplanner"));
        await StartAsync(Today);
        await SucceededJobAsync();
        Assert.True((await Registry.DeployAsync(FineTuned, _admin)).Succeeded);
        var briefId = await BriefAsync();

        _clock.SetUtcNow(new DateTimeOffset(2026, 12, 20, 0, 0, 0, TimeSpan.Zero));
        var run = await InScopeAsync(sp => sp.GetRequiredService<PlanGenerator>().GenerateSideBySideAsync(briefId, _planner));
        var primary = await run.Primary;

        const string Reason = $"{FineTuned} was shut down by OpenAI on 20 Dec 2026; plans come from the base model {Mini}.";
        Assert.Equal((ModelRole.Base, Mini), (primary.Role, primary.Model));
        Assert.True(primary.Succeeded, primary.Error);
        Assert.Equal(Reason, primary.Reason);
        Assert.Null(run.Comparison);
        Assert.DoesNotContain(_openAI.ChatRequests, r => r.Model == FineTuned);
        Assert.Null(await Registry.ActiveAsync());
        await using (var db = await _app.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync())
        {
            var ended = await db.Deployments.SingleAsync();
            Assert.Equal((new DateTimeOffset(2026, 12, 20, 0, 0, 0, TimeSpan.Zero), "system", Reason), (ended.EndedAt!.Value, ended.EndedById!, ended.EndReason!));
            var entry = await db.AuditEntries.SingleAsync(a => a.Action == AuditActions.ModelShutdown);
            Assert.Equal(("system", FineTuned), (entry.UserId, entry.EntityId!));
            Assert.Contains(Reason, entry.Summary);
        }
        var alert = await Registry.ShutdownAlertAsync();
        Assert.Equal((FineTuned, Reason), (alert?.Model, alert?.Reason));

        await Registry.DismissShutdownAlertAsync(alert!.DeploymentId, _admin);
        Assert.Null(await Registry.ShutdownAlertAsync());
    }

    [Fact]
    public async Task When_the_base_model_shuts_down_on_the_same_day_the_built_in_planner_plans_and_the_alert_stays_until_another_deploy()
    {
        _openAI.SetModels(new FakeModel(Mini, Shutdown));
        await StartAsync(Today);
        await SucceededJobAsync();
        Assert.True((await Registry.DeployAsync(FineTuned, _admin)).Succeeded);
        var briefId = await BriefAsync();
        await using (var db = await _app.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync())
        {
            db.FineTuneJobs.Add(new FineTuneJob
            {
                Provider = FineTuneProviders.Local, BaseModel = "local-mix-v1", Status = FineTuneStatus.Succeeded, FineTunedModel = "local-mix:ft-after-1",
                CreatedById = _admin.Id, CreatedAt = Today, FinishedAt = Today, NextAttemptAt = DateTimeOffset.MaxValue,
                ResultParametersJson = MediaMixParameters.Default.ToJson(),
            }.Recommended());
            await db.SaveChangesAsync();
        }

        _clock.SetUtcNow(new DateTimeOffset(2027, 1, 14, 6, 0, 0, TimeSpan.Zero));
        var chats = _openAI.ChatRequests.Count;
        var plans = await InScopeAsync(sp => sp.GetRequiredService<PlanGenerator>().GenerateAsync(briefId, _planner));
        var alert = await Registry.ShutdownAlertAsync();

        Assert.NotEmpty(plans);
        Assert.All(plans, p => Assert.Equal(("local", "local-mix-v1"), (p.Entity.Provider, p.Entity.Model)));
        Assert.Equal(chats, _openAI.ChatRequests.Count);
        Assert.Equal($"{FineTuned} was shut down by OpenAI on 14 Jan 2027; plans come from the built-in planner, since its base model {Mini} was shut down too.",
            alert?.Reason);
        // With nothing deployed, the configured base model is shut down too: the built-in planner goes on planning.
        var selection = await InScopeAsync(sp => sp.GetRequiredService<ModelSelector>().SelectAsync());
        Assert.Equal(Registry.LocalBase, selection.Primary);
        Assert.Contains("The built-in planner plans instead.", selection.Reason);

        Assert.True((await Registry.DeployAsync("local-mix:ft-after-1", _admin)).Succeeded);
        Assert.Null(await Registry.ShutdownAlertAsync());
    }

    [Fact]
    public async Task A_404_for_the_deployed_model_reads_the_list_again_so_a_new_shutdown_takes_effect_before_the_next_plan()
    {
        await StartAsync(Today);
        await SucceededJobAsync();
        Assert.True((await Registry.DeployAsync(FineTuned, _admin)).Succeeded);
        var briefId = await BriefAsync();
        // OpenAI shut the model down earlier than the list read at start-up said.
        _openAI.Chat.UnknownModels.Add(FineTuned);
        _openAI.SetModels(new FakeModel(Mini), new FakeModel(FineTuned, DateOnly.FromDateTime(Today.UtcDateTime), "user-mediaplanner"));

        var first = await InScopeAsync(sp => sp.GetRequiredService<PlanGenerator>().GenerateSideBySideAsync(briefId, _planner));
        await Task.WhenAll(first.Primary, first.Comparison!);
        var notFound = _openAI.ChatRequests.Count(r => r.Model == FineTuned);
        var reads = _openAI.RequestsTo(FakeRoute.ListModels).Count();
        var second = await InScopeAsync(sp => sp.GetRequiredService<PlanGenerator>().GenerateSideBySideAsync(briefId, _planner));
        var plans = await second.Primary;

        Assert.True(notFound > 0);
        Assert.Equal(reads + 1, _openAI.RequestsTo(FakeRoute.ListModels).Count());
        Assert.Equal(notFound, _openAI.ChatRequests.Count(r => r.Model == FineTuned));
        Assert.Equal((ModelRole.Base, Mini), (plans.Role, plans.Model));
        Assert.Null(second.Comparison);
        Assert.Null(await Registry.ActiveAsync());
    }

    [Fact]
    public async Task The_refresher_ends_a_shut_down_deployment_even_when_nobody_plans()
    {
        _openAI.SetModels(new FakeModel(Mini, Shutdown));
        await StartAsync(Today, refreshInterval: "1.00:00:00");
        await SucceededJobAsync();
        Assert.True((await Registry.DeployAsync(FineTuned, _admin)).Succeeded);

        _clock.SetUtcNow(new DateTimeOffset(2027, 1, 14, 8, 0, 0, TimeSpan.Zero));
        await WaitUntilAsync(() => Refresher.Rounds >= 2);

        Assert.Null(await Registry.ActiveAsync());
        Assert.NotNull(await Registry.ShutdownAlertAsync());
    }
}
