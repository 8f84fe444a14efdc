using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MediaPlanner.Domain.Persistence.Configurations;

internal sealed class BriefConfiguration : IEntityTypeConfiguration<CampaignBrief>
{
    public void Configure(EntityTypeBuilder<CampaignBrief> b)
    {
        b.ToTable("Briefs");
        b.Property(x => x.Brand).HasMaxLength(BriefLimits.ShortTextMax);
        b.Property(x => x.CampaignName).HasMaxLength(BriefLimits.ShortTextMax);
        b.Property(x => x.Currency).HasMaxLength(3);
        b.Property(x => x.MarketCode).HasMaxLength(8);
        b.Property(x => x.Objective).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.Gender).HasConversion<string>().HasMaxLength(10);
        b.Property(x => x.Interests).HasMaxLength(BriefLimits.InterestsMax);
        b.Property(x => x.Kpis).HasMaxLength(BriefLimits.KpisMax);
        b.Property(x => x.Flighting).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.FlightingWeeks).HasMaxLength(BriefLimits.FlightingWeeksMax);
        b.Property(x => x.EffectiveFrequency).HasDefaultValue(BriefLimits.DefaultEffectiveFrequency);
        b.Property(x => x.BriefText).HasMaxLength(BriefLimits.BriefTextMax);
        b.Property(x => x.Channels)
            .HasConversion(
                v => string.Join(',', v),
                v => v.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Enum.Parse<Channel>).ToList(),
                new ValueComparer<List<Channel>>((a, c) => a!.SequenceEqual(c!), v => v.Aggregate(0, (h, x) => HashCode.Combine(h, x)), v => v.ToList()))
            .HasMaxLength(200);
        b.HasOne<ApplicationUser>().WithMany().HasForeignKey(x => x.OwnerId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Markets.Market>().WithMany().HasForeignKey(x => x.MarketCode).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.OwnerId, x.CreatedAt });
        b.HasIndex(x => x.CreatedAt);
        b.Ignore(x => x.AudienceDescription);
    }
}
