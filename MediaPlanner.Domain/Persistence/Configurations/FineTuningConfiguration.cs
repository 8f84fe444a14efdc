using MediaPlanner.Domain.FineTuning;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MediaPlanner.Domain.Persistence.Configurations;

internal sealed class FineTuneJobConfiguration : IEntityTypeConfiguration<FineTuneJob>
{
    public void Configure(EntityTypeBuilder<FineTuneJob> b)
    {
        b.ToTable("FineTuneJobs");
        b.Property(x => x.Provider).HasMaxLength(20);
        b.Property(x => x.BaseModel).HasMaxLength(200);
        b.Property(x => x.Suffix).HasMaxLength(64);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.ExternalId).HasMaxLength(100);
        b.Property(x => x.TrainingFileId).HasMaxLength(100);
        b.Property(x => x.ValidationFileId).HasMaxLength(100);
        b.Property(x => x.FineTunedModel).HasMaxLength(300);
        b.Property(x => x.ErrorCode).HasMaxLength(100);
        b.Property(x => x.ErrorMessage).HasMaxLength(2000);
        b.Property(x => x.ErrorParam).HasMaxLength(200);
        b.Property(x => x.LeaseOwner).HasMaxLength(100);
        b.Property(x => x.LastEventCursor).HasMaxLength(100);
        b.Property(x => x.Verdict).HasMaxLength(1000);
        b.Property(x => x.UnreachableReason).HasMaxLength(1000);
        b.Property(x => x.FineTunedDeployment).HasMaxLength(200);
        b.Ignore(x => x.IsFinished);
        b.Ignore(x => x.Hyperparameters);
        b.HasIndex(x => new { x.Status, x.NextAttemptAt });
        b.HasIndex(x => x.CreatedAt);
    }
}

internal sealed class FineTuneEventConfiguration : IEntityTypeConfiguration<FineTuneEvent>
{
    public void Configure(EntityTypeBuilder<FineTuneEvent> b)
    {
        b.ToTable("FineTuneEvents");
        b.Property(x => x.ExternalId).HasMaxLength(100);
        b.Property(x => x.Level).HasMaxLength(20);
        b.Property(x => x.Message).HasMaxLength(4000);
        // A replayed or re-polled event is recognised by its id and never stored twice.
        b.HasIndex(x => new { x.JobId, x.ExternalId }).IsUnique();
        b.HasOne<FineTuneJob>().WithMany().HasForeignKey(x => x.JobId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class FineTuneCheckpointConfiguration : IEntityTypeConfiguration<FineTuneCheckpoint>
{
    public void Configure(EntityTypeBuilder<FineTuneCheckpoint> b)
    {
        b.ToTable("FineTuneCheckpoints");
        b.Property(x => x.ExternalId).HasMaxLength(100);
        b.Property(x => x.ModelName).HasMaxLength(300);
        b.HasIndex(x => new { x.JobId, x.ExternalId }).IsUnique();
        b.HasOne<FineTuneJob>().WithMany().HasForeignKey(x => x.JobId).OnDelete(DeleteBehavior.Cascade);
    }
}
