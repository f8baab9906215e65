using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace NafNative.Safety;

// Design:
// - The last gate before a robot: every joint-velocity command, simulated or real, goes through Filter. Its output is
//   a function of its inputs and the immutable limits only; the filter's one mutable state is its intervention
//   counters.
// - Writers: any worker thread calling Filter (one filter may serve several arms with the same limits); each counter
//   is bumped with Interlocked.Increment, at most once per command per kind (commands arrive at the control rate,
//   tens to hundreds per second, so contention is negligible and no padding is needed).
// - Readers: any thread (metrics) via the counter properties, Volatile.Read: each value is exact, the set is not a
//   snapshot taken at one instant.

/// <summary>Makes a joint-velocity command safe for the arm: clamps speed, keeps joints inside their range with
/// margin, keeps the end effector inside its workspace box, and turns a NaN/±∞ input into a zero-velocity command.</summary>
/// <remarks>
/// <para>Rules, in order (each sees the previous one's output):</para>
/// <list type="number">
/// <item>Fault: a NaN or ±∞ in the command or the joint positions → every velocity 0 (<see cref="SafetyInterventions.NonFinite"/>).</item>
/// <item>Speed: each velocity is clamped to ±<see cref="SafetyLimits.MaxJointVelocity"/>.</item>
/// <item>Joint range: with dt = <see cref="SafetyLimits.ControlPeriod"/>, a velocity that would carry its joint from
/// q to q + v·dt beyond [lower + margin, upper − margin] is set to 0. Motion back toward the allowed interval is kept, so
/// a joint found outside it can always return.</item>
/// <item>Workspace: with p = FK(q) and p′ = FK(q + v·dt) (the caller's <see cref="IForwardKinematics"/>, evaluated on
/// the command as filtered so far), if p′ lies outside the box and is not closer to it than p, the command is refused.
/// Motion that brings an end effector found outside back toward the box is kept. A refused command is stopped (every
/// velocity 0) under <see cref="WorkspaceRule.Stop"/> (the default); under <see cref="WorkspaceRule.Slide"/> its outward part is
/// removed instead (see <see cref="WorkspaceSlide"/>), and it is stopped only if what remains still fails the same
/// exact test.</item>
/// </list>
/// <para>So under both rules every command that leaves the filter satisfies: speed within limit, joints inside their
/// margins after one step, and p′ inside the box or closer to it than p, each checked on the command as sent.</para>
/// <para>The prediction is one control step of constant joint velocity through exact forward kinematics (no Jacobian,
/// no linearisation); the box should carry its own allowance for how far the arm moves in the time it takes to stop.</para>
/// <para>Thread-safety: <see cref="Filter{TKinematics}"/> may be called from many threads at once; it allocates nothing.</para>
/// </remarks>
public sealed class SafetyFilter
{
    private readonly float[] _maxVelocity;  // per joint; written by the constructor only
    private readonly float[] _lowerAllowed; // lower + margin
    private readonly float[] _upperAllowed; // upper − margin
    private readonly float _dt;             // seconds per command
    private readonly Vector3 _workspaceMin, _workspaceMax;

    // Counters: written by filtering threads (Interlocked.Increment), read by anyone (Volatile.Read).
    private long _commands, _velocityClamps, _jointLimitStops, _workspaceStops, _workspaceSlides, _faults;

    public SafetyFilter(SafetyLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        Limits = limits;
        int n = limits.JointCount;
        _maxVelocity = limits.MaxJointVelocity.ToArray();
        _lowerAllowed = new float[n];
        _upperAllowed = new float[n];
        for (int i = 0; i < n; i++)
        {
            _lowerAllowed[i] = limits.JointLower[i] + limits.JointMargin;
            _upperAllowed[i] = limits.JointUpper[i] - limits.JointMargin;
        }
        _dt = (float)limits.ControlPeriod.TotalSeconds;
        _workspaceMin = limits.WorkspaceMin;
        _workspaceMax = limits.WorkspaceMax;
    }

    public SafetyLimits Limits { get; }

    // Acquire reads; each pairs with the Interlocked.Increment in Filter that bumps it.
    /// <summary>Commands filtered.</summary>
    public long Commands => Volatile.Read(ref _commands);

    /// <summary>Commands in which at least one velocity was clamped to its limit.</summary>
    public long VelocityClamps => Volatile.Read(ref _velocityClamps);

    /// <summary>Commands in which at least one velocity was zeroed to keep its joint inside its range with margin.</summary>
    public long JointLimitStops => Volatile.Read(ref _jointLimitStops);

    /// <summary>Commands stopped entirely because the end effector would leave (or move further out of) the box.</summary>
    public long WorkspaceStops => Volatile.Read(ref _workspaceStops);

    /// <summary>Commands whose outward part was removed at the workspace box (<see cref="WorkspaceRule.Slide"/>).</summary>
    public long WorkspaceSlides => Volatile.Read(ref _workspaceSlides);

    /// <summary>Commands replaced by zero velocity because an input held NaN or ±∞.</summary>
    public long Faults => Volatile.Read(ref _faults);

