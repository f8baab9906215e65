using System.Diagnostics;
using NafNative.Environments;
using NafNative.Learning.Exploration;
using NafNative.Replay;
using NafNative.Safety;

namespace NafNative.Learning;

// Design:
// - One thread per robot runs Run. It owns its environment, policy (scratch buffers), noise and RNG state; it shares
//   only the replay ring (lock-free Insert), the snapshot publisher (acquire load of Latest once per episode) and
//   its own RunMetrics counters.
// - The snapshot is taken at episode start and kept for the whole episode (the paper's sync point).
// - A Watchdog guards the control loop as on hardware: reset at episode start, polled before each command, fed after
//   each step (and while deliberately waiting for the learner: a simulated arm does not move between steps). Its
//   timer also trips while the worker thread is stuck inside the policy or the environment; the trip callback (timer
//   thread) only hands the trip to the run's onTrip (which stops the run); the worker thread itself throws at its next
//   poll, so no command follows a trip.

/// <summary>Collects experience on one environment with the newest policy snapshot plus exploration noise.</summary>
public sealed class Worker
{
    private readonly int _id;
    private readonly IEnvironment _environment;
    private readonly IPolicy _policy;
    private readonly IExplorationNoise _noise;
    private readonly ReplayRing _ring;
    private readonly SnapshotPublisher _publisher;
    private readonly RunMetrics _metrics;
    private readonly Pacing _pacing;
    private readonly int _seed;
    private readonly RateLimiter? _limiter;
    private readonly StepBudget? _budget;
    // Real-time pacing runs the task's clock this many times faster than the wall clock (1 = true real time).
    private readonly double _timeScale;
    private readonly float[] _observation, _next, _action;
    private readonly TimeSpan _watchdogPeriod;
    private readonly TimeProvider _time;
    private readonly Action<WatchdogTrip>? _onTrip;
    private readonly HindsightRelabeler? _hindsight;
    private readonly MultiStepReturns _returns;

    /// <remarks>Watchdog: <c>watchdogPeriod</c> is the longest wall-clock gap allowed between two commands
    /// (<see cref="DefaultWatchdogPeriod"/> when null); <c>timeProvider</c> its clock and timer (the system's when
    /// null); <c>onWatchdogTrip</c> is called once per trip on the thread that detected it (possibly a timer thread
    /// while this worker is stuck in a step) and must be quick and not throw, e.g. stop the run.
    /// <c>goalRelabels</c> &gt; 0: at each episode's end its transitions are stored that many times more with hindsight
    /// goals (<see cref="HindsightRelabeler"/>); the task must offer <see cref="IEnvironment.GoalRelabeling"/>.
    /// <c>returnSteps</c> &gt; 1 stores n-step returns discounted by <c>discount</c> (the trainer's γ;
    /// <see cref="MultiStepReturns"/>), the hindsight copies included; <c>rewardScale</c> multiplies every stored
    /// reward (the episode returns in the metrics stay the task's). <c>budget</c>, shared by a run's workers: each step
    /// is claimed from it first, and the worker stops (its unfinished episode as on cancellation) once it is spent.</remarks>
    public Worker(int id, IEnvironment environment, IPolicy policy, IExplorationNoise noise, ReplayRing ring,
        SnapshotPublisher publisher, RunMetrics metrics, Pacing pacing, int seed, RateLimiter? limiter = null, double timeScale = 1.0,
        TimeSpan? watchdogPeriod = null, TimeProvider? timeProvider = null, Action<WatchdogTrip>? onWatchdogTrip = null, int goalRelabels = 0,
        int returnSteps = 1, float discount = 0.99f, float rewardScale = 1f, StepBudget? budget = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(goalRelabels);
        if (!(double.IsFinite(timeScale) && timeScale > 0))
            throw new ArgumentOutOfRangeException(nameof(timeScale), timeScale, $"Worker {id}: timeScale must be positive and finite.");
        if (watchdogPeriod is { } wp && wp <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(watchdogPeriod), wp, $"Worker {id}: the watchdog period must be positive.");
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(noise);
        ArgumentNullException.ThrowIfNull(ring);
        ArgumentNullException.ThrowIfNull(publisher);
        ArgumentNullException.ThrowIfNull(metrics);
        if ((uint)id >= (uint)metrics.WorkerCount)
            throw new ArgumentOutOfRangeException(nameof(id), id, $"Worker: id must be in [0, {metrics.WorkerCount}).");
        if (environment.ObservationSize != ring.ObservationSize || environment.ActionSize != ring.ActionSize)
            throw new ArgumentException(
                $"Worker {id}: environment '{environment.Name}' has obs {environment.ObservationSize}, act {environment.ActionSize} " +
                $"but the replay ring holds obs {ring.ObservationSize}, act {ring.ActionSize}.", nameof(environment));
        _id = id;
        _environment = environment;
        _policy = policy;
        _noise = noise;
        _ring = ring;
        _publisher = publisher;
        _metrics = metrics;
        _pacing = pacing;
        _seed = seed;
        _limiter = limiter;
        _budget = budget;
        _timeScale = timeScale;
        _observation = new float[environment.ObservationSize];
        _next = new float[environment.ObservationSize];
        _action = new float[environment.ActionSize];
        _watchdogPeriod = watchdogPeriod ?? DefaultWatchdogPeriod(environment, timeScale);
        _time = timeProvider ?? TimeProvider.System;
        _onTrip = onWatchdogTrip;
        _returns = new MultiStepReturns(returnSteps, discount, environment.ObservationSize, environment.ActionSize, rewardScale);
        if (goalRelabels > 0)
        {
            var goals = environment.GoalRelabeling
                ?? throw new ArgumentException($"Worker {id}: task '{environment.Name}' has no goal in its observation to relabel " +
                    "(hindsight relabelling needs one; set it to 0 for this task).", nameof(goalRelabels));
            _hindsight = new HindsightRelabeler(goals, goalRelabels, environment.ObservationSize, environment.ActionSize,
                unchecked(seed * 31 + id + 0x4845), returnSteps, discount, rewardScale);
        }
    }

