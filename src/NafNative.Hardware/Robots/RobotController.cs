using System.Diagnostics;
using NafNative.Safety;

namespace NafNative.Hardware.Robots;

// Design:
// - One control thread (Loop) owns the transport: every period it reads the joints, publishes that state, waits up to
//   half a period for the policy's answer to it, and writes the safe version of the newest command. So one policy step
//   is one control period: the command written in cycle k is in effect until cycle k+1 reads its outcome. Nothing
//   else touches the bus, so a stalled policy, a dead link or Ctrl-C are all handled by the thread that can act on them.
// - Commands come from the worker thread through a mailbox (Command: copy + sequence number under _commandGate, a
//   Monitor the loop waits on). A new sequence number feeds the Watchdog; a late answer means the previous command is
//   held one more period, and a stalled policy trips the watchdog. While the loop is not armed (no episode running) it
//   sends zero velocity and the watchdog is not consulted.
// - State goes the other way under _stateGate (a Monitor, so Step can wait for it): positions, velocities, the cycle
//   index and the sequence number of the command that was in effect during the period that state ends.
// - The only write path to the motors is ApplyCommand → SafetyFilter.Filter → transport.WriteVelocities. A stop
//   (watchdog, link, drive error, request) is latched: zero velocity from that cycle on, torque off after StopHold,
//   then the loop ends; every waiting or later call throws RobotStoppedException.
// - TryRecover (the worker's thread, between episodes) touches the control thread's fields only after joining that
//   thread, and then starts a fresh one: at no time do two threads drive the transport.

/// <summary>The safety-guarded control loop of one robot: one cycle per control period (write filtered velocity
/// command, read joints), a watchdog on the policy's commands, lost-link and drive-error stops, cycle statistics.</summary>
public sealed class RobotController : IDisposable
{
    private readonly RobotDescription _robot;
    private readonly IJointTransport _transport;
    private readonly SafetyFilter _filter;
    private readonly Watchdog _watchdog;
    private readonly double _timeScale;
    private readonly TimeSpan _wallPeriod;
    private readonly int _n;

    // Control thread's own buffers.
    private readonly double[] _q, _qd, _command;
    private readonly float[] _request, _safe, _positions;

    // Mailbox: written by the worker (Command / Arm / Hold), read by the control thread; guarded by _commandGate.
    private readonly object _commandGate = new();
    private readonly double[] _mailbox;
    private long _mailboxSeq, _takenSeq, _inEffectSeq;
    // Transports that send a cycle's command with the next cycle's read (IJointTransport.WritesAtNextRead): the
    // sequence numbers staged one and two cycles ago (control thread only). The state a read returns reflects the
    // command sent by the previous read, staged two cycles before.
    private long _stagedOneAgo, _stagedTwoAgo;
    private bool _armed;
    // Whether the policy has answered the last published state (control thread only). The watchdog is fed when a
    // state is published after an answer, so it measures how long the oldest unanswered state has waited: a loop
    // that is late itself (a slow bus) is never blamed on the policy.
    private bool _answered = true;

    // Published state: written by the control thread, read by Wait/ReadState; guarded by _stateGate (Monitor).
    private readonly object _stateGate = new();
    private readonly double[] _publishedQ, _publishedQd;
    // The filtered velocities sent with the command now in effect (control thread), and as published with the state
    // that command led to (under _stateGate).
    private readonly double[] _sentCommand, _publishedSent;
    private long _publishedCycle, _publishedInEffect;
    private bool _publishedIntervened;
    private RobotStoppedException? _stop;

    private volatile string? _stopRequest;
    private Thread? _thread;
    private bool _started;

    /// <param name="robot">The robot file.</param>
    /// <param name="transport">Its joints' link (not yet connected).</param>
    /// <param name="timeScale">For simulated robots only: how many times faster than real time the simulator runs;
    /// the loop's period, watchdog and hold shrink by this factor. 1 for real hardware.</param>
    public RobotController(RobotDescription robot, IJointTransport transport, double timeScale = 1)
    {
        ArgumentNullException.ThrowIfNull(robot);
        ArgumentNullException.ThrowIfNull(transport);
        if (transport.JointCount != robot.JointCount)
            throw new ArgumentException($"robot {robot.Name}: the transport drives {transport.JointCount} joints, the file lists {robot.JointCount}.", nameof(transport));
        if (!(timeScale >= 1 && timeScale <= 1000)) throw new ArgumentOutOfRangeException(nameof(timeScale), timeScale, "RobotController: time scale must be in [1, 1000].");
        _robot = robot;
        _transport = transport;
        _timeScale = timeScale;
        _n = robot.JointCount;
        _filter = new SafetyFilter(robot.SafetyLimits());
        _wallPeriod = robot.ControlPeriod / timeScale;
        _watchdog = new Watchdog(robot.WatchdogPeriod / timeScale, trip => _stopRequest ??= trip.Detail);
        _q = new double[_n];
        _qd = new double[_n];
        _command = new double[_n];
        _request = new float[_n];
        _safe = new float[_n];
        _positions = new float[_n];
        _mailbox = new double[_n];
        _publishedQ = new double[_n];
        _publishedQd = new double[_n];
        _sentCommand = new double[_n];
        _publishedSent = new double[_n];
    }

