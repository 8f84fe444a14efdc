using System.Net;
using System.Text.RegularExpressions;
using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace MediaPlanner.Tests.Identity;

/// <summary>Counts password checks, so a test can see that an unknown email costs a hash like a known one.</summary>
public sealed class CountingPasswordHasher : IPasswordHasher<ApplicationUser>
{
    private readonly PasswordHasher<ApplicationUser> _inner = new();
    private int _verifications;

    public int Verifications => Volatile.Read(ref _verifications);

    public string HashPassword(ApplicationUser user, string password) => _inner.HashPassword(user, password);

    public PasswordVerificationResult VerifyHashedPassword(ApplicationUser user, string hashedPassword, string providedPassword)
    {
        Interlocked.Increment(ref _verifications);
        return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
    }
}

/// <summary>The app with self-registration on and a counting password hasher.</summary>
public sealed class AccountHardeningFactory : MediaPlannerFactory
{
    public CountingPasswordHasher Hasher { get; } = new();

    public AccountHardeningFactory() => Settings["Identity:AllowSelfRegistration"] = "true";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<IPasswordHasher<ApplicationUser>>(Hasher));
    }
}

/// <summary>Sign-in, change-password and registration as an outsider or a session thief would probe them.</summary>
public class AccountHardeningTests(AccountHardeningFactory factory) : IClassFixture<AccountHardeningFactory>
{
    private const string Password = "Right!Pass-2027";

