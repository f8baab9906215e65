using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using NafNative.Learning;
using NafNative.Learning.Exploration;
using NafNative.Naf;
using NafNative.Naf.Gpu;

namespace NafNative.Cli.Training;

/// <summary>Every setting of a training run, written to the run directory as config.json (snake_case keys).</summary>
/// <remarks>Resolution order: the task's defaults, then a <c>--config</c> JSON file (unknown keys are errors), then
/// command-line flags. <see cref="Validate"/> runs before anything starts and names the offending field.</remarks>
public sealed record TrainConfig
{
    public string Task { get; init; } = "reach";
    public int Workers { get; init; } = 2;
    public int Seed { get; init; } = 1;
    /// <summary>Wall-clock budget in minutes (null: until <see cref="Steps"/> or Ctrl-C).</summary>
    public double? Minutes { get; init; }
    /// <summary>Environment steps (all workers together) after which training stops (null: no limit).</summary>
    public long? Steps { get; init; }
    /// <summary>"as-fast-as-possible" or "real-time" (one step per control period per worker).</summary>
    public string Pacing { get; init; } = "as-fast-as-possible";
    /// <summary>With real-time pacing, run the task's clock this many times faster than the wall clock (1 = true real
    /// time; 10 = a 20 Hz robot steps at 200 Hz), so scaling experiments fit in minutes. Reported with every result.</summary>
    public double TimeScale { get; init; } = 1.0;
    /// <summary>Replay ring capacity (a power of two); 2²⁰ transitions ≈ 230 MB for reach, about a minute of two
    /// simulated robots' experience (a 2¹⁸ ring, 17 s of it, went with late Q divergence).</summary>
    public int ReplayCapacity { get; init; } = 1 << 20;
    public int[] Hidden { get; init; } = [100, 100];
    public float Discount { get; init; } = 0.99f;
    /// <summary>Polyak rate τ. 2e-4, not NAF's 1e-3: at ~15k updates/s τ = 1e-3 moves the target network in 0.07 s of
    /// wall time, and reach runs diverged after ~1.5–2M updates; with 2e-4 (and the replay and noise floor below)
    /// two seeds held ≥ 95% greedy success over 3-minute runs (see README).</summary>
    public float TargetUpdateRate { get; init; } = 0.0002f;
    /// <summary>Adam learning rate. 1e-4 (not NafOptions' 1e-3): with 1e-3 reach learned in seconds, then diverged
    /// after ~500k updates; 1e-4 with clipping held 100% success over 1.9M updates (see README).</summary>
    public float LearningRate { get; init; } = 1e-4f;
    public int BatchSize { get; init; } = 64;
    /// <summary>Gradient-norm clip (null: off); 5 keeps rare large TD errors from blowing up the L head's exp().</summary>
    public float? MaxGradientNorm { get; init; } = 5f;
    public int MinReplayFill { get; init; } = 1000;
    public int PublishEvery { get; init; } = 50;
    /// <summary>Hindsight experience replay: each transition is stored this many times more at its episode's end, with
    /// the goal replaced by one the episode reached later ("future" strategy) and the reward rescored (0: off; tasks
    /// with a goal in the observation only: pick-place). The learner's updates-per-insert ratio counts these copies.</summary>
    public int HindsightRelabels { get; init; }
    /// <summary>n-step returns: each stored transition carries the discounted sum of the next n rewards and bootstraps
    /// from the state n steps later with γⁿ (fewer where the episode ended first; 1: one-step). The worker threads in
    /// this process store them, their hindsight copies too; remote workers send one-step transitions (both are exact
    /// targets, so they mix).</summary>
    public int NStep { get; init; } = 1;
    /// <summary>Reward scaling: the replay stores every reward times this (so Q is on that scale; the returns in
    /// metrics and evaluations stay the task's). Positive.</summary>
    public float RewardScale { get; init; } = 1f;
    /// <summary>Prioritised replay (proportional, as Ape-X): the learner draws transition i with probability
    /// ∝ (|δᵢ| + ε)^α from its last TD error and weights its loss by (N·P(i))^−β; this is α in (0, 1] (Ape-X: 0.6).
    /// Null (the default): uniform sampling. CPU backend only.</summary>
    public double? PriorityExponent { get; init; }
    /// <summary>Prioritised replay's β in [0, 1] (Ape-X: 0.4); used only with <see cref="PriorityExponent"/>.</summary>
    public double ImportanceExponent { get; init; } = 0.4;
    /// <summary>Learner updates per inserted transition, enforced on both sides (null: learner as fast as it can,
    /// workers unthrottled — the original work's real-robot setting, sensible with real-time pacing).</summary>
    public double? UpdatesPerInsert { get; init; } = 1.0;
    /// <summary>"gaussian" or "ou" (Ornstein–Uhlenbeck).</summary>
    public string Noise { get; init; } = "gaussian";
    public float NoiseInitial { get; init; } = 0.3f;
    public float NoiseDecay { get; init; } = 0.995f;
    /// <summary>Floor of the decaying exploration noise σ; 0.1 keeps the replay varied after the first ~500 episodes.</summary>
    public float NoiseMinimum { get; init; } = 0.1f;
    public double CheckpointEverySeconds { get; init; } = 60;
    public double MetricsEverySeconds { get; init; } = 2;
    /// <summary>Greedy evaluation episodes, both for the periodic model selection and for naf eval.</summary>
    public int EvalEpisodes { get; init; } = 20;
    /// <summary>Every this many seconds the learner pauses to evaluate the greedy policy (on seeds naf eval does not
    /// use) and keeps the best parameters in best.naf; used only when <see cref="EvalEverySteps"/> is null.</summary>
    public double EvalEverySeconds { get; init; } = 10;
    /// <summary>Evaluate every this many environment steps (all workers): the default, because it selects best.naf at
    /// the same points of training on a slow machine as on a fast one. Null: every <see cref="EvalEverySeconds"/>.</summary>
    public long? EvalEverySteps { get; init; } = 20_000;
    /// <summary>Checkpoints carry the replay buffer (replay-&lt;updates&gt;.naf beside checkpoint.naf) while its
    /// filled part is at most this many MB, so --resume continues with the same replay; 0: never (a resumed run
    /// refills it). The default holds a full 2²⁰ ring of every built-in task (≤ 0.3 GB).</summary>
    public int CheckpointReplayMaxMb { get; init; } = 2048;
    /// <summary>Where the learner's updates run: "cpu" (SIMD NafTrainer), "gpu" (ILGPU on CUDA; an error if none),
    /// "gpu-cpuaccel" (the GPU kernels on ILGPU's CPU accelerator, slowly: tests) or "auto" (gpu when ILGPU finds a
    /// CUDA device, else cpu). On the GPU backends the loss in the metrics lags by up to
    /// <see cref="Naf.Gpu.GpuNafTrainer.DefaultLossWindow"/> updates, and checkpoints and evaluations download the
    /// state from the device first.</summary>
    public string Backend { get; init; } = "cpu";
    /// <summary>Robot files, one worker each (workers 0..n−1), driven through their bus, safety filter and watchdog at
    /// their control rate; any further workers run the simulated task. The periodic evaluation runs on the simulated
    /// task; evaluate through a robot with <c>naf eval --robot</c>.</summary>
    public string[] Robots { get; init; } = [];
    /// <summary>How the simulated workers' robots differ from the nominal one (calibration, physics, latency, noise),
    /// drawn per worker from the seed; null or preset "none": identical robots. Written per worker to robots.json.</summary>
    public Sim.Variation.RobotVariation? Variation { get; init; }
    /// <summary>A suite of task variants the workers meet: doors for door-push/door-pull (doors-5), cubes and regions
    /// for pick-place (cubes-5); null: the one nominal task.</summary>
    public string? Suite { get; init; }
    /// <summary>With <see cref="Suite"/>: worker i always meets variant i (mod the suite), instead of one per episode.</summary>
    public bool SuitePerWorker { get; init; }
    /// <summary>For simulated robots (naf sim-robot --time-scale): their simulator's time scale. 1 for real arms.</summary>
    public double RobotTimeScale { get; init; } = 1.0;

