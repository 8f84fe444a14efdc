using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MediaPlanner.Domain.FineTuning.Evaluation;

/// <summary>
/// One model's figures on a job's held-out briefs, from the real planner's output (not a surrogate):
/// <see cref="MeanDistance"/> is the mean L1 distance of the Balanced plan's channel shares to the validated plan's
/// (0 = identical, 2 = disjoint); <see cref="MeanDistanceAllAlternatives"/> the same over every alternative;
/// <see cref="Agreement"/> the mean share of budget placed as the validated plan placed it (Σ min(s, t));
/// <see cref="MeanQuality"/> the quality score (0–100) of the Balanced plans; <see cref="WithinBudgetRate"/> the
/// share of plans whose line spends add up to the budget to the cent. <see cref="GainStdError"/> (for a model compared
/// with the base model on the same briefs) is the standard error of its per-brief distance gain, so a gain within noise
/// is not mistaken for an improvement. <see cref="ValidatedQuality"/> is the quality score of the agency's own validated
/// plans for the same briefs (null when the briefs carry none).
/// </summary>
public sealed record HeldOutFigures(
    int Briefs,
    int Planned,
    double MeanDistance,
    double MeanDistanceAllAlternatives,
    double Agreement,
    double MeanQuality,
    double WithinBudgetRate,
    double? GainStdError = null,
    double? ValidatedQuality = null);

/// <summary>A checkpoint (one per epoch locally) and its held-out figures.</summary>
public sealed record CheckpointEvaluation(string Model, int Epoch, int Step, HeldOutFigures Figures);

/// <summary>How delivered campaign results weighed the training examples.</summary>
public sealed record ResultWeighting(int Examples, int WithResults, double MinWeight, double MeanWeight, double MaxWeight);

/// <summary>Whether planners' preference pairs went into the model: only when they improved the held-out fit.</summary>
public sealed record PreferenceUse(int Pairs, bool Used, double? DistanceWith, double? DistanceWithout);

/// <summary>A model's held-out figures next to the base model's on the same briefs, for deploy and auto selection.</summary>
public sealed record HeldOutComparison(string Model, int Briefs, HeldOutFigures Base, HeldOutFigures Candidate, bool Recommended, string Verdict)
{
    /// <summary>How much closer to the validated plans than the base model (0.4 = 40 % closer; negative = further).</summary>
    public double Improvement => Base.MeanDistance > 0 ? 1 - Candidate.MeanDistance / Base.MeanDistance : 0;
}

