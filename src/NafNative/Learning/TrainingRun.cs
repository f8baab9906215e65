using NafNative.Environments;
using NafNative.Learning.Exploration;
using NafNative.Replay;

namespace NafNative.Learning;

/// <summary>One worker's parts: its environment (owned and disposed by the run), policy and noise.</summary>
/// <remarks><c>GoalRelabels</c>: hindsight copies per transition (0: none; see <see cref="HindsightRelabeler"/>).
/// <c>ReturnSteps</c>: n of the n-step returns stored, discounted by <c>Discount</c>, the trainer's γ (1: one-step; see
/// <see cref="MultiStepReturns"/>). <c>RewardScale</c> multiplies every stored reward (1: the task's).</remarks>
public sealed record WorkerSetup(IEnvironment Environment, IPolicy Policy, IExplorationNoise Noise, int Seed, int GoalRelabels = 0,
    int ReturnSteps = 1, float Discount = 0.99f, float RewardScale = 1f);

// Design:
// - The controlling thread calls Start, then Wait/Stop. Start publishes the initial snapshot, then starts one learner
//   thread and one thread per worker, all watching one CancellationTokenSource.
// - Any thread that throws records the first failure (Interlocked.CompareExchange) and cancels the rest, so one broken
//   robot stops the run; Stop joins every thread and rethrows that failure. No exception is swallowed. Every wait in
//   the threads observes the token, so they stop within milliseconds; one that does not within StopTimeout (stuck in
//   a Step) is named in a TimeoutException instead of hanging Stop.

/// <summary>Starts and stops the learner and N workers of one asynchronous training run.</summary>
public sealed class TrainingRun : IDisposable
{
    private readonly Learner _learner;
    private readonly Worker[] _workers;
    private readonly IReadOnlyList<WorkerSetup> _setups;
    private readonly CancellationTokenSource _stop = new();
    // (thread, name, worker index or −1 for the learner); written by Start, read by Shutdown (both the controlling thread).
    private readonly List<(Thread Thread, string Name, int Worker)> _threads = [];
    private Exception? _failure;
    private string? _failedThread;
    private bool _started, _stopped;

