using System.Diagnostics;
using NafNative.Environments;
using NafNative.Learning;
using NafNative.Naf;
using NafNative.Naf.Gpu;
using NafNative.Replay;

namespace NafNative.Cli.Training;

/// <summary>Runs one configured training run into a run directory: workers + learner, periodic metrics rows and
/// checkpoints (taken on the learner thread between updates, so they are consistent), final checkpoint and curves.</summary>
public sealed class TrainingSession
{
    private readonly TrainConfig _config;
    private readonly RunDirectory _run;
    private readonly Func<string, int, IEnvironment> _createTask;

    public TrainingSession(TrainConfig config, RunDirectory run, Func<string, int, IEnvironment> createTask)
    {
        _config = config;
        _run = run;
        _createTask = createTask;
    }

    /// <summary>What a finished session reports.</summary>
    public sealed record Summary(string RunPath, string CheckpointPath, string BestCheckpointPath, double BestEvalSuccess,
        string CurveTimePath, string CurveStepsPath,
        RunMetricsSnapshot Metrics, bool Interrupted, long TotalUpdates, string Backend);

    /// <summary>Trains until the budget (minutes/steps) is spent or <paramref name="cancellation"/> fires; always
    /// leaves a resumable checkpoint. <paramref name="resumeFrom"/> continues a checkpointed trainer (on the GPU
    /// backends its state is uploaded to the device). The learner runs on <see cref="TrainConfig.Backend"/>.</summary>
    /// <remarks>A periodic write that fails (checkpoint, best.naf, metrics.csv or evals.csv: disk full, read-only
    /// folder) does not stop the run: it is reported through <paramref name="warn"/> (on the calling thread) and in
    /// metrics.csv's checkpoint_failures, and retried next period; the file's previous version stays intact (a
    /// checkpoint is written to a temporary file and renamed). Only the final checkpoint is fatal.</remarks>
    /// <exception cref="InvalidOperationException">backend gpu and no CUDA device.</exception>
    /// <exception cref="InsufficientMemoryException">The device cannot hold the network and batch.</exception>
    /// <exception cref="IOException">The final checkpoint could not be written (the message names the file).</exception>
    public Summary Run(NafTrainer? resumeFrom, CancellationToken cancellation, Action<MetricsRow>? progress = null,
        Action<string>? warn = null)
    {
        var envs = new IEnvironment[_config.Workers];
        try
        {
            for (int i = 0; i < envs.Length; i++) envs[i] = _createTask(_config.Task, i);
        }
        catch
        {
            // A robot that failed to open must not leave the ones before it running.
            foreach (var e in envs) e?.Dispose();
            throw;
        }
        var naf = _config.NafOptions(envs[0].ObservationSize, envs[0].ActionSize);
        string backend = Commands.CommonOptions.ResolveBackend(_config.Backend);
        if (backend == "cpu") return Run(resumeFrom ?? new NafTrainer(naf), null, envs, naf, cancellation, progress, warn);
        var device = backend == "gpu" ? GpuDevice.Cuda : GpuDevice.CpuAccelerator;
        using var gpu = resumeFrom is null ? new GpuNafTrainer(naf, device) : new GpuNafTrainer(resumeFrom, device);
        return Run(null, gpu, envs, naf, cancellation, progress, warn);
    }

