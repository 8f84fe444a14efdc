namespace MediaPlanner.Domain.Identity;

/// <summary>The app's roles. Declared once; pages, endpoints and seeders use these constants.</summary>
public static class Roles
{
    public const string Planner = nameof(Planner);
    public const string Reviewer = nameof(Reviewer);
    public const string Admin = nameof(Admin);

    public static readonly IReadOnlyList<string> All = [Planner, Reviewer, Admin];
}

/// <summary>Authorization policies, named once and registered by <see cref="DependencyInjection"/>.</summary>
public static class Policies
{
    /// <summary>Writes briefs and generates plans: planners, and admins who oversee them.</summary>
    public const string CanPlan = nameof(CanPlan);

    /// <summary>Works the training-data review queue.</summary>
    public const string CanReview = nameof(CanReview);

    public const string AdminOnly = nameof(AdminOnly);

    public static readonly IReadOnlyDictionary<string, string[]> RolesByPolicy = new Dictionary<string, string[]>
    {
        [CanPlan] = [Roles.Planner, Roles.Admin],
        [CanReview] = [Roles.Reviewer, Roles.Admin],
        [AdminOnly] = [Roles.Admin],
    };
}
