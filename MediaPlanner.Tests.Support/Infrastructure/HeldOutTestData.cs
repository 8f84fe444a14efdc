using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.FineTuning.Evaluation;

namespace MediaPlanner.Tests.Infrastructure;

/// <summary>Held-out evaluations shaped as the local learner stores them, for seeding finished jobs.</summary>
public static class HeldOutTestData
{
    public const int Briefs = 24;

    public static readonly HeldOutFigures BaseFigures = new(Briefs, Briefs, 0.76, 0.80, 0.62, 78.0, 1.0);

    public static HeldOutFigures Figures(double distance, double quality = 78.5, double withinBudget = 1.0) =>
        new(Briefs, Briefs, distance, distance + 0.04, 1 - distance / 2, quality, withinBudget);

    /// <summary>
    /// Three epochs on the same held-out briefs; the second is the best on fit and is <paramref name="model"/>, the
    /// job's result, at <paramref name="distance"/>. Below the base model's 0.76 it is recommended; above, not.
    /// </summary>
    public static JobEvaluation Evaluation(string model, double distance, double quality = 78.5,
        ResultWeighting? weighting = null, PreferenceUse? preferences = null)
    {
        var best = Figures(distance, quality);
        CheckpointEvaluation[] checkpoints =
        [
            new($"{model}:ckpt-step-4", 1, 4, Figures(distance + 0.10, quality - 0.5, 0.96)),
            new(model, 2, 8, best),
            new($"{model}:ckpt-step-12", 3, 12, Figures(distance + 0.03, quality)),
        ];
        return new(Briefs, $"{Briefs} of 240 validated examples held out (seed 42)", BaseFigures, checkpoints, model, best,
            JobEvaluation.Beats(best, BaseFigures), JobEvaluation.VerdictFor(model, best, BaseFigures), weighting, preferences);
    }

    /// <summary>Stores <paramref name="evaluation"/> on the job as the runner does when the job finishes.</summary>
    public static FineTuneJob Evaluated(this FineTuneJob job, JobEvaluation evaluation)
    {
        job.EvaluationJson = evaluation.ToJson();
        job.Recommended = evaluation.Improved;
        job.Verdict = evaluation.Verdict;
        return job;
    }

    /// <summary>A recommended evaluation: tests about deploy mechanics deploy a model that measured better than the base.</summary>
    public static FineTuneJob Recommended(this FineTuneJob job) => job.Evaluated(Evaluation(job.FineTunedModel!, 0.21, 80.2));
}