/// <summary>
/// A job's evaluation: the base model and every checkpoint on the same held-out briefs, the best checkpoint on
/// held-out fit (the job's result), and a plain verdict. <see cref="Improved"/> is false when the best model does not
/// beat the base model's fit, or loses more than <see cref="QualityTolerance"/> quality points.
/// </summary>
public sealed record JobEvaluation(
    int HeldOutBriefs,
    string Split,
    HeldOutFigures Base,
    IReadOnlyList<CheckpointEvaluation> Checkpoints,
    string? BestModel,
    HeldOutFigures? Best,
    bool Improved,
    string Verdict,
    ResultWeighting? Weighting = null,
    PreferenceUse? Preferences = null)
{
    /// <summary>Quality points a better-fitting model may lose against the base model and still be recommended.</summary>
    public const double QualityTolerance = 2.0;

    /// <summary>Held-out distance a model must gain over the base model to count as better (noise, not skill, below it).</summary>
    public const double MinDistanceGain = 0.005;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static JobEvaluation? FromJson(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
            return null;
        try
        {
            return JsonSerializer.Deserialize<JobEvaluation>(json, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string FiguresToJson(HeldOutFigures figures) => JsonSerializer.Serialize(figures, Json);

    public static HeldOutFigures? FiguresFromJson(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
            return null;
        try
        {
            return JsonSerializer.Deserialize<HeldOutFigures>(json, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Standard errors a distance gain must clear, on the per-brief differences, to count as real.</summary>
    public const double Significance = 2;

    /// <summary>
    /// Whether <paramref name="candidate"/> beats <paramref name="baseFigures"/>: a closer fit by more than
    /// <see cref="MinDistanceGain"/> and, where the per-brief spread is known, by more than two standard errors; quality
    /// within tolerance.
    /// </summary>
    public static bool Beats(HeldOutFigures candidate, HeldOutFigures baseFigures) =>
        candidate.Planned > 0 && Closer(candidate, baseFigures) && !WithinNoise(candidate, baseFigures)
        && candidate.MeanQuality >= QualityFloor(candidate, baseFigures) - QualityTolerance;

    /// <summary>
    /// The quality a better-fitting model must keep: the base model's, or the agency's own validated plans' on the same
    /// briefs when those score lower. The quality score judges things a brief may not ask for (the objective's default KPI,
    /// effective frequency by convention); a model that plans in the agency's style as well as the agency does is doing what
    /// it was trained for, and the verdict says what it gives up against the base model.
    /// </summary>
    public static double QualityFloor(HeldOutFigures candidate, HeldOutFigures baseFigures) =>
        (baseFigures.ValidatedQuality ?? candidate.ValidatedQuality) is { } validated
            ? Math.Min(baseFigures.MeanQuality, validated)
            : baseFigures.MeanQuality;

    private static bool Closer(HeldOutFigures candidate, HeldOutFigures baseFigures) =>
        candidate.MeanDistance < baseFigures.MeanDistance - MinDistanceGain;

    private static bool WithinNoise(HeldOutFigures candidate, HeldOutFigures baseFigures) =>
        candidate.GainStdError is { } se && baseFigures.MeanDistance - candidate.MeanDistance <= Significance * se;

    /// <summary>The verdict in plain words for <paramref name="candidate"/> against the base model.</summary>
    public static string VerdictFor(string model, HeldOutFigures candidate, HeldOutFigures baseFigures)
    {
        var c = CultureInfo.InvariantCulture;
        var fit = string.Create(c, $"held-out distance to the validated plans {candidate.MeanDistance:0.00} vs the base model's {baseFigures.MeanDistance:0.00}");
        var quality = string.Create(c, $"quality {candidate.MeanQuality:0.0} vs {baseFigures.MeanQuality:0.0}");
        if (candidate.Planned == 0)
            return $"{model} could not plan the held-out briefs — not recommended for deployment.";
        if (!Closer(candidate, baseFigures))
            return $"{model} did not improve on the base model: {fit}, {quality} (on {candidate.Briefs} held-out briefs) — not recommended for deployment.";
        if (WithinNoise(candidate, baseFigures))
            return string.Create(c, $"{model} did not clearly improve on the base model: {fit} is a gain within noise (±{Significance * candidate.GainStdError!.Value:0.00} on {candidate.Briefs} held-out briefs), {quality} — not recommended for deployment.");
        var validated = baseFigures.ValidatedQuality ?? candidate.ValidatedQuality;
        if (candidate.MeanQuality < QualityFloor(candidate, baseFigures) - QualityTolerance)
            return validated is { } v && v < baseFigures.MeanQuality
                ? string.Create(c, $"{model} fits the validated plans better ({fit}) but its {quality} is more than {QualityTolerance:0} points lower than the base model's and than your validated plans' {v:0.0} — not recommended for deployment.")
                : $"{model} fits the validated plans better ({fit}) but its {quality} is more than {QualityTolerance:0} points lower — not recommended for deployment.";
        var closer = baseFigures.MeanDistance > 0 ? 1 - candidate.MeanDistance / baseFigures.MeanDistance : 0;
        // Said plainly when the style costs quality against the base model: the admin deploys knowing the trade.
        var tradeOff = candidate.MeanQuality < baseFigures.MeanQuality - QualityTolerance && validated is { } level
            ? string.Create(c, $" Its quality is below the base model's but not below your validated plans' {level:0.0}: it plans in your agency's style, which the benchmark figures rate lower.")
            : "";
        return string.Create(c, $"{model} is {closer:P0} closer to the validated plans than the base model: {fit}, {quality} (on {candidate.Briefs} held-out briefs) — recommended.{tradeOff}");
    }

    /// <summary>The comparison for one model of this job (its final model or a checkpoint), or null when it was not evaluated.</summary>
    public HeldOutComparison? For(string model)
    {
        var figures = Checkpoints.FirstOrDefault(c => c.Model == model)?.Figures
            ?? (model == BestModel ? Best : null);
        if (figures is null)
            return null;
        return new(model, HeldOutBriefs, Base, figures, Beats(figures, Base), VerdictFor(model, figures, Base));
    }
}
