using System.Globalization;
using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaPlanner.Domain.Identity;

public sealed record UserFilter(string? Search = null, string? Role = null);

public sealed record UserRow(
    string Id,
    string Email,
    string? DisplayName,
    IReadOnlyList<string> Roles,
    bool Locked,
    DateTimeOffset? LockoutEnd,
    int FailedSignIns,
    DateTimeOffset? LastAuditedAction);

public sealed record NewUser(string? Email, string? DisplayName, string? Password, string? ConfirmPassword, IReadOnlyCollection<string> Roles);

public static class UserFields
{
    public const string Email = nameof(Email);
    public const string DisplayName = nameof(DisplayName);
    public const string Password = nameof(Password);
    public const string ConfirmPassword = nameof(ConfirmPassword);
    public const string Roles = nameof(Roles);
    /// <summary>The form as a whole (<see cref="Result.Form"/>).</summary>
    public const string General = Result.Form;
}

/// <summary>
/// Admins manage accounts: list and search, create, roles, lock and unlock, reset a password, delete. Identity's own
/// validators decide what a valid email and password are. The last admin who can still sign in is never demoted, locked
/// or deleted, and every change is audited. A change to what a user may do (roles, lock, password, deletion) gives them a
/// new security stamp and ends their open sessions through <see cref="SessionRevocations"/>.
/// </summary>
public sealed class UserAdminService(
    IServiceScopeFactory scopes,
    IDbContextFactory<PlannerDbContext> dbFactory,
    AuditLog audit,
    SessionRevocations sessions,
    TimeProvider clock)
{
    public const int DisplayNameMax = 100;

    /// <summary>
    /// An admin's lock has no end date; a lock from failed sign-ins ends within minutes. Compared by year: the stored
    /// value loses sub-millisecond precision, so it no longer equals <see cref="DateTimeOffset.MaxValue"/> when read back.
    /// </summary>
    public static bool IsAdminLock(DateTimeOffset? lockoutEnd) => lockoutEnd?.Year == DateTimeOffset.MaxValue.Year;

    /// <summary>Serialises role and lock changes so two admins cannot both pass the last-admin check at once.</summary>
    private static readonly SemaphoreSlim AdminGate = new(1, 1);

    public async Task<PagedResult<UserRow>> ListAsync(UserFilter filter, int page, int pageSize, CancellationToken ct = default)
    {
        var paging = new PageRequest(page, pageSize).Normalised(200);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = db.Users.AsNoTracking();
        if (filter.Search?.Trim() is { Length: > 0 } search)
        {
            var term = SqlLike.Contains(search);
            query = query.Where(u => EF.Functions.Like(u.Email!.ToLower(), term, "\\") || EF.Functions.Like(u.DisplayName!.ToLower(), term, "\\"));
        }
        if (filter.Role?.Trim() is { Length: > 0 } role)
            query = query.Where(u => db.UserRoles.Any(ur => ur.UserId == u.Id && db.Roles.Any(r => r.Id == ur.RoleId && r.Name == role)));
        var total = await query.CountAsync(ct);
        var users = await query.OrderBy(u => u.NormalizedEmail).ThenBy(u => u.Id)
            .Skip(paging.Skip).Take(paging.Take)
            .Select(u => new { u.Id, u.Email, u.DisplayName, u.LockoutEnd, u.AccessFailedCount })
            .ToListAsync(ct);
        var ids = users.Select(u => u.Id).ToList();
        var roles = await RolesOfAsync(db, ids, ct);
        var lastIds = await db.AuditEntries.Where(a => ids.Contains(a.UserId)).GroupBy(a => a.UserId).Select(g => g.Max(a => a.Id)).ToListAsync(ct);
        var last = await db.AuditEntries.Where(a => lastIds.Contains(a.Id)).ToDictionaryAsync(a => a.UserId, a => a.At, ct);
        var now = clock.GetUtcNow();
        var items = users.Select(u => new UserRow(u.Id, u.Email ?? "", u.DisplayName, roles.GetValueOrDefault(u.Id) ?? [],
                u.LockoutEnd > now, u.LockoutEnd > now ? u.LockoutEnd : null, u.AccessFailedCount,
                last.TryGetValue(u.Id, out var at) ? at : null))
            .ToList();
        return new(items, total);
    }

    public async Task<UserRow?> GetAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var u = await db.Users.AsNoTracking().SingleOrDefaultAsync(x => x.Id == userId, ct);
        if (u is null)
            return null;
        var roles = await RolesOfAsync(db, [u.Id], ct);
        var now = clock.GetUtcNow();
        var lastAt = await db.AuditEntries.Where(a => a.UserId == u.Id).OrderByDescending(a => a.Id).Select(a => (DateTimeOffset?)a.At).FirstOrDefaultAsync(ct);
        return new UserRow(u.Id, u.Email ?? "", u.DisplayName, roles.GetValueOrDefault(u.Id) ?? [], u.LockoutEnd > now,
            u.LockoutEnd > now ? u.LockoutEnd : null, u.AccessFailedCount, lastAt);
    }

    private static async Task<Dictionary<string, List<string>>> RolesOfAsync(PlannerDbContext db, IReadOnlyCollection<string> userIds, CancellationToken ct)
    {
        var rows = await (from ur in db.UserRoles
                          join r in db.Roles on ur.RoleId equals r.Id
                          where userIds.Contains(ur.UserId)
                          select new { ur.UserId, r.Name }).ToListAsync(ct);
        return rows.GroupBy(x => x.UserId).ToDictionary(g => g.Key, g => g.Select(x => x.Name!).OrderBy(RoleOrder).ToList());
    }

    private static readonly List<string> RoleRank = [.. Roles.All];

    private static int RoleOrder(string role) => RoleRank.IndexOf(role) is var i and >= 0 ? i : int.MaxValue;

    public async Task<Result<string>> CreateAsync(NewUser input, CurrentUser actor, CancellationToken ct = default)
    {
        RequireAdmin(actor);
        var errors = new Dictionary<string, List<string>>();
        void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list))
                errors[field] = list = [];
            if (!list.Contains(message))
                list.Add(message);
        }

        var email = input.Email?.Trim() ?? "";
        var displayName = string.IsNullOrWhiteSpace(input.DisplayName) ? null : input.DisplayName.Trim();
        var password = input.Password ?? "";
        if (email.Length == 0)
            Add(UserFields.Email, "Enter the email address the user signs in with.");
        if (displayName is { Length: > DisplayNameMax })
            Add(UserFields.DisplayName, $"A display name is at most {DisplayNameMax} characters.");
        if (password.Length == 0)
            Add(UserFields.Password, "Enter a password.");
        else if (password != input.ConfirmPassword)
            Add(UserFields.ConfirmPassword, "The passwords do not match.");
        var roles = input.Roles.Distinct().ToList();
        if (roles.FirstOrDefault(r => !Roles.All.Contains(r)) is { } unknown)
            Add(UserFields.Roles, $"There is no role called {unknown}.");

        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = displayName };
        // Identity stops at the first failing check (password before user); running the validators here reports every
        // field's problems at once.
        if (email.Length > 0)
            foreach (var validator in users.UserValidators)
                AddIdentityErrors(await validator.ValidateAsync(users, user), Add);
        if (password.Length > 0)
            foreach (var validator in users.PasswordValidators)
                AddIdentityErrors(await validator.ValidateAsync(users, user, password), Add);
        if (errors.Count > 0)
            return Failed(errors);

        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded)
        {
            AddIdentityErrors(created, Add);
            return Failed(errors);
        }
        if (roles.Count > 0)
        {
            var assigned = await users.AddToRolesAsync(user, roles);
            if (!assigned.Succeeded)
                return Result<string>.Fail(UserFields.Roles,
                    $"{email} was created, but the roles could not be assigned: {string.Join(" ", assigned.Errors.Select(e => e.Description))}");
        }
        await audit.RecordAsync(actor, AuditActions.UserCreate, AuditEntities.User, user.Id,
            $"Created user {email}{(displayName is null ? "" : $" ({displayName})")} with {RoleList(roles)}",
            after: AuditLog.Json(new { email, displayName, roles = RoleList(roles) }), ct: ct);
        return Result<string>.Ok(user.Id, $"{email} can now sign in.");
    }

    public async Task<Result> SetRolesAsync(string userId, IReadOnlyCollection<string> roles, CurrentUser actor, CancellationToken ct = default)
    {
        RequireAdmin(actor);
        if (roles.FirstOrDefault(r => !Roles.All.Contains(r)) is { } unknown)
            return Result.Fail(UserFields.Roles, $"There is no role called {unknown}.");
        return await GatedAsync(userId, async (users, user) =>
        {
            var current = (await users.GetRolesAsync(user)).OrderBy(RoleOrder).ToList();
            var wanted = roles.Distinct().OrderBy(RoleOrder).ToList();
            var remove = current.Except(wanted).ToList();
            var add = wanted.Except(current).ToList();
            if (remove.Count == 0 && add.Count == 0)
                return Result.Ok($"{user.Email}'s roles are unchanged.");
            if (remove.Contains(Roles.Admin) && await OtherActiveAdminsAsync(users, user.Id) == 0)
                return Result.Fail(UserFields.Roles, user.Id == actor.Id
                    ? "You are the last admin: make another user an admin before removing your own Admin role."
                    : $"{user.Email} is the last admin who can sign in: make another user an admin first.");

            if (add.Count > 0 && await users.AddToRolesAsync(user, add) is { Succeeded: false } added)
                return Result.Fail(UserFields.Roles, string.Join(" ", added.Errors.Select(e => e.Description)));
            if (remove.Count > 0 && await users.RemoveFromRolesAsync(user, remove) is { Succeeded: false } removed)
                return Result.Fail(UserFields.Roles, string.Join(" ", removed.Errors.Select(e => e.Description)));
            // Sessions carry the roles they signed in with: a new stamp ends them, so no session keeps a removed role
            // and the user signs in again to use an added one.
            await users.UpdateSecurityStampAsync(user);
            sessions.Revoke(user.Id);
            var changes = string.Join("; ", new[]
            {
                add.Count > 0 ? $"added {string.Join(", ", add)}" : null,
                remove.Count > 0 ? $"removed {string.Join(", ", remove)}" : null,
            }.Where(x => x is not null));
            await audit.RecordAsync(actor, AuditActions.UserRoles, AuditEntities.User, user.Id, $"Changed {user.Email}'s roles: {changes}",
                RoleList(current), RoleList(wanted), ct);
            return Result.Ok($"{user.Email} now has {RoleList(wanted)}; their open sessions ended, and they sign in again with these roles.");
        }, ct);
    }

    /// <summary>Locks the account until an admin unlocks it, and ends its current sessions.</summary>
    public async Task<Result> LockAsync(string userId, CurrentUser actor, CancellationToken ct = default)
    {
        RequireAdmin(actor);
        if (userId == actor.Id)
            return Result.Fail(UserFields.General, "You cannot lock your own account: you would be locked out. Another admin has to do it.");
        return await GatedAsync(userId, async (users, user) =>
        {
            if (user.LockoutEnd > clock.GetUtcNow())
                return Result.Fail(UserFields.General, $"{user.Email} is already locked.");
            if (await users.IsInRoleAsync(user, Roles.Admin) && await OtherActiveAdminsAsync(users, user.Id) == 0)
                return Result.Fail(UserFields.General, $"{user.Email} is the last admin who can sign in and cannot be locked.");

            var result = await users.SetLockoutEnabledAsync(user, true);
            if (result.Succeeded)
                result = await users.SetLockoutEndDateAsync(user, DateTimeOffset.MaxValue);
            // A new security stamp makes the user's existing sign-ins fail their next validation.
            if (result.Succeeded)
                result = await users.UpdateSecurityStampAsync(user);
            if (!result.Succeeded)
                return Result.Fail(UserFields.General, string.Join(" ", result.Errors.Select(e => e.Description)));
            sessions.Revoke(user.Id);
            await audit.RecordAsync(actor, AuditActions.UserLock, AuditEntities.User, user.Id, $"Locked {user.Email}", "unlocked", "locked", ct);
            return Result.Ok($"{user.Email} is locked and signed out; they cannot sign in until unlocked.");
        }, ct);
    }

    /// <summary>Lifts a lock, whether an admin set it or too many failed sign-ins did.</summary>
    public async Task<Result> UnlockAsync(string userId, CurrentUser actor, CancellationToken ct = default)
    {
        RequireAdmin(actor);
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = await users.FindByIdAsync(userId);
        if (user is null)
            return Result.Fail(UserFields.General, "That user no longer exists.", ResultStatus.NotFound);
        var lockedUntil = user.LockoutEnd;
        if (!(lockedUntil > clock.GetUtcNow()))
            return Result.Fail(UserFields.General, $"{user.Email} is not locked.");
        var result = await users.SetLockoutEndDateAsync(user, null);
        if (result.Succeeded)
            result = await users.ResetAccessFailedCountAsync(user);
        if (!result.Succeeded)
            return Result.Fail(UserFields.General, string.Join(" ", result.Errors.Select(e => e.Description)));
        var before = IsAdminLock(lockedUntil) ? "locked" : string.Create(CultureInfo.InvariantCulture, $"locked until {lockedUntil:yyyy-MM-dd HH:mm} UTC after failed sign-ins");
        await audit.RecordAsync(actor, AuditActions.UserUnlock, AuditEntities.User, user.Id, $"Unlocked {user.Email}", before, "unlocked", ct);
        return Result.Ok($"{user.Email} can sign in again.");
    }

    /// <summary>Sets a new password through a reset token, as a forgotten-password reset would; their sessions end.</summary>
    public async Task<Result> SetPasswordAsync(string userId, string? password, string? confirmPassword, CurrentUser actor,
        CancellationToken ct = default)
    {
        RequireAdmin(actor);
        if (string.IsNullOrEmpty(password))
            return Result.Fail(UserFields.Password, "Enter the new password.");
        if (password != confirmPassword)
            return Result.Fail(UserFields.ConfirmPassword, "The passwords do not match.");
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = await users.FindByIdAsync(userId);
        if (user is null)
            return Result.Fail(UserFields.General, "That user no longer exists.", ResultStatus.NotFound);
        var token = await users.GeneratePasswordResetTokenAsync(user);
        var result = await users.ResetPasswordAsync(user, token, password);
        if (!result.Succeeded)
        {
            var errors = new Dictionary<string, List<string>>();
            AddIdentityErrors(result, (field, message) =>
            {
                if (!errors.TryGetValue(field, out var list))
                    errors[field] = list = [];
                list.Add(message);
            });
            return Failed(errors);
        }
        // ResetPasswordAsync gave the user a new security stamp.
        sessions.Revoke(user.Id);
        await audit.RecordAsync(actor, AuditActions.UserPassword, AuditEntities.User, user.Id, $"Set a new password for {user.Email}", ct: ct);
        return Result.Ok($"{user.Email}'s password was changed; their open sessions ended.");
    }

    /// <summary>
    /// Deletes an account that owns no briefs (briefs keep their owner: such an account can only be locked), never the
    /// actor's own nor the last admin who can sign in. Its sessions end as a lock's do.
    /// </summary>
    public async Task<Result> DeleteAsync(string userId, CurrentUser actor, CancellationToken ct = default)
    {
        RequireAdmin(actor);
        if (userId == actor.Id)
            return Result.Fail(UserFields.General, "You cannot delete your own account. Another admin has to do it.");
        return await GatedAsync(userId, async (users, user) =>
        {
            var roles = (await users.GetRolesAsync(user)).OrderBy(RoleOrder).ToList();
            if (roles.Contains(Roles.Admin) && await OtherActiveAdminsAsync(users, user.Id) == 0)
                return Result.Fail(UserFields.General, $"{user.Email} is the last admin who can sign in and cannot be deleted.");
            await using (var db = await dbFactory.CreateDbContextAsync(ct))
                if (await db.Briefs.CountAsync(b => b.OwnerId == user.Id, ct) is var briefs and > 0)
                    return OwnsBriefs(user.Email, briefs);

            IdentityResult result;
            try
            {
                result = await users.DeleteAsync(user);
            }
            catch (DbUpdateException)
            {
                // A brief saved between the check and the delete: the foreign key refuses, as it should.
                return OwnsBriefs(user.Email, 1);
            }
            if (!result.Succeeded)
                return Result.Fail(UserFields.General, string.Join(" ", result.Errors.Select(e => e.Description)));
            sessions.Revoke(user.Id);
            await audit.RecordAsync(actor, AuditActions.UserDelete, AuditEntities.User, user.Id, $"Deleted {user.Email}",
                AuditLog.Json(new { email = user.Email, displayName = user.DisplayName, roles = RoleList(roles) }), "deleted", ct);
            return Result.Ok($"{user.Email} was deleted and signed out.");
        }, ct);
    }

    private static Result OwnsBriefs(string? email, int briefs) =>
        Result.Fail(UserFields.General,
            $"{email} owns {briefs} brief{(briefs == 1 ? "" : "s")}, which keep their owner, so the account cannot be deleted. Lock it instead: that ends their access and keeps the briefs.");

    /// <summary>
    /// Runs a change to one user under <see cref="AdminGate"/>, with a user manager of its own scope; "no longer exists"
    /// when the user has gone.
    /// </summary>
    private async Task<Result> GatedAsync(string userId, Func<UserManager<ApplicationUser>, ApplicationUser, Task<Result>> change,
        CancellationToken ct)
    {
        await AdminGate.WaitAsync(ct);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            return await users.FindByIdAsync(userId) is { } user
                ? await change(users, user)
                : Result.Fail(UserFields.General, "That user no longer exists.", ResultStatus.NotFound);
        }
        finally
        {
            AdminGate.Release();
        }
    }

    /// <summary>Admins other than <paramref name="exceptUserId"/> who are not locked out.</summary>
    private async Task<int> OtherActiveAdminsAsync(UserManager<ApplicationUser> users, string exceptUserId)
    {
        var now = clock.GetUtcNow();
        return (await users.GetUsersInRoleAsync(Roles.Admin)).Count(u => u.Id != exceptUserId && !(u.LockoutEnd > now));
    }

    /// <summary>Which field an Identity error belongs to, by its code.</summary>
    public static string FieldFor(IdentityError error) => error.Code switch
    {
        nameof(IdentityErrorDescriber.InvalidEmail) or nameof(IdentityErrorDescriber.DuplicateEmail)
            or nameof(IdentityErrorDescriber.InvalidUserName) or nameof(IdentityErrorDescriber.DuplicateUserName) => UserFields.Email,
        var code when code.StartsWith("Password", StringComparison.Ordinal) => UserFields.Password,
        _ => UserFields.General,
    };

    private static void AddIdentityErrors(IdentityResult result, Action<string, string> add)
    {
        // The user name is the email: "email taken" says it all, without a second "user name taken".
        var duplicateEmail = result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.DuplicateEmail));
        foreach (var error in result.Errors)
            if (!(duplicateEmail && error.Code == nameof(IdentityErrorDescriber.DuplicateUserName)))
                add(FieldFor(error), error.Description);
    }

    private static Result<string> Failed(Dictionary<string, List<string>> errors) =>
        Result<string>.Invalid(errors.ToDictionary(e => e.Key, e => string.Join(" ", e.Value)), string.Join(" ", errors.SelectMany(e => e.Value)));

    private static string RoleList(IReadOnlyCollection<string> roles) => roles.Count == 0 ? "no roles" : string.Join(", ", roles);

    private static void RequireAdmin(CurrentUser user)
    {
        if (!user.IsAdmin)
            throw new UnauthorizedAccessException("Only admins manage users.");
    }
}