    /// <summary>The backends <see cref="Backend"/> accepts.</summary>
    public static readonly string[] Backends = ["cpu", "gpu", "gpu-cpuaccel", "auto"];

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Layers <paramref name="overrides"/> (JSON objects, later wins) over <paramref name="baseline"/>.</summary>
    /// <exception cref="ArgumentException">A key is unknown or a value has the wrong type; the message names it.</exception>
    public static TrainConfig Merge(TrainConfig baseline, IEnumerable<(string Source, JsonObject Values)> overrides)
    {
        var merged = JsonSerializer.SerializeToNode(baseline, Json)!.AsObject();
        foreach (var (source, values) in overrides)
            foreach (var (key, value) in values)
            {
                if (!merged.ContainsKey(key))
                    throw new ArgumentException($"{source}: unknown field '{key}'. Known fields: {string.Join(", ", merged.Select(p => p.Key))}.");
                merged[key] = value?.DeepClone();
            }
        try
        {
            return merged.Deserialize<TrainConfig>(Json)!;
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"config field '{e.Path?.TrimStart('$', '.')}': {e.Message}", e);
        }
    }

    /// <summary>Reads a JSON config file as an object of overrides.</summary>
    public static JsonObject ReadFile(string path)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"config {path}: not valid JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine}: {e.Message}", e);
        }
        return node as JsonObject ?? throw new ArgumentException($"config {path}: the top level must be a JSON object.");
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field; with
    /// <paramref name="remoteWorkers"/> (a learner serving workers in other processes) 0 worker threads are allowed.</summary>
    public void Validate(bool remoteWorkers = false)
    {
        Wrap("task", () => Sim.TaskCatalog.Check(Task));
        int least = remoteWorkers ? 0 : 1;
        if (Workers < least || Workers > 256) Fail("workers", $"must be in [{least}, 256], got {Workers}");
        if (Robots.Length > Workers) Fail("workers", $"= {Workers} is fewer than the {Robots.Length} robots; each robot needs its worker");
        if (Robots.Length > 0 && Task != "reach") Fail("task", $"robots run the reach task; got '{Task}'");
        if (!(RobotTimeScale >= 1 && RobotTimeScale <= 1000)) Fail("robot_time_scale", $"must be in [1, 1000], got {RobotTimeScale}");
        if (Minutes is double m && !(double.IsFinite(m) && m > 0)) Fail("minutes", $"must be a positive number, got {m}");
        if (Steps is long s && s <= 0) Fail("steps", $"must be positive, got {s}");
        if (Pacing is not ("as-fast-as-possible" or "real-time")) Fail("pacing", $"must be 'as-fast-as-possible' or 'real-time', got '{Pacing}'");
        if (!(double.IsFinite(TimeScale) && TimeScale > 0)) Fail("time_scale", $"must be positive, got {TimeScale}");
        if (ReplayCapacity <= 0 || (ReplayCapacity & (ReplayCapacity - 1)) != 0) Fail("replay_capacity", $"must be a positive power of two, got {ReplayCapacity}");
        if (Array.IndexOf(Backends, Backend) < 0) Fail("backend", $"must be one of {string.Join(", ", Backends)}, got '{Backend}'");
        if (Noise is not ("gaussian" or "ou")) Fail("noise", $"must be 'gaussian' or 'ou', got '{Noise}'");
        if (!(double.IsFinite(CheckpointEverySeconds) && CheckpointEverySeconds > 0)) Fail("checkpoint_every_seconds", $"must be positive, got {CheckpointEverySeconds}");
        if (!(double.IsFinite(MetricsEverySeconds) && MetricsEverySeconds > 0)) Fail("metrics_every_seconds", $"must be positive, got {MetricsEverySeconds}");
        if (!(double.IsFinite(EvalEverySeconds) && EvalEverySeconds > 0)) Fail("eval_every_seconds", $"must be positive, got {EvalEverySeconds}");
        if (Variation is { } variation)
        {
            variation.Validate();
            if (!variation.IsNone) Wrap("variation", () => Sim.TaskCatalog.Robot(Task, 0, variation, Seed));
        }
        if (Suite is string suite) Wrap("suite", () => Sim.TaskCatalog.Variants(Task, suite));
        if (EvalEverySteps is long every && every <= 0) Fail("eval_every_steps", $"must be positive (or null to evaluate by eval_every_seconds), got {every}");
        if (CheckpointReplayMaxMb < 0) Fail("checkpoint_replay_max_mb", $"must be 0 (never) or positive, got {CheckpointReplayMaxMb}");
        if (EvalEpisodes <= 0) Fail("eval_episodes", $"must be positive, got {EvalEpisodes}");
        if (NStep is < 1 or > Learning.MultiStepReturns.MaxSteps) Fail("n_step", $"must be in [1, {Learning.MultiStepReturns.MaxSteps}], got {NStep}");
        if (!(float.IsFinite(RewardScale) && RewardScale > 0)) Fail("reward_scale", $"must be positive and finite, got {RewardScale}");
        if (HindsightRelabels is < 0 or > 16) Fail("hindsight_relabels", $"must be in [0, 16], got {HindsightRelabels}");
        if (HindsightRelabels > 0 && !Sim.TaskCatalog.HasGoalRelabeling(Task))
            Fail("hindsight_relabels", $"task '{Task}' has no goal in its observation that its reward separates out; hindsight relabelling applies to {string.Join(", ", Sim.TaskCatalog.GoalTasks)}");
        if (PriorityExponent is double alpha && !(alpha > 0 && alpha <= 1)) Fail("priority_exponent", $"must be in (0, 1] (or absent for uniform replay), got {alpha}");
        if (!(ImportanceExponent >= 0 && ImportanceExponent <= 1)) Fail("importance_exponent", $"must be in [0, 1], got {ImportanceExponent}");
        if (PriorityExponent is not null && Commands.CommonOptions.ResolveBackend(Backend) != "cpu")
            Fail("priority_exponent", $"prioritised replay runs on the cpu backend only (the GPU trainer reports no per-row TD errors yet); backend is '{Backend}'");
        if (MinReplayFill < BatchSize) Fail("min_replay_fill", $"must be at least batch_size ({BatchSize}), got {MinReplayFill}");
        // The library types validate the rest and name their own fields; re-wrap to name the config key.
        Wrap("noise_initial/noise_decay/noise_minimum", () => Schedule());
        Wrap("learner", () => LearnerOptions());
        NafOptions(observationSize: 1, actionSize: 1); // network and optimiser fields; sizes come from the task later
    }

    public NafOptions NafOptions(int observationSize, int actionSize)
    {
        try
        {
            return new NafOptions
            {
                ObservationSize = observationSize, ActionSize = actionSize, HiddenSizes = Hidden, Discount = Discount,
                TargetUpdateRate = TargetUpdateRate, LearningRate = LearningRate, BatchSize = BatchSize,
                MaxGradientNorm = MaxGradientNorm, Seed = Seed,
            };
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"config: {e.Message}", e);
        }
    }

    public LearnerOptions LearnerOptions() => new()
    {
        MinReplayFill = MinReplayFill, PublishEvery = PublishEvery, UpdatesPerInsert = UpdatesPerInsert, Seed = Seed,
        PriorityExponent = PriorityExponent, ImportanceExponent = ImportanceExponent,
    };

    public NoiseSchedule Schedule() => new(NoiseInitial, NoiseDecay, NoiseMinimum);

    /// <summary>What the library's training loop needs of these settings ("auto" resolved to a device here).</summary>
    public TrainingOptions TrainingOptions() => new()
    {
        Task = Task, Workers = Workers, GoalRelabels = HindsightRelabels, ReturnSteps = NStep, RewardScale = RewardScale, Seed = Seed, Minutes = Minutes, Steps = Steps, Pacing = ResolvedPacing, TimeScale = TimeScale,
        ReplayCapacity = ReplayCapacity, MetricsEverySeconds = MetricsEverySeconds, CheckpointEverySeconds = CheckpointEverySeconds,
        EvalEverySeconds = EvalEverySeconds, EvalEverySteps = EvalEverySteps, EvalEpisodes = EvalEpisodes,
        CheckpointReplayMaxBytes = (long)CheckpointReplayMaxMb << 20, Learner = LearnerOptions(),
        Network = NafOptions, Noise = CreateNoise,
        Device = Commands.CommonOptions.ResolveBackend(Backend) switch
        {
            "cpu" => null,
            "gpu" => GpuDevice.Cuda,
            _ => GpuDevice.CpuAccelerator,
        },
    };

    /// <summary>Simulated worker <paramref name="worker"/>'s environment: its own robot under <see cref="Variation"/>
    /// (the nominal task for the evaluation environment, index −1).</summary>
    public Environments.IEnvironment CreateSimulatedTask(string name, int worker) =>
        Sim.TaskCatalog.Create(name, worker, Variation, Seed, Suite is string suite ? new Sim.SuiteChoice(suite, SuitePerWorker) : null);

    /// <summary>The robots the simulated workers get (robots.json), or empty when they are all nominal.</summary>
    public IReadOnlyList<Sim.Variation.RobotParameters> SimulatedRobots() =>
        Variation is { IsNone: false } v ? [.. Enumerable.Range(Robots.Length, Workers - Robots.Length).Select(w => Sim.TaskCatalog.Robot(Task, w, v, Seed))] : [];

    public Learning.Pacing ResolvedPacing => Pacing == "real-time" ? Learning.Pacing.RealTime : Learning.Pacing.AsFastAsPossible;

    public IExplorationNoise CreateNoise(int actionSize, int seed) => Noise == "ou"
        ? new OrnsteinUhlenbeckNoise(actionSize, Schedule(), seed)
        : new GaussianNoise(Schedule(), seed);

    private static void Fail(string field, string what) => throw new ArgumentException($"config field '{field}': {what}.");

    private static void Wrap(string field, Action build)
    {
        try { build(); }
        catch (Exception e) when (e is ArgumentException or Sim.Mujoco.MujocoUnavailableException)
        {
            throw new ArgumentException($"config field '{field}': {e.Message.TrimEnd('.')}.", e);
        }
    }
}
