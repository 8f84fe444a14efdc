using MediaPlanner.Domain.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MediaPlanner.Domain.Persistence.Configurations;

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> b)
    {
        b.ToTable("AuditEntries");
        b.Property(x => x.UserId).HasMaxLength(450);
        b.Property(x => x.UserEmail).HasMaxLength(256);
        b.Property(x => x.Action).HasMaxLength(64);
        b.Property(x => x.EntityType).HasMaxLength(64);
        b.Property(x => x.EntityId).HasMaxLength(300);
        b.Property(x => x.Summary).HasMaxLength(AuditEntry.SummaryMax);
        b.Property(x => x.Before).HasMaxLength(AuditEntry.DetailMax);
        b.Property(x => x.After).HasMaxLength(AuditEntry.DetailMax);
        // No foreign key to the user: the trail must outlive the account it names.
        b.HasIndex(x => x.At);
        b.HasIndex(x => x.Action);
        b.HasIndex(x => x.UserId);
    }
}