    public RobotDescription Robot => _robot;
    public SafetyFilter Safety => _filter;
    public CycleStatistics Cycles { get; } = new();
    /// <summary>Bytes the control thread allocated since its first cycle (0 in steady state: measured, not assumed).</summary>
    public long LoopAllocatedBytes => Volatile.Read(ref _loopAllocated);
    private long _loopAllocated;

    /// <summary>Cycles whose read found no valid reply.</summary>
    public long MissedReplies { get; private set; }
    /// <summary>Cycles whose write the link refused.</summary>
    public long FailedWrites { get; private set; }
    public double TimeScale => _timeScale;

    /// <summary>SCHED_FIFO priority the control thread got (0: it runs under the normal scheduler, e.g. without root
    /// or CAP_SYS_NICE). A loaded machine can starve a normal thread for hundreds of milliseconds; a real-time one
    /// wakes on time.</summary>
    public int RealtimePriority { get; private set; }

    /// <summary>The latched stop, or null while running.</summary>
    public RobotStoppedException? StopError { get { lock (_stateGate) return _stop; } }

    /// <summary>Connects, checks the drives, enables them in velocity mode with zero velocity, reads the joints once
    /// and starts the control thread.</summary>
    public void Start()
    {
        if (_started) throw new InvalidOperationException($"robot {_robot.Name}: the controller was already started.");
        _started = true;
        _transport.Connect();
        // The drives' own watchdog stops them if this process dies. It runs in the drives' time: a time-scaled
        // simulator's servos keep simulated time, as their Realtime Tick does.
        _transport.Enable(_robot.DriveWatchdog);
        if (_transport.Read(_q, _qd) != JointReadOutcome.Ok)
            throw new IOException($"robot {_robot.Name}: the first read of the joints failed: {_transport.LastFault}");
        Publish(0, 0, false);
        _thread = new Thread(Loop) { IsBackground = true, Name = $"robot-{_robot.Name}", Priority = ThreadPriority.Highest };
        _thread.Start();
    }

    /// <summary>Recoveries that brought the robot back after a stop (<see cref="TryRecover"/>).</summary>
    public int Recoveries { get; private set; }

    /// <summary>After a safety stop for a lost link or a drive error — the loop has already commanded zero velocity,
    /// held, turned torque off and ended — lets the transport bring its link back (<see cref="IJointTransport.TryRecover"/>),
    /// enables the drives again and restarts the loop, holding still until the next <see cref="Arm"/>. A running
    /// controller, or one stopped for another reason (watchdog, request), is not touched.</summary>
    /// <param name="report">What was done, or why nothing could be.</param>
    public bool TryRecover(out string report)
    {
        var stop = StopError;
        if (stop is null) { report = "the control loop is running: there is nothing to recover"; return false; }
        if (stop.Reason is not (RobotStopReason.LinkLost or RobotStopReason.HardwareError))
        {
            report = $"stopped for {stop.Reason}; only a lost link or a drive error is recovered";
            return false;
        }
        if (!_transport.CanRecover) { report = $"{_transport.Description} cannot recover by itself; restart"; return false; }
        // The stop is latched only after torque went off, so the loop is ending or has ended: no motion can follow.
        if (_thread is not null && !_thread.Join(TimeSpan.FromSeconds(5))) { report = "the stopped control loop did not end within 5 s"; return false; }
        if (!_transport.TryRecover()) { report = _transport.LastFault; return false; }
        try
        {
            _transport.Enable(_robot.DriveWatchdog);
        }
        catch (IOException e)
        {
            report = $"recovered the link, but enabling the drives failed: {e.Message}";
            return false;
        }
        if (_transport.Read(_q, _qd) != JointReadOutcome.Ok) { report = $"recovered the link, but the first read failed: {_transport.LastFault}"; return false; }
        lock (_commandGate)
        {
            _armed = false;
            Array.Clear(_mailbox);
            _takenSeq = _mailboxSeq;
        }
        _answered = true;
        _watchdog.Reset();
        _stopRequest = null;
        lock (_stateGate) _stop = null;
        (_stagedOneAgo, _stagedTwoAgo) = (_inEffectSeq, _inEffectSeq);
        Publish(0, _inEffectSeq, false);
        Recoveries++;
        _thread = new Thread(Loop) { IsBackground = true, Name = $"robot-{_robot.Name}", Priority = ThreadPriority.Highest };
        _thread.Start();
        report = $"recovered after {stop.Detail}";
        return true;
    }

