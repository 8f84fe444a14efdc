using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace MediaPlanner.Domain.Persistence;

/// <summary>Lets `dotnet ef migrations add` build the context without starting the web app.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<PlannerDbContext>
{
    public PlannerDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PlannerDbContext>().UseSqlite(DependencyInjection.DefaultConnectionString).Options);
}
