using Bunit;
using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using AuditPage = MediaPlanner.Web.Components.Pages.Admin.Audit;

namespace MediaPlanner.Tests.Audit;

public class AuditPageTests : ComponentTestContext
{
    private readonly CurrentUser _admin = new("admin-1", IsAdmin: true);

    public AuditPageTests()
    {
        SignInAs("admin-1", Roles.Admin);
        Render<MudPopoverProvider>();
    }

    private async Task SeedAsync()
    {
        var log = Services.GetRequiredService<AuditLog>();
        await log.RecordAsync(_admin, AuditActions.SettingsPrice, AuditEntities.ModelPrice, "gpt-x", "Changed the price of gpt-x",
            "{\"input\":1.5}", "{\"input\":2}");
        await log.RecordAsync(_admin, AuditActions.ExampleValidate, AuditEntities.TrainingExample, "42", "Validated example #42 (Acme)");
    }

    private static string Grid(IRenderedComponent<AuditPage> cut) => cut.Find("[data-testid=audit-grid]").TextContent;

    [Fact]
    public async Task Entries_show_who_what_and_expand_to_before_and_after()
    {
        await SeedAsync();

        var cut = Render<AuditPage>();

        cut.WaitForAssertion(() => Assert.Contains("Changed the price of gpt-x", Grid(cut)));
        Assert.Contains("admin-1@test.local", Grid(cut));
        Assert.Contains("settings.price", Grid(cut));
        Assert.Equal("review/42", cut.Find("a[href='review/42']").GetAttribute("href"));
        Assert.Empty(cut.FindAll("[data-testid=audit-details]"));

        // The newest entry (the validation) has no details to expand; the price change does.
        cut.FindAll("button.mud-button-root").First(b => b.Closest("tr")?.TextContent.Contains("gpt-x") == true && !b.HasAttribute("disabled")).Click();

        cut.WaitForAssertion(() => Assert.Contains("{\"input\":1.5}", cut.Find("[data-testid=audit-details]").TextContent));
        Assert.Contains("{\"input\":2}", cut.Find("[data-testid=audit-details]").TextContent);
    }

    [Fact]
    public async Task The_text_filter_and_a_user_link_narrow_the_list()
    {
        await SeedAsync();
        Services.GetRequiredService<NavigationManager>().NavigateTo("admin/audit?user=nobody@test.local");

        var filtered = Render<AuditPage>();
        filtered.WaitForAssertion(() => Assert.Contains("No entry matches these filters.", Grid(filtered)));

        Services.GetRequiredService<NavigationManager>().NavigateTo("admin/audit");
        var cut = Render<AuditPage>();
        cut.WaitForAssertion(() => Assert.Contains("Acme", Grid(cut)));
        cut.Find("#audit-text").Input("gpt-x");

        cut.WaitForAssertion(() => Assert.DoesNotContain("Acme", Grid(cut)));
        Assert.Contains("Changed the price of gpt-x", Grid(cut));
    }
}
