using System.Text.Json;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Training;

namespace MediaPlanner.Domain.FineTuning.Local;

/// <summary>A validated example the trainer can use: its brief as a plan request and the channel shares its plan chose.</summary>
public sealed record LocalTrainingExample(ChatExample Chat, PlanRequest Request, IReadOnlyDictionary<Channel, double> TargetShares);

/// <summary>An example the trainer could not use, by its position in the training or validation lines.</summary>
public sealed record LocalSkippedExample(bool Validation, int Index, string Reason);

public sealed record LocalTrainingSet(
    IReadOnlyList<LocalTrainingExample> Training,
    IReadOnlyList<LocalTrainingExample> Validation,
    IReadOnlyList<LocalSkippedExample> Skipped);

/// <summary>The hyperparameters as resolved for a training set (auto values filled in).</summary>
public sealed record LocalTrainingSchedule(int Epochs, int BatchSize, double LearningRateMultiplier, double LearningRate, int StepsPerEpoch)
{
    public int TotalSteps => Epochs * StepsPerEpoch;
}

/// <summary>
/// How close the engine's Balanced plans come to the validated plans: <see cref="Loss"/> is the mean KL divergence of
/// the validated channel shares from the engine's (0 = identical), <see cref="Agreement"/> the mean share of the budget
/// both put in the same channels (1 = identical).
/// </summary>
public sealed record LocalFit(double Loss, double Agreement);

public abstract record LocalTrainingProgress(int Step);

/// <summary>One optimisation step: the batch's loss before the update, the held-out loss after it (null without held-out examples).</summary>
public sealed record LocalTrainingStep(int Step, int Epoch, double TrainLoss, double TrainAgreement, double? ValidLoss, double? ValidAgreement)
    : LocalTrainingProgress(Step);

/// <summary>The end of an epoch: its parameter set and the engine's own fit with it on every training and held-out example.</summary>
public sealed record LocalTrainingEpoch(int Epoch, int Step, MediaMixParameters Parameters, LocalFit Train, LocalFit? Validation)
    : LocalTrainingProgress(Step);

public sealed record LocalTrainingCompleted(LocalTrainingResult Result) : LocalTrainingProgress(Result.Schedule.TotalSteps);

public sealed record LocalTrainingResult(
    MediaMixParameters Parameters,
    LocalTrainingSchedule Schedule,
    LocalFit InitialTrain,
    LocalFit? InitialValidation,
    LocalFit FinalTrain,
    LocalFit? FinalValidation);

/// <summary>
/// Learns the engine's channel preferences (per objective) from validated plans. Pure and deterministic for a seed.
/// <para>
/// Model: the engine funds channels until preference × marginal gain is level across them. Around the engine's own
/// Balanced plan for an example (shares s⁰, preferences θ⁰ = ln preference), a channel whose marginal gain has
/// elasticity ε answers a preference change with ln s = ln s⁰ + (Δθ − μ)/ε, μ chosen so the shares add up to 1.
/// Mini-batch gradient descent minimises the KL divergence of the validated shares from these predicted shares. After
/// each epoch the engine re-plans every example with the new preferences and the model is re-anchored there, so each
/// epoch corrects the linearisation of the one before and the epoch losses are the engine's real fit.
/// </para>
/// </summary>
public sealed class LocalTrainer(MediaMixParameters baseParameters, string name = LocalTrainer.DefaultName)
{
    public const string DefaultName = "local-mix-ft";
    // The KL's gradient in ln-preference units is small (about share gap ÷ elasticity): at 2.0 a 90-example set converges
    // in about three epochs, while ten times that oscillates between epochs.
    public const double BaseLearningRate = 2.0;
    public const double MinPreference = 0.05;
    public const double MaxPreference = 20;
    public const int MaxEpochs = 50;
    public const int AutoMaxBatchSize = 32;

    // Unfunded channels keep a sliver of share in the model, or no preference change could ever fund them.
    private const double ShareFloor = LocalMediaMixEngine.MinLineShare / 2;
    // Below this the model's steps grow so steep that gradient descent oscillates; above it a channel barely moves.
    private const double MinElasticity = 0.5;
    private const double MaxElasticity = 5;

