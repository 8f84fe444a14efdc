using System.Security.Claims;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Planning;

namespace MediaPlanner.Web.Endpoints;

/// <summary>Downloads of a plan: Excel workbook and CSV, for the plan's owner or an admin.</summary>
public static class PlanExportEndpoints
{
    public static IEndpointRouteBuilder MapPlanExportEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/plans").RequireAuthorization(Policies.CanPlan);

        group.MapGet("/{id:int}/export.xlsx", async (int id, ClaimsPrincipal principal, PlanGenerator plans, CancellationToken ct) =>
            await plans.GetAsync(id, CurrentUser.From(principal), ct) is { } view
                ? Results.File(PlanExporter.ToExcel(view.Plan, view.Quality.Score),
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", PlanExporter.FileName(view.Plan, "xlsx"))
                : Results.NotFound());

        group.MapGet("/{id:int}/export.csv", async (int id, ClaimsPrincipal principal, PlanGenerator plans, CancellationToken ct) =>
            await plans.GetAsync(id, CurrentUser.From(principal), ct) is { } view
                ? Results.File(PlanExporter.ToCsv(view.Plan), "text/csv; charset=utf-8", PlanExporter.FileName(view.Plan, "csv"))
                : Results.NotFound());

        return endpoints;
    }
}
