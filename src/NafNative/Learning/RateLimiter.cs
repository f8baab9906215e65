namespace NafNative.Learning;

/// <summary>Holds the ratio of learner updates to inserted transitions near a target from both sides (the way
/// replay servers such as Reverb rate-limit): the learner waits when it is ahead, workers wait when they are.</summary>
/// <remarks>Without a ratio, neither side ever waits (the original work's "learner as fast as it can, robots in real
/// time"). With one, updates stay ≤ ratio·inserted, and inserted stays ≤ minFill + updates/ratio + slack, so
/// simulated robots running flat out cannot flood the replay with experience from ever-staler policies.
/// Stateless and thread-safe: callers pass the current counts. A ring restored from a checkpoint already holds
/// transitions this run did not insert: <c>insertedBefore</c> (the ring's count at the run's start) is subtracted, so
/// the ratio holds between this run's updates and this run's inserts, as it did before the interruption.</remarks>
public sealed class RateLimiter
{
    public RateLimiter(double? updatesPerInsert, int minReplayFill, long insertSlack, long insertedBefore = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(insertedBefore);
        InsertedBefore = insertedBefore;
        if (updatesPerInsert is double r && !(double.IsFinite(r) && r > 0))
            throw new ArgumentOutOfRangeException(nameof(updatesPerInsert), r, "RateLimiter: the ratio must be positive and finite, or null.");
        ArgumentOutOfRangeException.ThrowIfNegative(minReplayFill);
        ArgumentOutOfRangeException.ThrowIfNegative(insertSlack);
        UpdatesPerInsert = updatesPerInsert;
        MinReplayFill = minReplayFill;
        InsertSlack = insertSlack;
    }

    public double? UpdatesPerInsert { get; }
    public int MinReplayFill { get; }
    public long InsertSlack { get; }
    /// <summary>Transitions the ring held before this run's first insert (restored from a checkpoint).</summary>
    public long InsertedBefore { get; }

    /// <summary>Learner side: the replay is filled and updates would not run ahead of the ratio.</summary>
    public bool MayUpdate(long updates, long inserted, int replayCount) =>
        replayCount >= MinReplayFill && (UpdatesPerInsert is not double r || updates < r * (inserted - InsertedBefore));

    /// <summary>Worker side: inserting would not run ahead of the ratio by more than the slack.</summary>
    public bool MayInsert(long updates, long inserted) =>
        UpdatesPerInsert is not double r || inserted - InsertedBefore < MinReplayFill + updates / r + InsertSlack;
}
