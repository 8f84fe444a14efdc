using System.Text.RegularExpressions;

namespace MediaPlanner.Domain.Models;

public enum ModelNameKind
{
    /// <summary>The built-in planner, e.g. <c>local-mix-v1</c>.</summary>
    LocalBase,
    /// <summary>A local fine-tune: <c>local-mix:ft-{suffix}-{job}</c>.</summary>
    LocalFineTuned,
    /// <summary>One of its checkpoints: <c>local-mix:ft-{suffix}-{job}:ckpt-[pairs-]step-{n}</c>.</summary>
    LocalCheckpoint,
    /// <summary>A provider's own model (<c>gpt-4o-mini-2024-07-18</c>, an open-weight model name…).</summary>
    HostedBase,
    /// <summary>OpenAI <c>ft:{base}:{org}:{suffix}:{id}</c>, or Azure <c>{base}.ft-{id}[-{suffix}]</c>.</summary>
    HostedFineTuned,
    /// <summary>OpenAI <c>ft:{base}:{org}:{suffix}:{id}:ckpt-step-{n}</c>.</summary>
    HostedCheckpoint,
}

/// <summary>
/// Every model name the app uses, parsed once: the local planner and its fine-tunes and checkpoints, OpenAI <c>ft:</c>
/// names and checkpoints, Azure OpenAI fine-tune names. <see cref="BaseModel"/> is the model a fine-tune was trained from
/// when the name says so (prices and shutdown dates of a fine-tune follow its base model). A deployment name (Azure) is
/// not a model name: it travels beside one in <see cref="Planning.ModelTarget.Deployment"/>.
/// </summary>
public readonly partial record struct ModelName(string Value, ModelNameKind Kind, string? BaseModel = null, string? Suffix = null, int? Step = null)
{
    public const string LocalFamily = "local-mix";

    public bool IsLocal => Kind is ModelNameKind.LocalBase or ModelNameKind.LocalFineTuned or ModelNameKind.LocalCheckpoint;

    public bool IsFineTuned => Kind is not (ModelNameKind.LocalBase or ModelNameKind.HostedBase);

    public bool IsCheckpoint => Kind is ModelNameKind.LocalCheckpoint or ModelNameKind.HostedCheckpoint;

    public static ModelName Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var name = value.Trim();
        if (name.StartsWith(LocalFamily + ":", StringComparison.Ordinal))
        {
            var local = LocalPattern().Match(name);
            if (local.Success)
            {
                var suffix = local.Groups["suffix"].Value;
                return local.Groups["step"].Success
                    ? new(name, ModelNameKind.LocalCheckpoint, null, suffix, int.Parse(local.Groups["step"].Value, System.Globalization.CultureInfo.InvariantCulture))
                    : new(name, ModelNameKind.LocalFineTuned, null, suffix);
            }
            return new(name, ModelNameKind.LocalFineTuned);
        }
        if (name.StartsWith(LocalFamily + "-", StringComparison.Ordinal))
            return new(name, ModelNameKind.LocalBase);
        if (name.StartsWith("ft:", StringComparison.Ordinal))
        {
            // ft:{base}:{org}:{suffix}:{id}[:ckpt-step-{n}] — org and suffix may be empty.
            var parts = name.Split(':');
            var baseModel = parts.Length > 1 && parts[1].Length > 0 ? parts[1] : null;
            var suffix = parts.Length > 3 && parts[3].Length > 0 ? parts[3] : null;
            if (parts[^1].StartsWith("ckpt-step-", StringComparison.Ordinal)
                && int.TryParse(parts[^1]["ckpt-step-".Length..], System.Globalization.CultureInfo.InvariantCulture, out var step))
                return new(name, ModelNameKind.HostedCheckpoint, baseModel, suffix, step);
            return new(name, ModelNameKind.HostedFineTuned, baseModel, suffix);
        }
        var azure = AzurePattern().Match(name);
        if (azure.Success)
            return new(name, ModelNameKind.HostedFineTuned, azure.Groups["base"].Value,
                azure.Groups["suffix"].Success ? azure.Groups["suffix"].Value : null);
        return new(name, ModelNameKind.HostedBase, name);
    }

    /// <summary>The local fine-tune of job <paramref name="jobId"/>.</summary>
    public static ModelName LocalFineTune(string? suffix, int jobId) => Parse($"{LocalFamily}:ft-{suffix ?? "model"}-{jobId}");

    /// <summary>A checkpoint of a local fine-tune, at a point of its shrinkage path.</summary>
    public static ModelName LocalCheckpoint(ModelName fineTune, int epoch, bool pairs) =>
        Parse($"{fineTune.Value}:ckpt-{(pairs ? "pairs-" : "")}step-{epoch}");

    public override string ToString() => Value;

    [GeneratedRegex(@"^local-mix:ft-(?<suffix>.*?)(-\d+)?(:ckpt-(pairs-)?step-(?<step>\d+))?$")]
    private static partial Regex LocalPattern();

    // Azure OpenAI names a fine-tune after its base model: gpt-4o-mini-2024-07-18.ft-0123456789abcdef[-suffix].
    [GeneratedRegex(@"^(?<base>[A-Za-z0-9][A-Za-z0-9._-]*?)\.ft-(?<id>[0-9A-Za-z]+)(-(?<suffix>[A-Za-z0-9_-]+))?$")]
    private static partial Regex AzurePattern();
}
