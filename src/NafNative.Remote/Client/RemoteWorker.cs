using System.Diagnostics;
using NafNative.Environments;
using NafNative.Learning;
using NafNative.Learning.Exploration;
using NafNative.Naf;
using NafNative.Remote.Protocol;
using NafNative.Safety;

namespace NafNative.Remote.Client;

// Design:
// - One thread per robot runs Run, as an in-process Worker does (NafNative.Learning.Worker): it owns its
//   environment, policy, noise and a LearnerConnection. Its loop mirrors Worker.Run — the newest snapshot at episode
//   start, kept for the whole episode; μ(x) + noise; the executed action stored when the safety filter changed the
//   command; discarded steps not stored; real-time pacing; a Watchdog polled before each command and fed after each
//   step — but transitions go into a TransitionBatch instead of the replay ring.
// - It never waits for the network inside an episode (RemoteWorker.Snapshots.cs, RemoteWorker.Sending.cs): newer
//   parameters are fetched in the background, and a batch is handed off only once the one before it is acknowledged.
//   When it would have to wait — the learner is unreachable (LearnerConnection.LearnerAway, noticed by whichever call
//   met it, at worst the background fetch that goes out every HeartbeatEvery), or a full batch meets one still in
//   flight — it ends the episode there, holds the arm at rest (IHoldableEnvironment: zero velocity through the safety
//   filter, the robot's control loop and the drives' watchdog still running), and waits between episodes while the
//   calls retry with backoff; the next episode starts once the learner has answered. A simulated task simply is not
//   stepped meanwhile.
// - The watchdog lives for one episode's steps (created after Reset, so a long homing motion — guarded by the robot's
//   own control loop — does not count, and disposed before any wait between episodes). A trip seen by its timer while
//   this thread is stuck in the policy or a Step stops the arm at once (IHoldableEnvironment.SafetyStop, from the
//   timer thread) and calls OnWatchdogTrip; this thread throws at its next poll, so no command follows a trip.

/// <summary>A worker in another process than the learner: it registers with the learner, runs episodes with the
/// newest parameters it received, and sends its transitions in batches until cancelled.</summary>
public sealed partial class RemoteWorker
{
    private readonly IEnvironment _environment;
    private readonly LearnerConnection _connection;
    private readonly Action<string>? _log;
    private readonly float[] _observation, _next, _action;
    private TimeSpan _watchdogPeriod;

    public RemoteWorker(IEnvironment environment, LearnerConnection connection, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(connection);
        _environment = environment;
        _connection = connection;
        _log = log;
        _observation = new float[environment.ObservationSize];
        _next = new float[environment.ObservationSize];
        _action = new float[environment.ActionSize];
    }

    /// <summary>A partly filled batch is sent at the next episode end once it is this old, so a slow (real-time)
    /// robot's experience and episode results reach the learner promptly.</summary>
    public TimeSpan FlushEvery { get; init; } = TimeSpan.FromSeconds(0.5);

    /// <summary>Longest gap between two commands before the watchdog stops the arm; null: as an in-process worker
    /// (<see cref="Worker.DefaultWatchdogPeriod"/> at the learner's time scale).</summary>
    public TimeSpan? WatchdogPeriod { get; init; }

    /// <summary>Called once per watchdog trip with the error this worker then stops with, on the thread that saw
    /// the trip (possibly a timer thread while this worker is stuck in a step); after the arm was told to stop. Must
    /// be quick and not throw, e.g. stop the process's other workers.</summary>
    public Action<TimeoutException>? OnWatchdogTrip { get; init; }

    /// <summary>Where to record snapshot arrivals (null: not recorded).</summary>
    public SnapshotArrivals? Arrivals { get; init; }

    /// <summary>Episodes finished.</summary>
    public long Episodes { get; private set; }

    /// <summary>Episodes ended early to hold the arm while the learner was away (their transitions are kept).</summary>
    public long InterruptedEpisodes { get; private set; }

    /// <summary>Times the worker held the arm waiting for the learner, and for how long in all.</summary>
    public long Holds { get; private set; }
    public TimeSpan HeldFor { get; private set; }

    /// <summary>Environment steps taken.</summary>
    public long Steps { get; private set; }

    /// <summary>Transitions the learner acknowledged (stored, or found already stored).</summary>
    public long AcknowledgedTransitions { get; private set; }