    /// <summary>Writes the safe version of <paramref name="command"/> to <paramref name="filtered"/> (which may be the
    /// same span as <paramref name="command"/>) and says which rules changed it.</summary>
    /// <param name="command">Requested joint velocities [JointCount].</param>
    /// <param name="jointPositions">Current joint positions [JointCount].</param>
    /// <param name="kinematics">The arm's forward kinematics, for the workspace rule.</param>
    /// <param name="filtered">Receives the velocities to send [JointCount].</param>
    /// <exception cref="ArgumentException">A span's length differs from <see cref="SafetyLimits.JointCount"/>.</exception>
    public SafetyInterventions Filter<TKinematics>(ReadOnlySpan<float> command, ReadOnlySpan<float> jointPositions,
        in TKinematics kinematics, Span<float> filtered)
        where TKinematics : IForwardKinematics
    {
        int n = _maxVelocity.Length;
        if (command.Length != n) ThrowLength(nameof(command), command.Length, n);
        if (jointPositions.Length != n) ThrowLength(nameof(jointPositions), jointPositions.Length, n);
        if (filtered.Length != n) ThrowLength(nameof(filtered), filtered.Length, n);
        // Full fence; pairs with the Volatile.Read in Commands.
        Interlocked.Increment(ref _commands);

        if (!TensorPrimitives.IsFiniteAll(command) || !TensorPrimitives.IsFiniteAll(jointPositions)) return Fault(filtered);

        var result = SafetyInterventions.None;
        bool moving = false;
        for (int i = 0; i < n; i++)
        {
            float v = SpeedAndRange(i, command[i], jointPositions[i], ref result);
            filtered[i] = v;
            moving |= v != 0;
        }

        if (moving)
        {
            Span<float> next = stackalloc float[SafetyLimits.MaxJoints];
            next = next[..n];
            for (int i = 0; i < n; i++) next[i] = jointPositions[i] + filtered[i] * _dt;
            Vector3 then = kinematics.EndEffectorPosition(next);
            if (!IsFinite(then)) return Fault(filtered);
            float outsideThen = DistanceOutside(then);
            if (outsideThen > 0)
            {
                Vector3 now = kinematics.EndEffectorPosition(jointPositions);
                if (!IsFinite(now)) return Fault(filtered);
                float outsideNow = DistanceOutside(now);
                if (outsideThen >= outsideNow)
                {
                    if (Limits.WorkspaceRule == WorkspaceRule.Slide
                        && WorkspaceSlide.TryRemoveOutward(this, jointPositions, kinematics, now, outsideNow, then, filtered))
                    {
                        result |= SafetyInterventions.WorkspaceSlid;
                    }
                    else
                    {
                        filtered.Clear();
                        result |= SafetyInterventions.Workspace;
                    }
                }
            }
        }

        // Full fences, at most one per kind per command; each pairs with its counter's Volatile.Read.
        if ((result & SafetyInterventions.VelocityClamped) != 0) Interlocked.Increment(ref _velocityClamps);
        if ((result & SafetyInterventions.JointLimit) != 0) Interlocked.Increment(ref _jointLimitStops);
        if ((result & SafetyInterventions.Workspace) != 0) Interlocked.Increment(ref _workspaceStops);
        if ((result & SafetyInterventions.WorkspaceSlid) != 0) Interlocked.Increment(ref _workspaceSlides);
        return result;
    }

    /// <summary>The speed and joint-range rules applied to one joint's velocity, adding the rules that acted to
    /// <paramref name="applied"/> (also used on a slid command, whose joint velocities the projection changed).</summary>
    internal float SpeedAndRange(int joint, float v, float position, ref SafetyInterventions applied)
    {
        float limit = _maxVelocity[joint];
        if (v > limit || v < -limit)
        {
            v = Math.Clamp(v, -limit, limit);
            applied |= SafetyInterventions.VelocityClamped;
        }
        float predicted = position + v * _dt;
        if ((v > 0 && predicted > _upperAllowed[joint]) || (v < 0 && predicted < _lowerAllowed[joint]))
        {
            v = 0;
            applied |= SafetyInterventions.JointLimit;
        }
        return v;
    }

    internal float ControlPeriodSeconds => _dt;

    internal Vector3 WorkspaceMin => _workspaceMin;

    internal Vector3 WorkspaceMax => _workspaceMax;

    /// <summary>Euclidean distance from <paramref name="position"/> to the workspace box (0 inside or on it).</summary>
    public float DistanceOutside(Vector3 position) =>
        Vector3.Distance(position, Vector3.Clamp(position, _workspaceMin, _workspaceMax));

    private SafetyInterventions Fault(Span<float> filtered)
    {
        filtered.Clear();
        // Full fence; pairs with the Volatile.Read in Faults.
        Interlocked.Increment(ref _faults);
        return SafetyInterventions.NonFinite;
    }

    private static bool IsFinite(Vector3 p) => float.IsFinite(p.X) && float.IsFinite(p.Y) && float.IsFinite(p.Z);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLength(string name, int length, int joints) =>
        throw new ArgumentException($"SafetyFilter.Filter: {name} has {length} values but the limits describe {joints} joints.", name);
}
