namespace NafNative.Tests.Safety;

/// <summary>A clock the test moves by hand: timestamps in <see cref="TimeSpan"/> ticks, and timers that fire, in due
/// order and on the calling thread, only inside <see cref="Advance"/>.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private long _now = TimeSpan.FromHours(1).Ticks; // not zero, so "never fed" and "fed at 0" differ

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Volatile.Read(ref _now);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        lock (_gate) _timers.Add(timer);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves time forward by <paramref name="by"/>, stopping at each timer's due time to fire it.</summary>
    public void Advance(TimeSpan by)
    {
        long target = GetTimestamp() + by.Ticks;
        while (true)
        {
            ManualTimer? next = null;
            lock (_gate)
                foreach (var t in _timers)
                    if (t.DueAt <= target && (next is null || t.DueAt < next.DueAt)) next = t;
            if (next is null) break;
            Volatile.Write(ref _now, Math.Max(GetTimestamp(), next.DueAt));
            next.Fire();
        }
        Volatile.Write(ref _now, target);
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private long _periodTicks;

        public long DueAt { get; private set; } = long.MaxValue;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            DueAt = dueTime == Timeout.InfiniteTimeSpan ? long.MaxValue : owner.GetTimestamp() + Math.Max(0, dueTime.Ticks);
            _periodTicks = period == Timeout.InfiniteTimeSpan ? 0 : period.Ticks;
            return true;
        }

        public void Fire()
        {
            DueAt = _periodTicks > 0 ? DueAt + _periodTicks : long.MaxValue;
            callback(state);
        }

        public void Dispose()
        {
            DueAt = long.MaxValue;
            lock (owner._gate) owner._timers.Remove(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
