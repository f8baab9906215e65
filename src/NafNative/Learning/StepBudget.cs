namespace NafNative.Learning;

/// <summary>The environment steps a run's worker threads may take between them, claimed one at a time, so a step
/// budget is exact however fast the workers run between two polls of the controlling thread.</summary>
/// <remarks>Without it, a budget checked every 50 ms overshoots by whatever the workers step in that time (thousands
/// of steps on a fast simulated task), and a resumed run with a budget below the overshoot would take no step at all.
/// Thread-safe: <see cref="TryClaim"/> is one interlocked increment.</remarks>
public sealed class StepBudget
{
    private long _claimed;

    public StepBudget(long limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        Limit = limit;
    }

    /// <summary>Steps the workers may take in all.</summary>
    public long Limit { get; }

    /// <summary>Steps claimed so far (never above <see cref="Limit"/>).</summary>
    public long Claimed => Math.Min(Volatile.Read(ref _claimed), Limit);

    /// <summary>True once every step is claimed.</summary>
    public bool Spent => Volatile.Read(ref _claimed) >= Limit;

    /// <summary>Claims one step; false (and nothing claimed) once the budget is spent.</summary>
    public bool TryClaim()
    {
        // Fast refusal first: once spent, the counter stops climbing, so it cannot wrap however long workers ask.
        if (Volatile.Read(ref _claimed) >= Limit) return false;
        return Interlocked.Increment(ref _claimed) <= Limit;
    }
}
