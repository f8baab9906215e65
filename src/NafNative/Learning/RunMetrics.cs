using NafNative.Safety;
using System.Diagnostics;

namespace NafNative.Learning;

// Design:
// - Writers: the learner thread (RecordUpdate), each worker thread (its own WorkerCounters; RecordEpisode).
//   Readers: any thread (Read), typically the CLI's progress loop a few times a second.
// - Hot per-step counters are plain longs written by one thread each with Volatile.Write (no contention, no
//   atomics needed for a single writer) and read with Volatile.Read; each worker's counters sit in their own
//   128-byte element of one array, 64 bytes from either neighbour, so workers never share a cache line (separate
//   32-byte objects allocated back to back did: issue 19, fault 8).
// - Episode records are rare (once per episode), so they go into a preallocated ring under a lock; the lock is never
//   taken on a per-step path.

/// <summary>Thread-safe counters of a training run: updates, loss, env steps per worker, episode returns, success,
/// snapshot staleness.</summary>
public sealed class RunMetrics
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly WorkerCounters[] _workers;
    private readonly EpisodeRecord[] _episodes;
    private readonly object _episodeLock = new();
    private long _episodeCount;

    // Learner-thread-owned; read by others with Volatile.Read.
    private long _updates;
    private long _nonFiniteUpdates;
    private float _lastLoss = float.NaN;

    /// <param name="workers">Worker threads that record steps and episodes.</param>
    /// <param name="episodeHistory">Finished episodes kept for <see cref="Read"/>.</param>
    /// <param name="updatesBefore">Updates the update step had applied before this run (a resumed trainer's
    /// <see cref="IUpdateStep.Steps"/>): the offset between this run's <see cref="Updates"/> and the trainer's own
    /// count, in which snapshots are numbered.</param>
    public RunMetrics(int workers, int episodeHistory = 1000, long updatesBefore = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(workers);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(episodeHistory);
        ArgumentOutOfRangeException.ThrowIfNegative(updatesBefore);
        UpdatesBefore = updatesBefore;
        _workers = new WorkerCounters[workers];
        _episodes = new EpisodeRecord[episodeHistory];
    }

    public int WorkerCount => _workers.Length;

    /// <summary>Seconds since the metrics (the run) started.</summary>
    public double ElapsedSeconds => _clock.Elapsed.TotalSeconds;

    /// <summary>Learner thread only: one update ran; <paramref name="nonFiniteUpdates"/> is the update step's count of
    /// updates skipped so far for a NaN/∞ loss or gradient (<see cref="IUpdateStep.NonFiniteUpdates"/>).</summary>
    public void RecordUpdate(float loss, long nonFiniteUpdates = 0)
    {
        // Single writer: release stores make the values visible to Read without atomics.
        Volatile.Write(ref _lastLoss, loss);
        Volatile.Write(ref _nonFiniteUpdates, nonFiniteUpdates);
        Volatile.Write(ref _updates, _updates + 1);
    }

    /// <summary>Updates applied so far in this run (any thread).</summary>
    public long Updates => Volatile.Read(ref _updates);

    /// <summary>Updates the update step had applied before this run started (0 for a fresh trainer).</summary>
    public long UpdatesBefore { get; }

    /// <summary>The update step's own count, <see cref="UpdatesBefore"/> + <see cref="Updates"/>: the counter space of
    /// <see cref="ParameterSnapshot.UpdateCount"/> (any thread).</summary>
    public long TrainerUpdates => UpdatesBefore + Updates;

    /// <summary>Worker <paramref name="worker"/>'s thread only: one environment step done; <paramref name="discarded"/>
    /// when the environment marked it <see cref="Environments.StepResult.Discard"/> (not stored).</summary>
    public void RecordStep(int worker, bool safetyIntervened, bool discarded = false, SafetyInterventions kinds = SafetyInterventions.None)
    {
        ref var c = ref _workers[worker];
        // Single writer per WorkerCounters: release stores, paired with the acquire loads in Read.
        Volatile.Write(ref c.Steps, c.Steps + 1);
        if (safetyIntervened) Volatile.Write(ref c.SafetyInterventions, c.SafetyInterventions + 1);
        if (kinds != SafetyInterventions.None)
        {
            if ((kinds & SafetyInterventions.VelocityClamped) != 0) Volatile.Write(ref c.VelocityClamped, c.VelocityClamped + 1);
            if ((kinds & SafetyInterventions.JointLimit) != 0) Volatile.Write(ref c.JointLimit, c.JointLimit + 1);
            if ((kinds & SafetyInterventions.Workspace) != 0) Volatile.Write(ref c.Workspace, c.Workspace + 1);
            if ((kinds & SafetyInterventions.WorkspaceSlid) != 0) Volatile.Write(ref c.WorkspaceSlid, c.WorkspaceSlid + 1);
        }
        if (discarded) Volatile.Write(ref c.Discarded, c.Discarded + 1);
    }

    /// <summary>Like <paramref name="steps"/> calls of <see cref="RecordStep"/> at once, for a batch of steps that
    /// arrived together (a remote worker's); the same single-writer rule holds per slot.</summary>
    public void RecordSteps(int worker, long steps, long safetyInterventions, long discarded)
    {
        ref var c = ref _workers[worker];
        // Single writer per WorkerCounters (the caller serialises a slot): release stores, as in RecordStep.
        Volatile.Write(ref c.Steps, c.Steps + steps);
        if (safetyInterventions != 0) Volatile.Write(ref c.SafetyInterventions, c.SafetyInterventions + safetyInterventions);
        if (discarded != 0) Volatile.Write(ref c.Discarded, c.Discarded + discarded);
    }

    /// <summary>Worker <paramref name="worker"/>'s thread only: <paramref name="count"/> hindsight-relabelled
    /// transitions stored (<see cref="HindsightRelabeler"/>).</summary>
    public void RecordRelabelled(int worker, int count)
    {
        ref var c = ref _workers[worker];
        Volatile.Write(ref c.Relabelled, c.Relabelled + count);
    }

    /// <summary>Worker thread: one episode ended. Staleness = learner updates since the snapshot it used was published.</summary>
    public void RecordEpisode(int worker, float episodeReturn, bool success, int steps, long staleness)
    {
        lock (_episodeLock)
        {
            _episodes[_episodeCount % _episodes.Length] = new EpisodeRecord(worker, episodeReturn, success, steps, staleness,
                ElapsedSeconds, TotalSteps());
            _episodeCount++;
        }
    }

    /// <summary>A consistent-enough view for progress displays and CSV rows (allocates; not for hot paths).</summary>
    public RunMetricsSnapshot Read(int recentEpisodes = 20)
    {
        long[] steps = new long[_workers.Length];
        long interventions = 0, discarded = 0, velocity = 0, joint = 0, workspace = 0, slid = 0, relabelled = 0;
        for (int i = 0; i < _workers.Length; i++)
        {
            steps[i] = Volatile.Read(ref _workers[i].Steps);
            interventions += Volatile.Read(ref _workers[i].SafetyInterventions);
            discarded += Volatile.Read(ref _workers[i].Discarded);
            velocity += Volatile.Read(ref _workers[i].VelocityClamped);
            joint += Volatile.Read(ref _workers[i].JointLimit);
            workspace += Volatile.Read(ref _workers[i].Workspace);
            slid += Volatile.Read(ref _workers[i].WorkspaceSlid);
            relabelled += Volatile.Read(ref _workers[i].Relabelled);
        }
        EpisodeRecord[] recent;
        long episodes;
        lock (_episodeLock)
        {
            episodes = _episodeCount;
            int n = (int)Math.Min(Math.Min(recentEpisodes, _episodeCount), _episodes.Length);
            recent = new EpisodeRecord[n];
            for (int i = 0; i < n; i++) recent[i] = _episodes[(_episodeCount - n + i) % _episodes.Length];
        }
        return new RunMetricsSnapshot(ElapsedSeconds, Updates, Volatile.Read(ref _lastLoss), steps, interventions, episodes, recent)
        {
            DiscardedSteps = discarded,
            VelocityClamped = velocity, JointLimited = joint, WorkspaceStopped = workspace, WorkspaceSlid = slid,
            HindsightInserts = relabelled,
            NonFiniteUpdates = Volatile.Read(ref _nonFiniteUpdates),
        };
    }

    /// <summary>Each worker's steps, episodes and its own recent episodes' mean return and success rate (its last
    /// <paramref name="recentEpisodes"/> among the kept history), so a robot that lags shows (allocates; not for hot paths).</summary>
    public WorkerSummary[] ReadWorkers(int recentEpisodes = 20)
    {
        var summaries = new WorkerSummary[_workers.Length];
        lock (_episodeLock)
        {
            int kept = (int)Math.Min(_episodeCount, _episodes.Length);
            for (int w = 0; w < _workers.Length; w++)
            {
                int n = 0, successes = 0;
                long episodes = 0;
                double returns = 0;
                // Newest first, until this worker's recent episodes are found.
                for (int k = 0; k < kept; k++)
                {
                    ref readonly var e = ref _episodes[(_episodeCount - 1 - k) % _episodes.Length];
                    if (e.Worker != w) continue;
                    episodes++;
                    if (n == recentEpisodes) continue;
                    n++;
                    returns += e.Return;
                    if (e.Success) successes++;
                }
                summaries[w] = new WorkerSummary(w, Volatile.Read(ref _workers[w].Steps), n == 0 ? double.NaN : returns / n,
                    n == 0 ? double.NaN : successes / (double)n, n);
            }
        }
        return summaries;
    }

    private long TotalSteps()
    {
        long total = 0;
        for (int i = 0; i < _workers.Length; i++) total += Volatile.Read(ref _workers[i].Steps);
        return total;
    }

    // One worker's counters alone on their cache lines: 64 bytes of padding before them, so a whole line separates two
    // workers' counters (Disruptor-net's Sequence).
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit, Size = 128)]
    private struct WorkerCounters
    {
        [System.Runtime.InteropServices.FieldOffset(64)] public long Steps;
        [System.Runtime.InteropServices.FieldOffset(72)] public long SafetyInterventions;
        [System.Runtime.InteropServices.FieldOffset(80)] public long Discarded;
        [System.Runtime.InteropServices.FieldOffset(88)] public long VelocityClamped;
        [System.Runtime.InteropServices.FieldOffset(96)] public long JointLimit;
        [System.Runtime.InteropServices.FieldOffset(104)] public long Workspace;
        [System.Runtime.InteropServices.FieldOffset(112)] public long WorkspaceSlid;
        [System.Runtime.InteropServices.FieldOffset(120)] public long Relabelled;
    }
}

