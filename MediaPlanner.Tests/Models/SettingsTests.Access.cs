using System.Net;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Providers.OpenAI;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Fakes;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenAI.FineTuning;

namespace MediaPlanner.Tests.Models;

// Who may open the settings page and change settings.
public sealed partial class SettingsTests
{
    [Fact]
    public async Task Admins_open_the_settings_page_with_every_section_and_see_it_in_the_navigation()
    {
        var client = await fixture.SignInAsync("admin@demo.local");

        var html = WebUtility.HtmlDecode(await client.GetStringAsync("/admin/settings"));

        Assert.Contains("Active model", html);
        Assert.Contains("Model selection", html);
        Assert.Contains("Providers", html);
        Assert.Contains("data-testid=\"provider-local\"", html);
        Assert.Contains("data-testid=\"provider-openai\"", html);
        Assert.Contains("Prices per 1M tokens", html);
        Assert.Contains("gpt-4o-mini-2024-07-18", html);
        Assert.Contains("href=\"admin/settings\"", html);
    }

    [Theory]
    [InlineData("planner@demo.local")]
    [InlineData("reviewer@demo.local")]
    public async Task Planners_and_reviewers_are_refused_the_settings_page_and_do_not_see_the_link(string email)
    {
        var client = await fixture.SignInAsync(email);

        var response = await client.GetAsync("/admin/settings");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Account/AccessDenied", response.Headers.Location!.AbsolutePath);
        Assert.DoesNotContain("href=\"admin/settings\"", await client.GetStringAsync("/"));
    }

    [Fact]
    public async Task Anonymous_users_are_sent_to_sign_in()
    {
        var client = fixture.App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await client.GetAsync("/admin/settings");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/Account/Login", response.Headers.Location!.AbsolutePath);
    }

    [Fact]
    public async Task Only_admins_may_change_settings()
    {
        var planner = new CurrentUser("planner-x", IsAdmin: false);

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Selection.SaveSelectionAsync(SelectionSettings.Default, planner));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => ProviderSettings.SaveProviderAsync(null, null, NewKey(), false, planner));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Prices.DeletePriceAsync("gpt-4o-2024-08-06", planner));
    }
}
