using System.Diagnostics;

namespace NafNative.Safety;

// Design:
// - Who writes: the control thread calls Feed after each command it sends (one Volatile.Write of a timestamp); the
//   link's I/O thread may call ReportFault; the timer (or any thread calling Poll) trips the watchdog; the orchestrator
//   calls Reset (e.g. at episode start, after the arm was made safe) and Start/Dispose.
// - A trip is latched: `_trip` goes from null to a WatchdogTrip by one CompareExchange, so exactly one thread wins
//   each trip and runs the stop callback exactly once; feeding afterwards does not un-trip (a stopped arm moves again
//   only after a deliberate Reset).
// - Time comes from a TimeProvider (monotonic timestamps), so tests drive it by hand and the real one is never a wall
//   clock that can jump.
// - The timer re-arms itself for the exact deadline (last feed + period) instead of ticking at a fixed rate, so a
//   missed deadline is noticed within the timer's resolution, not a tick later.

/// <summary>Stops the arm when commands stop coming: if no <see cref="Feed"/> arrives within <see cref="Period"/>, or
/// the link reports a fault, it trips once and calls the stop callback.</summary>
/// <remarks>
/// <para>Use: <see cref="Start"/> it (or call <see cref="Poll"/> from a loop of your own), <see cref="Feed"/> it after
/// every command, and check <see cref="IsTripped"/> before sending the next one. A trip stays latched until
/// <see cref="Reset"/>.</para>
/// <para>The callback runs on the thread that detected the trip (the timer's, or a caller of <see cref="Poll"/> or
/// <see cref="ReportFault"/>). It must be quick and must not throw: command the stop (set a flag, send a zero-velocity
/// or brake command) and return.</para>
/// <para>Thread-safety: every member may be called from any thread.</para>
/// </remarks>
public sealed class Watchdog : IDisposable
{
    private readonly TimeProvider _time;
    private readonly Action<WatchdogTrip> _onTrip;
    private readonly long _periodTicks; // in _time's timestamp units

    // Timestamp of the last Feed (or Reset). Written by feeders (Volatile.Write), read by Poll (Volatile.Read).
    private long _lastFeed;

    // Null while armed; the latched trip once tripped. Set by CompareExchange (one winner), cleared by Reset.
    private WatchdogTrip? _trip;

    private long _trips;

    // Created by Start, disposed by Dispose; guarded by _timerGate (rare calls only, never on the Feed path).
    private ITimer? _timer;
    private readonly Lock _timerGate = new();
    private bool _disposed, _suspended; // both guarded by _timerGate

    /// <param name="period">Longest allowed gap between two feeds; &gt; 0 (use <see cref="SafetyLimits.WatchdogPeriod"/>).</param>
    /// <param name="onTrip">Called once per trip; must not throw.</param>
    /// <param name="timeProvider">Clock and timers; <see cref="TimeProvider.System"/> when null.</param>
    public Watchdog(TimeSpan period, Action<WatchdogTrip> onTrip, TimeProvider? timeProvider = null)
    {
        if (period <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(period), period, $"Watchdog: period must be positive, got {period}.");
        ArgumentNullException.ThrowIfNull(onTrip);
        _time = timeProvider ?? TimeProvider.System;
        _onTrip = onTrip;
        Period = period;
        _periodTicks = Math.Max(1, (long)Math.Ceiling(period.TotalSeconds * _time.TimestampFrequency));
        _lastFeed = _time.GetTimestamp();
    }

    /// <summary>Longest allowed gap between two feeds.</summary>
    public TimeSpan Period { get; }

    /// <summary>True from a trip until <see cref="Reset"/>: send no motion command while it is.</summary>
    // Acquire; pairs with the CompareExchange in TryTrip, so a caller that sees it also sees the trip's fields.
    public bool IsTripped => Volatile.Read(ref _trip) is not null;

    /// <summary>The latched trip, or null while armed.</summary>
    public WatchdogTrip? LastTrip => Volatile.Read(ref _trip);

    /// <summary>Trips since construction.</summary>
    public long Trips => Volatile.Read(ref _trips);