    private static readonly int ObjectiveCount = Enum.GetValues<Objective>().Length;
    private static readonly int ChannelCount = Enum.GetValues<Channel>().Length;

    public MediaMixParameters BaseParameters { get; } = baseParameters ?? throw new ArgumentNullException(nameof(baseParameters));
    public string Name { get; } = name;

    // ---- data ----

    /// <summary>Reads JSONL examples into plan requests (seeded markets' currencies and benchmarks) and target shares; unusable ones are listed with why.</summary>
    public static LocalTrainingSet Prepare(IReadOnlyList<string> trainingLines, IReadOnlyList<string> validationLines)
    {
        ArgumentNullException.ThrowIfNull(trainingLines);
        ArgumentNullException.ThrowIfNull(validationLines);
        var skipped = new List<LocalSkippedExample>();
        var training = Read(trainingLines, validation: false, skipped);
        var validation = Read(validationLines, validation: true, skipped);
        return new LocalTrainingSet(training, validation, skipped);
    }

    private static List<LocalTrainingExample> Read(IReadOnlyList<string> lines, bool validation, List<LocalSkippedExample> skipped)
    {
        var examples = new List<LocalTrainingExample>(lines.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            if (TryRead(lines[i], out var example, out var reason))
                examples.Add(example);
            else
                skipped.Add(new LocalSkippedExample(validation, i, reason));
        }
        return examples;
    }

    /// <summary>One JSONL line as a training example, or false with the reason it cannot be used.</summary>
    public static bool TryRead(string line, out LocalTrainingExample example, out string reason)
    {
        example = null!;
        ChatExample chat;
        try
        {
            chat = ChatExample.Parse(line);
        }
        catch (JsonException ex)
        {
            reason = $"not a chat example: {ex.Message}";
            return false;
        }

        var answerAt = -1;
        for (var i = chat.Messages.Count - 1; i >= 0 && answerAt < 0; i--)
            if (chat.Messages[i].Role == ChatRoles.Assistant && !string.IsNullOrWhiteSpace(chat.Messages[i].Content))
                answerAt = i;
        var promptAt = -1;
        for (var i = answerAt - 1; i >= 0 && promptAt < 0; i--)
            if (chat.Messages[i].Role == ChatRoles.User)
                promptAt = i;
        if (answerAt < 0 || promptAt < 0)
        {
            reason = "it needs a user message (the brief) followed by an assistant message (the plan)";
            return false;
        }

        if (BriefPrompt.Parse(chat.Messages[promptAt].Content, out var briefError) is not { } parsed)
        {
            reason = $"the brief cannot be read: {briefError}";
            return false;
        }
        if (SeedReferenceData.Currencies.FirstOrDefault(c => c.Code == parsed.Brief.Currency) is not { } currency)
        {
            reason = $"no exchange rate for the brief's currency {parsed.Brief.Currency}";
            return false;
        }
        if (!PlanJson.TryDeserialize(chat.Messages[answerAt].Content!, out var plan, out var planError) || plan?.LineItems is null)
        {
            reason = $"the plan cannot be read: {planError ?? "it has no line items"}";
            return false;
        }

        var request = PlanRequest.Create(parsed.Brief, parsed.Market, currency, SeedReferenceData.Benchmarks);
        var plannable = parsed.Brief.Channels
            .Where(c => SeedReferenceData.Benchmarks.Any(b => b.Channel == c && b.Cpm > 0))
            .ToHashSet();
        var items = plan.LineItems.Where(i => i is not null && plannable.Contains(i.Channel)).ToList();
        // Spend is what the planner validated; the shares are only a fallback for a plan without spends.
        var bySpend = items.Sum(i => Math.Max(0, (double)i.Spend)) > 0;
        var weights = items
            .GroupBy(i => i.Channel)
            .ToDictionary(g => g.Key, g => g.Sum(i => Math.Max(0, bySpend ? (double)i.Spend : i.Share)));
        var total = weights.Values.Sum();
        if (!(total > 0) || double.IsInfinity(total))
        {
            reason = "the plan spends nothing on the brief's plannable channels";
            return false;
        }

        example = new LocalTrainingExample(chat, request, weights.ToDictionary(p => p.Key, p => p.Value / total));
        reason = "";
        return true;
    }

