using System.Diagnostics;
using NafNative.Environments;
using NafNative.Interop.TensorBoard;
using NafNative.Kernels.Cpu;
using NafNative.Naf;
using NafNative.Naf.Gpu;
using NafNative.Replay;
using NafNative.Storage;

namespace NafNative.Learning;

/// <summary>Runs one training run into a <see cref="RunFolder"/>: workers + learner, periodic metrics rows,
/// evaluations (the best kept in best.naf) and checkpoints (taken on the learner thread between updates, so they are
/// consistent), and a final checkpoint and evaluation.</summary>
/// <remarks>Environments come from the factory given: <c>(task, index)</c> with index 0..Workers−1 for the workers
/// (a caller may open robots for the first ones) and −1 for the evaluation environment. The session owns and
/// disposes all of them.</remarks>
public sealed class TrainingSession
{
    private readonly TrainingOptions _options;
    private readonly RunFolder _run;
    private readonly Func<string, int, IEnvironment> _createTask;
    private readonly IRemoteWorkers? _remote;

    /// <remarks><c>remote</c>: workers in other processes that join the run (null: none); with them,
    /// <see cref="TrainingOptions.Workers"/> may be 0 (a learner that only serves remote workers).</remarks>
    public TrainingSession(TrainingOptions options, RunFolder run, Func<string, int, IEnvironment> createTask, IRemoteWorkers? remote = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(createTask);
        if (options.Workers < (remote is null ? 1 : 0))
            throw new ArgumentOutOfRangeException(nameof(options), options.Workers,
                remote is null ? "TrainingOptions.Workers must be at least 1." : "TrainingOptions.Workers must not be negative.");
        _options = options;
        _run = run;
        _createTask = createTask;
        _remote = remote;
    }

    /// <summary>What a finished session reports. <c>Interrupted</c>: the budget was not spent (the token was
    /// cancelled first); <c>Device</c>: where the updates ran, in words;
    /// <c>EnvSteps</c>: environment steps of the whole run, over every resume; <c>Restored</c>: what a resumed run
    /// started from (null for a fresh run or one without a replay file).</summary>
    public sealed record Summary(string RunPath, string CheckpointPath, string BestCheckpointPath, double BestEvalSuccess,
        RunMetricsSnapshot Metrics, bool Interrupted, long TotalUpdates, string Device, long EnvSteps = 0, ReplayFile.Header? Restored = null);

    /// <summary>The CPU in words: cores, the SIMD path the kernels take and their GEMM blocking.</summary>
    public static string CpuDescription() =>
        $"CPU ({Environment.ProcessorCount} cores, {SimdPath.Active}, GEMM {Gemm.ActivePlan(SimdPath.Active)}, 1 learner thread)";

    /// <summary>Trains until the budget (minutes/steps) is spent or <paramref name="cancellation"/> fires; always
    /// leaves a resumable checkpoint. <paramref name="resumeFrom"/> continues a checkpointed trainer (on the GPU
    /// backends its state is uploaded to the device). The learner runs on <see cref="TrainingOptions.Device"/>.</summary>
    /// <remarks>A periodic write that fails (checkpoint, best.naf, metrics.csv or evals.csv: disk full, read-only
    /// folder) does not stop the run: it is reported through <paramref name="warn"/> (on the calling thread) and in
    /// metrics.csv's checkpoint_failures, and retried next period; the file's previous version stays intact (a
    /// checkpoint is written to a temporary file and renamed). Only the final checkpoint is fatal. An interrupted run
    /// (the token cancelled before the budget is spent) skips the final evaluation.</remarks>
    /// <exception cref="InvalidOperationException">Device CUDA and no CUDA device.</exception>
    /// <exception cref="InsufficientMemoryException">The device cannot hold the network and batch.</exception>
    /// <exception cref="IOException">The final checkpoint could not be written (the message names the file).</exception>
    public Summary Run(NafTrainer? resumeFrom, CancellationToken cancellation, Action<MetricsRow>? progress = null,
        Action<string>? warn = null)
    {
        var envs = new IEnvironment[_options.Workers];
        IEnvironment? evalEnvironment = null;
        try
        {
            for (int i = 0; i < envs.Length; i++) envs[i] = _createTask(_options.Task, i);
            evalEnvironment = _createTask(_options.Task, -1);
        }
        catch
        {
            // A robot that failed to open must not leave the ones before it running.
            foreach (var e in envs) e?.Dispose();
            throw;
        }
        using (evalEnvironment)
        {
            // Without worker threads (only remote workers) the evaluation environment gives the task's sizes.
            var shape = envs.Length > 0 ? envs[0] : evalEnvironment;
            var naf = _options.Network(shape.ObservationSize, shape.ActionSize);
            if (_options.Device is not GpuDevice device) return Run(resumeFrom ?? new NafTrainer(naf), null, envs, evalEnvironment, naf, resumeFrom is not null, cancellation, progress, warn);
            using var gpu = resumeFrom is null ? new GpuNafTrainer(naf, device) : new GpuNafTrainer(resumeFrom, device);
            return Run(null, gpu, envs, evalEnvironment, naf, resumeFrom is not null, cancellation, progress, warn);
        }
    }

