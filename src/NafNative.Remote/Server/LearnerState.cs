using System.Diagnostics;
using Google.Protobuf;
using NafNative.Learning;

namespace NafNative.Remote.Server;

// Design:
// - Created by LearnerServer.Start before Kestrel accepts a call; read-only after that except the slot table
//   (registration under _registerLock, rare) and the snapshot cache (one reference swap, any handler thread).

/// <summary>What the gRPC handlers share: the run's parts, the registered workers and the newest snapshot's bytes.</summary>
internal sealed class LearnerState
{
    private readonly object _registerLock = new();
    private readonly Dictionary<string, RemoteWorkerSlot> _byKey = new(StringComparer.Ordinal);
    private readonly RemoteWorkerSlot?[] _slots;
    // Worker ids are never reused (a slot is), so a worker whose slot was given away cannot write into another's.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, RemoteWorkerSlot> _byId = new();
    private int _nextId;
    private CachedSnapshot? _cache;
    private long _refusals;

    public LearnerState(RemoteRunParts run, LearnerServerOptions options)
    {
        Run = run;
        Options = options;
        _slots = new RemoteWorkerSlot?[options.MaxWorkers];
        Stride = run.Ring.Stride;
    }

    public RemoteRunParts Run { get; }
    public LearnerServerOptions Options { get; }
    public int Stride { get; }

    /// <summary>New per learner start, so a worker notices a restart and registers again.</summary>
    public string Session { get; } = Guid.NewGuid().ToString("N");

    /// <summary>Calls refused (token, validation, registration) since the start.</summary>
    public long Refusals => Interlocked.Read(ref _refusals);

    private long _insertCalls;

    /// <summary>Tests' fault injection: numbers the Insert calls (full fence; handlers run concurrently).</summary>
    public long CountInsertCall() => Interlocked.Increment(ref _insertCalls);

    public void Refused(string what)
    {
        // Full fence: a counter read by the reporter; exactness matters less than never losing one.
        Interlocked.Increment(ref _refusals);
        Options.Log?.Invoke($"refused: {what}");
    }

    /// <summary>The slot of <paramref name="key"/>, the one it had before a reconnect, else a free or long-idle one;
    /// null when every slot is held by a live worker.</summary>
    public RemoteWorkerSlot? Register(string key, string name, string peer)
    {
        lock (_registerLock)
        {
            if (_byKey.TryGetValue(key, out var known))
            {
                lock (known.Lock) { known.Name = name; known.Peer = peer; Touch(known); }
                return known;
            }
            long now = Stopwatch.GetTimestamp();
            for (int i = 0; i < _slots.Length; i++)
            {
                var slot = _slots[i];
                if (slot is not null && Stopwatch.GetElapsedTime(Volatile.Read(ref slot.LastSeenTicks), now) < Options.SlotReuseAfter) continue;
                // A long-silent worker's slot: its key is forgotten, so if it ever comes back it starts a new one.
                // The RunMetrics slot's counters carry on (they are totals of the run); the per-worker ones start at 0.
                if (slot is not null) { _byKey.Remove(slot.Key); _byId.TryRemove(slot.Id, out _); }
                var fresh = new RemoteWorkerSlot(++_nextId, i) { Key = key, Name = name, Peer = peer, ReportedAt = Run.Metrics.ElapsedSeconds };
                Touch(fresh);
                _slots[i] = fresh;
                _byKey[key] = fresh;
                _byId[fresh.Id] = fresh;
                return fresh;
            }
            return null;
        }
    }

    /// <summary>The slot with this id, if a worker holds it.</summary>
    public RemoteWorkerSlot? Slot(int id) => _byId.TryGetValue(id, out var slot) ? slot : null;

    /// <summary>The registered slots (reporter thread; allocates).</summary>
    public RemoteWorkerSlot[] Slots()
    {
        lock (_registerLock) return [.. _slots.OfType<RemoteWorkerSlot>()];
    }

    public static void Touch(RemoteWorkerSlot slot) => Volatile.Write(ref slot.LastSeenTicks, Stopwatch.GetTimestamp());

    /// <summary>The newest snapshot and its bytes, serialised once per version however many workers ask.</summary>
    public CachedSnapshot LatestSnapshot()
    {
        var latest = Run.Publisher.Latest ?? throw new InvalidOperationException("no snapshot was published before the service started.");
        // Acquire: pairs with the release store below, so the bytes are complete when seen.
        var cached = Volatile.Read(ref _cache);
        if (cached is not null && ReferenceEquals(cached.Snapshot, latest)) return cached;
        var fresh = new CachedSnapshot(latest, ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(latest.Values)));
        // Two handlers may both build it; either copy is correct, the last store wins.
        Volatile.Write(ref _cache, fresh);
        return fresh;
    }
}

/// <summary>A snapshot and its serialised parameters.</summary>
internal sealed record CachedSnapshot(ParameterSnapshot Snapshot, ByteString Bytes);