    /// <summary>Four control periods of wall time (as the arm tasks' <see cref="SafetyLimits.WatchdogPeriod"/>), but
    /// at least <see cref="SimulatedWatchdogFloor"/>: a simulated arm does not move between steps, so the floor only
    /// keeps a loaded machine's scheduling or GC pauses from stopping a run, while a stalled policy or stuck environment
    /// is still caught within seconds.</summary>
    public static TimeSpan DefaultWatchdogPeriod(IEnvironment environment, double timeScale = 1.0)
    {
        ArgumentNullException.ThrowIfNull(environment);
        double fourPeriods = 4.0 / (environment.ControlRate * timeScale);
        return TimeSpan.FromSeconds(Math.Max(SimulatedWatchdogFloor.TotalSeconds, fourPeriods));
    }

    /// <summary>5 s. A 1 s floor stopped a door-pull and a pick-place training on a 2-core machine at load average
    /// ~100 (a worker thread niced to 10 went 1.01 s and 1.24 s without being scheduled).</summary>
    public static readonly TimeSpan SimulatedWatchdogFloor = TimeSpan.FromSeconds(5);

    /// <summary>The longest gap between commands before this worker's watchdog stops it.</summary>
    public TimeSpan WatchdogPeriod => _watchdogPeriod;

    /// <summary>Episodes finished by this worker.</summary>
    public long Episodes { get; private set; }

