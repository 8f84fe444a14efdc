using MediaPlanner.Domain.Training;
using System.Net;
using ClosedXML.Excel;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaPlanner.Tests.Briefs;

public class BriefsAndPlansTests(MediaPlannerFactory factory) : IClassFixture<MediaPlannerFactory>
{
    private static BriefInput ValidInput(string brand = "Northwind") => TestBriefs.Input(brand, campaign: "Spring launch", budget: 120_000m, objective: Objective.Consideration,
        start: new DateTime(2027, 3, 1), end: new DateTime(2027, 4, 30), channels: [Channel.Search, Channel.Social, Channel.Display],
        text: "Introduce the new trail shoe to runners before the spring racing season, driving visits to the product page.");

    private async Task<CurrentUser> UserAsync(string email, string role)
    {
        using var scope = factory.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true };
            Assert.True((await users.CreateAsync(user, DatabaseInitializer.DemoPassword)).Succeeded);
            await users.AddToRoleAsync(user, role);
        }
        return new CurrentUser(user.Id, role == Roles.Admin);
    }

    [SkippableFact]
    public async Task A_saved_brief_is_listed_for_its_planner_and_admins_but_not_other_planners()
    {
        var owner = await UserAsync("owner-list@test.local", Roles.Planner);
        var other = await UserAsync("other-list@test.local", Roles.Planner);
        var admin = await UserAsync("admin@demo.local", Roles.Admin);
        using var scope = factory.Services.CreateScope();
        var briefs = scope.ServiceProvider.GetRequiredService<BriefService>();

        var saved = await briefs.CreateAsync(ValidInput("ListedBrand"), owner);

        Assert.True(saved.Succeeded);
        Assert.Contains((await briefs.ListAsync(owner, 0, 10)).Items, b => b.Id == saved.Value);
        Assert.Contains((await briefs.ListAsync(admin, 0, 100)).Items, b => b.Id == saved.Value);
        Assert.DoesNotContain((await briefs.ListAsync(other, 0, 100)).Items, b => b.Id == saved.Value);
        Assert.Null(await briefs.GetAsync(saved.Value, other));
    }

    [SkippableFact]
    public async Task Briefs_are_paged_and_searched_in_the_database()
    {
        var planner = await UserAsync("pager@test.local", Roles.Planner);
        using var scope = factory.Services.CreateScope();
        var briefs = scope.ServiceProvider.GetRequiredService<BriefService>();
        for (var i = 0; i < 12; i++)
            Assert.True((await briefs.CreateAsync(ValidInput($"Pager{i:00}"), planner)).Succeeded);

        var first = await briefs.ListAsync(planner, 0, 5, BriefSort.Brand);
        var third = await briefs.ListAsync(planner, 2, 5, BriefSort.Brand);
        var search = await briefs.ListAsync(planner, 0, 50, search: "Pager1");

        Assert.Equal(12, first.Total);
        Assert.Equal(["Pager00", "Pager01", "Pager02", "Pager03", "Pager04"], first.Items.Select(b => b.Brand));
        Assert.Equal(["Pager10", "Pager11"], third.Items.Select(b => b.Brand));
        Assert.Equal(2, search.Total);
        // SQLite's LIKE ignores case and PostgreSQL's does not: the search must read the same on both.
        Assert.Equal(search.Items.Select(b => b.Id), (await briefs.ListAsync(planner, 0, 50, search: "pAGER1")).Items.Select(b => b.Id));
    }

    [SkippableFact]
    public async Task The_app_runs_on_the_engine_the_fixture_names()
    {
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync();
        Assert.Equal(factory.Engine == TestEngine.Postgres, db.Database.IsNpgsql());
        Assert.Equal(factory.Engine == TestEngine.Sqlite, db.Database.IsSqlite());
        Assert.Contains(await db.Database.GetAppliedMigrationsAsync(), m => m.EndsWith("_Initial", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task The_server_refuses_an_invalid_brief_and_saves_nothing()
    {
        var planner = await UserAsync("invalid@test.local", Roles.Planner);
        using var scope = factory.Services.CreateScope();
        var briefs = scope.ServiceProvider.GetRequiredService<BriefService>();
        var input = ValidInput();
        input.Budget = -5;
        input.MarketCode = "XX";
        input.Channels.Clear();

        var result = await briefs.CreateAsync(input, planner);

        Assert.False(result.Succeeded);
        Assert.Contains(nameof(BriefInput.Budget), result.Errors.Keys);
        Assert.Contains(nameof(BriefInput.MarketCode), result.Errors.Keys);
        Assert.Contains(nameof(BriefInput.Channels), result.Errors.Keys);
        Assert.Equal(0, (await briefs.ListAsync(planner, 0, 10)).Total);
    }

    [SkippableFact]
    public async Task Generated_plans_are_saved_with_the_brief_and_come_back_on_return()
    {
        var planner = await UserAsync("gen@test.local", Roles.Planner);
        using var scope = factory.Services.CreateScope();
        var briefs = scope.ServiceProvider.GetRequiredService<BriefService>();
        var generator = scope.ServiceProvider.GetRequiredService<PlanGenerator>();
        var id = (await briefs.CreateAsync(ValidInput(), planner)).Value;

        var generated = await generator.GenerateAsync(id, planner);
        var reloaded = await generator.LatestPlansAsync(id, planner);

        Assert.Equal(3, generated.Count);
        Assert.Equal(generated.Select(p => p.Entity.Id), reloaded.Select(p => p.Entity.Id));
        Assert.Equal(generated.Select(p => PlanJson.Serialize(p.Plan)), reloaded.Select(p => PlanJson.Serialize(p.Plan)));
        Assert.All(reloaded, p =>
        {
            Assert.Equal("local", p.Entity.Provider);
            Assert.Equal(p.Quality.Score, p.Entity.QualityScore);
            Assert.Equal(7, p.Quality.Criteria.Count);
            Assert.True(p.Entity.LatencyMs > 0);
        });
    }

    [SkippableFact]
    public async Task Generating_again_shows_the_newest_run()
    {
        var planner = await UserAsync("regen@test.local", Roles.Planner);
        using var scope = factory.Services.CreateScope();
        var generator = scope.ServiceProvider.GetRequiredService<PlanGenerator>();
        var id = (await scope.ServiceProvider.GetRequiredService<BriefService>().CreateAsync(ValidInput(), planner)).Value;

        await generator.GenerateAsync(id, planner);
        var second = await generator.GenerateAsync(id, planner);

        Assert.Equal(second.Select(p => p.Entity.Id), (await generator.LatestPlansAsync(id, planner)).Select(p => p.Entity.Id));
    }

    [SkippableFact]
    public async Task A_plan_downloads_as_csv_and_excel_for_its_owner_only()
    {
        var owner = await UserAsync("export-owner@test.local", Roles.Planner);
        await UserAsync("export-other@test.local", Roles.Planner);
        int planId;
        MediaPlan plan;
        using (var scope = factory.Services.CreateScope())
        {
            var id = (await scope.ServiceProvider.GetRequiredService<BriefService>().CreateAsync(ValidInput("Exported"), owner)).Value;
            await using (var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContextAsync())
                await db.Briefs.Where(b => b.Id == id).ExecuteUpdateAsync(u => u.SetProperty(b => b.Flighting, FlightingPattern.Pulsed));
            var view = (await scope.ServiceProvider.GetRequiredService<PlanGenerator>().GenerateAsync(id, owner))[0];
            planId = view.Entity.Id;
            plan = view.Plan;
        }
        var client = await factory.SignInAsync("export-owner@test.local");

        var csv = await client.GetAsync($"/api/plans/{planId}/export.csv");
        var xlsx = await client.GetAsync($"/api/plans/{planId}/export.xlsx");

        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        Assert.Contains(".csv", csv.Content.Headers.ContentDisposition!.FileName);
        var csvLines = (await csv.Content.ReadAsStringAsync()).Trim().Split('\n');
        Assert.Equal(plan.LineItems.Count + 2, csvLines.Length);

        Assert.Equal(HttpStatusCode.OK, xlsx.StatusCode);
        using var workbook = new XLWorkbook(await xlsx.Content.ReadAsStreamAsync());
        Assert.Contains(workbook.Worksheet("Plan").CellsUsed(), c => c.GetString() == plan.LineItems[0].Format);
        // The endpoint loads the brief, so the flowchart follows the brief's pattern and the reach curve is there.
        Assert.StartsWith("Pulsed", workbook.Worksheet("Flowchart").Column(1).CellsUsed().Single(c => c.GetString() == "Flighting").CellRight().GetString());
        Assert.Contains(workbook.Worksheet("Reach curve").CellsUsed(), c => c.GetString() == "◀ this plan");

        var other = await factory.SignInAsync("export-other@test.local");
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/plans/{planId}/export.csv")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await (await factory.SignInAsync("admin@demo.local")).GetAsync($"/api/plans/{planId}/export.csv")).StatusCode);
        var anonymous = await factory.CreateBrowserlessClient().GetAsync($"/api/plans/{planId}/export.csv");
        Assert.NotEqual(HttpStatusCode.OK, anonymous.StatusCode);
    }

    [SkippableFact]
    public async Task A_brief_page_of_another_planner_says_not_found_rather_than_leaking_it()
    {
        var owner = await UserAsync("private-owner@test.local", Roles.Planner);
        await UserAsync("private-other@test.local", Roles.Planner);
        int id;
        using (var scope = factory.Services.CreateScope())
            id = (await scope.ServiceProvider.GetRequiredService<BriefService>().CreateAsync(ValidInput("SecretBrand"), owner)).Value;

        var html = await (await factory.SignInAsync("private-other@test.local")).GetStringAsync($"/briefs/{id}");

        Assert.Contains("Brief not found", html);
        Assert.DoesNotContain("SecretBrand", html);
    }
}

/// <summary>The same tests on PostgreSQL.</summary>
public sealed class BriefsAndPlansOnPostgresTests : BriefsAndPlansTests, IClassFixture<PostgresMediaPlannerFactory>
{
    private readonly PostgresMediaPlannerFactory _factory;

    public BriefsAndPlansOnPostgresTests(PostgresMediaPlannerFactory factory) : base(factory)
    {
        TestServers.SkipUnlessPostgres();
        _factory = factory;
    }

    /// <summary>SQLite stores decimals as doubles (its own workaround); PostgreSQL keeps money exact to the last digit.</summary>
    [SkippableFact]
    public async Task Money_keeps_every_digit_on_PostgreSQL()
    {
        var dbFactory = _factory.Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>();
        var price = 1234567.123456789012345678m;
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            db.ModelPrices.Add(new ModelPrice { Provider = "exact", Model = "exact-model", InputPerMillion = price, OutputPerMillion = 0.1m, Source = "test" });
            db.ModelPrices.Add(new ModelPrice { Provider = "exact", Model = "exact-model-2", InputPerMillion = 0.2m, OutputPerMillion = 0.1m, Source = "test" });
            Assert.Equal("numeric", db.Model.FindEntityType(typeof(ModelPrice))!.FindProperty(nameof(ModelPrice.InputPerMillion))!.GetColumnType());
            await db.SaveChangesAsync();
        }
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            Assert.Equal(price, (await db.ModelPrices.SingleAsync(p => p.Model == "exact-model")).InputPerMillion);
            Assert.Equal(price + 0.2m, await db.ModelPrices.Where(p => p.Provider == "exact").SumAsync(p => p.InputPerMillion));
        }
    }
}
