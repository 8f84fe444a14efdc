using System.Globalization;
using MediaPlanner.Domain.Audit;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Providers;
using Microsoft.EntityFrameworkCore;

namespace MediaPlanner.Domain.FineTuning;

/// <summary>The Azure deployment a fine-tuned model is served under, which its evaluation and deployment call.</summary>
public sealed partial class FineTuneService
{
    /// <summary>
    /// Records the deployment an admin created in Azure for the job's fine-tuned model. A trained job waiting for it
    /// (<see cref="AzureDeployment.AwaitingCode"/>) is woken to run its held-out evaluation through it; on a succeeded job
    /// it corrects the name the model registry deploys the model under. Admins only; a name Azure would refuse comes back
    /// as the message, for the field.
    /// </summary>
    public async Task<Result> SetFineTunedDeploymentAsync(
        int jobId, string deploymentName, CurrentUser user, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (!user.IsAdmin)
            throw new UnauthorizedAccessException("Only admins enter the deployment a fine-tuned model is served under.");
        if (AzureDeployment.ValidateName(deploymentName) is { } problem)
            return Result.Fail("DeploymentName", problem);
        var name = deploymentName.Trim();

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var job = await db.FineTuneJobs.SingleOrDefaultAsync(j => j.Id == jobId, ct);
        if (job is null)
            return Result.Problem(ResultStatus.NotFound, "That job does not exist.");
        if (profiles?.Get(job.Provider)?.Kind != ProviderKind.AzureOpenAI)
            return Result.Problem(ResultStatus.Blocked, $"{ProviderName(job.Provider)} serves fine-tuned models by their own name: only Azure OpenAI jobs need a deployment.");
        if (job.FineTunedModel is not { } model)
            return Result.Problem(ResultStatus.Blocked, "The model is not trained yet: deploy it in Azure once the job names it, then enter the deployment here.");
        var waiting = job.Status == FineTuneStatus.Running && job.ErrorCode == AzureDeployment.AwaitingCode;
        if (!waiting && job.Status != FineTuneStatus.Succeeded)
            return Result.Problem(ResultStatus.Blocked, job.IsFinished
                ? $"The job {job.Status.Display().ToLowerInvariant()}: there is nothing to evaluate or deploy."
                : $"The evaluation already runs through the deployment {job.FineTunedDeployment}.");
        if (!waiting && job.FineTunedDeployment == name)
            return Result.Problem(ResultStatus.Blocked, $"{model} is already served under the deployment {name}.");

        var before = job.FineTunedDeployment;
        job.FineTunedDeployment = name;
        if (waiting)
            job.NextAttemptAt = clock.GetUtcNow();
        await audit.AddAsync(db, user, AuditActions.FineTuneDeployment, AuditEntities.FineTuneJob, job.Id.ToString(CultureInfo.InvariantCulture),
            $"Entered the Azure deployment {name} for {model} of {ProviderName(job.Provider)} fine-tuning job #{job.Id}" +
            (waiting ? ", to evaluate it" : ""),
            before, name, ct);
        await db.SaveChangesAsync(ct);
        if (!waiting)
            return Result.Ok($"{model} is served under the deployment {name}: deploying it from the model registry uses that name.");
        wakeup.Wake();
        return Result.Ok($"Evaluating {model} through the deployment {name}: the job carries on in a moment.");
    }
}
