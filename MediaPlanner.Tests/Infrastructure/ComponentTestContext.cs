using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MudBlazor;
using MudBlazor.Services;
using MediaPlanner.Web;

namespace MediaPlanner.Tests.Infrastructure;

/// <summary>bUnit context with MudBlazor, a signed-in planner and a real (in-memory, migrated) SQLite database.</summary>
public abstract class ComponentTestContext : BunitContext, IAsyncLifetime
{
    // MudBlazor registers services that only dispose asynchronously; xunit v2 calls this before Dispose.
    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();

    private readonly SqliteConnection _connection = new("Data Source=:memory:");

    protected ComponentTestContext()
    {
        // The suite runs test classes in parallel on two cores next to a browser; bUnit's 1 s default is too tight.
        DefaultWaitTimeout = TimeSpan.FromSeconds(10);
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices(options => options.PopoverOptions.CheckForPopoverProvider = false);
        _connection.Open();
        Services.AddDbContextFactory<PlannerDbContext>(o => o.UseSqlite(_connection));
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<AuditLog>();
        Services.AddScoped<BriefService>();
        using (var db = new PlannerDbContext(new DbContextOptionsBuilder<PlannerDbContext>().UseSqlite(_connection).Options))
            db.Database.Migrate();
        Auth = AddAuthorization();
        Services.AddCurrentUserAccessor();
    }

    protected BunitAuthorizationContext Auth { get; }

    /// <summary>The open in-memory database, for tests that wrap the context factory.</summary>
    protected SqliteConnection Connection => _connection;

    /// <summary>The fine-tuning service and what it needs beside the database: wakeup, training settings, the local base model.</summary>
    protected void AddFineTuneService()
    {
        Services.AddSingleton(new MediaPlanner.Domain.FineTuning.FineTuneWakeup());
        Services.AddSingleton(new MediaPlanner.Domain.Training.TrainingSettings(MediaPlanner.Tests.Infrastructure.TestData.OpenAIBaseModel));
        Services.AddSingleton(MediaPlanner.Domain.Providers.Local.MediaMixParameters.Default);
        Services.AddScoped<MediaPlanner.Domain.FineTuning.FineTuneService>();
    }

    /// <summary>What the training page needs beside the database: validator, training settings, training data and preference pairs.</summary>
    protected void AddTrainingDataServices()
    {
        Services.AddSingleton<MediaPlanner.Domain.Training.ExampleValidator>();
        Services.AddSingleton(new MediaPlanner.Domain.Training.TrainingSettings(MediaPlanner.Tests.Infrastructure.TestData.OpenAIBaseModel));
        Services.AddScoped<MediaPlanner.Domain.Training.TrainingDataService>();
        Services.AddScoped<MediaPlanner.Domain.Training.PreferencePairService>();
        AddFineTuneService();
        AddSettings();
    }

    /// <summary>The settings service over an ephemeral key ring, as pages that read a setting need it.</summary>
    protected void AddSettings()
    {
        Services.TryAddSingleton<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>(new Microsoft.AspNetCore.DataProtection.EphemeralDataProtectionProvider());
        if (!Services.Any(d => d.ServiceType == typeof(MediaPlanner.Domain.Models.SettingsStore)))
            MediaPlanner.Domain.Models.SettingsServiceCollectionExtensions.AddMediaPlannerSettings(Services);
    }

    protected void SignInAs(string userId, params string[] roles)
    {
        using (var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext())
        {
            db.Users.Add(new ApplicationUser { Id = userId, UserName = $"{userId}@test.local", Email = $"{userId}@test.local" });
            db.SaveChanges();
        }
        Auth.SetAuthorized(userId);
        Auth.SetRoles(roles);
        // AuthorizeView Policy="…" needs the policies this user satisfies, as the real policy table would grant them.
        Auth.SetPolicies([.. Policies.RolesByPolicy.Where(p => p.Value.Intersect(roles).Any()).Select(p => p.Key)]);
        // Set last: in bUnit 2 setting roles rebuilds the principal without earlier custom claims.
        Auth.SetClaims(new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.NameIdentifier, userId));
    }

    /// <summary>
    /// The popover and dialog providers the app's layout hosts, rendered once: menus, selects and dialogs open into them.
    /// Returns the dialog provider, whose markup holds an open dialog.
    /// </summary>
    protected IRenderedComponent<MudDialogProvider> RenderOverlays()
    {
        Render<MudPopoverProvider>();
        return Render<MudDialogProvider>();
    }

    /// <summary>The snackbars shown so far, newest last.</summary>
    protected IEnumerable<Snackbar> Snackbars => Services.GetRequiredService<ISnackbar>().ShownSnackbars;

    /// <summary>The deployment in force now, read from the database, or null when the base model plans alone.</summary>
    protected MediaPlanner.Domain.Models.ModelDeployment? ActiveDeployment()
    {
        using var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext();
        return db.Deployments.SingleOrDefault(d => d.EndedAt == null);
    }

    /// <summary>Types into a field as a user does: Mud inputs listen to change, or to input when Immediate; then leaves it.</summary>
    protected static void Type<TComponent>(IRenderedComponent<TComponent> cut, string selector, string value) where TComponent : IComponent
    {
        var input = cut.Find(selector);
        if (input.HasAttribute("blazor:oninput"))
            input.Input(value);
        else
            input.Change(value);
        cut.Find(selector).Blur();
    }

    /// <summary>The text of a field's whole control: its label, helper text and error message.</summary>
    protected static string FieldText<TComponent>(IRenderedComponent<TComponent> cut, string selector) where TComponent : IComponent =>
        cut.Find(selector).Closest(".mud-input-control")!.TextContent;

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
            _connection.Dispose();
    }
}