    /// <summary>Records that a command was just sent. Allocation-free and lock-free: call it every control step.</summary>
    // Release: a Poll that reads this timestamp sees a feed at least this recent. Several feeders may race; the later
    // store wins and the two timestamps differ by the race's duration only.
    public void Feed() => Volatile.Write(ref _lastFeed, _time.GetTimestamp());

    /// <summary>Trips now if the last feed is <see cref="Period"/> old or older. Returns <see cref="IsTripped"/>.</summary>
    public bool Poll()
    {
        if (IsTripped) return true;
        long now = _time.GetTimestamp();
        // Acquire; pairs with the Volatile.Write in Feed.
        long since = now - Volatile.Read(ref _lastFeed);
        if (since >= _periodTicks)
            TryTrip(new WatchdogTrip(WatchdogTripReason.Timeout, _time.GetElapsedTime(now - since, now),
                $"no command for {_time.GetElapsedTime(now - since, now).TotalMilliseconds:F1} ms (period {Period.TotalMilliseconds:F1} ms)"));
        return IsTripped;
    }

    /// <summary>Trips now because the link (serial bus, EtherCAT, simulator) reported a fault.</summary>
    public void ReportFault(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        long now = _time.GetTimestamp();
        TryTrip(new WatchdogTrip(WatchdogTripReason.LinkFault, _time.GetElapsedTime(Volatile.Read(ref _lastFeed), now), reason));
    }

    /// <summary>Stops counting until the next <see cref="Reset"/>: for a stretch in which this loop sends no command
    /// by design and something else guards the arm (e.g. an episode reset whose homing motion runs under the robot's
    /// own control loop and watchdog). The timer no longer trips; <see cref="Poll"/> by hand still would.</summary>
    public void Suspend()
    {
        lock (_timerGate)
        {
            _suspended = true;
            _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Clears a latched trip and restarts the period from now (after the arm has been made safe); ends a
    /// <see cref="Suspend"/>.</summary>
    public void Reset()
    {
        // Release, before clearing the trip: a Poll that sees the watchdog armed again also sees the fresh timestamp,
        // so it cannot re-trip on the stale one. Pairs with the Volatile.Read in Poll.
        Volatile.Write(ref _lastFeed, _time.GetTimestamp());
        // Release; pairs with the Volatile.Read in IsTripped.
        Volatile.Write(ref _trip, null);
        lock (_timerGate)
        {
            _suspended = false;
            _timer?.Change(Period, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Starts checking on a timer, at each deadline (last feed + period). Feeding counts from now.</summary>
    public void Start()
    {
        lock (_timerGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_timer is not null) return;
            Volatile.Write(ref _lastFeed, _time.GetTimestamp()); // release; pairs with the read in Poll
            _timer = _time.CreateTimer(static state => ((Watchdog)state!).OnTimer(), this, Period, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Stops the timer; the watchdog can still be polled by hand.</summary>
    public void Dispose()
    {
        lock (_timerGate)
        {
            _disposed = true;
            _timer?.Dispose();
            _timer = null;
        }
    }

    private void OnTimer()
    {
        // A callback already under way when Suspend ran: it neither trips nor re-arms.
        lock (_timerGate)
            if (_suspended) return;
        TimeSpan next = Period;
        if (!Poll())
        {
            // Not yet due (a feed came in): sleep until the new deadline. Acquire; pairs with Feed's release.
            long now = _time.GetTimestamp();
            long remaining = Volatile.Read(ref _lastFeed) + _periodTicks - now;
            next = TimeSpan.FromSeconds(Math.Max(1, remaining) / (double)_time.TimestampFrequency);
        }
        lock (_timerGate)
            if (!_suspended) _timer?.Change(next, Timeout.InfiniteTimeSpan);
    }

    private void TryTrip(WatchdogTrip trip)
    {
        // Full fence; exactly one thread moves _trip from null to a trip and so runs the callback once per trip.
        // Pairs with the Volatile.Read in IsTripped / LastTrip.
        if (Interlocked.CompareExchange(ref _trip, trip, null) is not null) return;
        Interlocked.Increment(ref _trips);
        Debug.Assert(IsTripped, "the winner of the CompareExchange sees its own trip");
        _onTrip(trip);
    }
}
