using NafNative.Replay;

namespace NafNative.Learning;

// Design:
// - One learner thread runs Run: sample → update → every K updates publish. It owns the update step, its batch
//   buffer and its sampler RNG; nothing of it is shared except through the replay ring (lock-free, see ReplayRing),
//   the snapshot publisher (one release store) and RunMetrics (atomic counters).
// - It never blocks producers: waiting for the minimum fill or for the update/insert ratio spins then sleeps.

/// <summary>The central learner: waits for a minimum replay fill, then updates as fast as it can (or at a fixed
/// ratio of updates to inserted transitions), publishing a snapshot every <see cref="LearnerOptions.PublishEvery"/>
/// updates.</summary>
public sealed class Learner
{
    private readonly ReplayRing _ring;
    private readonly IUpdateStep _step;
    private readonly SnapshotPublisher _publisher;
    private readonly LearnerOptions _options;
    private readonly RunMetrics _metrics;
    private readonly ReplayBatch _batch;
    private ReplayRandom _random;
    // Prioritised replay (null: uniform): the learner-owned sampler, the step it drives and the batch's weights.
    private readonly PrioritizedSampler? _prioritized;
    private readonly IPrioritizedUpdateStep? _prioritizedStep;
    private readonly float[] _weights = [];
    // Filled by any thread (Post), drained by the learner thread between updates (ConcurrentQueue is lock-free).
    private readonly System.Collections.Concurrent.ConcurrentQueue<Action> _posted = new();

    public Learner(ReplayRing ring, IUpdateStep step, SnapshotPublisher publisher, LearnerOptions options, RunMetrics metrics,
        RateLimiter? limiter = null)
    {
        ArgumentNullException.ThrowIfNull(ring);
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(publisher);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        _ring = ring;
        _step = step;
        _publisher = publisher;
        _options = options;
        _metrics = metrics;
        _batch = new ReplayBatch(step.BatchSize, ring);
        Limiter = limiter ?? new RateLimiter(options.UpdatesPerInsert, options.MinReplayFill, insertSlack: 0);
        _random = new ReplayRandom(unchecked((ulong)options.Seed * 0x9E3779B97F4A7C15UL + 1));
        if (options.PriorityExponent is double alpha)
        {
            _prioritizedStep = step as IPrioritizedUpdateStep ?? throw new ArgumentException(
                $"Learner: prioritised replay (PriorityExponent {alpha}) needs an update step that weights rows and reports TD errors; " +
                $"{step.GetType().Name} does not (the GPU trainer does not yet: use the CPU backend, or uniform replay).", nameof(step));
            _prioritized = new PrioritizedSampler(ring, alpha, options.ImportanceExponent);
            _weights = new float[step.BatchSize];
        }
    }

    /// <summary>The prioritised sampler (<see cref="LearnerOptions.PriorityExponent"/> set), else null. Learner thread
    /// only, or after it stopped.</summary>
    public PrioritizedSampler? Prioritized => _prioritized;

    /// <summary>The updates/inserts ratio both the learner and the workers respect.</summary>
    public RateLimiter Limiter { get; }

    /// <summary>Publishes the current parameters (the workers' first policy). Call before starting workers.</summary>
    public void PublishInitial() => _publisher.Publish(_step.Parameters, _step.Steps);

    /// <summary>Runs <paramref name="action"/> once on the learner thread between two updates (e.g. a consistent
    /// checkpoint or a greedy evaluation of the update step's state), after any actions posted before it.</summary>
    public void Post(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        _posted.Enqueue(action);
    }

    /// <summary>Runs until <paramref name="cancellation"/> is cancelled; on the calling thread.</summary>
    public void Run(CancellationToken cancellation)
    {
        long sinceStart = 0;
        var wait = new SpinWait();
        while (!cancellation.IsCancellationRequested)
        {
            // Between updates, so the step's state is consistent. The queue's enqueue/dequeue order the action's
            // captured state before its run.
            while (_posted.TryDequeue(out var action)) action();
            if (!Limiter.MayUpdate(sinceStart, _ring.Inserted, _ring.Count))
            {
                wait.SpinOnce(sleep1Threshold: 20);
                continue;
            }
            wait.Reset();
            float loss;
            if (_prioritized is null)
            {
                if (!_ring.TrySample(_batch, ref _random, cancellation)) continue;
                loss = _step.Update(_batch);
            }
            else
            {
                if (!_prioritized.TrySample(_batch, _weights, ref _random, cancellation)) continue;
                loss = _prioritizedStep!.Update(_batch, _weights);
                // A skipped (non-finite) update leaves the priorities as they were.
                if (float.IsFinite(loss)) _prioritized.UpdatePriorities(_batch, _prioritizedStep.LastTdErrors);
            }
            sinceStart++;
            _metrics.RecordUpdate(loss, _step.NonFiniteUpdates);
            if (_step.Steps % _options.PublishEvery == 0) _publisher.Publish(_step.Parameters, _step.Steps);
        }
    }
}
