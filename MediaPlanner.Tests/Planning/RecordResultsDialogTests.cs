using Bunit;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web.Components.Pages.Briefs;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace MediaPlanner.Tests.Planning;

public class RecordResultsDialogTests : ComponentTestContext
{
    private readonly IRenderedComponent<MudDialogProvider> _dialogs;

    public RecordResultsDialogTests()
    {
        AddTrainingDataServices();
        Services.AddScoped<TrainingCollector>();
        SignInAs("planner-1", Roles.Planner);
        _dialogs = Render<MudDialogProvider>();
    }

    [Fact]
    public async Task A_rate_out_of_range_is_explained_at_its_field_on_save_then_cleared_as_it_is_corrected()
    {
        var dialog = await _dialogs.InvokeAsync(() => Services.GetRequiredService<IDialogService>().ShowAsync<RecordResultsDialog>("Results",
            new DialogParameters<RecordResultsDialog> { { d => d.PlanId, 1 }, { d => d.Currency, "EUR" } }));
        _dialogs.WaitForElement("#result-cvr");
        _dialogs.Find("#result-cvr").Change("150");
        _dialogs.Find("#result-cvr").Blur();
        // Typed, not yet saved: no message yet.
        Assert.DoesNotContain("A conversion rate is a percentage", _dialogs.Markup, StringComparison.Ordinal);

        _dialogs.Find("[data-testid=save-results]").Click();

        _dialogs.WaitForAssertion(() =>
        {
            Assert.Contains("A conversion rate is a percentage between 0 and 100.", _dialogs.Markup, StringComparison.Ordinal);
            Assert.Equal("true", _dialogs.Find("#result-cvr").GetAttribute("aria-invalid"));
            Assert.Equal("1 field needs attention.", _dialogs.Find("[data-testid=error-summary]").TextContent.Trim());
        });
        Assert.False(dialog.Result.IsCompleted);
        Assert.Equal("150", _dialogs.Find("#result-cvr").GetAttribute("value"));

        _dialogs.Find("#result-cvr").Change("3.4");
        _dialogs.WaitForAssertion(() => Assert.DoesNotContain("A conversion rate is a percentage", _dialogs.Markup, StringComparison.Ordinal));
    }
}
