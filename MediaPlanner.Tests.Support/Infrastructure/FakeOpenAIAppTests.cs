using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Tests.Fakes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaPlanner.Tests.Infrastructure;

/// <summary>
/// The app over its own database with its primary OpenAI profile pointed at a fake server of its own, and the demo admin:
/// the set-up of tests that plan through hosted models with the real generator.
/// </summary>
public abstract class FakeOpenAIAppTests : IAsyncLifetime
{
    protected const string BaseModel = "gpt-4o-mini-2024-07-18";

    protected FakeOpenAIServer FakeServer { get; } = new();

    protected MediaPlannerFactory App { get; private set; } = default!;

    protected CurrentUser Admin { get; private set; } = default!;

    public virtual async Task InitializeAsync()
    {
        await FakeServer.InitializeAsync();
        App = CreateApp();
        App.Settings["OpenAI:ApiKey"] = FakeOpenAIServer.DefaultApiKey;
        App.Settings["OpenAI:Endpoint"] = FakeServer.BaseAddress.ToString();
        Admin = await App.DemoUserAsync("admin@demo.local");
    }

    /// <summary>The app under test; a test class that needs more of the host (e.g. a trace exporter) returns its own factory.</summary>
    protected virtual MediaPlannerFactory CreateApp() => new();

    public virtual async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await FakeServer.DisposeAsync();
    }

    /// <summary>Records a recommended, succeeded OpenAI job that made <paramref name="fineTuned"/> from the base model, and deploys it.</summary>
    protected async Task DeployFineTunedAsync(string fineTuned)
    {
        await using (var db = await App.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync())
        {
            db.FineTuneJobs.Add(new FineTuneJob
            {
                Provider = FineTuneProviders.OpenAI, BaseModel = BaseModel, Status = FineTuneStatus.Succeeded, FineTunedModel = fineTuned,
                CreatedById = Admin.Id, CreatedAt = DateTimeOffset.UtcNow, FinishedAt = DateTimeOffset.UtcNow, NextAttemptAt = DateTimeOffset.MaxValue,
            }.Recommended());
            await db.SaveChangesAsync();
        }
        var deployed = await App.Services.GetRequiredService<ModelRegistry>().DeployAsync(fineTuned, Admin);
        Assert.True(deployed.Succeeded, deployed.Message);
    }
}
