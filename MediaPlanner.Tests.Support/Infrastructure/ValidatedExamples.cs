using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Domain.Training;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaPlanner.Tests.Infrastructure;

/// <summary>Validated training examples from real engine plans over varied briefs, stored straight into an app's database.</summary>
public static class ValidatedExamples
{
    public static async Task SeedAsync(IServiceProvider services, int count, string brandPrefix = "Seeded", ExampleStatus status = ExampleStatus.Validated)
    {
        var factory = services.GetRequiredService<IDbContextFactory<PlannerDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        for (var i = 0; i < count; i++)
        {
            var (brief, example) = Example(i, brandPrefix);
            db.TrainingExamples.Add(new TrainingExample
            {
                Source = ExampleSource.Imported, Status = status, Brand = brief.Brand, Objective = brief.Objective,
                MarketCode = "US", MessagesJson = example.ToJsonLine(), ContentHash = ContentHash.Of(example), TokenCount = 1_100,
                CreatedAt = DateTimeOffset.UtcNow,
            });
        }
        await db.SaveChangesAsync();
    }

    /// <summary>The same examples as JSONL lines, as an import file holds them; each line is distinct.</summary>
    public static IReadOnlyList<string> Lines(int count, string brandPrefix = "Imported") =>
        Enumerable.Range(0, count).Select(i => Example(i, brandPrefix).Example.ToJsonLine()).ToList();

    private static (CampaignBrief Brief, ChatExample Example) Example(int i, string brandPrefix)
    {
        var objectives = Enum.GetValues<Objective>();
        var brief = TestData.Brief(budget: 40_000m + 7_500m * i, objective: objectives[i % objectives.Length]);
        brief.Brand = $"{brandPrefix} {i}";
        var plan = new LocalMediaMixEngine(MediaMixParameters.Default).Generate(TestData.Request(brief))[i % 2];
        return (brief, PromptRenderer.Example(brief, SeedReferenceData.Markets[0], plan));
    }
}
