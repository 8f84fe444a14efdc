using MediaPlanner.Domain.Models;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MediaPlanner.Domain.Persistence.Configurations;

internal sealed class AppSettingConfiguration : IEntityTypeConfiguration<AppSetting>
{
    public void Configure(EntityTypeBuilder<AppSetting> b)
    {
        b.ToTable("AppSettings");
        b.HasKey(x => x.Key);
        b.Property(x => x.Key).HasMaxLength(100);
    }
}

internal sealed class ModelDeploymentConfiguration : IEntityTypeConfiguration<ModelDeployment>
{
    public void Configure(EntityTypeBuilder<ModelDeployment> b)
    {
        b.ToTable("ModelDeployments");
        b.Property(x => x.Provider).HasMaxLength(20);
        b.Property(x => x.Model).HasMaxLength(300);
        b.Property(x => x.BaseModel).HasMaxLength(200);
        b.Property(x => x.Note).HasMaxLength(500);
        b.Property(x => x.OverrideReason).HasMaxLength(500);
        b.Property(x => x.DeploymentName).HasMaxLength(200);
        b.Property(x => x.EndReason).HasMaxLength(500);
        b.HasIndex(x => x.DeployedAt);
    }
}

internal sealed class ModelCallConfiguration : IEntityTypeConfiguration<ModelCall>
{
    public void Configure(EntityTypeBuilder<ModelCall> b)
    {
        b.ToTable("ModelCalls");
        b.Property(x => x.Provider).HasMaxLength(20);
        b.Property(x => x.Model).HasMaxLength(300);
        b.Property(x => x.Role).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.Strategy).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.Reason).HasMaxLength(500);
        b.Property(x => x.FailureCode).HasMaxLength(100);
        b.Property(x => x.FailureReason).HasMaxLength(1000);
        b.HasIndex(x => new { x.Model, x.CreatedAt });
        b.HasIndex(x => x.CreatedAt);
        b.HasIndex(x => new { x.UserId, x.CreatedAt });
    }
}

internal sealed class ProviderProfileConfiguration : IEntityTypeConfiguration<Providers.ProviderProfileEntity>
{
    public void Configure(EntityTypeBuilder<Providers.ProviderProfileEntity> b)
    {
        b.ToTable("ProviderProfiles");
        b.HasKey(x => x.Key);
        b.Property(x => x.Key).HasMaxLength(20);
        b.Property(x => x.Name).HasMaxLength(100);
        b.Property(x => x.Kind).HasConversion<string>().HasMaxLength(30);
        b.Property(x => x.TrainingType).HasConversion<string>().HasMaxLength(30);
        b.Property(x => x.Endpoint).HasMaxLength(500);
        b.Property(x => x.TrainingUnavailableMessage).HasMaxLength(1000);
        b.Property(x => x.ModelsRefreshError).HasMaxLength(1000);
    }
}

internal sealed class ProviderModelConfiguration : IEntityTypeConfiguration<Providers.ProviderModelEntity>
{
    public void Configure(EntityTypeBuilder<Providers.ProviderModelEntity> b)
    {
        b.ToTable("ProviderModels");
        b.Property(x => x.ProviderKey).HasMaxLength(20);
        b.Property(x => x.ModelId).HasMaxLength(300);
        b.Property(x => x.OwnedBy).HasMaxLength(200);
        b.HasIndex(x => new { x.ProviderKey, x.ModelId }).IsUnique();
    }
}