    // Exactly one of cpu/gpu is set. Checkpoints and evaluations read a CPU NafTrainer: the CPU trainer itself, or
    // the GPU trainer's state downloaded into one (on the learner thread between updates, or after the run).
    private Summary Run(NafTrainer? cpu, GpuNafTrainer? gpu, IEnvironment[] envs, NafOptions naf, CancellationToken cancellation,
        Action<MetricsRow>? progress, Action<string>? warn)
    {
        var failures = new PeriodicWriteFailures();
        IUpdateStep trainer = (IUpdateStep?)cpu ?? gpu!;
        NafNetwork network = cpu?.Network ?? gpu!.Network;
        Func<NafTrainer> state = cpu is not null ? () => cpu : () => gpu!.DownloadState();
        string backendName = cpu is not null ? $"cpu: {Commands.CommonOptions.CpuDescription()}" : $"{_config.Backend}: {gpu!.DeviceName}";
        var ring = new ReplayRing(_config.ReplayCapacity, naf.ObservationSize, naf.ActionSize);
        long episodeOffset = trainer.Steps; // decorrelates a resumed run's seeds from the first run's
        var setups = new WorkerSetup[envs.Length];
        for (int i = 0; i < envs.Length; i++)
            setups[i] = new WorkerSetup(envs[i], new NafPolicy(network),
                _config.CreateNoise(naf.ActionSize, unchecked(_config.Seed * 7919 + i * 104729 + (int)episodeOffset)),
                unchecked(_config.Seed * 1000 + i + (int)episodeOffset));

        long startUpdates = trainer.Steps;
        var run = new TrainingRun(trainer, ring, _config.LearnerOptions(), setups, _config.ResolvedPacing, _config.TimeScale);
        var clock = Stopwatch.StartNew();
        double lastMetrics = 0, lastCheckpoint = 0, lastEval = 0;
        using var evalEnvironment = _createTask(_config.Task, -1);
        // A resumed run keeps competing against the best evaluation it already kept in best.naf.
        var best = _run.ReadBestEval() ?? (double.NegativeInfinity, double.NegativeInfinity);
        var previous = (Time: 0.0, Steps: 0L, Updates: 0L);
        bool budgetSpent = false;
        try
        {
            run.Start();
            run.Wait(metrics =>
            {
                double now = clock.Elapsed.TotalSeconds;
                long steps = TotalSteps(metrics);
                budgetSpent = (_config.Minutes is double m && now >= m * 60) || (_config.Steps is long s && steps >= s);
                if (now - lastMetrics >= _config.MetricsEverySeconds || budgetSpent)
                {
                    var row = Row(metrics.Read(), ring, startUpdates, ref previous) with { CheckpointFailures = failures.Checkpoints };
                    failures.Try(RunDirectory.MetricsFile, () => _run.AppendMetrics(row), checkpoint: false);
                    progress?.Invoke(row);
                    lastMetrics = now;
                }
                if (now - lastEval >= _config.EvalEverySeconds)
                {
                    long envSteps = steps;
                    run.PostToLearner(() =>
                    {
                        // Cancelled mid-evaluation when the run stops: its remaining episodes are not waited for.
                        try { best = EvaluateAndKeepBest(state(), evalEnvironment, clock.Elapsed.TotalSeconds, envSteps, best, failures, run.Stopping); }
                        catch (OperationCanceledException) when (run.Stopping.IsCancellationRequested) { }
                    });
                    lastEval = now;
                }
                if (now - lastCheckpoint >= _config.CheckpointEverySeconds)
                {
                    // On the learner thread, between updates; a failure is recorded there and reported here.
                    run.PostToLearner(() => failures.Try(_run.CheckpointPath, () => NafCheckpoint.Save(state(), _run.CheckpointPath), checkpoint: true));
                    lastCheckpoint = now;
                }
                foreach (string message in failures.TakeNew()) warn?.Invoke(message);
                return budgetSpent;
            }, TimeSpan.FromMilliseconds(50), cancellation);
        }
        finally
        {
            run.Dispose();
        }
        foreach (string message in failures.TakeNew()) warn?.Invoke(message);
        // Every thread has stopped: the trainer is quiescent, so this checkpoint is consistent. It is the one write
        // that may not fail: without it the run's last updates are lost.
        var finalState = state();
        try
        {
            NafCheckpoint.Save(finalState, _run.CheckpointPath);
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
        // Interrupted (Ctrl-C, SIGTERM): stop now, with the checkpoint written; the final evaluation (episodes) and the
        // curves wait for a run that finishes its budget (naf train --resume, or naf eval).
        bool interrupted = cancellation.IsCancellationRequested && !budgetSpent;
        if (!interrupted) best = EvaluateAndKeepBest(finalState, evalEnvironment, clock.Elapsed.TotalSeconds, final.TotalSteps, best, failures);
        foreach (string message in failures.TakeNew()) warn?.Invoke(message);
        // The curves are a convenience on top of metrics.csv/evals.csv: a machine without the native plotting library
        // still gets its trained run, and the reason is reported instead of the paths.
        string time, stepsCurve;
        if (interrupted)
        {
            time = stepsCurve = "(not drawn: interrupted; they are drawn when a run finishes its budget)";
        }
        else
        {
            try
            {
                (time, stepsCurve) = LearningCurve.Write(_run.Path, $"NAF on {_config.Task}, {_config.Workers} workers", _run.ReadMetrics(), _run.ReadEvals());
            }
            catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or IOException)
            {
                time = stepsCurve = $"(not drawn: {e.GetType().Name}: {e.Message})";
            }
        }
        return new Summary(_run.Path, _run.CheckpointPath, _run.BestCheckpointPath, best.Success, time, stepsCurve, final, !budgetSpent, trainer.Steps, backendName);
    }

    /// <summary>Greedy evaluation on seeds naf eval does not use (seed offset 1); on the learner thread, so the
    /// parameters are exactly those saved. A new best (success rate, then mean return) is kept in best.naf.</summary>
    private (double Success, double Return) EvaluateAndKeepBest(NafTrainer trainer, IEnvironment environment, double wallSeconds,
        long envSteps, (double Success, double Return) best, PeriodicWriteFailures failures, CancellationToken cancellation = default)
    {
        var result = Evaluation.Run(environment, trainer.Network, trainer.Online.Values, _config.EvalEpisodes, seed: 1, cancellation);
        bool better = result.SuccessRate > best.Success || (result.SuccessRate == best.Success && result.MeanReturn > best.Return);
        // A best.naf that could not be written is not kept: the next evaluation at least as good tries again.
        if (better) better = failures.Try(_run.BestCheckpointPath, () => NafCheckpoint.Save(trainer, _run.BestCheckpointPath), checkpoint: true);
        failures.Try(RunDirectory.EvalsFile,
            () => _run.AppendEval(wallSeconds, envSteps, trainer.Steps, result.SuccessRate, result.MeanReturn, better), checkpoint: false);
        return better ? (result.SuccessRate, result.MeanReturn) : best;
    }

    private static long TotalSteps(RunMetrics metrics) => metrics.Read(0).TotalSteps;

    private static MetricsRow Row(RunMetricsSnapshot m, ReplayRing ring, long startUpdates, ref (double Time, long Steps, long Updates) previous)
    {
        double dt = Math.Max(1e-9, m.ElapsedSeconds - previous.Time);
        long steps = m.TotalSteps;
        var row = new MetricsRow(m.ElapsedSeconds, steps, startUpdates + m.Updates, (m.Updates - previous.Updates) / dt,
            (steps - previous.Steps) / dt, ring.Count, m.Episodes, m.MeanRecentReturn, m.RecentSuccessRate, m.MeanRecentStaleness,
            m.LastLoss, m.SafetyInterventions, ring.Superseded, ring.TornRetries, m.DiscardedSteps,
            m.NonFiniteUpdates);
        previous = (m.ElapsedSeconds, steps, m.Updates);
        return row;
    }
}
