using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MediaPlanner.Domain.Cluster;
using MediaPlanner.Domain.Persistence;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MediaPlanner.Web;

/// <summary>
/// Where this installation's Data Protection keys live and what isolates them. The keys encrypt the auth cookies,
/// antiforgery tokens and the saved provider API keys.
/// </summary>
/// <param name="KeysPath">The key ring's folder; null when the keys live in the database or in memory only (an in-memory database).</param>
/// <param name="Installation">This installation; with keys in files it names the application discriminator, to which every protected payload is bound.</param>
/// <param name="CertificatePath">The certificate that encrypts the keys at rest, when configured.</param>
/// <param name="KeysInDatabase">The key ring is rows of the app's database, shared by every node that uses it.</param>
public sealed record DataProtectionPlacement(string? KeysPath, InstallationIdentity Installation, string? CertificatePath, bool KeysInDatabase = false)
{
    public const string KeysFolderName = "keys";
    public const string InstallationIdSuffix = ".installation-id";

    /// <summary>
    /// The application discriminator. With keys in the database it is the same for every installation: the key ring is
    /// needed before the database can be read (antiforgery takes its protector while the request pipeline is built,
    /// before start-up migrates a new database), and it need not differ, because a ring kept in one installation's
    /// database is that installation's alone — sharing it means sharing the database. The installation id still names
    /// the installation's Redis channels.
    /// </summary>
    public string ApplicationName => KeysInDatabase ? DatabaseKeysApplicationName : $"MediaPlanner/{Installation.Id}";

    public const string DatabaseKeysApplicationName = "MediaPlanner/keys-in-database";

    public bool ProtectedAtRest => CertificatePath is not null;

    /// <summary>
    /// With a SQLite file the key ring goes with the database: DataProtection:KeysPath, else a keys folder beside the
    /// database file. The discriminator is an id created at first start in a file named after the database file, not in
    /// the keys folder, so two installations pointed at one key folder by mistake still cannot read each other's cookies;
    /// and it is stored rather than derived from a path, so moving the data folder keeps sign-ins and saved API keys.
    /// With PostgreSQL (Database:Provider=Postgres), or DataProtection:Store=Database, the keys are rows of the database,
    /// so every node of the installation reads the same ring, and the id is a settings row of that database.
    /// </summary>
    public static DataProtectionPlacement Resolve(IConfiguration configuration, string connectionString)
    {
        var certificate = configuration["DataProtection:CertificatePath"] is { Length: > 0 } path ? Path.GetFullPath(path) : null;
        var configuredPath = configuration["DataProtection:KeysPath"] is { Length: > 0 } configured ? Path.GetFullPath(configured) : null;
        var serverDatabase = string.Equals(configuration["Database:Provider"], "Postgres", StringComparison.OrdinalIgnoreCase);
        var store = configuration["DataProtection:Store"];
        var inDatabase = store switch
        {
            null or "" => serverDatabase && configuredPath is null,
            _ when store.Equals("Database", StringComparison.OrdinalIgnoreCase) => true,
            _ when store.Equals("Files", StringComparison.OrdinalIgnoreCase) => false,
            _ => throw new InvalidOperationException($"DataProtection:Store: '{store}' is neither Files nor Database."),
        };
        if (inDatabase)
            return new(null, InstallationIdentity.StoredInDatabase(), certificate, KeysInDatabase: true);
        if (serverDatabase)
        {
            // The folder every node shares keeps the id too: the discriminator is needed before the database can be read.
            var shared = configuredPath ?? throw new InvalidOperationException(
                "DataProtection:Store=Files with a PostgreSQL database needs DataProtection:KeysPath, a folder every node shares.");
            return new(shared, InstallationIdentity.Known(InstallationId(Path.Combine(shared, "installation"))), certificate);
        }

        var database = DatabaseFile(connectionString);
        var keysPath = configuredPath ?? (database is null ? null : Path.Combine(Path.GetDirectoryName(database)!, KeysFolderName));
        var installation = database is null
            // An in-memory database lives as long as the process, so its name is the installation.
            ? new SqliteConnectionStringBuilder(connectionString).DataSource
            : InstallationId(database);
        return new DataProtectionPlacement(keysPath, InstallationIdentity.Known(installation), certificate);
    }

