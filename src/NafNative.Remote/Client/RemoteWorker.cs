using System.Diagnostics;
using System.Runtime.InteropServices;
using NafNative.Environments;
using NafNative.Learning;
using NafNative.Learning.Exploration;
using NafNative.Naf;
using NafNative.Remote.Protocol;

namespace NafNative.Remote.Client;

// Design:
// - One thread per robot runs Run, as an in-process Worker does (NafNative.Learning.Worker): it owns its
//   environment, policy, noise and a LearnerConnection. Its loop mirrors Worker.Run — the newest snapshot at episode
//   start, kept for the whole episode; μ(x) + noise; discarded steps not stored; real-time pacing — but transitions
//   go into a TransitionBatch instead of the replay ring.
// - No network wait inside an episode, and none at its start after the first: the snapshot for episode k+1 is
//   fetched in the background while episode k runs (asked for at episode k's start), and the worker takes the newest
//   that has arrived at each episode start (the paper's sync point), keeping it for the whole episode. So a slow or
//   absent learner never stalls a control loop; the price is at most one episode of extra staleness. Two batch buffers: one in flight (its Insert on a thread-pool thread, retried until acknowledged) while the
//   worker fills the other; a batch is handed off only after the one before it was acknowledged, so sequence
//   numbers reach the learner in order and back-pressure (an unacknowledged batch) holds the worker at the next
//   hand-off.
// - The in-process Worker has a watchdog against a stalled policy or environment; this loop has none yet: a robot
//   environment's own control loop and safety layer must stop the arm.

/// <summary>A worker in another process than the learner: it registers with the learner, runs episodes with the
/// newest parameters it received, and sends its transitions in batches until cancelled.</summary>
public sealed class RemoteWorker
{
    private readonly IEnvironment _environment;
    private readonly LearnerConnection _connection;
    private readonly Action<string>? _log;
    private readonly float[] _observation, _next, _action;
    private TransitionBatcher? _batch, _spare;
    private (Task<InsertReply> Reply, TransitionBatcher Buffer, int Count)? _inFlight;
    // Cancels sends only at the end of the stop grace, so a batch in flight when the worker is told to stop still
    // gets its chance to be acknowledged.
    private readonly CancellationTokenSource _sends = new();
    private ulong _sequence;
    private Task<SnapshotReply>? _fetch;
    private string? _snapshotSession; // the learner session the current snapshot came from

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

    /// <summary>Episodes finished.</summary>
    public long Episodes { get; private set; }

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
        double period = 1.0 / (_environment.ControlRate * settings.TimeScale);
        var clock = Stopwatch.StartNew();
        var sinceFlush = Stopwatch.StartNew();
        long paced = 0;
        ParameterSnapshot? snapshot = null;
        try
        {
            while (!cancellation.IsCancellationRequested)
            {
                snapshot = Fetch(snapshot, network.ParameterCount, cancellation);
                noise.StartEpisode();
                _environment.Reset(EpisodeSeed(seed, Episodes), _observation);
                float episodeReturn = 0f;
                int steps = 0;
                StepResult result;
                do
                {
                    if (cancellation.IsCancellationRequested) return; // an unfinished episode is not sent
                    policy.Explore(snapshot, _observation, noise, _action);
                    result = _environment.Step(_action, _next);
                    steps++;
                    Steps++;
                    _batch.CountStep(result.SafetyIntervened, result.Discard);
                    if (result.Discard) break;
                    // An episode longer than a batch: the full batch goes now (the only send inside an episode).
                    if (_batch.IsFull) Send(cancellation);
                    _batch.Add(_observation, _action, result.Reward, _next, result.Terminated, result.Truncated);
                    episodeReturn += result.Reward;
                    _next.AsSpan().CopyTo(_observation);
                    if (settings.RealTime) RealTimePacing.WaitUntil(clock, ++paced * period, cancellation);
                }
                while (!result.Done);
                Episodes++;
                _batch.AddEpisode(episodeReturn, _environment.IsSuccess, steps, snapshot.UpdateCount);
                if (_batch.Count + _environment.MaxEpisodeSteps > capacity || sinceFlush.Elapsed >= FlushEvery)
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

    // The newest parameters that have arrived: blocking only for the first episode (there is nothing to run before
    // them); after that the reply asked for at the previous episode start, and the next request goes out now.
    private ParameterSnapshot Fetch(ParameterSnapshot? current, int parameterCount, CancellationToken cancellation)
    {
        ParameterSnapshot next = current ?? Build(null, _connection.Snapshot(0, null, cancellation), parameterCount);
        if (current is not null && _fetch is { IsCompleted: true } done)
        {
            _fetch = null;
            next = Build(current, done.GetAwaiter().GetResult(), parameterCount); // rethrows a refusal or cancellation
        }
        if (_fetch is null)
        {
            long have = next.Version;
            string? session = _snapshotSession;
            _fetch = Task.Run(() => _connection.Snapshot(have, session, cancellation), cancellation);
        }
        return next;
    }

    private ParameterSnapshot Build(ParameterSnapshot? current, SnapshotReply reply, int parameterCount)
    {
        if (reply.Unchanged && current is not null) return current;
        _snapshotSession = reply.LearnerSession;
        var values = MemoryMarshal.Cast<byte, float>(reply.Values.Span);
        if (values.Length != parameterCount)
            throw new RemoteRefusedException($"the learner sent {values.Length} parameters; the network of its settings has {parameterCount}.");
        return new ParameterSnapshot(values, reply.Version, reply.UpdateCount);
    }

    // Hands the filled batch to a sender once the previous one is acknowledged (which is where a slow learner's
    // back-pressure holds this worker), and continues with the spare buffer.
    private void Send(CancellationToken wait)
    {
        if (_batch!.Count == 0) { _batch.Clear(); return; }
        Complete(wait);
        var message = _batch.ToMessage(++_sequence);
        var buffer = _batch;
        var token = _sends.Token;
        _inFlight = (Task.Run(() => _connection.Insert(message, token)), buffer, message.Count);
        _batch = _spare;
        _spare = null;
    }

    // Waits for the batch in flight (rethrowing its refusal), or until wait is cancelled (OperationCanceledException;
    // the batch stays in flight for SendLast).
    private void Complete(CancellationToken wait)
    {
        if (_inFlight is not { } flight) return;
        try { flight.Reply.Wait(wait); }
        catch (AggregateException) { } // the fault is rethrown unwrapped by GetResult below
        _inFlight = null;
        _spare = flight.Buffer;
        try
        {
            var reply = flight.Reply.GetAwaiter().GetResult();
            AcknowledgedTransitions += flight.Count;
            if (reply.Duplicate) DuplicateBatches++;
        }
        finally
        {
            flight.Buffer.Clear();
        }
    }

    // Stopping: a short grace for the batch in flight and the one in hand (finished episodes); the learner may be
    // gone already, and what is not acknowledged by then is lost with this process (see the delivery guarantee).
    private void SendLast()
    {
        _sends.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            // The sends themselves end at the grace (their token), so these waits do too.
            Complete(CancellationToken.None);
            if (_batch is { Count: > 0 }) { Send(CancellationToken.None); Complete(CancellationToken.None); }
        }
        catch (Exception e) when (e is OperationCanceledException or RemoteRefusedException)
        {
            _log?.Invoke($"{_connection.Registration?.WorkerId}: {_batch?.Count ?? 0} transitions not sent at stop: {e.Message}");
        }
    }

    private static int EpisodeSeed(int seed, long episode) => unchecked((int)((uint)seed * 2654435761u + (uint)episode * 40503u));
}