    // ---- schedule ----

    /// <summary>
    /// Auto epochs are OpenAI's (<see cref="FineTuneEstimator.DefaultEpochs"/>); auto batches are a tenth of the set,
    /// 1 to 32; the learning rate is <see cref="BaseLearningRate"/> × the multiplier (auto 1).
    /// </summary>
    public static LocalTrainingSchedule Schedule(int trainingExamples, FineTuneHyperparameters hyperparameters)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(trainingExamples);
        ArgumentNullException.ThrowIfNull(hyperparameters);
        var epochs = hyperparameters.Epochs is > 0 and var e ? Math.Min(e, MaxEpochs) : FineTuneEstimator.DefaultEpochs(trainingExamples);
        var batch = hyperparameters.BatchSize is > 0 and var b
            ? Math.Min(b, trainingExamples)
            : Math.Max(1, Math.Min(AutoMaxBatchSize, trainingExamples / 10));
        var multiplier = hyperparameters.LearningRateMultiplier is > 0 and var m && double.IsFinite(m) ? m : 1.0;
        var stepsPerEpoch = (trainingExamples + batch - 1) / batch;
        return new LocalTrainingSchedule(epochs, batch, multiplier, BaseLearningRate * multiplier, stepsPerEpoch);
    }

    // ---- training ----

    /// <summary>Trains to the end and returns the result, reporting each step and epoch on the way.</summary>
    public LocalTrainingResult Train(LocalTrainingSet set, FineTuneHyperparameters hyperparameters, int seed, Action<LocalTrainingProgress>? progress = null)
    {
        foreach (var item in Run(set, hyperparameters, seed))
        {
            progress?.Invoke(item);
            if (item is LocalTrainingCompleted completed)
                return completed.Result;
        }
        throw new InvalidOperationException("Training ended without a result.");
    }

    /// <summary>
    /// Training as a sequence the caller pulls step by step: each <see cref="LocalTrainingStep"/>, a
    /// <see cref="LocalTrainingEpoch"/> after each epoch's last step, and finally <see cref="LocalTrainingCompleted"/>.
    /// The caller can pause between items (to report, yield or check for cancellation) or stop pulling.
    /// </summary>
    /// <exception cref="ArgumentException">The set has no training examples.</exception>
    public IEnumerable<LocalTrainingProgress> Run(LocalTrainingSet set, FineTuneHyperparameters hyperparameters, int seed)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(hyperparameters);
        if (set.Training.Count == 0)
            throw new ArgumentException("There are no usable training examples.", nameof(set));
        var schedule = Schedule(set.Training.Count, hyperparameters);
        return RunCore(set, schedule, seed);
    }

    private IEnumerable<LocalTrainingProgress> RunCore(LocalTrainingSet set, LocalTrainingSchedule schedule, int seed)
    {
        var theta = new double[ChannelCount * ObjectiveCount];
        var touched = new bool[theta.Length];
        foreach (var channel in Enum.GetValues<Channel>())
            foreach (var objective in Enum.GetValues<Objective>())
                theta[Index(channel, objective)] = Math.Log(BaseParameters.For(channel).PreferenceFor(objective));
        var training = set.Training.Select(e => new Item(e)).ToArray();
        var validation = set.Validation.Select(e => new Item(e)).ToArray();
        var initialTrain = Anchor(BaseParameters, training, theta);
        var initialValid = validation.Length > 0 ? Anchor(BaseParameters, validation, theta) : null;
        foreach (var item in training)
            foreach (var c in item.Channels)
                touched[c * ObjectiveCount + item.Objective] = true;
        var (finalTrain, finalValid, parameters) = (initialTrain, initialValid, BaseParameters);

        var random = new Random(seed);
        var order = Enumerable.Range(0, training.Length).ToArray();
        var gradient = new double[theta.Length];
        var step = 0;
        for (var epoch = 1; epoch <= schedule.Epochs; epoch++)
        {
            random.Shuffle(order);
            for (var start = 0; start < order.Length; start += schedule.BatchSize)
            {
                var end = Math.Min(order.Length, start + schedule.BatchSize);
                Array.Clear(gradient);
                double loss = 0, agreement = 0;
                for (var k = start; k < end; k++)
                {
                    var (l, a) = training[order[k]].Accumulate(theta, gradient);
                    loss += l;
                    agreement += a;
                }
                var count = end - start;
                for (var i = 0; i < theta.Length; i++)
                {
                    if (gradient[i] == 0)
                        continue;
                    theta[i] = Math.Clamp(theta[i] - schedule.LearningRate * gradient[i] / count, Math.Log(MinPreference), Math.Log(MaxPreference));
                }
                step++;
                var valid = validation.Length > 0 ? Mean(validation, theta) : null;
                yield return new LocalTrainingStep(step, epoch, loss / count, agreement / count, valid?.Loss, valid?.Agreement);
            }

            parameters = ToParameters(theta, touched);
            finalTrain = Anchor(parameters, training, theta);
            finalValid = validation.Length > 0 ? Anchor(parameters, validation, theta) : null;
            yield return new LocalTrainingEpoch(epoch, step, parameters, finalTrain, finalValid);
        }

        yield return new LocalTrainingCompleted(new LocalTrainingResult(parameters, schedule, initialTrain, initialValid, finalTrain, finalValid));
    }

    /// <summary>The engine's own fit with <paramref name="parameters"/>: its Balanced plans against the validated shares.</summary>
    public static LocalFit Evaluate(MediaMixParameters parameters, IReadOnlyList<LocalTrainingExample> examples)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(examples);
        if (examples.Count == 0)
            return new LocalFit(0, 1);
        var engine = new LocalMediaMixEngine(parameters);
        double loss = 0, agreement = 0;
        foreach (var example in examples)
        {
            var item = new Item(example);
            var (l, a) = item.Reanchor(engine, null);
            loss += l;
            agreement += a;
        }
        return new LocalFit(loss / examples.Count, agreement / examples.Count);
    }

    /// <summary>Re-plans every example with the engine at <paramref name="parameters"/> and re-anchors the model there.</summary>
    private static LocalFit Anchor(MediaMixParameters parameters, Item[] items, double[] theta)
    {
        var engine = new LocalMediaMixEngine(parameters);
        double loss = 0, agreement = 0;
        foreach (var item in items)
        {
            var (l, a) = item.Reanchor(engine, theta);
            loss += l;
            agreement += a;
        }
        return new LocalFit(loss / items.Length, agreement / items.Length);
    }

    private static LocalFit Mean(Item[] items, double[] theta)
    {
        double loss = 0, agreement = 0;
        foreach (var item in items)
        {
            var (l, a) = item.Accumulate(theta, null);
            loss += l;
            agreement += a;
        }
        return new LocalFit(loss / items.Length, agreement / items.Length);
    }

    /// <summary>
    /// The preferences as a parameter set, rounded to 4 decimals for a readable JSON, and θ set to exactly what the
    /// engine will then use so the next epoch's anchor and the model agree.
    /// </summary>
    private MediaMixParameters ToParameters(double[] theta, bool[] touched)
    {
        var channels = new Dictionary<Channel, ChannelParameters>(BaseParameters.Channels);
        foreach (var channel in Enum.GetValues<Channel>())
        {
            var current = BaseParameters.For(channel);
            Dictionary<Objective, double>? preference = null;
            foreach (var objective in Enum.GetValues<Objective>())
            {
                var i = Index(channel, objective);
                if (!touched[i])
                    continue;
                preference ??= new Dictionary<Objective, double>(current.Preference);
                preference[objective] = Math.Clamp(Math.Round(Math.Exp(theta[i]), 4), MinPreference, MaxPreference);
                theta[i] = Math.Log(preference[objective]);
            }
            if (preference is not null)
                channels[channel] = current with { Preference = preference };
        }
        var parameters = BaseParameters with { Name = Name, Version = BaseParameters.Version + 1, Channels = channels };
        parameters.Validate();
        return parameters;
    }

    private static int Index(Channel channel, Objective objective) => (int)channel * ObjectiveCount + (int)objective;

    /// <summary>One example's model: its channels, target shares and the anchor (engine shares, elasticities, θ⁰) of the current epoch.</summary>
    private sealed class Item
    {
        private readonly LocalTrainingExample _example;
        private double[] _target = [];
        private double[] _logAnchor = [];
        private double[] _inverseElasticity = [];
        private double[] _theta0 = [];
        private double[] _p = [];

        public Item(LocalTrainingExample example)
        {
            _example = example;
            Objective = (int)example.Request.Brief.Objective;
        }

        public int Objective { get; }
        public int[] Channels { get; private set; } = [];

        /// <summary>Plans the example with <paramref name="engine"/>; returns the engine's KL and agreement there.</summary>
        public (double Loss, double Agreement) Reanchor(LocalMediaMixEngine engine, double[]? theta)
        {
            var response = engine.BalancedChannelResponse(_example.Request);
            if (Channels.Length == 0)
            {
                Channels = [.. response.Keys.Order().Select(c => (int)c)];
                var n = Channels.Length;
                _target = new double[n];
                for (var k = 0; k < n; k++)
                    _target[k] = _example.TargetShares.TryGetValue((Channel)Channels[k], out var t) ? t : 0;
                var sum = _target.Sum();
                for (var k = 0; k < n; k++)
                    _target[k] = sum > 0 ? _target[k] / sum : 1.0 / n;
                _logAnchor = new double[n];
                _inverseElasticity = new double[n];
                _theta0 = new double[n];
                _p = new double[n];
            }

            var floorSum = 0.0;
            var agreement = 0.0;
            for (var k = 0; k < Channels.Length; k++)
            {
                var (share, elasticity) = response[(Channel)Channels[k]];
                agreement += Math.Min(share, _target[k]);
                _p[k] = Math.Max(share, ShareFloor);
                floorSum += _p[k];
                _inverseElasticity[k] = 1 / Math.Clamp(double.IsNaN(elasticity) ? MaxElasticity : elasticity, MinElasticity, MaxElasticity);
                if (theta is not null)
                    _theta0[k] = theta[Channels[k] * ObjectiveCount + Objective];
            }
            var loss = 0.0;
            for (var k = 0; k < Channels.Length; k++)
            {
                _p[k] /= floorSum;
                _logAnchor[k] = Math.Log(_p[k]);
                if (_target[k] > 0)
                    loss += _target[k] * (Math.Log(_target[k]) - _logAnchor[k]);
            }
            return (loss, agreement);
        }

        /// <summary>
        /// The model's KL and agreement at <paramref name="theta"/>, adding the KL's gradient to <paramref name="gradient"/>.
        /// With p_c = exp(ln s⁰_c + (Δθ_c − μ)/ε_c) and Σ p = 1, ∂KL/∂θ_c = (p_c · Σt/ε ÷ Σp/ε − t_c) / ε_c.
        /// </summary>
        public (double Loss, double Agreement) Accumulate(double[] theta, double[]? gradient)
        {
            var n = Channels.Length;
            if (n < 2)
                return (0, 1);
            var mu = 0.0;
            for (var iteration = 0; iteration < 100; iteration++)
            {
                double f = -1, slope = 0;
                for (var k = 0; k < n; k++)
                {
                    var delta = theta[Channels[k] * ObjectiveCount + Objective] - _theta0[k];
                    _p[k] = Math.Exp(_logAnchor[k] + (delta - mu) * _inverseElasticity[k]);
                    f += _p[k];
                    slope += _p[k] * _inverseElasticity[k];
                }
                // Σp − 1 is convex and falling in μ, so Newton converges from either side.
                if (Math.Abs(f) < 1e-12)
                    break;
                mu += f / slope;
            }

            double loss = 0, agreement = 0, targetWeight = 0, predictedWeight = 0;
            for (var k = 0; k < n; k++)
            {
                agreement += Math.Min(_p[k], _target[k]);
                if (_target[k] > 0)
                    loss += _target[k] * (Math.Log(_target[k]) - Math.Log(_p[k]));
                targetWeight += _target[k] * _inverseElasticity[k];
                predictedWeight += _p[k] * _inverseElasticity[k];
            }
            if (gradient is not null)
            {
                for (var k = 0; k < n; k++)
                    gradient[Channels[k] * ObjectiveCount + Objective] +=
                        _inverseElasticity[k] * (_p[k] * targetWeight / predictedWeight - _target[k]);
            }
            return (loss, agreement);
        }
    }
}
