using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Persistence.Postgres;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers.OpenAI;
using MediaPlanner.Domain.Training;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MediaPlanner.Domain;

public static class DependencyInjection
{
    public const string DefaultConnectionString = "Data Source=mediaplanner.db";

    /// <summary>The domain: persistence, providers and services.</summary>
    public static IHostApplicationBuilder AddMediaPlannerDomain(this IHostApplicationBuilder builder)
    {
        var database = DatabaseSettings.From(builder.Configuration);
        builder.Services.AddSingleton(database);
        builder.Services.AddPlannerDatabase(database);

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<Telemetry.PlannerMetrics>();
        builder.Services.AddSingleton<AuditLog>();
        builder.Services.AddScoped<UserAdminService>();
        builder.Services.AddSingleton<SessionRevocations>();
        builder.Services.AddSingleton(MediaMixParameters.Default);
        builder.Services.AddSingleton<IPlanProvider, LocalPlanProvider>();
        builder.Services.AddSingleton<IPlanProvider, OpenAIPlanProvider>();
        builder.Services.AddSingleton<PlanQualityEvaluator>();
        builder.Services.AddScoped<BriefService>();
        builder.Services.AddScoped<PlanGenerator>();
        builder.Services.AddScoped<PlanEditService>();
        builder.Services.AddSingleton<ModelRegistry>();
        builder.Services.AddScoped<ModelSelector>();
        builder.Services.AddScoped<InsightsService>();

        // One for the app, read live: a base model saved in settings applies at once, also on pages already open; none
        // chosen: the provider's current model list decides.
        builder.Services.AddSingleton(sp => new TrainingSettings(() =>
            sp.GetRequiredService<MediaPlanner.Domain.Providers.ModelCatalog>().BaseModelFor(FineTuneProviders.OpenAI) ?? ""));
        builder.Services.AddSingleton<ExampleValidator>();
        builder.Services.AddScoped<TrainingCollector>();
        builder.Services.AddScoped<ReviewService>();
        builder.Services.AddScoped<TrainingDataService>();
        builder.Services.AddTrainingImports(builder.Configuration);
        builder.Services.AddScoped<PreferencePairService>();

        builder.Services.Configure<FineTuneRunnerOptions>(builder.Configuration.GetSection("FineTuning:Runner"));
        builder.Services.AddSingleton<FineTuneNotifications>();
        builder.Services.AddSingleton<FineTuneWakeup>();
        builder.Services.AddOptions<OpenAIOptions>().Bind(builder.Configuration.GetSection(OpenAIOptions.SectionName));
        builder.Services.AddMediaPlannerSettings();
        builder.Services.AddSingleton<MediaPlanner.Domain.Providers.ProviderProfileService>();
        builder.Services.AddSingleton<OpenAIClientFactory>();
        builder.Services.AddOptions<MediaPlanner.Domain.Providers.ModelCatalogOptions>()
            .Bind(builder.Configuration.GetSection(MediaPlanner.Domain.Providers.ModelCatalogOptions.SectionName))
            .Validate(o => o.Validate().Count == 0, "Providers:ModelRefreshInterval must be between a minute and 30 days.");
        builder.Services.AddSingleton<MediaPlanner.Domain.Providers.ModelCatalog>();
        builder.Services.AddSingleton<MediaPlanner.Domain.Providers.ModelCatalogRefresher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MediaPlanner.Domain.Providers.ModelCatalogRefresher>());
        builder.Services.AddSingleton<IFineTuneBackend, LocalFineTuneBackend>();
        builder.Services.AddSingleton<IFineTuneBackend, OpenAIFineTuneBackend>();
        builder.Services.AddScoped<FineTuneService>();
        builder.Services.AddSingleton<FineTuneRunner>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<FineTuneRunner>());

        return builder;
    }

    /// <summary>
    /// <see cref="IDbContextFactory{PlannerDbContext}"/> (and a scoped <see cref="PlannerDbContext"/> for Identity) over the
    /// configured engine. On PostgreSQL the context is <see cref="PostgresPlannerDbContext"/>, which carries its own migrations.
    /// </summary>
    public static IServiceCollection AddPlannerDatabase(this IServiceCollection services, DatabaseSettings database)
    {
        switch (database.Provider)
        {
            case DatabaseProvider.Postgres:
                services.AddDbContextFactory<PostgresPlannerDbContext>(options => options.UseNpgsql(database.ConnectionString));
                services.AddSingleton<IDbContextFactory<PlannerDbContext>, PostgresContextFactory>();
                services.AddScoped<PlannerDbContext>(sp => sp.GetRequiredService<PostgresPlannerDbContext>());
                break;
            default:
                services.AddDbContextFactory<PlannerDbContext>(options => options.UseSqlite(database.ConnectionString));
                break;
        }
        return services;
    }
}