    /// <summary>Runs episodes until <paramref name="cancellation"/> is cancelled or the step budget is spent; on the
    /// calling thread.</summary>
    public void Run(CancellationToken cancellation)
    {
        double period = 1.0 / (_environment.ControlRate * _timeScale);
        var clock = Stopwatch.StartNew();
        long paced = 0;
        using var watchdog = new Watchdog(_watchdogPeriod, OnTrip, _time);
        watchdog.Start();
        while (!cancellation.IsCancellationRequested)
        {
            ParameterSnapshot snapshot = _publisher.Latest
                ?? throw new InvalidOperationException($"Worker {_id}: no parameter snapshot was published before the worker started.");
            _noise.StartEpisode();
            // A robot's reset homes the arm under its own control loop and watchdog, for as long as homing takes: not
            // a stall of this loop, which sends nothing meanwhile.
            watchdog.Suspend();
            _environment.Reset(EpisodeSeed(Episodes), _observation);
            watchdog.Reset(); // the arm starts the episode at rest; the period counts from here
            _hindsight?.Clear();
            _returns.Clear();
            float episodeReturn = 0f;
            int steps = 0;
            StepResult result;
            do
            {
                // An unfinished episode is not recorded as an episode; its steps taken so far are real transitions.
                if (cancellation.IsCancellationRequested || (_limiter is not null && !WaitForLearner(watchdog, cancellation))
                    || (_budget is not null && !_budget.TryClaim()))
                {
                    _returns.EndEpisode(_ring, _observation);
                    return;
                }
                _policy.Explore(snapshot, _observation, _noise, _action);
                // Before the command: a stalled policy (or a trip the timer saw during the last step) sends nothing.
                if (watchdog.Poll()) ThrowTripped(watchdog.LastTrip!);
                result = _environment.Step(_action, _next);
                watchdog.Feed();
                steps++;
                _metrics.RecordStep(_id, result.SafetyIntervened, result.Discard, result.Interventions);
                // A discarded step (e.g. a physics reset: the next state was teleported, not reached) is no
                // transition: storing it, as terminal or not, would teach the critic a made-up outcome.
                if (result.Discard)
                {
                    // The steps before it are real: their returns end here, bootstrapping from the last state reached.
                    _returns.EndEpisode(_ring, _observation);
                    break;
                }
                // The filter changed the command: store what the arm did, not what the policy asked (issue 19, fault 11).
                ReadOnlySpan<float> executed = result.SafetyIntervened ? _environment.ExecutedAction : default;
                ReadOnlySpan<float> stored = executed.Length == _action.Length ? executed : _action;
                // n = 1 stores this transition now; n > 1 stores the one n − 1 steps back, and the rest at the episode's end.
                _returns.Add(_ring, _observation, stored, result.Reward, _next, result.Terminated, result.Truncated);
                _hindsight?.Add(_observation, stored, result.Reward, _next, result.Terminated, result.Truncated);
                episodeReturn += result.Reward;
                _next.AsSpan().CopyTo(_observation);
                if (_pacing == Pacing.RealTime) RealTimePacing.WaitUntil(clock, ++paced * period, cancellation);
            }
            while (!result.Done);

            // The whole episode is known now: its hindsight copies (a cancelled episode returned above, unstored).
            if (_hindsight is not null) _metrics.RecordRelabelled(_id, _hindsight.Flush(_ring));
            Episodes++;
            // Both counts in the trainer's space (a resumed trainer's snapshots start above this run's Updates).
            _metrics.RecordEpisode(_id, episodeReturn, _environment.IsSuccess, steps, _metrics.TrainerUpdates - snapshot.UpdateCount);
        }
    }

    // Blocks while the workers are ahead of the learner by more than the limiter allows; false if cancelled. The wait is
    // deliberate, not a stall (a simulated arm holds still between steps), so it keeps the watchdog fed.
    private bool WaitForLearner(Watchdog watchdog, CancellationToken cancellation)
    {
        var wait = new SpinWait();
        while (!_limiter!.MayInsert(_metrics.Updates, _ring.Inserted))
        {
            if (cancellation.IsCancellationRequested) return false;
            watchdog.Feed();
            wait.SpinOnce(sleep1Threshold: 20);
        }
        return true;
    }

    // Timer thread (or this thread's Poll): hand the trip on; the worker throws at its next poll.
    private void OnTrip(WatchdogTrip trip) => _onTrip?.Invoke(trip);

    /// <summary>The error a watchdog trip stops this worker with.</summary>
    internal TimeoutException TripError(WatchdogTrip trip) =>
        new($"worker {_id} ({_environment.Name}): watchdog tripped: {trip.Detail}; the policy or the environment's Step stalled, " +
            "so the arm was stopped (no further command sent).");

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void ThrowTripped(WatchdogTrip trip) => throw TripError(trip);

    private int EpisodeSeed(long episode) => unchecked((int)((uint)_seed * 2654435761u + (uint)episode * 40503u + (uint)_id * 97u));
}