    /// <remarks><c>watchdogPeriod</c> is each worker's watchdog period (<see cref="Worker.DefaultWatchdogPeriod"/> when
    /// null): a trip (a stalled policy or environment) stops the run with a <see cref="TimeoutException"/> naming the
    /// worker. <c>timeProvider</c> is the watchdogs' clock (tests drive it by hand; the system clock when null).
    /// <c>remoteSlots</c> extra <see cref="RunMetrics"/> worker slots, after the threads' own, for experience that
    /// arrives from outside the process (remote workers); with some, the run may have no worker threads at all.
    /// <c>stepLimit</c>: environment steps the worker threads may take between them (unbounded when null); a worker
    /// stops once they are spent, so the run takes exactly that many (remote workers' steps are not counted).</remarks>
    public TrainingRun(IUpdateStep step, ReplayRing ring, LearnerOptions learnerOptions, IReadOnlyList<WorkerSetup> workers, Pacing pacing,
        double timeScale = 1.0, TimeSpan? watchdogPeriod = null, TimeProvider? timeProvider = null, int remoteSlots = 0,
        long? stepLimit = null)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(ring);
        ArgumentNullException.ThrowIfNull(workers);
        ArgumentOutOfRangeException.ThrowIfNegative(remoteSlots);
        if (workers.Count + remoteSlots == 0) throw new ArgumentException("TrainingRun: at least one worker (or remote slot) is needed.", nameof(workers));
        _setups = workers;
        Metrics = new RunMetrics(workers.Count + remoteSlots, updatesBefore: step.Steps);
        Publisher = new SnapshotPublisher();
        Ring = ring;
        ArgumentNullException.ThrowIfNull(learnerOptions);
        // Slack: each worker may run a few steps ahead of the ratio, so workers do not stall in lockstep.
        var limiter = new RateLimiter(learnerOptions.UpdatesPerInsert, learnerOptions.MinReplayFill, insertSlack: 16L * (workers.Count + remoteSlots),
            insertedBefore: ring.Inserted);
        Limiter = limiter;
        _learner = new Learner(ring, step, Publisher, learnerOptions, Metrics, limiter);
        Budget = stepLimit is long limit ? new StepBudget(limit) : null;
        _workers = new Worker[workers.Count];
        for (int i = 0; i < workers.Count; i++)
        {
            var w = workers[i];
            string name = WorkerName(i, w.Environment);
            Worker? worker = null;
            // A trip seen by the timer while the worker thread is stuck inside a step: fail the run now, not when the
            // step returns (the worker throws the same error at its next poll; the first failure wins either way).
            worker = new Worker(i, w.Environment, w.Policy, w.Noise, ring, Publisher, Metrics, pacing, w.Seed, limiter, timeScale,
                watchdogPeriod, timeProvider, trip => Fail(name, worker!.TripError(trip)), w.GoalRelabels,
                w.ReturnSteps, w.Discount, w.RewardScale, Budget);
            _workers[i] = worker;
        }
    }

    /// <summary>How long <see cref="Stop"/> waits, in all, for the threads to finish after cancelling them (2 s): a
    /// thread still running then (stuck in an environment's Step, the policy or a posted action) is named in a
    /// <see cref="TimeoutException"/> and left running as a background thread, its environment not disposed.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(2);

    public RunMetrics Metrics { get; }
    public SnapshotPublisher Publisher { get; }
    /// <summary>The updates/inserts ratio the learner and the worker threads respect; remote inserts ask it too.</summary>
    public RateLimiter Limiter { get; }
    public ReplayRing Ring { get; }
    /// <summary>The worker threads' shared step budget; null when unbounded.</summary>
    public StepBudget? Budget { get; }

    /// <summary>True once a thread has failed (the run is stopping).</summary>
    public bool IsFaulted => Volatile.Read(ref _failure) is not null;

    /// <summary>Cancelled when the run stops for any reason.</summary>
    public CancellationToken Stopping => _stop.Token;

    /// <summary>Runs <paramref name="action"/> on the learner thread between two updates (see <see cref="Learner.Post"/>).</summary>
    public void PostToLearner(Action action) => _learner.Post(action);

    public void Start()
    {
        if (_started) throw new InvalidOperationException("TrainingRun.Start: the run was already started.");
        _started = true;
        _learner.PublishInitial();
        StartThread("learner", -1, () => _learner.Run(_stop.Token));
        for (int i = 0; i < _workers.Length; i++)
        {
            var worker = _workers[i];
            StartThread(WorkerName(i, _setups[i].Environment), i, () => worker.Run(_stop.Token));
        }
    }

    /// <summary>Blocks until <paramref name="until"/> says stop (polled every <paramref name="poll"/>), the token is
    /// cancelled, or a thread fails; then stops the run (rethrowing a failure).</summary>
    public void Wait(Func<RunMetrics, bool> until, TimeSpan poll, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(until);
        using var link = CancellationTokenSource.CreateLinkedTokenSource(cancellation, _stop.Token);
        while (!link.IsCancellationRequested && !until(Metrics))
            link.Token.WaitHandle.WaitOne(poll);
        Stop();
    }

    /// <summary>Cancels every thread, joins them all, disposes every environment, and rethrows the first thread
    /// failure, if any (else the first environment whose Dispose threw).</summary>
    public void Stop()
    {
        if (_stopped) { ThrowIfFailed(); return; }
        var (stuck, disposeFailure) = Shutdown();
        ThrowIfFailed(stuck);
        if (stuck is not null) throw stuck;
        if (disposeFailure is not null) throw disposeFailure;
    }

    /// <summary>Stops the run if it is still running (as <see cref="Stop"/>, reporting only an environment whose
    /// Dispose threw: a thread failure is <see cref="Stop"/>'s to report).</summary>
    public void Dispose()
    {
        var (stuck, disposeFailure) = _started && !_stopped ? Shutdown() : (null, null);
        // A thread that did not stop may still read the token: leave the source to the GC rather than dispose it under it.
        if (stuck is null) _stop.Dispose();
        if (stuck is not null) throw stuck;
        if (disposeFailure is not null) throw disposeFailure;
    }

    // The one cancel–join–dispose path. Each environment is disposed in its own try, so one that throws neither leaves
    // the others undisposed nor hides the failure that stopped the run; returns the first Dispose failure, if any.
    private (TimeoutException? Stuck, InvalidOperationException? DisposeFailure) Shutdown()
    {
        _stopped = true;
        _stop.Cancel();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var stuck = new List<string>();
        var stuckWorker = new bool[_setups.Count];
        foreach (var (thread, name, worker) in _threads)
        {
            TimeSpan left = StopTimeout - clock.Elapsed;
            if (thread.Join(left > TimeSpan.Zero ? left : TimeSpan.Zero)) continue;
            stuck.Add(name);
            if (worker >= 0) stuckWorker[worker] = true;
        }
        TimeoutException? stuckFailure = stuck.Count == 0 ? null : new TimeoutException(
            $"Training run: {string.Join(", ", stuck)} did not stop within {StopTimeout.TotalSeconds:F1} s of being cancelled " +
            "(stuck in an environment's Step, the policy or a posted action); left running as a background thread, " +
            "its environment not disposed.");
        InvalidOperationException? first = null;
        for (int i = 0; i < _setups.Count; i++)
        {
            if (stuckWorker[i]) continue; // disposing an environment its thread is still inside could crash the process
            try
            {
                _setups[i].Environment.Dispose();
            }
            catch (Exception e)
            {
                first ??= new InvalidOperationException($"Training run: disposing the environment of {WorkerName(i, _setups[i].Environment)} failed: {e.Message}", e);
            }
        }
        return (stuckFailure, first);
    }

    private void StartThread(string name, int worker, Action body)
    {
        var thread = new Thread(() =>
        {
            try { body(); }
            catch (Exception e) { Fail(name, e); }
        })
        { IsBackground = true, Name = $"naf {name}" };
        _threads.Add((thread, name, worker));
        thread.Start();
    }

    private static string WorkerName(int i, IEnvironment environment) => $"worker {i} ({environment.Name})";

    // Any thread: records the first failure and stops the run.
    private void Fail(string name, Exception e)
    {
        // First failure wins; full fence orders _failedThread's write before the failure becomes visible.
        if (Interlocked.CompareExchange(ref _failure, e, null) is null) Volatile.Write(ref _failedThread, name);
        try { _stop.Cancel(); }
        catch (ObjectDisposedException) { } // a late timer trip after Dispose: the run is over already
    }

    private void ThrowIfFailed(TimeoutException? stuck = null)
    {
        if (Volatile.Read(ref _failure) is Exception e)
            throw new InvalidOperationException(
                $"Training run stopped: {_failedThread} failed: {e.Message}{(stuck is null ? "" : $" Then: {stuck.Message}")}", e);
    }
}
