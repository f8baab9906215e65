using NafNative.Naf;
using NafNative.Replay;

namespace NafNative.Learning;

/// <summary>Workers outside the learner's process (robots on other machines) whose experience joins a
/// <see cref="TrainingSession"/>: they insert into the run's replay ring, read its snapshots and record into
/// <see cref="RunMetrics"/> slots of their own.</summary>
/// <remarks>The session calls <see cref="Start"/> once the learner has published its first snapshot, <see cref="Report"/>
/// with each metrics row (on the session's controlling thread), and <see cref="Stop"/> before its final checkpoint.</remarks>
public interface IRemoteWorkers
{
    /// <summary>RunMetrics slots reserved for remote workers (the most that may be connected at once).</summary>
    int Slots { get; }

    void Start(RemoteRunParts run);

    /// <summary>Called with each metrics row; may write its own per-worker file into the run folder.</summary>
    void Report(MetricsRow row);

    void Stop();
}

/// <summary>What a running session lends its <see cref="IRemoteWorkers"/>: the shared parts, the slots
/// [<paramref name="FirstSlot"/>, FirstSlot + Slots) of <paramref name="Metrics"/>, and the task's shape.
/// <paramref name="RewardScale"/> multiplies each remote transition's reward as it is stored, as the in-process
/// workers scale theirs (remote workers send the task's own rewards).</summary>
public sealed record RemoteRunParts(ReplayRing Ring, SnapshotPublisher Publisher, RunMetrics Metrics, RateLimiter Limiter,
    int FirstSlot, string Task, NafOptions Network, string RunPath, CancellationToken Stopping, float RewardScale = 1f);
