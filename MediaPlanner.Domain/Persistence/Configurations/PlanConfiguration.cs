using MediaPlanner.Domain.Planning;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MediaPlanner.Domain.Persistence.Configurations;

internal sealed class PlanConfiguration : IEntityTypeConfiguration<GeneratedPlan>
{
    public void Configure(EntityTypeBuilder<GeneratedPlan> b)
    {
        b.ToTable("Plans");
        b.Property(x => x.Provider).HasMaxLength(40);
        b.Property(x => x.Model).HasMaxLength(200);
        b.Property(x => x.StrategyName).HasMaxLength(100);
        b.HasOne(x => x.Brief).WithMany().HasForeignKey(x => x.BriefId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => new { x.BriefId, x.CreatedAt });
        b.Property(x => x.Role).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.Version).HasDefaultValue(1);
        b.HasOne<GeneratedPlan>().WithMany().HasForeignKey(x => x.OriginalPlanId).OnDelete(DeleteBehavior.Cascade);
        b.Ignore(x => x.IsEdited);
    }
}
