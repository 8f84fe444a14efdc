using Bunit;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers;
using MediaPlanner.Domain.Providers.OpenAI;
using MediaPlanner.Tests.Fakes;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web.Components.Pages.FineTuning;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace MediaPlanner.Tests.FineTuning;

/// <summary>The re-attach dialog over the real service and backend, asking the fake OpenAI about the id.</summary>
public sealed class ReattachJobDialogTests : ComponentTestContext, IClassFixture<FakeOpenAIServer>
{
    private readonly FakeOpenAIServer _server;
    private readonly IRenderedComponent<MudDialogProvider> _dialogs;

    public ReattachJobDialogTests(FakeOpenAIServer server)
    {
        _server = server;
        _server.Reset();
        Services.AddLogging();
        AddSettings();
        Services.Configure<OpenAIOptions>(o => (o.ApiKey, o.Endpoint) = (server.ApiKey, server.BaseAddress.ToString()));
        Services.AddSingleton<ProviderProfileService>();
        Services.AddSingleton<OpenAIClientFactory>();
        Services.AddSingleton<IPlanProvider, OpenAIPlanProvider>();
        Services.AddSingleton<IFineTuneBackend, OpenAIFineTuneBackend>();
        AddFineTuneService();
        SignInAs("admin-1", Roles.Admin);
        _dialogs = RenderOverlays();
    }

    [Fact]
    public async Task Problems_show_at_their_field_and_a_job_the_provider_knows_is_reattached_and_returned()
    {
        var externalId = await _server.StartJobElsewhereAsync("gpt-4o-mini-2024-07-18", OpenAIFineTuneBackendTests.Lines("train", 12), suffix: "lost");
        var dialogs = Services.GetRequiredService<IDialogService>();
        var dialog = await _dialogs.InvokeAsync(() => dialogs.ShowAsync<ReattachJobDialog>("Re-attach a fine-tuning job"));
        _dialogs.WaitForElement("#reattach-external-id");
        Assert.Equal("OpenAI", _dialogs.Find("#reattach-provider").GetAttribute("value"));

        Submit();
        _dialogs.WaitForAssertion(() => Assert.Contains("Enter the provider's job id", FieldText("#reattach-external-id")));

        _dialogs.Find("#reattach-external-id").Input("ftjob-nobody-made");
        Submit();
        _dialogs.WaitForAssertion(() => Assert.Contains("OpenAI does not know a fine-tuning job ftjob-nobody-made", FieldText("#reattach-external-id")));

        _dialogs.Find("#reattach-external-id").Input(externalId);
        Submit();
        var result = await dialog.Result.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(result!.Canceled);
        using var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext();
        var job = db.FineTuneJobs.Single();
        Assert.Equal((job.Id, externalId, "lost"), ((int)result.Data!, job.ExternalId, job.Suffix));
    }

    private void Submit() => _dialogs.Find("[data-testid=reattach-submit]").Click();

    private string FieldText(string selector) => _dialogs.Find(selector).Closest(".mud-input-control")!.TextContent;
}