    private async Task<ApplicationUser> UserAsync(string email)
    {
        using var scope = factory.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true };
        Assert.True((await users.CreateAsync(user, Password)).Succeeded);
        Assert.True((await users.AddToRoleAsync(user, Roles.Planner)).Succeeded);
        return user;
    }

    private async Task<bool> IsLockedOutAsync(string email)
    {
        using var scope = factory.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        return await users.IsLockedOutAsync((await users.FindByEmailAsync(email))!);
    }

    /// <summary>Fills in and posts the form on <paramref name="url"/>, as a browser would.</summary>
    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string url, string handler, Dictionary<string, string> fields)
    {
        var page = await client.GetStringAsync(url);
        var form = new Dictionary<string, string>(fields)
        {
            ["_handler"] = handler,
            ["__RequestVerificationToken"] = MediaPlannerFactory.AntiforgeryToken(page),
        };
        return await client.PostAsync(url, new FormUrlEncodedContent(form));
    }

    private static Task<HttpResponseMessage> SignInAsync(HttpClient client, string email, string password, string url = "/Account/Login") =>
        PostFormAsync(client, url, "login", new() { ["Input.Email"] = email, ["Input.Password"] = password });

    /// <summary>The page as an outsider compares it: without what is new on every request (token, nonce, protected state) and what they typed.</summary>
    private static async Task<string> ShapeAsync(HttpResponseMessage response, string email, string password) =>
        Regex.Replace((await response.Content.ReadAsStringAsync()).Replace(email, "EMAIL", StringComparison.Ordinal).Replace(password, "PASSWORD", StringComparison.Ordinal),
            "name=\"__RequestVerificationToken\" value=\"[^\"]+\"|nonce=\"[^\"]+\"|Component-State:[^-]+-->", "PER-REQUEST");

    [Fact]
    public async Task An_unknown_email_a_wrong_password_and_a_locked_account_get_the_same_answer_after_a_password_check()
    {
        await UserAsync("known@hardening.test");
        await UserAsync("locked@hardening.test");
        using (var scope = factory.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            await users.SetLockoutEndDateAsync((await users.FindByEmailAsync("locked@hardening.test"))!, DateTimeOffset.MaxValue);
        }
        var client = factory.CreateBrowserlessClient();
        var attempts = new[] { ("nobody@hardening.test", "Wrong!Pass-1"), ("known@hardening.test", "Wrong!Pass-1"), ("locked@hardening.test", Password) };

        var answers = new List<(HttpResponseMessage Response, string Shape, int Checks)>();
        foreach (var (email, password) in attempts)
        {
            var before = factory.Hasher.Verifications;
            var response = await SignInAsync(client, email, password);
            answers.Add((response, await ShapeAsync(response, email, password), factory.Hasher.Verifications - before));
        }

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Response.StatusCode));
        Assert.All(answers, a => Assert.Null(a.Response.Headers.Location));
        Assert.All(answers, a => Assert.Contains("do not match an account, or the account is locked", a.Shape));
        Assert.Equal(answers[0].Shape, answers[1].Shape);
        Assert.Equal(answers[0].Shape, answers[2].Shape);
        Assert.Equal([1, 1, 1], answers.Select(a => a.Checks));
    }

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example")]
    [InlineData("/\\evil.example")]
    [InlineData("/\t/evil.example")]
    [InlineData("javascript:alert(1)")]
    public async Task A_foreign_return_url_sends_a_signed_in_user_to_the_home_page(string returnUrl)
    {
        var email = $"return-{Guid.NewGuid():N}@hardening.test";
        await UserAsync(email);
        var client = factory.CreateBrowserlessClient();

        var response = await SignInAsync(client, email, Password, "/Account/Login?ReturnUrl=" + Uri.EscapeDataString(returnUrl));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var target = new Uri(client.BaseAddress!, response.Headers.Location!);
        Assert.Equal(client.BaseAddress!.Authority, target.Authority);
        Assert.Equal("/", target.AbsolutePath);
    }

    [Fact]
    public async Task A_local_return_url_is_still_followed()
    {
        var email = $"return-{Guid.NewGuid():N}@hardening.test";
        await UserAsync(email);
        var client = factory.CreateBrowserlessClient();

        var response = await SignInAsync(client, email, Password, "/Account/Login?ReturnUrl=" + Uri.EscapeDataString("/briefs?page=2"));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/briefs?page=2", new Uri(client.BaseAddress!, response.Headers.Location!).PathAndQuery);
    }

    [Fact]
    public async Task Five_wrong_current_passwords_on_change_password_lock_the_account_and_sign_it_out()
    {
        const string email = "changer@hardening.test";
        await UserAsync(email);
        var client = factory.CreateBrowserlessClient();
        Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync(client, email, Password)).StatusCode);
        const string Url = "/Account/Manage/ChangePassword";
        Assert.Contains("After 5 wrong current passwords in a row the account is locked for 5 minutes", await client.GetStringAsync(Url));

        var answers = new List<HttpResponseMessage>();
        for (var attempt = 1; attempt <= 5; attempt++)
            answers.Add(await PostFormAsync(client, Url, "change-password", new()
            {
                ["Input.OldPassword"] = $"Guess!Pass-{attempt}",
                ["Input.NewPassword"] = "Stolen!Pass-2027",
                ["Input.ConfirmPassword"] = "Stolen!Pass-2027",
            }));

        foreach (var answer in answers.Take(4))
        {
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Contains("Incorrect password", await answer.Content.ReadAsStringAsync());
        }
        Assert.Equal(HttpStatusCode.Redirect, answers[4].StatusCode);
        Assert.Equal("/Account/Login", answers[4].Headers.Location!.AbsolutePath);
        Assert.True(await IsLockedOutAsync(email));
        Assert.Contains("Too many wrong current passwords", await client.GetStringAsync("/Account/Login"));
        Assert.Equal("/Account/Login", (await client.GetAsync(Url)).Headers.Location!.AbsolutePath);
        Assert.Equal(HttpStatusCode.OK, (await SignInAsync(factory.CreateBrowserlessClient(), email, Password)).StatusCode);
    }

    [Fact]
    public async Task A_right_current_password_changes_it_and_clears_earlier_wrong_guesses()
    {
        const string email = "rightchange@hardening.test";
        var user = await UserAsync(email);
        var client = factory.CreateBrowserlessClient();
        Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync(client, email, Password)).StatusCode);
        const string Url = "/Account/Manage/ChangePassword";

        var wrong = await PostFormAsync(client, Url, "change-password", new()
        {
            ["Input.OldPassword"] = "Guess!Pass-1", ["Input.NewPassword"] = "Next!Pass-2027", ["Input.ConfirmPassword"] = "Next!Pass-2027",
        });
        var right = await PostFormAsync(client, Url, "change-password", new()
        {
            ["Input.OldPassword"] = Password, ["Input.NewPassword"] = "Next!Pass-2027", ["Input.ConfirmPassword"] = "Next!Pass-2027",
        });

        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        using var scope = factory.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var stored = (await users.FindByIdAsync(user.Id))!;
        Assert.Equal(0, await users.GetAccessFailedCountAsync(stored));
        Assert.True(await users.CheckPasswordAsync(stored, "Next!Pass-2027"));
    }

    [Fact]
    public async Task A_self_registered_account_is_audited_with_its_email_and_no_password()
    {
        const string email = "newcomer@hardening.test";
        const string NewPassword = "Newcomer!Pass-2027";
        var client = factory.CreateBrowserlessClient();

        var response = await PostFormAsync(client, "/Account/Register", "register", new()
        {
            ["Input.Email"] = email, ["Input.Password"] = NewPassword, ["Input.ConfirmPassword"] = NewPassword,
        });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var entries = (await factory.Services.GetRequiredService<AuditLog>().QueryAsync(new AuditFilter(Action: AuditActions.UserCreate), 0, 200)).Items;
        var entry = Assert.Single(entries, e => e.Summary.Contains(email));
        Assert.Contains("User registered", entry.Summary);
        Assert.Equal(email, entry.UserEmail);
        Assert.Equal(entry.UserId, entry.EntityId);
        Assert.Contains(email, entry.After);
        Assert.DoesNotContain(NewPassword, entry.Summary + entry.Before + entry.After);
    }
}
