using System.Net;
using MediaPlanner.Tests.Infrastructure;

namespace MediaPlanner.Tests.Hosting;

public class AccessTests(MediaPlannerFactory factory) : IClassFixture<MediaPlannerFactory>
{
    [Theory]
    [InlineData("/")]
    [InlineData("/briefs")]
    [InlineData("/briefs/new")]
    [InlineData("/briefs/1")]
    [InlineData("/Account/Manage")]
    [InlineData("/review")]
    [InlineData("/review/1")]
    [InlineData("/training")]
    [InlineData("/fine-tuning")]
    [InlineData("/fine-tuning/1")]
    public async Task Anonymous_users_are_sent_to_sign_in(string path)
    {
        var response = await factory.CreateBrowserlessClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/Account/Login", response.Headers.Location!.AbsolutePath);
        Assert.Contains(Uri.EscapeDataString(path), response.Headers.Location!.Query);
    }

    [Fact]
    public async Task The_sign_in_page_is_open_to_anonymous_users_and_lists_the_demo_accounts_in_development()
    {
        var html = await factory.CreateBrowserlessClient().GetStringAsync("/Account/Login");

        Assert.Contains("Sign in", html);
        Assert.Contains("planner@demo.local", html);
        Assert.Contains("reviewer@demo.local", html);
        Assert.Contains("admin@demo.local", html);
    }

    [Fact]
    public async Task Static_assets_from_wwwroot_assets_are_served_without_sign_in()
    {
        var client = factory.CreateBrowserlessClient();
        foreach (var (asset, type) in new[] { ("/app.css", "text/css"), ("/account.css", "text/css"), ("/logo.svg", "image/svg+xml"), ("/favicon.svg", "image/svg+xml") })
        {
            var response = await client.GetAsync(asset);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{asset} answered {(int)response.StatusCode}");
            Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
            var body = await response.Content.ReadAsStringAsync();
            Assert.Equal(await File.ReadAllTextAsync(Path.Combine(Repository.Root, "wwwroot-assets", asset.TrimStart('/'))), body);
        }
    }


    [Theory]
    [InlineData("planner@demo.local")]
    [InlineData("reviewer@demo.local")]
    [InlineData("admin@demo.local")]
    public async Task Each_demo_account_signs_in_with_the_readme_password(string email)
    {
        var client = factory.CreateBrowserlessClient();

        var response = await MediaPlannerFactory.PostLoginAsync(client, email, "Demo!Pass123");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var home = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_with_a_message_and_no_cookie()
    {
        var client = factory.CreateBrowserlessClient();

        var response = await MediaPlannerFactory.PostLoginAsync(client, "planner@demo.local", "not-the-password");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("do not match an account", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/briefs")).StatusCode);
    }

    [Theory]
    [InlineData("planner@demo.local", "/briefs", HttpStatusCode.OK)]
    [InlineData("planner@demo.local", "/briefs/new", HttpStatusCode.OK)]
    [InlineData("admin@demo.local", "/briefs", HttpStatusCode.OK)]
    [InlineData("admin@demo.local", "/briefs/new", HttpStatusCode.OK)]
    [InlineData("reviewer@demo.local", "/", HttpStatusCode.OK)]
    [InlineData("reviewer@demo.local", "/Account/Manage", HttpStatusCode.OK)]
    [InlineData("reviewer@demo.local", "/review", HttpStatusCode.OK)]
    [InlineData("reviewer@demo.local", "/training", HttpStatusCode.OK)]
    [InlineData("reviewer@demo.local", "/fine-tuning", HttpStatusCode.OK)]
    [InlineData("admin@demo.local", "/review", HttpStatusCode.OK)]
    [InlineData("admin@demo.local", "/training", HttpStatusCode.OK)]
    [InlineData("admin@demo.local", "/fine-tuning", HttpStatusCode.OK)]
    public async Task Roles_open_the_pages_they_may_use(string email, string path, HttpStatusCode expected)
    {
        var client = await factory.SignInAsync(email);

        var response = await client.GetAsync(path);

        Assert.Equal(expected, response.StatusCode);
    }

    [Theory]
    [InlineData("/briefs")]
    [InlineData("/briefs/new")]
    [InlineData("/api/plans/1/export.csv")]
    public async Task A_reviewer_is_told_a_planning_page_is_not_theirs(string path)
    {
        var client = await factory.SignInAsync("reviewer@demo.local");

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Account/AccessDenied", response.Headers.Location!.AbsolutePath);
        var denied = await client.GetStringAsync("/Account/AccessDenied");
        Assert.Contains("does not have the role this page needs", denied);
    }

    [Theory]
    [InlineData("/review")]
    [InlineData("/training")]
    [InlineData("/fine-tuning")]
    [InlineData("/api/training-data/export")]
    public async Task A_planner_is_told_review_and_training_pages_are_not_theirs(string path)
    {
        var client = await factory.SignInAsync("planner@demo.local");

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Account/AccessDenied", response.Headers.Location!.AbsolutePath);
    }

    [Fact]
    public async Task The_navigation_shows_only_what_the_role_may_use()
    {
        var planner = await (await factory.SignInAsync("planner@demo.local")).GetStringAsync("/");
        var reviewer = await (await factory.SignInAsync("reviewer@demo.local")).GetStringAsync("/");

        Assert.Contains("href=\"briefs/new\"", planner);
        Assert.DoesNotContain("href=\"briefs/new\"", reviewer);
        Assert.DoesNotContain("href=\"briefs\"", reviewer);
        Assert.Contains("href=\"review\"", reviewer);
        Assert.Contains("href=\"fine-tuning\"", reviewer);
        Assert.DoesNotContain("href=\"review\"", planner);
        Assert.DoesNotContain("href=\"training\"", planner);
    }

    [Fact]
    public async Task Self_registration_is_off_by_default_even_for_a_crafted_post()
    {
        var client = factory.CreateBrowserlessClient();
        var page = await client.GetStringAsync("/Account/Register");
        Assert.Contains("Self-registration is turned off", page);

        var response = await client.PostAsync("/Account/Register", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "register",
            // The page has no form when registration is off; antiforgery tokens are per session, so borrow sign-in's.
            ["__RequestVerificationToken"] = MediaPlannerFactory.AntiforgeryToken(await client.GetStringAsync("/Account/Login")),
            ["Input.Email"] = "intruder@example.com",
            ["Input.Password"] = "Intruder!Pass1",
            ["Input.ConfirmPassword"] = "Intruder!Pass1",
        }));

        Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
        var signIn = await MediaPlannerFactory.PostLoginAsync(factory.CreateBrowserlessClient(), "intruder@example.com", "Intruder!Pass1");
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
    }
}
