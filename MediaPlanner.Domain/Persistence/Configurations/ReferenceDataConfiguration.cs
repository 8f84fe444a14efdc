using MediaPlanner.Domain.Markets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MediaPlanner.Domain.Persistence.Configurations;

internal sealed class MarketConfiguration : IEntityTypeConfiguration<Market>
{
    public void Configure(EntityTypeBuilder<Market> b)
    {
        b.ToTable("Markets");
        b.HasKey(x => x.Code);
        b.Property(x => x.Code).HasMaxLength(8);
        b.Property(x => x.Name).HasMaxLength(100);
        b.Property(x => x.DefaultCurrency).HasMaxLength(3);
        b.Property(x => x.Source).HasMaxLength(300);
        b.HasData(SeedReferenceData.Markets);
    }
}

internal sealed class CurrencyConfiguration : IEntityTypeConfiguration<CurrencyRate>
{
    public void Configure(EntityTypeBuilder<CurrencyRate> b)
    {
        b.ToTable("Currencies");
        b.HasKey(x => x.Code);
        b.Property(x => x.Code).HasMaxLength(3);
        b.Property(x => x.Name).HasMaxLength(100);
        b.Property(x => x.Source).HasMaxLength(300);
        b.HasData(SeedReferenceData.Currencies);
    }
}

internal sealed class BenchmarkConfiguration : IEntityTypeConfiguration<ChannelBenchmark>
{
    public void Configure(EntityTypeBuilder<ChannelBenchmark> b)
    {
        b.ToTable("Benchmarks");
        b.Property(x => x.Channel).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.Format).HasMaxLength(100);
        b.Property(x => x.Source).HasMaxLength(300);
        b.Property(x => x.ReachSource).HasMaxLength(300);
        b.HasIndex(x => new { x.Channel, x.Format }).IsUnique();
        b.HasData(SeedReferenceData.Benchmarks);
    }
}
