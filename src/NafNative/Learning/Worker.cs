using System.Diagnostics;
using NafNative.Environments;
using NafNative.Learning.Exploration;
using NafNative.Replay;

namespace NafNative.Learning;

// Design:
// - One thread per robot runs Run. It owns its environment, policy (scratch buffers), noise and RNG state; it shares
//   only the replay ring (lock-free Insert), the snapshot publisher (acquire load of Latest once per episode) and
//   its own RunMetrics counters.
// - The snapshot is taken at episode start and kept for the whole episode (the paper's sync point).

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
    // Real-time pacing runs the task's clock this many times faster than the wall clock (1 = true real time).
    private readonly double _timeScale;
    private readonly float[] _observation, _next, _action;

    public Worker(int id, IEnvironment environment, IPolicy policy, IExplorationNoise noise, ReplayRing ring,
        SnapshotPublisher publisher, RunMetrics metrics, Pacing pacing, int seed, RateLimiter? limiter = null, double timeScale = 1.0)
    {
        if (!(double.IsFinite(timeScale) && timeScale > 0))
            throw new ArgumentOutOfRangeException(nameof(timeScale), timeScale, $"Worker {id}: timeScale must be positive and finite.");
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
        _timeScale = timeScale;
        _observation = new float[environment.ObservationSize];
        _next = new float[environment.ObservationSize];
        _action = new float[environment.ActionSize];
    }

    /// <summary>Episodes finished by this worker.</summary>
    public long Episodes { get; private set; }

    /// <summary>Runs episodes until <paramref name="cancellation"/> is cancelled; on the calling thread.</summary>
    public void Run(CancellationToken cancellation)
    {
        double period = 1.0 / (_environment.ControlRate * _timeScale);
        var clock = Stopwatch.StartNew();
        long paced = 0;
        while (!cancellation.IsCancellationRequested)
        {
            ParameterSnapshot snapshot = _publisher.Latest
                ?? throw new InvalidOperationException($"Worker {_id}: no parameter snapshot was published before the worker started.");
            _noise.StartEpisode();
            _environment.Reset(EpisodeSeed(Episodes), _observation);
            float episodeReturn = 0f;
            int steps = 0;
            StepResult result;
            do
            {
                if (cancellation.IsCancellationRequested) return; // an unfinished episode is not recorded
                if (_limiter is not null && !WaitForLearner(cancellation)) return;
                _policy.Explore(snapshot, _observation, _noise, _action);
                result = _environment.Step(_action, _next);
                steps++;
                _metrics.RecordStep(_id, result.SafetyIntervened, result.Discard);
                // A discarded step (e.g. a physics reset: the next state was teleported, not reached) is no
                // transition: storing it, as terminal or not, would teach the critic a made-up outcome.
                if (result.Discard) break;
                _ring.Insert(_observation, _action, result.Reward, _next, result.Terminated, result.Truncated);
                episodeReturn += result.Reward;
                _next.AsSpan().CopyTo(_observation);
                if (_pacing == Pacing.RealTime) WaitUntil(clock, ++paced * period, cancellation);
            }
            while (!result.Done);

            Episodes++;
            // Both counts in the trainer's space (a resumed trainer's snapshots start above this run's Updates).
            _metrics.RecordEpisode(_id, episodeReturn, _environment.IsSuccess, steps, _metrics.TrainerUpdates - snapshot.UpdateCount);
        }
    }

    // Blocks while the workers are ahead of the learner by more than the limiter allows; false if cancelled.
    private bool WaitForLearner(CancellationToken cancellation)
    {
        var wait = new SpinWait();
        while (!_limiter!.MayInsert(_metrics.Updates, _ring.Inserted))
        {
            if (cancellation.IsCancellationRequested) return false;
            wait.SpinOnce(sleep1Threshold: 20);
        }
        return true;
    }

    private int EpisodeSeed(long episode) => unchecked((int)((uint)_seed * 2654435761u + (uint)episode * 40503u + (uint)_id * 97u));

    // Sleep for the coarse part, spin for the last millisecond: Thread.Sleep alone overshoots by ~1 ms on Linux.
    private static void WaitUntil(Stopwatch clock, double seconds, CancellationToken cancellation)
    {
        while (!cancellation.IsCancellationRequested)
        {
            double left = seconds - clock.Elapsed.TotalSeconds;
            if (left <= 0) return;
            if (left > 0.002) Thread.Sleep(TimeSpan.FromSeconds(left - 0.0015));
            else Thread.SpinWait(50);
        }
    }
}
