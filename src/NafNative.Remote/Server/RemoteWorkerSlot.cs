namespace NafNative.Remote.Server;

// Design:
// - One slot per registered worker key. gRPC handlers for that worker take Lock around the whole accept path
//   (sequence check, replay insert, RunMetrics record), so RunMetrics' single-writer-per-slot rule holds even if a
//   resent batch overlaps a still-running handler of the same batch.
// - The metrics reporter (the session's controlling thread) reads the counters under the same lock, a few times a
//   second; the lock is per batch, never per transition.

/// <summary>The learner's record of one remote worker.</summary>
internal sealed class RemoteWorkerSlot(int id, int index)
{
    public readonly object Lock = new();
    /// <summary>The worker id the learner gave this registration (never reused).</summary>
    public int Id { get; } = id;
    /// <summary>Position among the remote slots (its RunMetrics slot is the run's first remote slot + this).</summary>
    public int Index { get; } = index;
    public string Key = "";
    public string Name = "";
    public string Peer = "";
    public ulong LastSequence;
    public long Steps, Transitions, Batches, Duplicates, Episodes;
    public long LastSeenTicks;
    public double Staleness = double.NaN;
    // For steps/s between two reports (reporter thread only).
    public long ReportedSteps;
    public double ReportedAt;
}