    /// <summary>Batches the learner reported as duplicates of one it had already stored (a resend after a lost reply).</summary>
    public long DuplicateBatches { get; private set; }

    /// <summary>The connection's registrations, retries and settings.</summary>
    public LearnerConnection Connection => _connection;

    /// <summary>Runs until <paramref name="cancellation"/> is cancelled (then sends what it holds, best effort) or the
    /// learner refuses this worker (<see cref="RemoteRefusedException"/>).</summary>
    /// <exception cref="TimeoutException">The watchdog tripped: the policy or a step stalled; the arm was stopped.</exception>
    public void Run(CancellationToken cancellation)
    {
        RegisterReply registration;
        try { registration = _connection.Register(cancellation); }
        catch (OperationCanceledException) { return; }
        // Resumes after a batch the learner already holds (a restarted worker process reusing its key).
        _sequence = registration.LastAcceptedSequence;
        var settings = registration.Settings;
        var network = new NafNetwork(_environment.ObservationSize, _environment.ActionSize, [.. settings.HiddenSizes]);
        var policy = new NafPolicy(network);
        // Seeded by the learner-given id, so workers in different processes explore differently.
        int seed = unchecked(settings.Seed * 1000 + 100_000 + registration.WorkerId * 7919);
        var schedule = new NoiseSchedule(settings.NoiseInitial, settings.NoiseDecay, settings.NoiseMinimum);
        IExplorationNoise noise = settings.Noise == "ou"
            ? new OrnsteinUhlenbeckNoise(_environment.ActionSize, schedule, seed)
            : new GaussianNoise(schedule, seed);
        int capacity = Math.Max(1, registration.MaxBatchTransitions);
        _batch = new TransitionBatcher(capacity, _environment.ObservationSize, _environment.ActionSize);
        _spare = new TransitionBatcher(capacity, _environment.ObservationSize, _environment.ActionSize);
        double timeScale = double.IsFinite(settings.TimeScale) && settings.TimeScale > 0 ? settings.TimeScale : 1;
        _watchdogPeriod = WatchdogPeriod ?? Worker.DefaultWatchdogPeriod(_environment, timeScale);
        var pacing = new Pacer(settings.RealTime, 1.0 / (_environment.ControlRate * timeScale));
        var sinceFlush = Stopwatch.StartNew();
        ParameterSnapshot? snapshot = null;
        try
        {
            while (!cancellation.IsCancellationRequested)
            {
                snapshot = TakeSnapshot(snapshot, network.ParameterCount, cancellation);
                noise.StartEpisode();
                _environment.Reset(EpisodeSeed(seed, Episodes), _observation);
                var episode = RunEpisode(policy, snapshot, noise, pacing, cancellation);
                if (cancellation.IsCancellationRequested) return; // an unfinished episode is not counted (SendLast sends its transitions)
                if (episode.Interrupted is string why)
                {
                    InterruptedEpisodes++;
                    (_environment as IHoldableEnvironment)?.HoldAtRest();
                    HoldUntilTheLearnerAnswers($"{why} at step {episode.Steps} of an episode", cancellation);
                    pacing.Restart();
                    continue;
                }
                Episodes++;
                _batch.AddEpisode(episode.Return, _environment.IsSuccess, episode.Steps, snapshot.UpdateCount);
                if (_connection.LearnerAway)
                {
                    // The arm is at rest already (the episode's last step ended it); wait here, not mid-episode.
                    HoldUntilTheLearnerAnswers("the learner is unreachable at the end of an episode", cancellation);
                    pacing.Restart();
                    sinceFlush.Restart();
                }
                else if (_batch.Count + _environment.MaxEpisodeSteps > capacity || sinceFlush.Elapsed >= FlushEvery)
                {
                    Send(cancellation);
                    sinceFlush.Restart();
                }
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested) { }
        finally
        {
            if (cancellation.IsCancellationRequested) SendLast();
        }
    }

    private readonly record struct Episode(float Return, int Steps, string? Interrupted);

    // One episode's steps under a watchdog of its own. Interrupted says why the episode was cut short (the arm is
    // not yet held: the caller does that).
    private Episode RunEpisode(NafPolicy policy, ParameterSnapshot snapshot, IExplorationNoise noise, Pacer pacing, CancellationToken cancellation)
    {
        // Counts from here: the arm starts the episode at rest (a reset motion is the robot loop's to guard).
        using var watchdog = new Watchdog(_watchdogPeriod, OnTrip);
        watchdog.Start();
        float episodeReturn = 0f;
        int steps = 0, inBatch = 0; // inBatch: this episode's transitions in the batch being filled
        StepResult result;
        do
        {
            if (cancellation.IsCancellationRequested) return new Episode(episodeReturn, steps, null);
            string? cut = null;
            // An episode longer than a batch hands the full batch off now, but only if that needs no wait.
            if (_batch!.IsFull)
            {
                if (TrySendNow()) inBatch = 0;
                else cut = "the learner has not acknowledged the batch before";
            }
            if (cut is null && _connection.LearnerAway) cut = "the learner is unreachable";
            if (cut is not null)
            {
                // The episode ends here: its last transition is stored as truncated, as a time limit would have it.
                if (inBatch > 0) _batch.MarkLastTruncated();
                return new Episode(episodeReturn, steps, cut);
            }
            Heartbeat(cancellation);
            policy.Explore(snapshot, _observation, noise, _action);
            // Before the command: a stalled policy (or a trip the timer saw during the last step) sends nothing.
            if (watchdog.Poll()) throw TripError(watchdog.LastTrip!, null);
            try
            {
                result = _environment.Step(_action, _next);
            }
            catch (Exception e) when (watchdog.IsTripped)
            {
                // The trip stopped the arm under the step (a robot's step then fails): report the trip, not its echo.
                throw TripError(watchdog.LastTrip!, e);
            }
            watchdog.Feed();
            steps++;
            Steps++;
            _batch.CountStep(result.SafetyIntervened, result.Discard);
            // A discarded step (e.g. a physics reset) is no transition (see Worker).
            if (result.Discard) break;
            // The filter changed the command: store what the arm did, not what the policy asked (as Worker does).
            ReadOnlySpan<float> executed = result.SafetyIntervened ? _environment.ExecutedAction : default;
            _batch.Add(_observation, executed.Length == _action.Length ? executed : _action, result.Reward, _next, result.Terminated, result.Truncated);
            inBatch++;
            episodeReturn += result.Reward;
            _next.AsSpan().CopyTo(_observation);
            pacing.Wait(cancellation);
        }
        while (!result.Done);
        return new Episode(episodeReturn, steps, null);
    }

    // The arm is at rest (held by the caller, or by the episode's end). Sends what this worker holds and waits —
    // the calls retrying with backoff — until the learner has acknowledged it and answered a call made after it
    // went away.
    private void HoldUntilTheLearnerAnswers(string why, CancellationToken cancellation)
    {
        var held = Stopwatch.StartNew();
        Holds++;
        _log?.Invoke($"{_connection.Name}: {why}: holding the arm at rest, retrying with backoff");
        try
        {
            Send(cancellation);
            Complete(cancellation);
            while (_connection.LearnerAway) AwaitFetch(cancellation);
        }
        finally
        {
            HeldFor += held.Elapsed;
        }
        _log?.Invoke($"{_connection.Name}: the learner answered after {held.Elapsed.TotalSeconds:F1} s: resuming with a new episode");
    }

    // Timer thread (or this thread's Poll): stop the arm first, then tell the host; this thread throws at its next poll.
    private void OnTrip(WatchdogTrip trip)
    {
        var error = TripError(trip, null);
        (_environment as IHoldableEnvironment)?.SafetyStop(error.Message);
        OnWatchdogTrip?.Invoke(error);
    }

    private TimeoutException TripError(WatchdogTrip trip, Exception? inner) =>
        new($"remote worker {_connection.Name} ({_environment.Name}): watchdog tripped: {trip.Detail}; the policy or the environment's Step " +
            "stalled, so the arm was stopped (no further command sent).", inner);

    private static int EpisodeSeed(int seed, long episode) => unchecked((int)((uint)seed * 2654435761u + (uint)episode * 40503u));

    // Real-time pacing from a base that restarts after a hold, so a worker that waited does not rush to catch up.
    private sealed class Pacer(bool realTime, double period)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _paced;

        public void Wait(CancellationToken cancellation)
        {
            if (realTime) RealTimePacing.WaitUntil(_clock, ++_paced * period, cancellation);
        }

        public void Restart()
        {
            _clock.Restart();
            _paced = 0;
        }
    }
}
