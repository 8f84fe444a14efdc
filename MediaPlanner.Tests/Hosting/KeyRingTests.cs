using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MediaPlanner.Tests.Hosting;

/// <summary>
/// One installation, one key ring: keys beside the database, a stored per-installation discriminator, and keys
/// encrypted at rest with a certificate when one is configured. Every installation here lives in a temp folder.
/// </summary>
public sealed class KeyRingTests : IDisposable
{
    private const string Admin = "admin@demo.local";
    private readonly string _root = Directory.CreateTempSubdirectory("mp-keyring-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    private string Database(string installation) => Path.Combine(_root, installation, "mediaplanner.db");

    private MediaPlannerFactory Installation(string name, params (string Key, string Value)[] settings)
    {
        var app = MediaPlannerFactory.ForDatabase($"Data Source={Database(name)}");
        foreach (var (key, value) in settings)
            app.Settings[key] = value;
        return app;
    }

    private static async Task<HttpResponseMessage> GetWithCookieAsync(MediaPlannerFactory app, string path, string cookie)
    {
        var client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", cookie);
        return await client.SendAsync(request);
    }

    private static void AssertSentToSignIn(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Account/Login", response.Headers.Location!.AbsolutePath);
    }

    [Fact]
    public async Task An_admin_cookie_from_one_installation_cannot_open_the_users_page_of_another_and_survives_its_own_restart()
    {
        string cookie;
        await using (var a = Installation("a"))
        {
            cookie = await a.SignInCookieAsync(Admin);
            Assert.Equal(HttpStatusCode.OK, (await GetWithCookieAsync(a, "/admin/users", cookie)).StatusCode);
        }
        await using var b = Installation("b");

        var onB = await GetWithCookieAsync(b, "/admin/users", cookie);
        var briefsOnB = await GetWithCookieAsync(b, "/briefs", cookie);

        AssertSentToSignIn(onB);
        AssertSentToSignIn(briefsOnB);
        Assert.True(Directory.EnumerateFiles(Path.Combine(_root, "a", "keys"), "key-*.xml").Any(), "No key beside installation a's database.");
        Assert.True(Directory.EnumerateFiles(Path.Combine(_root, "b", "keys"), "key-*.xml").Any(), "No key beside installation b's database.");
        // The same installation started again reads its own cookie: the key ring and the discriminator are stored.
        await using var aAgain = Installation("a");
        Assert.Equal(HttpStatusCode.OK, (await GetWithCookieAsync(aAgain, "/admin/users", cookie)).StatusCode);
    }

    [Fact]
    public async Task Two_installations_pointed_at_one_keys_folder_by_mistake_still_refuse_each_others_cookies()
    {
        var shared = Path.Combine(_root, "shared-keys");
        await using var a = Installation("a", ("DataProtection:KeysPath", shared));
        await using var b = Installation("b", ("DataProtection:KeysPath", shared));
        var cookie = await a.SignInCookieAsync(Admin);
        _ = b.Services; // b starts, reading the same key ring

        var onB = await GetWithCookieAsync(b, "/admin/users", cookie);
        var onA = await GetWithCookieAsync(a, "/admin/users", cookie);

        AssertSentToSignIn(onB);
        Assert.Equal(HttpStatusCode.OK, onA.StatusCode);
        Assert.NotEqual(a.Services.GetRequiredService<DataProtectionPlacement>().ApplicationName,
            b.Services.GetRequiredService<DataProtectionPlacement>().ApplicationName);
        Assert.False(Directory.Exists(Path.Combine(_root, "a", "keys")), "Keys were written beside the database although DataProtection:KeysPath was set.");
        Assert.True(File.Exists(Database("a") + DataProtectionPlacement.InstallationIdSuffix));
    }

    [Fact]
    public async Task With_a_certificate_configured_keys_are_encrypted_at_rest_read_back_after_a_restart_and_no_warning_is_logged()
    {
        // The certificate is made by the README's own openssl commands, its folder moved to this test's.
        var readme = Repository.Readme;
        var keysSection = readme[readme.IndexOf("### Keys: one installation", StringComparison.Ordinal)..];
        var commands = Regex.Match(keysSection, "```bash\n(.*?)```", RegexOptions.Singleline).Groups[1].Value.Replace("/etc/mediaplanner", _root, StringComparison.Ordinal);
        var certificate = Regex.Match(commands, @"DataProtection__CertificatePath=(\S+)").Groups[1].Value;
        var password = Regex.Match(commands, @"DataProtection__CertificatePassword=(\S+)").Groups[1].Value;
        Assert.StartsWith(_root, certificate, StringComparison.Ordinal);
        using (var openssl = Process.Start(new ProcessStartInfo("bash", ["-ec", commands]) { WorkingDirectory = _root, RedirectStandardError = true })!)
        {
            var errors = await openssl.StandardError.ReadToEndAsync();
            await openssl.WaitForExitAsync();
            Assert.True(openssl.ExitCode == 0, $"The README's certificate commands failed: {errors}");
        }
        string cookie;
        var database = Database("protected");
        await using (var app = ProductionFactory.OnDatabaseFile(database))
        {
            app.Settings["DataProtection:CertificatePath"] = certificate;
            app.Settings["DataProtection:CertificatePassword"] = password;
            cookie = await app.SignInCookieAsync(ProductionFactory.AdminEmail, ProductionFactory.AdminPassword);

            Assert.Contains(app.Logs, l => l.Level == LogLevel.Information && l.Message.Contains("encrypted with the certificate", StringComparison.Ordinal));
            Assert.DoesNotContain(app.Logs, l => l.Level >= LogLevel.Warning && l.Message.Contains("not encrypted at rest", StringComparison.Ordinal));
            Assert.DoesNotContain(app.Logs, l => l.Message.Contains(password, StringComparison.Ordinal));
        }
        var keys = Directory.GetFiles(Path.Combine(_root, "protected", "keys"), "key-*.xml");
        Assert.NotEmpty(keys);
        foreach (var key in keys)
        {
            var xml = await File.ReadAllTextAsync(key);
            Assert.Contains("encryptedSecret", xml, StringComparison.Ordinal);
            Assert.Contains("EncryptedXmlDecryptor", xml, StringComparison.Ordinal);
            Assert.Contains("X509Certificate", xml, StringComparison.Ordinal);
            Assert.DoesNotContain("<masterKey", xml, StringComparison.Ordinal);
        }

        await using var restarted = ProductionFactory.OnDatabaseFile(database);
        restarted.Settings["DataProtection:CertificatePath"] = certificate;
        restarted.Settings["DataProtection:CertificatePassword"] = password;
        var response = await GetWithCookieAsync(restarted, "/admin/users", cookie);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Production_warns_at_start_up_when_the_keys_are_not_protected_at_rest()
    {
        await using var app = ProductionFactory.OnDatabaseFile(Database("plain"));

        _ = app.Services;

        var warning = Assert.Single(app.Logs, l => l.Level == LogLevel.Warning && l.Message.Contains("not encrypted at rest", StringComparison.Ordinal));
        Assert.Contains(Path.Combine(_root, "plain", "keys"), warning.Message);
        Assert.Contains("DataProtection:CertificatePath", warning.Message);
    }

    [Fact]
    public async Task A_certificate_that_cannot_be_read_stops_start_up_with_the_setting_named()
    {
        var notACertificate = Path.Combine(_root, "not-a-certificate.pfx");
        await File.WriteAllTextAsync(notACertificate, "not a certificate");
        await using var missing = ProductionFactory.OnDatabaseFile(Database("missing"));
        missing.Settings["DataProtection:CertificatePath"] = Path.Combine(_root, "nowhere.pfx");
        await using var garbled = ProductionFactory.OnDatabaseFile(Database("garbled"));
        garbled.Settings["DataProtection:CertificatePath"] = notACertificate;

        var noFile = Assert.ThrowsAny<Exception>(() => missing.Services);
        var notReadable = Assert.ThrowsAny<Exception>(() => garbled.Services);

        Assert.Contains("DataProtection:CertificatePath: no certificate file at", Flatten(noFile));
        Assert.Contains("could not be read as a PKCS#12", Flatten(notReadable));
    }

    private static string Flatten(Exception ex) => ex.InnerException is null ? ex.Message : ex.Message + " " + Flatten(ex.InnerException);

    [Theory]
    [InlineData("Data Source=/srv/mp/mediaplanner.db", "/srv/mp/mediaplanner.db")]
    [InlineData("Data Source=file:/srv/mp/mediaplanner.db?cache=shared", "/srv/mp/mediaplanner.db")]
    [InlineData("Data Source=file:///srv/mp/media%20planner.db", "/srv/mp/media planner.db")]
    [InlineData("Data Source=:memory:", null)]
    [InlineData("Data Source=file:mp-1?mode=memory&cache=shared", null)]
    [InlineData("Data Source=mp;Mode=Memory;Cache=Shared", null)]
    public void The_database_file_is_found_in_every_form_of_connection_string(string connectionString, string? expected)
    {
        Assert.Equal(expected, DataProtectionPlacement.DatabaseFile(connectionString));
    }

    [Fact]
    public void A_relative_database_puts_its_keys_beside_it_and_an_in_memory_one_keeps_them_in_memory()
    {
        var none = new ConfigurationBuilder().Build();

        var relative = DataProtectionPlacement.Resolve(none, $"Data Source={Path.GetRelativePath(Environment.CurrentDirectory, Database("relative"))}");
        var inMemory = DataProtectionPlacement.Resolve(none, "Data Source=file:mp-placement?mode=memory&cache=shared");

        Assert.Equal(Path.Combine(_root, "relative", "keys"), relative.KeysPath);
        Assert.Equal($"MediaPlanner/{File.ReadAllText(Database("relative") + DataProtectionPlacement.InstallationIdSuffix)}", relative.ApplicationName);
        Assert.Null(inMemory.KeysPath);
        Assert.False(inMemory.ProtectedAtRest);
    }
}
