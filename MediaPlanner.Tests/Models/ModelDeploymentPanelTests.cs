using Bunit;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Persistence;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Domain.Providers;
using MediaPlanner.Tests.Infrastructure;
using MediaPlanner.Web.Components.Pages.Admin;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace MediaPlanner.Tests.Models;

public class ModelDeploymentPanelTests : ComponentTestContext
{
    private const string Better = "local-mix:ft-better";
    private const string Worse = "local-mix:ft-worse";
    private const string Unevaluated = "local-mix:ft-unevaluated";
    private readonly IRenderedComponent<MudDialogProvider> _dialogs;

    public ModelDeploymentPanelTests()
    {
        AddSettings();
        Services.AddSingleton<ProviderProfileService>();
        Services.AddSingleton(MediaMixParameters.Default);
        Services.AddSingleton<ModelRegistry>();
        SignInAs("admin-1", Roles.Admin);
        _dialogs = RenderOverlays();
        Render<MudSnackbarProvider>();
        using var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext();
        db.FineTuneJobs.AddRange(
            Job(Better).Evaluated(HeldOutTestData.Evaluation(Better, 0.21, 80.2)),
            Job(Worse).Evaluated(HeldOutTestData.Evaluation(Worse, 0.78, 76.0)),
            Job(Unevaluated));
        db.SaveChanges();
        db.FineTuneCheckpoints.Add(new FineTuneCheckpoint
        {
            JobId = db.FineTuneJobs.Single(j => j.FineTunedModel == Better).Id, ExternalId = "epoch-3", ModelName = $"{Better}:ckpt-step-12", Step = 12,
            CreatedAt = DateTimeOffset.UtcNow,
        });
        db.SaveChanges();
    }

    private static FineTuneJob Job(string model) => new()
    {
        Provider = FineTuneProviders.Local, BaseModel = "local-mix-v1", Status = FineTuneStatus.Succeeded, FineTunedModel = model,
        ResultParametersJson = (MediaMixParameters.Default with { Name = model.Replace(':', '-') }).ToJson(), CreatedById = "admin-1",
        CreatedAt = DateTimeOffset.UtcNow, FinishedAt = DateTimeOffset.UtcNow, NextAttemptAt = DateTimeOffset.MaxValue,
    };

    private IRenderedComponent<ModelDeploymentPanel> RenderPanel()
    {
        var cut = Render<ModelDeploymentPanel>();
        cut.WaitForElement("[data-testid=model-registry]");
        return cut;
    }

    [Fact]
    public void Each_fine_tuned_model_shows_its_held_out_figures_and_a_chip_next_to_its_deploy_button()
    {
        var cut = RenderPanel();

        var better = cut.Find($"[data-testid='eval-{Better}']").TextContent;
        Assert.Contains("0.21 vs base 0.76 · 72 % closer", better);
        Assert.Contains("quality 80.2 vs base 78.0", better);
        Assert.Contains("24 held-out briefs", better);
        Assert.Equal("Recommended", cut.Find($"[data-testid='eval-chip-{Better}']").TextContent);
        Assert.Contains("0.78 vs base 0.76 · 3 % further", cut.Find($"[data-testid='eval-{Worse}']").TextContent);
        Assert.Equal("Not recommended", cut.Find($"[data-testid='eval-chip-{Worse}']").TextContent);
        Assert.Equal("Not evaluated", cut.Find($"[data-testid='eval-chip-{Unevaluated}']").TextContent);
        // The checkpoints of an evaluated job carry their own figures.
        Assert.Equal("Recommended", cut.Find($"[data-testid='eval-chip-{Better}:ckpt-step-12']").TextContent);
        foreach (var model in new[] { Better, Worse, Unevaluated })
            Assert.NotNull(cut.Find($"[data-testid='model-{model}'] [data-testid='deploy-{model}']"));
    }

