using System.Diagnostics;
using System.Runtime.InteropServices;
using NafNative.Learning;
using NafNative.Remote.Protocol;

namespace NafNative.Remote.Client;

// Design (snapshots): at most one GetSnapshot call is in flight (_fetch, on a thread-pool thread); only the worker
// thread starts it and takes its result. One goes out at each episode start and, inside a long episode, again once
// HeartbeatEvery has passed since the last: it brings newer parameters early and is the call that notices a learner
// gone while nothing else is being sent. What arrives waits in _arrived until the next episode start (the paper's
// sync point: the worker keeps one snapshot for a whole episode).
public sealed partial class RemoteWorker
{
    private Task<(SnapshotReply Reply, long ArrivedAt)>? _fetch;
    private long _fetchStartedAt;
    private SnapshotReply? _arrived; // newest parameters not yet in use (worker thread)
    private string? _snapshotSession; // the learner session the snapshot in use came from

    /// <summary>Inside an episode, a fetch for newer parameters goes out when none has for this long; it is also how
    /// the worker notices a learner that went away while nothing else was being sent.</summary>
    public TimeSpan HeartbeatEvery { get; init; } = TimeSpan.FromSeconds(0.5);

    // The newest parameters that have arrived: blocking only for the first episode (there is nothing to run before
    // them); after that what the background fetches brought, and the next request goes out now.
    private ParameterSnapshot TakeSnapshot(ParameterSnapshot? current, int parameterCount, CancellationToken cancellation)
    {
        if (current is null)
        {
            var first = _connection.Snapshot(0, null, cancellation);
            Arrive(first, Stopwatch.GetTimestamp());
        }
        else if (_fetch is { IsCompleted: true } done)
        {
            _fetch = null;
            var (reply, at) = done.GetAwaiter().GetResult(); // rethrows a refusal or cancellation
            Arrive(reply, at);
        }
        var next = current;
        if (_arrived is { } arrived)
        {
            _arrived = null;
            next = Build(arrived, parameterCount);
            Arrivals?.Used(next.Version, Stopwatch.GetTimestamp());
        }
        if (next is null) throw new RemoteRefusedException("the learner answered the first snapshot request without parameters.");
        if (_fetch is null) StartFetch(cancellation);
        return next;
    }

    // Inside an episode: keeps what a finished fetch brought for the next episode start, and asks again once
    // HeartbeatEvery has passed. A failed fetch stays for the episode start to rethrow.
    private void Heartbeat(CancellationToken cancellation)
    {
        if (_fetch is { IsCompletedSuccessfully: true } done)
        {
            _fetch = null;
            Arrive(done.Result.Reply, done.Result.ArrivedAt);
        }
        if (_fetch is null && Stopwatch.GetElapsedTime(_fetchStartedAt) >= HeartbeatEvery) StartFetch(cancellation);
    }

    // Between episodes, while the learner is away: waits for a fetch (starting one if none is in flight), which
    // retries with backoff until the learner answers.
    private void AwaitFetch(CancellationToken cancellation)
    {
        if (_fetch is null) StartFetch(cancellation);
        var fetch = _fetch!;
        try { fetch.Wait(cancellation); }
        catch (AggregateException) { } // rethrown unwrapped below
        _fetch = null;
        var (reply, at) = fetch.GetAwaiter().GetResult();
        Arrive(reply, at);
    }

    private void StartFetch(CancellationToken cancellation)
    {
        // Ask relative to the newest parameters this worker has, so the learner sends only newer ones.
        long have = _arrived?.Version ?? _haveVersion;
        string? session = _arrived?.LearnerSession ?? _snapshotSession;
        _fetchStartedAt = Stopwatch.GetTimestamp();
        _fetch = Task.Run(() =>
        {
            var reply = _connection.Snapshot(have, session, cancellation);
            return (reply, Stopwatch.GetTimestamp());
        }, cancellation);
    }

    private long _haveVersion; // version of the snapshot in use (worker thread)

    // Keeps the newer of what is waiting and what came (an unchanged reply brings nothing).
    private void Arrive(SnapshotReply reply, long arrivedAt)
    {
        if (reply.Unchanged) return;
        if (_arrived is { } waiting && waiting.LearnerSession == reply.LearnerSession && waiting.Version >= reply.Version) return;
        _arrived = reply;
        Arrivals?.Arrived(reply.Version, reply.UpdateCount, arrivedAt);
    }

    private ParameterSnapshot Build(SnapshotReply reply, int parameterCount)
    {
        _snapshotSession = reply.LearnerSession;
        _haveVersion = reply.Version;
        var values = MemoryMarshal.Cast<byte, float>(reply.Values.Span);
        if (values.Length != parameterCount)
            throw new RemoteRefusedException($"the learner sent {values.Length} parameters; the network of its settings has {parameterCount}.");
        return new ParameterSnapshot(values, reply.Version, reply.UpdateCount);
    }
}
