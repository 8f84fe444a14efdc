using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Planning;

namespace MediaPlanner.Web.Endpoints;

/// <summary>Downloads of a plan: Excel workbook and CSV, for the plan's owner or an admin.</summary>
public static class PlanExportEndpoints
{
    public static IEndpointRouteBuilder MapPlanExportEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/plans").RequireAuthorization(Policies.CanPlan);

        group.MapGet("/{id:int}/export.xlsx", async (int id, ICurrentUserAccessor users, PlanGenerator plans, CancellationToken ct) =>
        {
            var user = await users.GetAsync();
            if (await plans.GetAsync(id, user, ct) is not { } view)
                return Results.NotFound();
            // The brief's basis adds the flowchart and reach curve sheets; the plan's own sheet never depends on it.
            var basis = await plans.RequestAsync(view.Entity.BriefId, user, ct) is { } request ? PlanBasis.From(request) : null;
            return Results.File(PlanExporter.ToExcel(view.Plan, view.Quality.Score, basis),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", PlanExporter.FileName(view.Plan, "xlsx"));
        });

        group.MapGet("/{id:int}/export.csv", async (int id, ICurrentUserAccessor users, PlanGenerator plans, CancellationToken ct) =>
            await plans.GetAsync(id, await users.GetAsync(), ct) is { } view
                ? Results.File(PlanExporter.ToCsv(view.Plan), "text/csv; charset=utf-8", PlanExporter.FileName(view.Plan, "csv"))
                : Results.NotFound());

        return endpoints;
    }
}
