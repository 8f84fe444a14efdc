using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Infrastructure;
using MediaPlanner.Domain.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MediaPlanner.Domain.Identity;

/// <summary>
/// Applies migrations, creates the roles, the first admin from configuration (Seed:AdminEmail and
/// Seed:AdminPassword) and the demo accounts: in Development, or elsewhere only when Seed:DemoUsers is true.
/// </summary>
public static class DatabaseInitializer
{
    public const string DemoPassword = "Demo!Pass123";

    public static readonly (string Email, string Role, string Name)[] DemoUsers =
    [
        ("planner@demo.local", Roles.Planner, "Pat Planner"),
        ("reviewer@demo.local", Roles.Reviewer, "Riley Reviewer"),
        ("admin@demo.local", Roles.Admin, "Alex Admin"),
    ];

    public static async Task InitializeAsync(IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseInitializer));
        var db = sp.GetRequiredService<PlannerDbContext>();
        if (db.Database.IsNpgsql())
            await CreateHistoryTableAsync(db, logger, ct);
        await db.Database.MigrateAsync(ct);
        // WAL lets readers (pages) and the writer (runner, imports) work at once, and survives a crash mid-write.
        // The mode is stored in the database file, so this only changes something the first time.
        if (db.Database.IsSqlite())
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);

        var roles = sp.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in Roles.All)
            if (!await roles.RoleExistsAsync(role))
                await roles.CreateAsync(new IdentityRole(role));

        var env = sp.GetRequiredService<IHostEnvironment>();
        var config = sp.GetRequiredService<IConfiguration>();
        await EnsureFirstAdminAsync(sp.GetRequiredService<UserManager<ApplicationUser>>(), config, logger);
        if (env.IsDevelopment() || config.GetValue<bool>("Seed:DemoUsers"))
        {
            var users = sp.GetRequiredService<UserManager<ApplicationUser>>();
            foreach (var (email, role, name) in DemoUsers)
                await EnsureUserAsync(users, email, DemoPassword, role, name, logger);
        }
    }

    /// <summary>
    /// On an empty PostgreSQL database EF Core reads the migrations history before creating it and logs the failure as an
    /// error (npgsql/efcore.pg#3407): operators would see an error on every first start. Creating the table first, with
    /// EF's own script, leaves nothing to fail. Two nodes starting at once may race on it: the loser finds it made.
    /// </summary>
    private static async Task CreateHistoryTableAsync(PlannerDbContext db, ILogger logger, CancellationToken ct)
    {
        try
        {
            await db.Database.ExecuteSqlRawAsync(db.GetService<IHistoryRepository>().GetCreateIfNotExistsScript(), ct);
        }
        catch (Npgsql.PostgresException ex) when (ex.SqlState is Npgsql.PostgresErrorCodes.UniqueViolation or Npgsql.PostgresErrorCodes.DuplicateTable)
        {
            logger.LogDebug("Another node created the migrations history table first.");
        }
    }

    /// <summary>
    /// Locks every demo account that exists (their password is published) and ends their sessions, logging each one
    /// with the reason. Returns the emails it found.
    /// </summary>
    public static async Task<IReadOnlyList<string>> DisableDemoUsersAsync(IServiceProvider services, string reason, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var logger = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseInitializer));
        var found = new List<string>();
        foreach (var (email, _, _) in DemoUsers)
        {
            ct.ThrowIfCancellationRequested();
            if (await users.FindByEmailAsync(email) is not { } user)
                continue;
            found.Add(email);
            // SQLite keeps fewer digits of a second than DateTimeOffset.MaxValue has.
            if (user.LockoutEnd?.Year == DateTimeOffset.MaxValue.Year)
            {
                logger.LogWarning("Demo account {Email} stays disabled: {Reason}.", email, reason);
                continue;
            }
            var result = await users.SetLockoutEnabledAsync(user, true);
            if (result.Succeeded)
                result = await users.SetLockoutEndDateAsync(user, DateTimeOffset.MaxValue);
            if (result.Succeeded)
                result = await users.UpdateSecurityStampAsync(user);
            if (result.Succeeded)
                logger.LogWarning("Disabled demo account {Email} (locked, sessions ended): {Reason}. An admin can unlock it on the users page.", email, reason);
            else
                logger.LogError("Could not disable demo account {Email} ({Reason}): {Errors}", email, reason,
                    string.Join(" ", result.Errors.Select(e => e.Description)));
        }
        return found;
    }

    /// <summary>
    /// Without demo users a production install has no way in, so the operator names the first admin in configuration.
    /// Only while no admin exists: once someone is admin, the setting can neither add a second one nor reset a password.
    /// A bad setting is logged and the app starts anyway, so the operator can read the log and fix it.
    /// </summary>
    private static async Task EnsureFirstAdminAsync(UserManager<ApplicationUser> users, IConfiguration config, ILogger logger)
    {
        var email = config["Seed:AdminEmail"]?.Trim();
        if (string.IsNullOrEmpty(email) || (await users.GetUsersInRoleAsync(Roles.Admin)).Count > 0)
            return;
        var password = config["Seed:AdminPassword"];
        if (string.IsNullOrEmpty(password))
        {
            logger.LogError("Seed:AdminEmail is set to {Email} but Seed:AdminPassword is empty; no admin was created.", email);
            return;
        }
        if (await users.FindByEmailAsync(email) is not null)
        {
            // Promoting an existing account from configuration would hand admin to whoever registered that address first.
            logger.LogError("Seed:AdminEmail {Email} belongs to an existing account that is not an admin; it was not promoted and no admin was created.", email);
            return;
        }
        var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = "Administrator" };
        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded)
        {
            // Identity's messages name the rule (length, digit, ...) and never echo the password.
            logger.LogError("Could not create the first admin {Email} from Seed:AdminEmail and Seed:AdminPassword: {Errors} Fix the setting and restart.",
                email, string.Join(" ", created.Errors.Select(e => e.Description)));
            return;
        }
        var promoted = await users.AddToRoleAsync(user, Roles.Admin);
        if (promoted.Succeeded)
            logger.LogInformation("Created the first admin {Email} from configuration.", email);
        else
            logger.LogError("Created {Email} from Seed:AdminEmail but could not make it an admin: {Errors}", email, string.Join(" ", promoted.Errors.Select(e => e.Description)));
    }

    private static async Task EnsureUserAsync(UserManager<ApplicationUser> users, string email, string password, string role,
        string name, ILogger logger)
    {
        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = name };
            var created = await users.CreateAsync(user, password);
            if (!created.Succeeded)
            {
                logger.LogError("Could not create the demo user {Email}: {Errors}", email, string.Join("; ", created.Errors.Select(e => e.Description)));
                return;
            }
            logger.LogInformation("Created demo user {Email} ({Role})", email, role);
        }
        if (!await users.IsInRoleAsync(user, role))
            await users.AddToRoleAsync(user, role);
    }
}