    /// <summary>Lets commands move the arm (an episode or a reset motion starts) and restarts the watchdog.</summary>
    public void Arm()
    {
        ThrowIfStopped();
        lock (_commandGate)
        {
            Array.Clear(_mailbox);
            _armed = true;
            _watchdog.Reset();
            Monitor.PulseAll(_commandGate);
        }
    }

    /// <summary>Holds the arm still (zero velocity) between episodes; the watchdog waits until the next Arm.</summary>
    public void Hold()
    {
        lock (_commandGate)
        {
            _armed = false;
            Array.Clear(_mailbox);
            Monitor.PulseAll(_commandGate);
        }
    }

    /// <summary>Posts a joint velocity command (rad/s; any values: the safety filter makes them safe, NaN → stop
    /// motion). Returns its sequence number for <see cref="WaitForState(long, Span{double}, Span{double}, CancellationToken)"/>.</summary>
    public long Command(ReadOnlySpan<double> velocities)
    {
        if (velocities.Length != _n) throw new ArgumentException($"robot {_robot.Name}: {velocities.Length} velocities for {_n} joints.", nameof(velocities));
        ThrowIfStopped();
        // A stop asked for but not yet latched (the loop latches it at its next cycle, after the hold) already refuses
        // new commands: no command follows a stop request, however late the loop runs.
        if (_stopRequest is string requested)
            throw new RobotStoppedException(_robot.Name, _watchdog.IsTripped ? RobotStopReason.Watchdog : RobotStopReason.Requested, requested);
        lock (_commandGate)
        {
            velocities.CopyTo(_mailbox);
            ++_mailboxSeq;
            Monitor.PulseAll(_commandGate);
            return _mailboxSeq;
        }
    }

    /// <summary>Waits until the state at the end of the control period in which command <paramref name="sequence"/>
    /// was in effect, and copies it. Returns whether the filter changed that command.</summary>
    /// <exception cref="RobotStoppedException">The loop stopped the arm (the reason is in the message).</exception>
    /// <exception cref="TimeoutException">No such state within 20 control periods plus the stop hold plus 2 s (the
    /// time a stop on a dead link takes, retries included): the loop is stuck.</exception>
    public bool WaitForState(long sequence, Span<double> positions, Span<double> velocities, CancellationToken cancellation = default) =>
        WaitForState(sequence, positions, velocities, [], cancellation);

