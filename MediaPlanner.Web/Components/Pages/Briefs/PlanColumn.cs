using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Planning;

namespace MediaPlanner.Web.Components.Pages.Briefs;

/// <summary>One model's column on the brief page: waiting, failed, or its plans with what the call took.</summary>
public sealed record PlanColumn(ModelRole Role, string Model, string Reason, bool IsPrimary, bool Loading, ColumnResult? Result, IReadOnlyList<PlanView> Plans)
{
    public static PlanColumn Waiting(ModelRole role, string model, string reason, bool isPrimary) =>
        new(role, model, reason, isPrimary, true, null, []);

    public static PlanColumn FromPlans(ModelRole role, IReadOnlyList<PlanView> plans) =>
        new(role, plans.FirstOrDefault()?.Entity.Model ?? "", "", false, false, null, plans);

    public double? LatencyMs => Result?.LatencyMs ?? Plans.FirstOrDefault()?.Entity.LatencyMs;
    public int Tokens => Result is { } r ? r.InputTokens + r.OutputTokens : Plans.Sum(p => p.Entity.InputTokens + p.Entity.OutputTokens);
    public decimal Cost => Result?.Cost ?? Plans.Sum(p => p.Entity.Cost);
}
