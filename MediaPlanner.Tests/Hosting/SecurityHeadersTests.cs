using System.Net;
using System.Text.RegularExpressions;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web.Endpoints;
using Microsoft.Extensions.DependencyInjection;

namespace MediaPlanner.Tests.Hosting;

/// <summary>The security headers on a page, an API endpoint, a not-found page and the downloads.</summary>
public class SecurityHeadersTests(MediaPlannerFactory factory) : IClassFixture<MediaPlannerFactory>
{
    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values)
        : response.Content.Headers.TryGetValues(name, out var contentValues) ? string.Join(",", contentValues) : "";

    private static void AssertCommonHeaders(HttpResponseMessage response)
    {
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("strict-origin-when-cross-origin", Header(response, "Referrer-Policy"));
        var csp = Header(response, "Content-Security-Policy");
        Assert.Matches(@"script-src 'self' 'nonce-[A-Za-z0-9_-]{22}';", csp);
        Assert.DoesNotContain("unsafe-eval", csp);
        Assert.DoesNotMatch("script-src[^;]*unsafe-inline", csp);
        foreach (var directive in new[] { "default-src 'self'", "connect-src 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'" })
            Assert.Contains(directive, csp);
    }

    [Fact]
    public async Task A_page_carries_the_headers_and_its_import_map_carries_the_policys_nonce()
    {
        var client = await factory.SignInAsync("planner@demo.local");

        var first = await client.GetAsync("/");
        var second = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        AssertCommonHeaders(first);
        var nonce = Regex.Match(Header(first, "Content-Security-Policy"), "'nonce-([^']+)'").Groups[1].Value;
        var html = await first.Content.ReadAsStringAsync();
        Assert.Contains($"<script type=\"importmap\" nonce=\"{nonce}\">", html);
        // No other inline script may rely on the nonce: every other script element loads a file.
        Assert.All(Regex.Matches(html, "<script(?![^>]*type=\"importmap\")[^>]*>").Select(m => m.Value), tag => Assert.Contains(" src=", tag));
        Assert.NotEqual(nonce, Regex.Match(Header(second, "Content-Security-Policy"), "'nonce-([^']+)'").Groups[1].Value);
    }

    [Fact]
    public async Task The_sign_in_page_an_endpoint_and_a_not_found_page_carry_the_headers()
    {
        var anonymous = factory.CreateBrowserlessClient();

        var login = await anonymous.GetAsync("/Account/Login");
        var health = await anonymous.GetAsync(HealthEndpoints.Path);
        var missing = await (await factory.SignInAsync("planner@demo.local")).GetAsync("/no-such-page");

        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        foreach (var response in new[] { login, health, missing })
            AssertCommonHeaders(response);
        Assert.NotEqual("no-store", Header(login, "Cache-Control"));
    }

    [Fact]
    public async Task Plan_and_training_data_downloads_are_not_stored_by_browsers_or_proxies()
    {
        var planner = await factory.DemoUserAsync("planner@demo.local");
        int planId;
        using (var scope = factory.Services.CreateScope())
        {
            var input = TestBriefs.Input("Headers", campaign: "No cache", budget: 80_000m, end: new DateTime(2027, 6, 30), channels: [Channel.Search, Channel.Social],
                text: "Launch the new headphones to commuters in the spring, building awareness before the summer sale.");
            var briefId = (await scope.ServiceProvider.GetRequiredService<BriefService>().CreateAsync(input, planner)).Value;
            planId = (await scope.ServiceProvider.GetRequiredService<PlanGenerator>().GenerateAsync(briefId, planner))[0].Entity.Id;
        }
        var client = await factory.SignInAsync("planner@demo.local");
        var reviewer = await factory.SignInAsync("reviewer@demo.local");

        var downloads = new[]
        {
            await client.GetAsync($"/api/plans/{planId}/export.csv"),
            await client.GetAsync($"/api/plans/{planId}/export.xlsx"),
            await reviewer.GetAsync("/api/training-data/export"),
        };

        foreach (var download in downloads)
        {
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal("attachment", download.Content.Headers.ContentDisposition!.DispositionType);
            Assert.True(download.Headers.CacheControl!.NoStore, $"{download.RequestMessage!.RequestUri} is cacheable: {download.Headers.CacheControl}");
            AssertCommonHeaders(download);
        }
    }
}
