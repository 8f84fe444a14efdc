using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Planning;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace MediaPlanner.Domain.Persistence;

public class PlannerDbContext(DbContextOptions<PlannerDbContext> options) : IdentityDbContext<ApplicationUser>(options)
{
    public DbSet<CampaignBrief> Briefs => Set<CampaignBrief>();
    public DbSet<GeneratedPlan> Plans => Set<GeneratedPlan>();
    public DbSet<Market> Markets => Set<Market>();
    public DbSet<CurrencyRate> Currencies => Set<CurrencyRate>();
    public DbSet<ChannelBenchmark> Benchmarks => Set<ChannelBenchmark>();
    public DbSet<Training.TrainingExample> TrainingExamples => Set<Training.TrainingExample>();
    public DbSet<Training.ModelPrice> ModelPrices => Set<Training.ModelPrice>();
    public DbSet<FineTuning.FineTuneJob> FineTuneJobs => Set<FineTuning.FineTuneJob>();
    public DbSet<FineTuning.FineTuneEvent> FineTuneEvents => Set<FineTuning.FineTuneEvent>();
    public DbSet<FineTuning.FineTuneCheckpoint> FineTuneCheckpoints => Set<FineTuning.FineTuneCheckpoint>();
    public DbSet<Models.AppSetting> Settings => Set<Models.AppSetting>();
    public DbSet<Models.ModelDeployment> Deployments => Set<Models.ModelDeployment>();
    public DbSet<Models.ModelCall> ModelCalls => Set<Models.ModelCall>();

    // Version 3 adds the passkeys table; fixed here so design-time migrations match the runtime model.
    protected override Version SchemaVersion => Microsoft.AspNetCore.Identity.IdentitySchemaVersions.Version3;

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(PlannerDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot compare or sort DateTimeOffset and decimal natively; store them as numbers so paging
        // and sorting run in the database.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
        configurationBuilder.Properties<decimal>().HaveConversion<double>();
    }
}