    /// <summary>As <see cref="WaitForState(long, Span{double}, Span{double}, CancellationToken)"/>, and copies into
    /// <paramref name="executed"/> (rad/s per joint; empty: not wanted) the velocities the safety filter let through
    /// for that command: what the arm was actually told to do.</summary>
    public bool WaitForState(long sequence, Span<double> positions, Span<double> velocities, Span<double> executed, CancellationToken cancellation = default)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)((20 * _wallPeriod + _robot.StopHold / _timeScale + TimeSpan.FromSeconds(2)).TotalSeconds * Stopwatch.Frequency);
        lock (_stateGate)
        {
            while (_stop is null && _publishedInEffect < sequence)
            {
                cancellation.ThrowIfCancellationRequested();
                long left = deadline - Stopwatch.GetTimestamp();
                if (left <= 0)
                    throw new TimeoutException($"robot {_robot.Name}: no joint state for command {sequence} within 20 control periods + the stop hold + 2 s; the control loop is stuck.");
                Monitor.Wait(_stateGate, TimeSpan.FromMilliseconds(Math.Min(50, Math.Max(1, left * 1000 / Stopwatch.Frequency))));
            }
            if (_stop is not null) throw _stop;
            _publishedQ.CopyTo(positions);
            _publishedQd.CopyTo(velocities);
            if (!executed.IsEmpty) _publishedSent.CopyTo(executed);
            return _publishedIntervened;
        }
    }

    /// <summary>Copies the newest joint state.</summary>
    public void ReadState(Span<double> positions, Span<double> velocities)
    {
        lock (_stateGate)
        {
            if (_stop is not null) throw _stop;
            _publishedQ.CopyTo(positions);
            _publishedQd.CopyTo(velocities);
        }
    }

    /// <summary>Requests a safety stop (Ctrl-C, an error elsewhere): zero velocity now, torque off after the hold.</summary>
    public void RequestStop(string reason)
    {
        _stopRequest ??= reason;
        lock (_commandGate) Monitor.PulseAll(_commandGate);
    }

    /// <summary>Stops the arm (if not already stopped), waits for the loop to turn torque off, and closes the link.</summary>
    public void Dispose()
    {
        RequestStop("the controller was disposed (end of run)");
        if (_thread is not null && !_thread.Join(_robot.StopHold / _timeScale + TimeSpan.FromSeconds(5)))
            throw new TimeoutException($"robot {_robot.Name}: the control thread did not stop within the hold time + 5 s.");
        _watchdog.Dispose();
        _transport.Dispose();
    }

    private void ThrowIfStopped()
    {
        var stop = StopError;
        if (stop is not null) throw stop;
    }

    private void Loop()
    {
        long period = (long)(_wallPeriod.TotalSeconds * Stopwatch.Frequency);
        long next = Stopwatch.GetTimestamp() + period;
        long cycle = 0;
        int missed = 0;
        bool lastIntervened = false;
        // The loop sleeps most of each period, so a real-time policy costs other threads nothing but makes it wake on
        // time under load. 20 sits below the kernel's own threads (50) and above every normal one.
        if (_robot.RealtimePriority > 0 && Posix.Libc.TrySetRealtimePriority(_robot.RealtimePriority)) RealtimePriority = _robot.RealtimePriority;
        long allocatedAtStart = GC.GetAllocatedBytesForCurrentThread();
        long stopAt = 0;
        RobotStopReason? stopReason = null;
        string stopDetail = "";
        try
        {
            while (true)
            {
                WaitUntil(next);
                long start = Stopwatch.GetTimestamp();
                double jitter = (start - next) / (double)Stopwatch.Frequency;
                cycle++;

                // Stop requests from the watchdog callback, RequestStop, or last cycle's faults.
                if (stopReason is null && _stopRequest is string request)
                {
                    stopReason = _watchdog.IsTripped ? RobotStopReason.Watchdog : RobotStopReason.Requested;
                    stopDetail = request;
                    stopAt = start;
                }

                var outcome = _transport.Read(_q, _qd);
                long readDone = Stopwatch.GetTimestamp();
                if (outcome == JointReadOutcome.Ok)
                {
                    missed = 0;
                    if (_answered)
                    {
                        _watchdog.Feed();
                        _answered = false;
                    }
                    Publish(cycle, _transport.WritesAtNextRead ? _stagedTwoAgo : _inEffectSeq, lastIntervened);
                }
                else
                {
                    MissedReplies++;
                    // No state was published, so the policy had nothing to answer: the missed-reply count, not the
                    // policy watchdog, judges this cycle.
                    _watchdog.Feed();
                    if (outcome == JointReadOutcome.HardwareError && stopReason is null)
                        (stopReason, stopDetail, stopAt) = (RobotStopReason.HardwareError, _transport.LastFault, start);
                    else if (++missed >= _robot.MaxMissedReplies && stopReason is null)
                        (stopReason, stopDetail, stopAt) = (RobotStopReason.LinkLost,
                            $"{missed} control cycles in a row without a valid reply; last: {_transport.LastFault}", start);
                }
                lastIntervened = ApplyCommand(stopReason is not null, start + period / 2, out _inEffectSeq, out long writeStart);
                (_stagedTwoAgo, _stagedOneAgo) = (_stagedOneAgo, _inEffectSeq);

                // Release; read by LoopAllocatedBytes on any thread.
                Volatile.Write(ref _loopAllocated, GC.GetAllocatedBytesForCurrentThread() - allocatedAtStart);
                long end = Stopwatch.GetTimestamp();
                bool overran = end - next > period;
                // Bus time: the read plus the write, not the wait for the policy's answer in between.
                Cycles.Record(((readDone - start) + (end - writeStart)) / (double)Stopwatch.Frequency, Math.Max(0, jitter), overran);
                next += period;
                if (end > next) next = end + period - (end - next) % period; // skip the slots we missed, keep the phase

                if (stopReason is not null && Stopwatch.GetElapsedTime(stopAt, end) >= _robot.StopHold / _timeScale)
                {
                    _transport.DisableTorque();
                    LatchStop(new RobotStoppedException(_robot.Name, stopReason.Value, stopDetail));
                    return;
                }
            }
        }
        catch (Exception e)
        {
            // The loop itself failed (a bug, or a transport that threw): make the arm safe with what is left of the link.
            try
            {
                Array.Clear(_command);
                _transport.WriteVelocities(_command);
                _transport.DisableTorque();
            }
            catch (Exception)
            {
                // The drives' own bus watchdog stops them when this process goes quiet.
            }
            LatchStop(new RobotStoppedException(_robot.Name, RobotStopReason.LinkLost, $"the control loop failed: {e.GetType().Name}: {e.Message}"));
        }
    }

    // Takes the newest command (zero when stopping or not armed; waiting until `answerBy` for the policy's answer to the
    // state just published), filters it against the joint positions just read and sends it. `applied` is the sequence
    // number now in effect.
    private bool ApplyCommand(bool stopping, long answerBy, out long applied, out long writeStart)
    {
        bool moving;
        lock (_commandGate)
        {
            moving = _armed && !stopping;
            while (moving && _mailboxSeq == _takenSeq && _armed && _stopRequest is null)
            {
                long left = answerBy - Stopwatch.GetTimestamp();
                if (left <= 0) break;
                // Releases the gate; Command's PulseAll wakes it.
                Monitor.Wait(_commandGate, TimeSpan.FromTicks(Math.Max(1, left * TimeSpan.TicksPerSecond / Stopwatch.Frequency)));
                moving = _armed && !stopping;
            }
            // A stop requested during this cycle (after the latch at its top) wins over a command posted before it.
            if (_stopRequest is not null) moving = false;
            if (moving && _mailboxSeq != _takenSeq)
            {
                _takenSeq = _mailboxSeq;
                _answered = true;
            }
            if (!moving) _answered = true; // nothing is asked of the policy between episodes
            if (moving) _mailbox.CopyTo(_command);
            applied = _takenSeq;
        }
        if (moving && _watchdog.Poll())
        {
            moving = false; // the trip callback has set _stopRequest; next cycle latches it
        }
        if (!moving) Array.Clear(_command);
        for (int i = 0; i < _n; i++)
        {
            _request[i] = (float)_command[i];
            _positions[i] = (float)_q[i];
        }
        writeStart = Stopwatch.GetTimestamp();
        var interventions = _filter.Filter(_request, _positions, _robot.Kinematics, _safe);
        for (int i = 0; i < _n; i++) _command[i] = _safe[i];
        _command.CopyTo(_sentCommand);
        if (!_transport.WriteVelocities(_command)) FailedWrites++;
        return interventions != SafetyInterventions.None;
    }

    private void Publish(long cycle, long inEffect, bool intervened)
    {
        lock (_stateGate)
        {
            _q.CopyTo(_publishedQ);
            _qd.CopyTo(_publishedQd);
            _publishedCycle = cycle;
            _publishedInEffect = inEffect;
            _publishedIntervened = intervened;
            _sentCommand.CopyTo(_publishedSent);
            Monitor.PulseAll(_stateGate);
        }
    }

    private void LatchStop(RobotStoppedException stop)
    {
        lock (_stateGate)
        {
            _stop ??= stop;
            Monitor.PulseAll(_stateGate);
        }
    }

    // Linux (Stopwatch = CLOCK_MONOTONIC ns): one absolute clock_nanosleep, which under SCHED_FIFO wakes within
    // microseconds. Elsewhere: sleep for the coarse part and spin for the last stretch (Thread.Sleep overshoots by ~1 ms),
    // the spin at most 1.5 ms and a fifth of the period so a fast (time-scaled) loop does not eat a core.
    private void WaitUntil(long timestamp)
    {
        if (Stopwatch.GetTimestamp() >= timestamp || Posix.Libc.TrySleepUntil(timestamp)) return;
        double spinMs = Math.Min(1.5, _wallPeriod.TotalMilliseconds / 5);
        while (true)
        {
            long left = timestamp - Stopwatch.GetTimestamp();
            if (left <= 0) return;
            double ms = left * 1000.0 / Stopwatch.Frequency;
            if (ms > spinMs + 0.5) Thread.Sleep(TimeSpan.FromMilliseconds(Math.Max(1, ms - spinMs - 0.5)));
            else Thread.SpinWait(30);
        }
    }
}
