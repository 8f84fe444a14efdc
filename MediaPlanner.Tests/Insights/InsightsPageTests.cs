using Bunit;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web.Components.Pages.Insights;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaPlanner.Tests.Insights;

public class InsightsPageTests : ComponentTestContext
{
    private const string FineTuned = "ft:gpt-4o-mini-2024-07-18:acme:spring:abc123";
    private const string Unpriced = "gpt-4.1-2025-04-14";

    public InsightsPageTests()
    {
        AddSettings();
        Services.AddSingleton(MediaMixParameters.Default);
        Services.AddSingleton<ModelRegistry>();
        Services.AddScoped<InsightsService>();
        SignInAs("admin-1", Roles.Admin);
    }

    private void Call(string model, bool estimated, decimal cost)
    {
        using var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext();
        db.ModelCalls.Add(new ModelCall
        {
            CreatedAt = DateTimeOffset.UtcNow, UserId = "admin-1", Provider = "openai", Model = model, Reason = "Test.", Succeeded = true,
            LatencyMs = 900, InputTokens = 1_000, OutputTokens = 2_000, Cost = cost, PriceEstimated = estimated,
        });
        db.SaveChanges();
    }

    [Fact]
    public void Estimated_and_unpriced_costs_are_marked_in_the_table_and_named_in_an_alert_pointing_to_the_price_settings()
    {
        Call(FineTuned, estimated: true, cost: 0.00135m);
        Call("gpt-4o-mini-2024-07-18", estimated: false, cost: 0.00135m);
        Call(Unpriced, estimated: false, cost: 0m);

        var cut = Render<InsightsPage>();

        cut.WaitForElement("[data-testid=model-usage]");
        var rows = cut.FindAll("[data-testid=model-usage] tbody tr");
        string Row(string model) => rows.Single(r => r.QuerySelector("td")!.TextContent.Trim() == model).TextContent;
        Assert.Contains("estimated", Row(FineTuned));
        Assert.Contains("no price", Row(Unpriced));
        Assert.DoesNotContain("estimated", Row("gpt-4o-mini-2024-07-18"));
        var alerts = cut.FindAll("[data-testid=insight-alert]").Select(a => a.TextContent).ToList();
        var estimated = Assert.Single(alerts, a => a.Contains(FineTuned, StringComparison.Ordinal));
        Assert.Contains("Add a price row in settings", estimated);
        var unpriced = Assert.Single(alerts, a => a.Contains(Unpriced, StringComparison.Ordinal));
        Assert.Contains("count as free", unpriced);
    }

    [Fact]
    public void Every_money_figure_names_its_currency()
    {
        Call(FineTuned, estimated: false, cost: 0.00135m);

        var cut = Render<InsightsPage>();

        cut.WaitForElement("[data-testid=model-usage]");
        Assert.Equal("USD 0.0014", cut.Find("[data-testid=cost-per-call] span").TextContent.Trim());
        Assert.Contains("Spend: USD 0.00", cut.Markup);
    }

    [Fact]
    public void A_fine_tune_trained_on_this_machine_says_it_cost_nothing_instead_of_a_zero_price()
    {
        using (var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext())
        {
            db.FineTuneJobs.Add(new MediaPlanner.Domain.FineTuning.FineTuneJob
            {
                Provider = MediaPlanner.Domain.FineTuning.FineTuneProviders.Local, BaseModel = "local-mix-v1", CreatedById = "admin-1",
                Status = MediaPlanner.Domain.FineTuning.FineTuneStatus.Succeeded, FineTunedModel = "local-mix:ft-run-1", TrainedTokens = 77_000,
            });
            db.FineTuneJobs.Add(new MediaPlanner.Domain.FineTuning.FineTuneJob
            {
                Provider = "openai", BaseModel = "gpt-4o-mini-2024-07-18", CreatedById = "admin-1", Status = MediaPlanner.Domain.FineTuning.FineTuneStatus.Succeeded,
                FineTunedModel = FineTuned, EstimatedCost = 1.25m,
            });
            db.SaveChanges();
        }

        var cut = Render<InsightsPage>();

        cut.WaitForElement("[data-testid=fine-tune-economics]");
        var rows = cut.FindAll("[data-testid=fine-tune-economics] tbody tr").Select(r => r.TextContent).ToList();
        var local = Assert.Single(rows, r => r.Contains("local-mix:ft-run-1", StringComparison.Ordinal));
        Assert.Contains("No charge (this machine)", local);
        Assert.DoesNotContain("USD", local.Split("local-mix:ft-run-1")[1].Split("calls")[0]);
        Assert.Contains("USD", Assert.Single(rows, r => r.Contains(FineTuned, StringComparison.Ordinal)));
    }
}