    // Exactly one of cpu/gpu is set. Checkpoints and evaluations read a CPU NafTrainer: the CPU trainer itself, or
    // the GPU trainer's state downloaded into one (on the learner thread between updates, or after the run).
    private Summary Run(NafTrainer? cpu, GpuNafTrainer? gpu, IEnvironment[] envs, IEnvironment evalEnvironment, NafOptions naf, bool resumed, CancellationToken cancellation,
        Action<MetricsRow>? progress, Action<string>? warn)
    {
        var failures = new PeriodicWriteFailures();
        // A process killed mid-write (kill -9, power loss) leaves its temporary file; the real files are intact.
        if (resumed)
        {
            foreach (string name in AtomicFile.RemoveStaleTemporaries(_run.Path))
                warn?.Invoke($"removed {name}: a temporary file left by an earlier process killed while writing it (the file it was replacing is intact)");
            foreach (string name in _run.RepairTornAppends())
                warn?.Invoke($"{name}: removed a half-written last line left by an earlier process that was killed");
        }
        IUpdateStep trainer = (IUpdateStep?)cpu ?? gpu!;
        NafNetwork network = cpu?.Network ?? gpu!.Network;
        Func<NafTrainer> state = cpu is not null ? () => cpu : () => gpu!.DownloadState();
        string deviceName = cpu is not null ? CpuDescription() : gpu!.DeviceName;
        var ring = new ReplayRing(_options.ReplayCapacity, naf.ObservationSize, naf.ActionSize);
        // A resumed run continues with the replay and step count saved with its checkpoint (same update count).
        ReplayFile.Header? restored = null;
        if (resumed && _run.FindReplay(trainer.Steps) is string replayPath)
        {
            try
            {
                restored = ReplayFile.Load(replayPath, ring);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{e.Message} It belongs with {_run.CheckpointPath}; delete it to resume with an empty replay " +
                    "(the step count then restarts too).", e);
            }
            if (restored.Updates != trainer.Steps)
                throw new InvalidDataException($"replay file {replayPath} belongs with a checkpoint of {restored.Updates} updates, not {trainer.Steps}.");
        }
        long stepsBefore = restored?.EnvSteps ?? 0;
        long episodeOffset = trainer.Steps; // decorrelates a resumed run's seeds from the first run's
        var setups = new WorkerSetup[envs.Length];
        for (int i = 0; i < envs.Length; i++)
            setups[i] = new WorkerSetup(envs[i], new NafPolicy(network),
                _options.Noise(naf.ActionSize, unchecked(_options.Seed * 7919 + i * 104729 + (int)episodeOffset)),
                unchecked(_options.Seed * 1000 + i + (int)episodeOffset), _options.GoalRelabels,
                _options.ReturnSteps, naf.Discount, _options.RewardScale);

