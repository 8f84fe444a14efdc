using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Planning;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace MediaPlanner.Domain.Persistence;

public class PlannerDbContext : IdentityDbContext<ApplicationUser>, IDataProtectionKeyContext
{
    public PlannerDbContext(DbContextOptions<PlannerDbContext> options) : base(options) { }

    /// <summary>For a provider's own context type (<see cref="Postgres.PostgresPlannerDbContext"/>).</summary>
    protected PlannerDbContext(DbContextOptions options) : base(options) { }

    public DbSet<CampaignBrief> Briefs => Set<CampaignBrief>();
    public DbSet<GeneratedPlan> Plans => Set<GeneratedPlan>();
    public DbSet<Market> Markets => Set<Market>();
    public DbSet<CurrencyRate> Currencies => Set<CurrencyRate>();
    public DbSet<ChannelBenchmark> Benchmarks => Set<ChannelBenchmark>();
    public DbSet<Training.TrainingExample> TrainingExamples => Set<Training.TrainingExample>();
    public DbSet<Training.TrainingSummaryCount> TrainingSummaryCounts => Set<Training.TrainingSummaryCount>();
    public DbSet<Training.PreferencePair> PreferencePairs => Set<Training.PreferencePair>();
    public DbSet<Training.ImportRun> ImportRuns => Set<Training.ImportRun>();
    public DbSet<Training.ModelPrice> ModelPrices => Set<Training.ModelPrice>();
    public DbSet<FineTuning.FineTuneJob> FineTuneJobs => Set<FineTuning.FineTuneJob>();
    public DbSet<FineTuning.FineTuneEvent> FineTuneEvents => Set<FineTuning.FineTuneEvent>();
    public DbSet<FineTuning.FineTuneCheckpoint> FineTuneCheckpoints => Set<FineTuning.FineTuneCheckpoint>();
    public DbSet<Models.AppSetting> Settings => Set<Models.AppSetting>();
    public DbSet<Models.ModelDeployment> Deployments => Set<Models.ModelDeployment>();
    public DbSet<Models.ModelCall> ModelCalls => Set<Models.ModelCall>();
    public DbSet<Audit.AuditEntry> AuditEntries => Set<Audit.AuditEntry>();
    public DbSet<Providers.ProviderProfileEntity> ProviderProfiles => Set<Providers.ProviderProfileEntity>();
    public DbSet<Providers.ProviderModelEntity> ProviderModels => Set<Providers.ProviderModelEntity>();
    /// <summary>The Data Protection key ring when keys live in the database (PostgreSQL, or DataProtection:Store=Database).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    // Version 3 adds the passkeys table; fixed here so design-time migrations match the runtime model.
    protected override Version SchemaVersion => Microsoft.AspNetCore.Identity.IdentitySchemaVersions.Version3;

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(PlannerDbContext).Assembly);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        RefuseAuditChanges();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        RefuseAuditChanges();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <summary>The audit trail is append-only: an entry that could be edited or removed would prove nothing.</summary>
    private void RefuseAuditChanges()
    {
        foreach (var entry in ChangeTracker.Entries<Audit.AuditEntry>())
            if (entry.State is EntityState.Modified or EntityState.Deleted)
                throw new InvalidOperationException($"Audit entries are append-only: entry {entry.Entity.Id} cannot be {(entry.State == EntityState.Deleted ? "deleted" : "changed")}.");
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot compare or sort DateTimeOffset and decimal natively; store them as numbers so paging
        // and sorting run in the database. Only there: PostgreSQL keeps money exact (numeric) and times as timestamptz.
        if (!Database.IsSqlite())
            return;
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
        configurationBuilder.Properties<decimal>().HaveConversion<double>();
    }
}
