using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.FineTuning.Local;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers.Local;
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
        var connectionString = builder.Configuration.GetConnectionString("MediaPlanner") ?? DefaultConnectionString;
        builder.Services.AddDbContextFactory<PlannerDbContext>(options => options.UseSqlite(connectionString));

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(MediaMixParameters.Default);
        builder.Services.AddSingleton<IPlanProvider, LocalPlanProvider>();
        builder.Services.AddSingleton<PlanQualityEvaluator>();
        builder.Services.AddScoped<BriefService>();
        builder.Services.AddScoped<PlanGenerator>();

        builder.Services.AddSingleton(TrainingSettings.From(builder.Configuration));
        builder.Services.AddSingleton<ExampleValidator>();
        builder.Services.AddScoped<TrainingCollector>();
        builder.Services.AddScoped<ReviewService>();
        builder.Services.AddScoped<TrainingDataService>();

        builder.Services.Configure<FineTuneRunnerOptions>(builder.Configuration.GetSection("FineTuning:Runner"));
        builder.Services.AddSingleton<FineTuneNotifications>();
        builder.Services.AddSingleton<FineTuneWakeup>();
        builder.Services.AddOptions<OpenAIOptions>().Bind(builder.Configuration.GetSection(OpenAIOptions.SectionName));
        builder.Services.AddSingleton<OpenAIClientFactory>();
        builder.Services.AddSingleton<IFineTuneBackend, LocalFineTuneBackend>();
        builder.Services.AddSingleton<IFineTuneBackend, OpenAIFineTuneBackend>();
        builder.Services.AddScoped<FineTuneService>();
        builder.Services.AddSingleton<FineTuneRunner>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<FineTuneRunner>());

        builder.Services.AddAuthorizationBuilder().AddMediaPlannerPolicies();
        return builder;
    }

    public static Microsoft.AspNetCore.Authorization.AuthorizationBuilder AddMediaPlannerPolicies(
        this Microsoft.AspNetCore.Authorization.AuthorizationBuilder authorization)
    {
        foreach (var (policy, roles) in Policies.RolesByPolicy)
            authorization.AddPolicy(policy, p => p.RequireAuthenticatedUser().RequireRole(roles));
        return authorization;
    }
}
