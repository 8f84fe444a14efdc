using MediaPlanner.Domain;
using MediaPlanner.Domain.Cluster;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Web;
using MediaPlanner.Web.Components;
using MediaPlanner.Web.Components.Account;
using MediaPlanner.Web.Endpoints;
using MediaPlanner.Web.Telemetry;

var builder = WebApplication.CreateBuilder(args);

builder.AddMediaPlannerDomain();
DataProtectionPlacement.Configure(builder);
builder.AddMediaPlannerIdentity();
builder.AddMediaPlannerUi();
builder.AddMediaPlannerHealth();
builder.AddMediaPlannerDeployment();
builder.AddMediaPlannerCluster();
builder.AddMediaPlannerTelemetry();

var app = builder.Build();
// Before the pipeline is built: mapping the hub connects SignalR to Redis, whose channels are named by an id kept in the database.
await DatabaseInitializer.InitializeAsync(app.Services);

app.UseMediaPlannerForwardedHeaders();
app.UseSecurityHeaders();
app.UseRealtimeOriginCheck();
if (app.Environment.IsDevelopment())
    app.UseMigrationsEndPoint();
else
{
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
    app.UseHsts();
    // Health checks from a load balancer or the proxy come over plain http; /healthz reveals no data.
    app.UseWhen(context => !context.Request.Path.StartsWithSegments(HealthEndpoints.Path), https => https.UseHttpsRedirection());
}
app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseAppAssets();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();

app.MapStaticAssets().AllowAnonymous();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
app.MapAdditionalIdentityEndpoints();
app.MapPlanExportEndpoints();
app.MapTrainingDataEndpoints();
// A refused connection must reach the client as 401/403: re-executed as a POST to the not-found page it became a 400.
app.MapHub<MediaPlanner.Web.Hubs.FineTuningHub>(MediaPlanner.Web.Hubs.FineTuningHub.Path)
    .WithMetadata(new Microsoft.AspNetCore.Mvc.SkipStatusCodePagesAttribute());
app.MapMediaPlannerHealth();
app.MapMediaPlannerMetrics();

app.Run();

/// <summary>Entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