/// <summary>One worker's progress: its env steps, and over its last <c>Episodes</c> episodes (≤ the requested
/// count) the mean return and success rate.</summary>
public readonly record struct WorkerSummary(int Worker, long Steps, double MeanReturn, double SuccessRate, int Episodes);

/// <summary>One finished episode.</summary>
public readonly record struct EpisodeRecord(int Worker, float Return, bool Success, int Steps, long Staleness,
    double WallSeconds, long TotalEnvSteps);

/// <summary>What <see cref="RunMetrics.Read"/> returns.</summary>
public sealed record RunMetricsSnapshot(double ElapsedSeconds, long Updates, float LastLoss, long[] StepsPerWorker,
    long SafetyInterventions, long Episodes, EpisodeRecord[] RecentEpisodes)
{
    /// <summary>Steps the environments marked <see cref="Environments.StepResult.Discard"/> (MuJoCo instability resets):
    /// counted in <see cref="StepsPerWorker"/>, not stored in the replay ring.</summary>
    public long DiscardedSteps { get; init; }

    /// <summary>Steps on which the safety filter clamped a joint velocity, stopped a joint at its margin, stopped the
    /// arm at the workspace box, or removed the outward part of its motion there (a step may count in several).</summary>
    public long VelocityClamped { get; init; }
    public long JointLimited { get; init; }
    public long WorkspaceStopped { get; init; }
    public long WorkspaceSlid { get; init; }

    /// <summary>Transitions stored again with hindsight goals (in the ring beside the real ones; not env steps).</summary>
    public long HindsightInserts { get; init; }

    /// <summary>Updates skipped because their loss or gradient was NaN or ±∞ (counted in <see cref="Updates"/>).</summary>
    public long NonFiniteUpdates { get; init; }

    public long TotalSteps => StepsPerWorker.Sum();
    public double MeanRecentReturn => RecentEpisodes.Length == 0 ? double.NaN : RecentEpisodes.Average(e => e.Return);
    public double RecentSuccessRate => RecentEpisodes.Length == 0 ? double.NaN : RecentEpisodes.Count(e => e.Success) / (double)RecentEpisodes.Length;
    public double MeanRecentStaleness => RecentEpisodes.Length == 0 ? double.NaN : RecentEpisodes.Average(e => e.Staleness);
}