    [Fact]
    public void A_deploy_that_throws_shows_an_error_and_leaves_the_buttons_usable()
    {
        using (var db = Services.GetRequiredService<IDbContextFactory<PlannerDbContext>>().CreateDbContext())
            db.Database.ExecuteSqlRaw("CREATE TRIGGER refuse_deploy BEFORE INSERT ON ModelDeployments BEGIN SELECT RAISE(ABORT, 'disk full'); END;");
        var cut = RenderPanel();

        cut.Find($"[data-testid='deploy-{Better}']").Click();
        _dialogs.WaitForAssertion(() => Assert.Contains("Deploy this model?", _dialogs.Markup));
        _dialogs.FindAll("button").First(b => b.TextContent.Trim() == "Deploy").Click();

        cut.WaitForAssertion(() => Assert.Contains(Snackbars, s => s.Severity == Severity.Error));
        Assert.Null(ActiveDeployment());
        Assert.False(cut.Find($"[data-testid='deploy-{Better}']").HasAttribute("disabled"));
    }

    [Fact]
    public void A_recommended_model_deploys_after_the_plain_confirmation()
    {
        var cut = RenderPanel();

        cut.Find($"[data-testid='deploy-{Better}']").Click();
        _dialogs.WaitForAssertion(() => Assert.Contains("Deploy this model?", _dialogs.Markup));
        Assert.Empty(_dialogs.FindAll("#override-reason"));
        _dialogs.FindAll("button").First(b => b.TextContent.Trim() == "Deploy").Click();

        cut.WaitForAssertion(() => Assert.Equal(Better, ActiveDeployment()?.Model));
        Assert.False(ActiveDeployment()!.Override);
    }

    [Fact]
    public void A_model_that_did_not_beat_the_base_model_needs_a_typed_reason_before_deploy_anyway_enables()
    {
        var cut = RenderPanel();

        cut.Find($"[data-testid='deploy-{Worse}']").Click();
        _dialogs.WaitForElement("#override-reason");
        var verdict = _dialogs.Find("[data-testid=override-verdict]").TextContent;
        Assert.Contains("did not improve on the base model", verdict);
        Assert.Contains("did not measure better than the base model on 24 held-out briefs", verdict);
        Assert.True(_dialogs.Find("[data-testid=deploy-anyway]").HasAttribute("disabled"));

        _dialogs.Find("#override-reason").Input("   ");
        Assert.True(_dialogs.Find("[data-testid=deploy-anyway]").HasAttribute("disabled"));
        _dialogs.Find("#override-reason").Input("The pilot client asked for this mix.");
        _dialogs.WaitForAssertion(() => Assert.False(_dialogs.Find("[data-testid=deploy-anyway]").HasAttribute("disabled")));
        _dialogs.Find("[data-testid=deploy-anyway]").Click();

        cut.WaitForAssertion(() => Assert.Equal(Worse, ActiveDeployment()?.Model));
        Assert.True(ActiveDeployment()!.Override);
        Assert.Equal("The pilot client asked for this mix.", ActiveDeployment()!.OverrideReason);
        var snackbar = Assert.Single(Snackbars);
        Assert.Contains("override", snackbar.Message);
        cut.WaitForAssertion(() => Assert.Contains("The pilot client asked for this mix.", cut.Find("[data-testid=active-override]").TextContent));
    }

    [Fact]
    public void A_model_that_was_never_evaluated_says_so_and_cancelling_deploys_nothing()
    {
        var cut = RenderPanel();

        cut.Find($"[data-testid='deploy-{Unevaluated}']").Click();
        _dialogs.WaitForElement("#override-reason");
        Assert.Contains("was not compared with the base model on held-out briefs", _dialogs.Find("[data-testid=override-verdict]").TextContent);
        _dialogs.FindAll("button").First(b => b.TextContent.Trim() == "Cancel").Click();

        _dialogs.WaitForAssertion(() => Assert.Empty(_dialogs.FindAll("#override-reason")));
        Assert.Null(ActiveDeployment());
    }
}
