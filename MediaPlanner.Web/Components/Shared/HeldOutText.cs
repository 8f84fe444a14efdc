using System.Globalization;
using MediaPlanner.Domain.FineTuning.Evaluation;

namespace MediaPlanner.Web.Components.Shared;

/// <summary>Held-out figures in the words the deploy panel, its override dialog and the job page share.</summary>
public static class HeldOutText
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>"0.21 vs base 0.76 · 72 % closer": distance to the validated plans, lower is better.</summary>
    public static string Distance(HeldOutComparison c) =>
        string.Create(C, $"{c.Candidate.MeanDistance:0.00} vs base {c.Base.MeanDistance:0.00} · ") + Change(c.Improvement);

    /// <summary>"80.2 vs base 78.0".</summary>
    public static string Quality(HeldOutComparison c) => string.Create(C, $"{c.Candidate.MeanQuality:0.0} vs base {c.Base.MeanQuality:0.0}");

    public static string Briefs(int briefs) => briefs == 1 ? "1 held-out brief" : $"{briefs} held-out briefs";

    public static string Change(double improvement) => improvement switch
    {
        > 0.005 => string.Create(C, $"{improvement:P0} closer"),
        < -0.005 => string.Create(C, $"{-improvement:P0} further"),
        _ => "no closer",
    };

    public static string Number(double value, string format = "0.00") => value.ToString(format, C);

    public static string Percent(double share) => share.ToString("P0", C);
}
