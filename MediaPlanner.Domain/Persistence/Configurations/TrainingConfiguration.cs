using MediaPlanner.Domain.Training;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MediaPlanner.Domain.Persistence.Configurations;

internal sealed class TrainingExampleConfiguration : IEntityTypeConfiguration<TrainingExample>
{
    public void Configure(EntityTypeBuilder<TrainingExample> b)
    {
        // EF must know the table has triggers: SQLite's RETURNING does not see what AFTER triggers do (SummaryTriggers).
        b.ToTable("TrainingExamples", t => t.HasTrigger(SummaryTriggers.Name));
        b.Property(x => x.Source).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.Objective).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.MarketCode).HasMaxLength(8);
        b.Property(x => x.Model).HasMaxLength(200);
        b.Property(x => x.Brand).HasMaxLength(200);
        b.Property(x => x.ContentHash).HasMaxLength(64);
        b.Property(x => x.RejectionReason).HasMaxLength(1000);
        b.Property(x => x.Version).IsConcurrencyToken();
        // One original per content; duplicates are stored too, flagged and pointing at it.
        b.HasIndex(x => x.ContentHash).IsUnique().HasFilter("\"DuplicateOfId\" IS NULL");
        b.HasOne<TrainingExample>().WithMany().HasForeignKey(x => x.DuplicateOfId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Briefs.CampaignBrief>().WithMany().HasForeignKey(x => x.BriefId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<Planning.GeneratedPlan>().WithMany().HasForeignKey(x => x.PlanId).OnDelete(DeleteBehavior.SetNull);
        b.HasIndex(x => new { x.Status, x.CreatedAt });
        b.HasIndex(x => x.CreatedAt);
        b.HasIndex(x => x.PlanId);
        b.HasOne<ImportRun>().WithMany().HasForeignKey(x => x.ImportRunId).OnDelete(DeleteBehavior.SetNull);
        b.HasIndex(x => x.ImportRunId);
        // The summary's one read of examples: validated originals over a model's token cap (few), found by range.
        b.HasIndex(x => new { x.Status, x.DuplicateOfId, x.TokenCount, x.HasErrors }).HasDatabaseName("IX_TrainingExamples_OverCap");
        b.HasIndex(x => x.Model);
        // The queue sorts by brand within a status; without this it sorts 100,000 rows for one page.
        b.HasIndex(x => new { x.Status, x.Brand });
        // The queue's default order (newest first, all statuses): PostgreSQL otherwise sorts every row for one page.
        b.HasIndex(x => new { x.CreatedAt, x.Id });
    }
}

internal sealed class TrainingSummaryCountConfiguration : IEntityTypeConfiguration<TrainingSummaryCount>
{
    public void Configure(EntityTypeBuilder<TrainingSummaryCount> b)
    {
        b.ToTable("TrainingSummaryCounts");
        b.HasKey(x => new { x.IsDuplicate, x.Status, x.HasErrors, x.Objective, x.MarketCode, x.Model });
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.Objective).HasMaxLength(20);
        b.Property(x => x.MarketCode).HasMaxLength(8);
        b.Property(x => x.Model).HasMaxLength(200);
    }
}

internal sealed class ImportRunConfiguration : IEntityTypeConfiguration<ImportRun>
{
    public void Configure(EntityTypeBuilder<ImportRun> b)
    {
        b.ToTable("ImportRuns");
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.FileName).HasMaxLength(260);
        b.Property(x => x.Message).HasMaxLength(1000);
        b.HasIndex(x => x.StartedAt);
        b.HasIndex(x => x.Status);
    }
}

internal sealed class ModelPriceConfiguration : IEntityTypeConfiguration<ModelPrice>
{
    public void Configure(EntityTypeBuilder<ModelPrice> b)
    {
        b.ToTable("ModelPrices");
        b.HasKey(x => new { x.Provider, x.Model });
        b.Property(x => x.Provider).HasMaxLength(20);
        b.Property(x => x.Model).HasMaxLength(300);
        b.Property(x => x.Source).HasMaxLength(300);
        b.HasData(ModelPrice.Seed);
    }
}

internal sealed class PreferencePairConfiguration : IEntityTypeConfiguration<Training.PreferencePair>
{
    public void Configure(EntityTypeBuilder<Training.PreferencePair> b)
    {
        b.ToTable("PreferencePairs");
        b.Property(x => x.ChosenModel).HasMaxLength(300);
        b.Property(x => x.RejectedModel).HasMaxLength(300);
        b.Property(x => x.ChosenStrategy).HasMaxLength(100);
        b.Property(x => x.RejectedStrategy).HasMaxLength(100);
        // A choice is recorded once: the same chosen/passed-over pair is never stored twice.
        b.HasIndex(x => new { x.ChosenPlanId, x.RejectedPlanId }).IsUnique();
        b.HasIndex(x => x.ExampleId);
        b.HasIndex(x => x.CreatedAt);
    }
}
