using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace MediaPlanner.Tests.Models;

/// <summary>A base model saved in settings reaches services already created for an open page (one scope per circuit).</summary>
public sealed class LiveTrainingSettingsTests : IAsyncLifetime
{
    private const string Configured = "gpt-4o-mini-2024-07-18";
    private const string Saved = "gpt-4o-2024-08-06";
    private readonly MediaPlannerFactory _app = new();
    private CurrentUser _admin = default!;

    public async Task InitializeAsync()
    {
        _app.Settings["OpenAI:BaseModel"] = Configured;
        using var scope = _app.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        _admin = new CurrentUser((await users.FindByEmailAsync("admin@demo.local"))!.Id, true);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task The_new_job_preview_and_the_training_summary_of_an_open_scope_show_a_base_model_saved_after_they_were_created()
    {
        using var circuit = _app.Services.CreateScope();
        var fineTuning = circuit.ServiceProvider.GetRequiredService<FineTuneService>();
        var training = circuit.ServiceProvider.GetRequiredService<TrainingDataService>();
        var before = await fineTuning.PreviewAsync(FineTuneProviders.OpenAI, 10, null, null);
        Assert.Equal(Configured, before.BaseModel);
        Assert.Contains(before.Backends, b => b.Provider == FineTuneProviders.OpenAI && b.BaseModel == Configured);
        Assert.Equal(3.00m, (await training.SummaryAsync()).Price?.TrainingPerMillion);

        var settings = _app.Services.GetRequiredService<ProviderSettingsService>();
        var result = await settings.SaveProviderAsync(settings.GetProvider().Endpoint, Saved, null, false, _admin);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Values));

        var after = await fineTuning.PreviewAsync(FineTuneProviders.OpenAI, 10, null, null);
        Assert.Equal(Saved, after.BaseModel);
        Assert.Contains(after.Backends, b => b.Provider == FineTuneProviders.OpenAI && b.BaseModel == Saved);
        var summary = await training.SummaryAsync();
        Assert.Equal(Saved, summary.BaseModel);
        // Priced by the new base model's row too.
        Assert.Equal(25.00m, summary.Price?.TrainingPerMillion);
    }
}
