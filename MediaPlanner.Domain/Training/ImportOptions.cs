using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MediaPlanner.Domain.Training;

/// <summary>Limits on JSONL imports, from the Training section of configuration.</summary>
public sealed class ImportOptions
{
    public const string SectionName = "Training";
    public const int DefaultMaxImportLineBytes = 1024 * 1024;
    public const long DefaultMaxImportBytes = 1024L * 1024 * 1024;

    /// <summary>
    /// The longest line an import reads, in bytes. The largest example any supported model trains on is 65,536 tokens:
    /// about 256 KB of English, under 800 KB even as non-Latin text written as \uXXXX escapes, so 1 MB keeps every
    /// trainable example while a longer line (a provider would truncate it anyway) is rejected without being held in memory.
    /// </summary>
    public int MaxImportLineBytes { get; set; } = DefaultMaxImportLineBytes;

    /// <summary>
    /// The largest file one import accepts, in bytes (upload on the training page and the import endpoint). 100,000
    /// typical examples are about 490 MB, so 1 GB leaves room; the file is streamed a line at a time whatever its size.
    /// </summary>
    public long MaxImportBytes { get; set; } = DefaultMaxImportBytes;

    /// <summary>What an upload over <see cref="MaxImportBytes"/> is told, with the setting that raises the limit.</summary>
    public string TooLargeMessage(long? size) =>
        $"The file{(size is { } bytes ? $" is {JsonlLineReader.Size(bytes)}; it" : "")} is over the import limit of {JsonlLineReader.Size(MaxImportBytes)} (Training:MaxImportBytes). "
        + "Split it into smaller files, or ask an admin to raise the limit.";
}

public static class ImportRegistration
{
    /// <summary>The import limits and the start-up step that marks imports a stopped process left running as interrupted.</summary>
    public static IServiceCollection AddTrainingImports(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ImportOptions>().Bind(configuration.GetSection(ImportOptions.SectionName))
            .Validate(o => o.MaxImportLineBytes is >= 1024 and <= 256 * 1024 * 1024, "Training:MaxImportLineBytes must be between 1 KB and 256 MB.")
            .Validate(o => o.MaxImportBytes is >= 1024 and <= 64L * 1024 * 1024 * 1024, "Training:MaxImportBytes must be between 1 KB and 64 GB.")
            .ValidateOnStart();
        services.AddHostedService<InterruptedImports>();
        return services;
    }
}
