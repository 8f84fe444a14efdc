using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MediaPlanner.Domain.Training;

/// <summary>Limits on JSONL imports, from the Training section of configuration.</summary>
public sealed class ImportOptions
{
    public const string SectionName = "Training";
    public const int DefaultMaxImportLineBytes = 1024 * 1024;

    /// <summary>
    /// The longest line an import reads, in bytes. The largest example any supported model trains on is 65,536 tokens:
    /// about 256 KB of English, under 800 KB even as non-Latin text written as \uXXXX escapes, so 1 MB keeps every
    /// trainable example while a longer line (a provider would truncate it anyway) is rejected without being held in memory.
    /// </summary>
    public int MaxImportLineBytes { get; set; } = DefaultMaxImportLineBytes;
}

public static class ImportRegistration
{
    /// <summary>The import limits and the start-up step that marks imports a stopped process left running as interrupted.</summary>
    public static IServiceCollection AddTrainingImports(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ImportOptions>().Bind(configuration.GetSection(ImportOptions.SectionName))
            .Validate(o => o.MaxImportLineBytes is >= 1024 and <= 256 * 1024 * 1024, "Training:MaxImportLineBytes must be between 1 KB and 256 MB.")
            .ValidateOnStart();
        services.AddHostedService<InterruptedImports>();
        return services;
    }
}