    /// <summary>The database file's full path, or null for an in-memory database.</summary>
    public static string? DatabaseFile(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        var source = builder.DataSource;
        if (builder.Mode == SqliteOpenMode.Memory || source is "" or ":memory:"
            || (source.StartsWith("file:", StringComparison.OrdinalIgnoreCase) && source.Contains("mode=memory", StringComparison.OrdinalIgnoreCase)))
            return null;
        if (source.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            // A URI filename: file:data.db, file:/srv/data.db or file:///srv/data.db, with options after '?'.
            var uriPath = Uri.UnescapeDataString(source["file:".Length..].Split('?')[0]);
            source = uriPath.StartsWith("//", StringComparison.Ordinal) ? uriPath[2..] : uriPath;
        }
        // Relative to the working directory, as SQLite opens it.
        return Path.GetFullPath(source);
    }

    private static string InstallationId(string database)
    {
        var file = database + InstallationIdSuffix;
        if (File.Exists(file) && File.ReadAllText(file).Trim() is { Length: > 0 } existing)
            return existing;
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var id = Guid.NewGuid().ToString("N");
        try
        {
            // CreateNew: of two processes starting on one new database at once, the second reads the first one's id.
            using var stream = new FileStream(file, FileMode.CreateNew, FileAccess.Write);
            using var writer = new StreamWriter(stream);
            writer.Write(id);
            return id;
        }
        catch (IOException) when (File.Exists(file))
        {
            return File.ReadAllText(file).Trim();
        }
    }

    /// <summary>
    /// Registers Data Protection where <see cref="Resolve"/> places the keys. The web host owns this: the keys protect its
    /// cookies and antiforgery tokens; the domain only asks for an <c>IDataProtectionProvider</c> to encrypt provider keys.
    /// </summary>
    public static void Configure(IHostApplicationBuilder builder)
    {
        var database = DatabaseSettings.From(builder.Configuration);
        // A server database has no folder beside it for the key ring: until one is configured, keys live in memory.
        var placement = Resolve(builder.Configuration, database.Provider == DatabaseProvider.Sqlite ? database.ConnectionString : "Data Source=:memory:");
        builder.Services.AddSingleton(sp => placement.Installation.UseDatabase(sp.GetRequiredService<IDbContextFactory<PlannerDbContext>>()));
        builder.Services.AddSingleton(sp =>
        {
            sp.GetRequiredService<InstallationIdentity>();
            return placement;
        });
        var dataProtection = builder.Services.AddDataProtection().SetApplicationName(placement.ApplicationName);
        if (placement.KeysInDatabase)
            dataProtection.PersistKeysToDbContext<PlannerDbContext>();
        else if (placement.KeysPath is null)
        {
            dataProtection.UseEphemeralDataProtectionProvider();
            return;
        }
        else
            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(placement.KeysPath));
        if (placement.CertificatePath is not null)
            dataProtection.ProtectKeysWithCertificate(LoadCertificate(placement.CertificatePath, builder.Configuration["DataProtection:CertificatePassword"]));
        builder.Services.AddHostedService<DataProtectionStartupReport>();
    }

    /// <summary>A certificate that cannot be read stops start-up: writing new keys unprotected instead would hide it.</summary>
    private static X509Certificate2 LoadCertificate(string path, string? password)
    {
        if (!File.Exists(path))
            throw new InvalidOperationException($"DataProtection:CertificatePath: no certificate file at {path}.");
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password);
        }
        catch (CryptographicException ex)
        {
            throw new InvalidOperationException(
                $"DataProtection:CertificatePath: {path} could not be read as a PKCS#12 (.pfx) file with DataProtection:CertificatePassword ({ex.Message}).", ex);
        }
        if (!certificate.HasPrivateKey)
            throw new InvalidOperationException($"DataProtection:CertificatePath: {path} has no private key, so keys protected with it could not be read back.");
        return certificate;
    }

    /// <summary>Says at start-up where the keys are, and warns outside Development when nothing protects them at rest.</summary>
    private sealed class DataProtectionStartupReport(DataProtectionPlacement placement, IHostEnvironment environment,
        ILogger<DataProtectionPlacement> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            var where = placement.KeysInDatabase ? "the database (table DataProtectionKeys)" : placement.KeysPath;
            if (placement.ProtectedAtRest)
                logger.LogInformation("Data Protection keys are in {KeysPath}, encrypted with the certificate {CertificatePath}.",
                    where, placement.CertificatePath);
            else if (environment.IsDevelopment())
                logger.LogInformation("Data Protection keys are in {KeysPath}, not encrypted at rest.", where);
            else
                logger.LogWarning("Data Protection keys in {KeysPath} are not encrypted at rest: whoever can read them can forge " +
                    "sign-in cookies and decrypt the saved API keys. Set DataProtection:CertificatePath and DataProtection:CertificatePassword " +
                    "to encrypt them with a certificate.", where);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
