using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Planning;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MediaPlanner.Web.Endpoints;

/// <summary>Downloads of a plan: Excel workbook and CSV, for the plan's owner or an admin.</summary>
public static class PlanExportEndpoints
{
    public static IEndpointRouteBuilder MapPlanExportEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // Typed results mark an endpoint as an API, which in .NET 10 turns the cookie's sign-in redirect into a bare 401/403:
        // these are links a signed-out browser follows, so they keep the redirect they had.
        var group = endpoints.MapGroup("/api/plans").RequireAuthorization(Policies.CanPlan).AllowCookieRedirect();
        group.MapGet("/{id:int}/export.xlsx", ExportExcelAsync);
        group.MapGet("/{id:int}/export.csv", ExportCsvAsync);
        return endpoints;
    }

    public static async Task<Results<FileContentHttpResult, NotFound>> ExportExcelAsync(int id, ICurrentUserAccessor users, PlanGenerator plans, CancellationToken ct)
    {
        var user = await users.GetAsync();
        if (await plans.GetAsync(id, user, ct) is not { } view)
            return TypedResults.NotFound();
        // The brief's basis adds the flowchart and reach curve sheets; the plan's own sheet never depends on it.
        var basis = await plans.RequestAsync(view.Entity.BriefId, user, ct) is { } request ? PlanBasis.From(request) : null;
        return TypedResults.File(PlanExporter.ToExcel(view.Plan, view.Quality.Score, basis),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", PlanExporter.FileName(view.Plan, "xlsx"));
    }

    public static async Task<Results<FileContentHttpResult, NotFound>> ExportCsvAsync(int id, ICurrentUserAccessor users, PlanGenerator plans, CancellationToken ct)
    {
        if (await plans.GetAsync(id, await users.GetAsync(), ct) is not { } view)
            return TypedResults.NotFound();
        return TypedResults.File(PlanExporter.ToCsv(view.Plan), "text/csv; charset=utf-8", PlanExporter.FileName(view.Plan, "csv"));
    }
}
