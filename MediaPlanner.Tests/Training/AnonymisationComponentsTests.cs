using AngleSharp.Html.Dom;
using Bunit;
using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web.Components.Pages.Admin;
using MediaPlanner.Web.Components.Pages.Training;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace MediaPlanner.Tests.Training;

public class AnonymisationComponentsTests : ComponentTestContext
{
    public AnonymisationComponentsTests()
    {
        AddSettings();
        SignInAs("admin-1", Roles.Admin);
        Render<MudSnackbarProvider>();
    }

    private PrivacySettingsService Settings => Services.GetRequiredService<PrivacySettingsService>();

    [Fact]
    public async Task The_switch_starts_off_saves_the_admins_choice_and_the_change_is_audited_under_their_name()
    {
        var cut = Render<AnonymisationPanel>();
        var toggle = (IHtmlInputElement)cut.Find("input[data-testid=anonymise-switch]");
        Assert.False(toggle.IsChecked);
        Assert.Contains("training exports, files uploaded to hosted providers and briefs sent to hosted models", cut.Find("[data-testid=anonymise-explanation]").TextContent);

        toggle.Change(true);

        cut.WaitForAssertion(() => Assert.True(Settings.AnonymiseOutbound));
        Assert.True(((IHtmlInputElement)cut.Find("input[data-testid=anonymise-switch]")).IsChecked);
        await using var db = await Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
        var entry = await db.AuditEntries.SingleAsync(a => a.Action == AuditActions.SettingsPrivacy);
        Assert.Equal(("admin-1", "{\"anonymiseOutbound\":true}"), (entry.UserId, entry.After));
    }

    [Fact]
    public async Task The_training_page_line_says_which_mode_is_on()
    {
        Assert.Equal("Exports and uploads: sent as written", Render<AnonymisationNote>().Find("[data-testid=anonymisation-mode]").TextContent.Split('(')[0].Trim());

        await Settings.SaveAnonymiseOutboundAsync(true, new CurrentUser("admin-1", IsAdmin: true));

        Assert.Equal("Exports and uploads: names replaced by placeholders",
            Render<AnonymisationNote>().Find("[data-testid=anonymisation-mode]").TextContent.Split('(')[0].Trim());
    }
}
