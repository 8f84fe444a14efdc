using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaPlanner.Tests.FineTuning;

/// <summary>The job list's paging, on a real database: pages follow one another whatever size is asked for.</summary>
public sealed class FineTuneListTests : IAsyncLifetime
{
    private readonly MediaPlannerFactory _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_page_size_over_the_limit_pages_by_the_limit_so_the_second_page_follows_the_first()
    {
        var admin = await _app.DemoUserAsync("admin@demo.local");
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        await using (var db = await _app.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync())
        {
            // Finished jobs, so the runner leaves them alone.
            db.FineTuneJobs.AddRange(Enumerable.Range(0, 150).Select(i => new FineTuneJob
            {
                Provider = FineTuneProviders.Local, BaseModel = "local-mediamix", Status = FineTuneStatus.Failed, CreatedById = admin.Id, CreatedAt = start.AddMinutes(i),
            }));
            await db.SaveChangesAsync();
        }
        using var scope = _app.Services.CreateScope();
        var jobs = scope.ServiceProvider.GetRequiredService<FineTuneService>();

        var first = await jobs.ListAsync(0, 500);
        var second = await jobs.ListAsync(1, 500);

        Assert.Equal(150, second.Total);
        Assert.Equal(100, first.Items.Count);
        Assert.Equal(50, second.Items.Count);
        Assert.Equal(start.AddMinutes(49), second.Items[0].CreatedAt);
        Assert.Empty(first.Items.Select(j => j.Id).Intersect(second.Items.Select(j => j.Id)));
    }
}
