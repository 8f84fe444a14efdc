using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;
using MathNet.Numerics.Optimization;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.FineTuning;

namespace MediaPlanner.Domain.Providers.Local;

/// <summary>
/// The learner's schedule. Each epoch is one point on a regularisation path, strongest shrinkage toward the engine's
/// own mix first: epoch k fits the model at λ_k (warm-started from epoch k − 1) and becomes a checkpoint, so the held-out
/// evaluation, not the training loss, chooses how far to move away from the engine.
/// </summary>
public sealed record LocalTrainingSchedule(int Epochs, double LearningRateMultiplier, IReadOnlyList<double> Regularisation)
{
    public int TotalSteps => Epochs;
}

/// <summary>One checkpoint of the path: the parameter set, its λ, its weighted training loss (mean KL) and iterations used.</summary>
public sealed record LocalCheckpoint(int Epoch, double Regularisation, MediaMixParameters Parameters, double TrainLoss, int Iterations);

/// <summary>
/// Learns how an agency splits budgets from its validated plans: a multinomial (softmax) regression of the channel
/// shares on the brief's features (<see cref="ShareModel.Features"/>), with the engine's own mix as the offset.
/// <para>
/// Why this model: shares are compositional (≥ 0, sum to 1) and a softmax over the brief's channels keeps them so; the
/// loss is the weighted KL divergence of the validated shares from the predicted ones (soft-target cross-entropy),
/// convex in the weights, so L-BFGS (MathNet.Numerics) finds the optimum for a few dozen to tens of thousands of
/// examples in well under a second; L2 shrinkage pulls weights toward 0, i.e. toward the engine's mix, where data is
/// thin, and interaction features (objective × age band …) shrink toward their main effects, which carry unseen
/// combinations. Delivered results weight the examples; planners' preference pairs add a Bradley–Terry term that makes
/// the chosen plan's shares likelier than the passed-over plan's.
/// </para>
/// </summary>
public sealed class ShareLearner(MediaMixParameters baseParameters, string name = ShareLearner.DefaultName)
{
    public const string DefaultName = "local-mix-ft";
    public const int AutoEpochs = 6;
    public const int MaxEpochs = 50;
    /// <summary>Strongest and weakest shrinkage on the path (per mean-KL unit), before the learning-rate multiplier.</summary>
    public const double StrongestShrinkage = 10, WeakestShrinkage = 0.0003;
    private const double EngineWeightShrinkage = 0.001;
    private const double PairWeight = 0.3, PairSharpness = 5;
    private const int MaxIterations = 400;
    /// <summary>Weights smaller than this are left out of the stored model.</summary>
    private const double StoredWeightCutoff = 1e-4;

    private static readonly Channel[] AllChannels = Enum.GetValues<Channel>();

    public MediaMixParameters BaseParameters { get; } = baseParameters ?? throw new ArgumentNullException(nameof(baseParameters));
    public string Name { get; } = name;

    /// <summary>
    /// Auto epochs: <see cref="AutoEpochs"/> points on the path. The learning-rate multiplier divides the shrinkage (a
    /// larger multiplier lets the model move further from the engine). Batch size does not apply: every epoch fits the
    /// whole set.
    /// </summary>
    public static LocalTrainingSchedule Schedule(FineTuneHyperparameters hyperparameters)
    {
        ArgumentNullException.ThrowIfNull(hyperparameters);
        var epochs = hyperparameters.Epochs is > 0 and var e ? Math.Min(e, MaxEpochs) : AutoEpochs;
        var multiplier = hyperparameters.LearningRateMultiplier is > 0 and var m && double.IsFinite(m) ? m : 1.0;
        var path = Enumerable.Range(0, epochs)
            .Select(k => epochs == 1
                ? Math.Sqrt(StrongestShrinkage * WeakestShrinkage)
                : StrongestShrinkage * Math.Pow(WeakestShrinkage / StrongestShrinkage, k / (double)(epochs - 1)))
            .Select(l => l / multiplier)
            .ToList();
        return new LocalTrainingSchedule(epochs, multiplier, path);
    }