        long startUpdates = trainer.Steps;
        // The worker threads claim each step from the budget left, so it is exact (remote workers' steps are counted
        // by the poll below instead).
        long? stepsLeft = _options.Steps is long budget ? Math.Max(0, budget - stepsBefore) : null;
        var run = new TrainingRun(trainer, ring, _options.Learner, setups, _options.Pacing, _options.TimeScale,
            remoteSlots: _remote?.Slots ?? 0, stepLimit: stepsLeft);
        var clock = Stopwatch.StartNew();
        double lastMetrics = 0, lastCheckpoint = 0, lastEval = 0;
        long lastEvalSteps = stepsBefore;
        // A resumed run keeps competing against the best evaluation it already kept in best.naf.
        var best = _run.ReadBestEval() ?? (double.NegativeInfinity, double.NegativeInfinity);
        var previous = (Time: 0.0, Steps: 0L, Updates: 0L);
        bool budgetSpent = false;
        using var events = OpenEvents(failures, stepsBefore);
        _events = events;
        try
        {
            run.Start();
            _remote?.Start(new RemoteRunParts(ring, run.Publisher, run.Metrics, run.Limiter, envs.Length, _options.Task, naf, _run.Path, run.Stopping, _options.RewardScale));
            run.Wait(metrics =>
            {
                double now = clock.Elapsed.TotalSeconds;
                long steps = stepsBefore + TotalSteps(metrics);
                budgetSpent = (_options.Minutes is double m && now >= m * 60) || (_options.Steps is long s && steps >= s);
                if (now - lastMetrics >= _options.MetricsEverySeconds || budgetSpent)
                {
                    var row = Row(metrics.Read(), ring, startUpdates, stepsBefore, ref previous) with
                    {
                        CheckpointFailures = failures.Checkpoints, Workers = metrics.ReadWorkers(),
                    };
                    failures.Try(RunFolder.MetricsFile, () => _run.AppendMetrics(row), checkpoint: false);
                    failures.Try(RunFolder.WorkersFile, () => _run.AppendWorkers(row.WallSeconds, row.Workers), checkpoint: false);
                    if (events is not null) failures.Try(events.Path, () => events.WriteScalars(row.EnvSteps, RunScalars.Of(row)), checkpoint: false);
                    progress?.Invoke(row);
                    _remote?.Report(row);
                    lastMetrics = now;
                }
                bool evalDue = _options.EvalEverySteps is long every ? steps - lastEvalSteps >= every : now - lastEval >= _options.EvalEverySeconds;
                if (evalDue && !budgetSpent)
                {
                    long envSteps = steps;
                    run.PostToLearner(() =>
                    {
                        // Cancelled mid-evaluation when the run stops: its remaining episodes are not waited for.
                        try { best = EvaluateAndKeepBest(state(), evalEnvironment, clock.Elapsed.TotalSeconds, envSteps, best, failures, run.Stopping); }
                        catch (OperationCanceledException) when (run.Stopping.IsCancellationRequested) { }
                    });
                    lastEval = now;
                    lastEvalSteps = steps;
                }
                if (now - lastCheckpoint >= _options.CheckpointEverySeconds)
                {
                    // On the learner thread, between updates; a failure is recorded there and reported here.
                    run.PostToLearner(() => failures.Try(_run.CheckpointPath,
                        () => SaveCheckpoint(state(), ring, stepsBefore + TotalSteps(run.Metrics), failures), checkpoint: true));
                    lastCheckpoint = now;
                }
                foreach (string message in failures.TakeNew()) warn?.Invoke(message);
                return budgetSpent;
            }, TimeSpan.FromMilliseconds(50), cancellation);
        }
        finally
        {
            // Remote workers first: no insert may race the run's shutdown and final checkpoint.
            try { _remote?.Stop(); }
            finally { run.Dispose(); }
        }
        foreach (string message in failures.TakeNew()) warn?.Invoke(message);
        // Every thread has stopped: the trainer is quiescent, so this checkpoint is consistent. It is the one write
        // that may not fail: without it the run's last updates are lost.
        var finalState = state();
        long finalSteps = stepsBefore + run.Metrics.Read().TotalSteps;
        try
        {
            SaveCheckpoint(finalState, ring, finalSteps, failures);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            string kept = File.Exists(_run.CheckpointPath)
                ? $"the last periodic checkpoint there is intact, so --resume continues from it ({failures.Checkpoints} periodic checkpoint(s) had failed)"
                : "no earlier checkpoint exists there";
            throw new IOException($"final checkpoint {_run.CheckpointPath} could not be written after {finalState.Steps} updates: {e.Message}; " +
                $"{kept}. Free space or make the folder writable.", e);
        }
        var final = run.Metrics.Read();
        // Interrupted (Ctrl-C, SIGTERM): stop now, with the checkpoint written; the final evaluation (episodes) waits
        // for a run that finishes its budget (naf train --resume, or naf eval).
        bool interrupted = cancellation.IsCancellationRequested && !budgetSpent;
        if (!interrupted) best = EvaluateAndKeepBest(finalState, evalEnvironment, clock.Elapsed.TotalSeconds, finalSteps, best, failures);
        foreach (string message in failures.TakeNew()) warn?.Invoke(message);
        return new Summary(_run.Path, _run.CheckpointPath, _run.BestCheckpointPath, best.Success, final, !budgetSpent, trainer.Steps, deviceName,
            finalSteps, restored);
    }

    /// <summary>The checkpoint and its replay file, in the order that survives a crash at any point (see
    /// <see cref="RunFolder.ReplayPath"/>). On the learner thread between updates, or after the run: with an
    /// updates-per-insert ratio the workers are held within the limiter's slack meanwhile, so the replay saved is the
    /// ring as the checkpointed learner last sampled it.</summary>
    private void SaveCheckpoint(NafTrainer trainer, ReplayRing ring, long envSteps, PeriodicWriteFailures failures)
    {
        long filledBytes = 4L * ring.Stride * ring.Count;
        bool withReplay = filledBytes <= _options.CheckpointReplayMaxBytes;
        if (!withReplay && !_replayTooLargeNoted)
        {
            _replayTooLargeNoted = true;
            failures.Note($"checkpoints no longer carry the replay: its {filledBytes >> 20} MB exceed the limit of " +
                $"{_options.CheckpointReplayMaxBytes >> 20} MB (checkpoint_replay_max_mb); a resumed run refills it");
        }
        ReplayFile.Save(ring, _run.ReplayPath(trainer.Steps), trainer.Steps, envSteps, withReplay, ReplayWriteWait);
        NafCheckpoint.Save(trainer, _run.CheckpointPath);
        _run.RemoveReplays(keepUpdates: trainer.Steps);
    }

    /// <summary>This process's TensorBoard event file, opened with the run's settings as text; null when
    /// <see cref="TrainingOptions.TensorBoard"/> is off or the file could not be created (a warning says why).</summary>
    private EventFile? OpenEvents(PeriodicWriteFailures failures, long envSteps)
    {
        if (!_options.TensorBoard) return null;
        EventFile? events = null;
        failures.Try(System.IO.Path.Combine(_run.Path, EventFile.Prefix + "*"), () =>
        {
            events = EventFile.Create(_run.Path);
            if (_options.Settings is string settings) events.WriteText(RunScalars.SettingsTag, "```json\n" + settings + "\n```", envSteps);
        }, checkpoint: false);
        return events;
    }

    // How long a replay save waits for a transition still being written (a producer descheduled mid-insert).
    private static readonly TimeSpan ReplayWriteWait = TimeSpan.FromSeconds(1);
    private bool _replayTooLargeNoted;
    private EventFile? _events; // this Run's event file (set before the threads start; evaluations write it on the learner thread)
    private bool _collapsed; // the last evaluation was a collapse (learner thread, then the controlling thread after the run)

    /// <summary>Greedy evaluation on seeds naf eval does not use (seed offset 1); on the learner thread, so the
    /// parameters are exactly those saved. A new best (success rate, then mean return) is kept in best.naf.</summary>
    private (double Success, double Return) EvaluateAndKeepBest(NafTrainer trainer, IEnvironment environment, double wallSeconds,
        long envSteps, (double Success, double Return) best, PeriodicWriteFailures failures, CancellationToken cancellation = default)
    {
        var result = Evaluation.Run(environment, trainer.Network, trainer.Online.Values, _options.EvalEpisodes, seed: 1, cancellation);
        bool better = result.SuccessRate > best.Success || (result.SuccessRate == best.Success && result.MeanReturn > best.Return);
        // A best.naf that could not be written is not kept: the next evaluation at least as good tries again.
        if (better) better = failures.Try(_run.BestCheckpointPath, () => NafCheckpoint.Save(trainer, _run.BestCheckpointPath), checkpoint: true);
        bool collapsed = PolicyCollapse.IsCollapse(best.Success, result.SuccessRate);
        // Warned once per fall (every evaluation's line says it in evals.csv).
        if (collapsed && !_collapsed)
            failures.Note($"greedy success fell to {result.SuccessRate:P0} after {trainer.Steps} updates ({envSteps} env steps) from the best " +
                $"{best.Success:P0}: the learned policy collapsed (late divergence); best.naf keeps the {best.Success:P0} policy");
        failures.Try(RunFolder.EvalsFile,
            () => _run.AppendEval(wallSeconds, envSteps, trainer.Steps, result.SuccessRate, result.MeanReturn, better, collapsed), checkpoint: false);
        if (_events is EventFile events)
            failures.Try(events.Path, () => events.WriteScalars(envSteps, RunScalars.OfEval(result.SuccessRate, result.MeanReturn)), checkpoint: false);
        _collapsed = collapsed;
        return better ? (result.SuccessRate, result.MeanReturn) : best;
    }

    private static long TotalSteps(RunMetrics metrics) => metrics.Read(0).TotalSteps;

    private static MetricsRow Row(RunMetricsSnapshot m, ReplayRing ring, long startUpdates, long stepsBefore,
        ref (double Time, long Steps, long Updates) previous)
    {
        double dt = Math.Max(1e-9, m.ElapsedSeconds - previous.Time);
        long steps = m.TotalSteps;
        var row = new MetricsRow(m.ElapsedSeconds, stepsBefore + steps, startUpdates + m.Updates, (m.Updates - previous.Updates) / dt,
            (steps - previous.Steps) / dt, ring.Count, m.Episodes, m.MeanRecentReturn, m.RecentSuccessRate, m.MeanRecentStaleness,
            m.LastLoss, m.SafetyInterventions, ring.Superseded, ring.TornRetries, m.DiscardedSteps,
            m.NonFiniteUpdates, VelocityClamped: m.VelocityClamped, JointLimited: m.JointLimited, WorkspaceStopped: m.WorkspaceStopped, WorkspaceSlid: m.WorkspaceSlid, HindsightInserts: m.HindsightInserts);
        previous = (m.ElapsedSeconds, steps, m.Updates);
        return row;
    }
}