    /// <summary>The path's checkpoints, one per epoch, each a complete parameter set the engine can run.</summary>
    /// <exception cref="ArgumentException">The set has no training examples.</exception>
    public IEnumerable<LocalCheckpoint> Fit(LocalTrainingSet set, LocalTrainingSchedule schedule, bool usePairs)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(schedule);
        if (set.Training.Count == 0)
            throw new ArgumentException("There are no usable training examples.", nameof(set));
        var problem = new Problem(BaseParameters, set, usePairs);
        return FitCore(problem, schedule, set.Training.Count);
    }

    private IEnumerable<LocalCheckpoint> FitCore(Problem problem, LocalTrainingSchedule schedule, int trainedOn)
    {
        var x = problem.Start();
        for (var k = 0; k < schedule.Epochs; k++)
        {
            var lambda = schedule.Regularisation[k];
            var iterations = 0;
            if (problem.Parameters > 1)
            {
                var objective = ObjectiveFunction.Gradient(v => problem.Evaluate(v, lambda));
                var minimizer = new LimitedMemoryBfgsMinimizer(1e-6, 1e-9, 1e-10, 10, MaxIterations);
                try
                {
                    var result = minimizer.FindMinimum(objective, x);
                    x = result.MinimizingPoint;
                    iterations = result.Iterations;
                }
                catch (Exception ex) when (ex is MaximumIterationsException or OptimizationException)
                {
                    // The loss is convex and smooth, so this only happens when the line search stalls at the optimum's
                    // floating-point floor: keep the previous point rather than a half-step.
                    iterations = MaxIterations;
                }
            }
            var trainLoss = problem.Loss(x);
            yield return new LocalCheckpoint(k + 1, lambda, ToParameters(problem, x, trainedOn), trainLoss, iterations);
        }
    }

    private MediaMixParameters ToParameters(Problem problem, Vector<double> x, int trainedOn)
    {
        var weights = new Dictionary<string, IReadOnlyDictionary<Channel, double>>();
        for (var f = 0; f < problem.FeatureNames.Count; f++)
        {
            Dictionary<Channel, double>? byChannel = null;
            for (var c = 0; c < AllChannels.Length; c++)
            {
                var w = x[problem.Index(f, c)];
                if (Math.Abs(w) < StoredWeightCutoff)
                    continue;
                (byChannel ??= [])[AllChannels[c]] = Math.Round(w, 5);
            }
            if (byChannel is not null)
                weights[problem.FeatureNames[f]] = byChannel;
        }
        var mix = new ShareModel
        {
            EngineWeight = Math.Round(Math.Clamp(x[problem.EngineWeightIndex], 0, 10), 5),
            Weights = weights,
            TrainedOn = trainedOn,
        };
        var parameters = BaseParameters with { Name = Name, Version = BaseParameters.Version + 1, Mix = mix };
        parameters.Validate();
        return parameters;
    }

    /// <summary>The convex problem: examples as feature indices, offsets and targets; pairs likewise.</summary>
    private sealed class Problem
    {
        private readonly Row[] _rows;
        private readonly PairRow[] _pairs;
        private readonly double _weightSum;

        public Problem(MediaMixParameters baseParameters, LocalTrainingSet set, bool usePairs)
        {
            var engine = new LocalMediaMixEngine(baseParameters with { Mix = null });
            var features = new Dictionary<string, int>(StringComparer.Ordinal);
            int[] FeatureIndices(PlanRequest request) =>
                [.. ShareModel.Features(request).Select(f => features.TryGetValue(f, out var i) ? i : features[f] = features.Count)];

            var rows = new List<Row>(set.Training.Count);
            foreach (var example in set.Training)
            {
                if (Row.Create(engine, example.Request, FeatureIndices(example.Request), example.TargetShares, example.Weight) is { } row)
                    rows.Add(row);
            }
            var pairs = new List<PairRow>();
            if (usePairs)
                foreach (var pair in set.Pairs)
                    if (PairRow.Create(engine, pair, FeatureIndices(pair.Request)) is { } p)
                        pairs.Add(p);
            _rows = [.. rows];
            _pairs = [.. pairs];
            _weightSum = Math.Max(1e-12, _rows.Sum(r => r.Weight));
            FeatureNames = [.. features.OrderBy(p => p.Value).Select(p => p.Key)];
        }

        public IReadOnlyList<string> FeatureNames { get; }
        public int EngineWeightIndex => FeatureNames.Count * AllChannels.Length;
        public int Parameters => EngineWeightIndex + 1;
        public int Index(int feature, int channel) => feature * AllChannels.Length + channel;

        public Vector<double> Start()
        {
            var x = DenseVector.Create(Parameters, 0);
            x[EngineWeightIndex] = 1;
            return x;
        }

        public double Loss(Vector<double> x) => Evaluate(x, 0, gradient: false).Item1;

        public (double, Vector<double>) Evaluate(Vector<double> x, double lambda) => Evaluate(x, lambda, gradient: true);

        private (double, Vector<double>) Evaluate(Vector<double> vector, double lambda, bool gradient)
        {
            // Raw arrays: the optimiser calls this hundreds of times, and MathNet's indexer is a virtual call per element.
            var x = vector is DenseVector dense ? dense.Values : vector.ToArray();
            var gv = DenseVector.Create(Parameters, 0);
            var g = gv.Values;
            var loss = 0.0;
            Span<double> p = stackalloc double[AllChannels.Length];
            foreach (var row in _rows)
            {
                row.Predict(x, EngineWeightIndex, p);
                var kl = 0.0;
                for (var k = 0; k < row.Channels.Length; k++)
                    if (row.Target[k] > 0)
                        kl += row.Target[k] * (Math.Log(row.Target[k]) - Math.Log(Math.Max(p[k], 1e-300)));
                var scale = row.Weight / _weightSum;
                loss += scale * kl;
                if (gradient)
                    for (var k = 0; k < row.Channels.Length; k++)
                        row.AddGradient(g, EngineWeightIndex, k, scale * (p[k] - row.Target[k]));
            }
            if (_pairs.Length > 0)
            {
                var pairScale = PairWeight / _pairs.Length;
                foreach (var pair in _pairs)
                {
                    pair.Row.Predict(x, EngineWeightIndex, p);
                    var z = 0.0;
                    for (var k = 0; k < pair.Row.Channels.Length; k++)
                        z += PairSharpness * pair.Difference[k] * Math.Log(Math.Max(p[k], 1e-300));
                    // −log σ(z), computed stably.
                    loss += pairScale * (z > 0 ? Math.Log(1 + Math.Exp(-z)) : -z + Math.Log(1 + Math.Exp(z)));
                    if (gradient)
                    {
                        var s = 1 / (1 + Math.Exp(z));
                        for (var k = 0; k < pair.Row.Channels.Length; k++)
                            pair.Row.AddGradient(g, EngineWeightIndex, k, -pairScale * s * PairSharpness * pair.Difference[k]);
                    }
                }
            }
            if (lambda > 0)
            {
                for (var i = 0; i < EngineWeightIndex; i++)
                {
                    loss += lambda / 2 * x[i] * x[i];
                    g[i] += lambda * x[i];
                }
                // The engine's weight shrinks toward 1 on the same path, so strong shrinkage really is the engine's own mix.
                var d = x[EngineWeightIndex] - 1;
                var shrink = Math.Max(lambda, EngineWeightShrinkage);
                loss += shrink / 2 * d * d;
                g[EngineWeightIndex] += shrink * d;
            }
            return (loss, gv);
        }
    }

    /// <summary>One brief: its features, plannable channels, the engine's own shares (as log offsets) and a target.</summary>
    private sealed class Row
    {
        public required int[] Features { get; init; }
        public required int[] Channels { get; init; }
        public required double[] Offsets { get; init; }
        public required double[] Target { get; init; }
        public double Weight { get; init; } = 1;

        public static Row? Create(LocalMediaMixEngine engine, PlanRequest request, int[] features, IReadOnlyDictionary<Channel, double> target, double weight)
        {
            if (!TryEngineShares(engine, request, out var shares) || shares.Count == 0)
                return null;
            var channels = shares.Keys.Order().ToArray();
            var t = channels.Select(c => target.TryGetValue(c, out var v) ? Math.Max(0, v) : 0).ToArray();
            var sum = t.Sum();
            if (!(sum > 0))
                return null;
            return new Row
            {
                Features = features,
                Channels = [.. channels.Select(c => Array.IndexOf(AllChannels, c))],
                Offsets = [.. channels.Select(c => Math.Log(Math.Max(shares[c], ShareModel.EngineFloor)))],
                Target = [.. t.Select(v => v / sum)],
                Weight = weight,
            };
        }

        public void Predict(double[] x, int engineWeightIndex, Span<double> p)
        {
            var gamma = x[engineWeightIndex];
            var max = double.NegativeInfinity;
            for (var k = 0; k < Channels.Length; k++)
            {
                var logit = gamma * Offsets[k];
                foreach (var f in Features)
                    logit += x[f * AllChannels.Length + Channels[k]];
                p[k] = logit;
                max = Math.Max(max, logit);
            }
            var sum = 0.0;
            for (var k = 0; k < Channels.Length; k++)
                sum += p[k] = Math.Exp(p[k] - max);
            for (var k = 0; k < Channels.Length; k++)
                p[k] /= sum;
        }

        public void AddGradient(double[] g, int engineWeightIndex, int k, double dLogit)
        {
            if (dLogit == 0)
                return;
            foreach (var f in Features)
                g[f * AllChannels.Length + Channels[k]] += dLogit;
            g[engineWeightIndex] += dLogit * Offsets[k];
        }
    }

    private sealed class PairRow
    {
        public required Row Row { get; init; }
        /// <summary>Chosen minus passed-over shares on the row's channels (each side normalised to 1 first).</summary>
        public required double[] Difference { get; init; }

        public static PairRow? Create(LocalMediaMixEngine engine, LocalPreferencePair pair, int[] features)
        {
            if (Row.Create(engine, pair.Request, features, pair.Preferred, 1) is not { } row)
                return null;
            var channels = row.Channels.Select(i => AllChannels[i]).ToArray();
            var rejected = channels.Select(c => pair.NonPreferred.TryGetValue(c, out var v) ? Math.Max(0, v) : 0).ToArray();
            var sum = rejected.Sum();
            if (!(sum > 0))
                return null;
            var difference = row.Target.Select((t, k) => t - rejected[k] / sum).ToArray();
            return difference.All(d => Math.Abs(d) < 1e-9) ? null : new PairRow { Row = row, Difference = difference };
        }
    }

    private static bool TryEngineShares(LocalMediaMixEngine engine, PlanRequest request, out IReadOnlyDictionary<Channel, double> shares)
    {
        try
        {
            shares = engine.EngineShares(request);
            return true;
        }
        catch (InvalidOperationException)
        {
            shares = new Dictionary<Channel, double>();
            return false;
        }
    }
}
