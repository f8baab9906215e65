using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;

namespace NafNative.Safety;

/// <summary>The limits every command to an arm, simulated or real, must respect: joint speed, joint range with a
/// margin, end-effector workspace box, and the command period the watchdog enforces.</summary>
/// <remarks>
/// <para>Units: joint positions in radians (or metres for a prismatic joint), joint velocities in those units per
/// second, end-effector positions in metres in the robot's base frame, periods as <see cref="TimeSpan"/>.</para>
/// <para>Validated on construction (each error names the offending field and, for per-joint values, the joint); the
/// per-joint arrays are copied, so an instance is immutable and safe to share between threads.</para>
/// </remarks>
public sealed record SafetyLimits
{
    /// <summary>The most joints a limits set may describe (the filter keeps one predicted pose on the stack).</summary>
    public const int MaxJoints = 64;

    private readonly float[] _maxJointVelocity;
    private readonly float[] _jointLower;
    private readonly float[] _jointUpper;

    /// <param name="maxJointVelocity">Per joint, the largest |velocity| allowed; finite and &gt; 0.</param>
    /// <param name="jointLower">Per joint, the lower end of its mechanical range; finite.</param>
    /// <param name="jointUpper">Per joint, the upper end of its range; finite and &gt; lower.</param>
    /// <param name="jointMargin">Distance kept from both ends of every range; finite, ≥ 0, and less than half of
    /// every range (so each joint keeps a non-empty allowed interval).</param>
    /// <param name="workspaceMin">Corner of the end-effector box with the smallest coordinates; finite.</param>
    /// <param name="workspaceMax">Opposite corner; finite and &gt; <paramref name="workspaceMin"/> on every axis.</param>
    /// <param name="controlPeriod">How long one command is held (the task's control period): the filter predicts one
    /// such step ahead; &gt; 0.</param>
    /// <param name="watchdogPeriod">The longest gap between commands before the watchdog stops the arm;
    /// ≥ <paramref name="controlPeriod"/>.</param>
    public SafetyLimits(float[] maxJointVelocity, float[] jointLower, float[] jointUpper, float jointMargin,
        Vector3 workspaceMin, Vector3 workspaceMax, TimeSpan controlPeriod, TimeSpan watchdogPeriod)
    {
        ArgumentNullException.ThrowIfNull(maxJointVelocity);
        ArgumentNullException.ThrowIfNull(jointLower);
        ArgumentNullException.ThrowIfNull(jointUpper);
        int n = maxJointVelocity.Length;
        if (n is 0 or > MaxJoints)
            Throw(nameof(maxJointVelocity), $"must describe 1 to {MaxJoints} joints, got {n}");
        if (jointLower.Length != n)
            Throw(nameof(jointLower), $"has {jointLower.Length} joints but maxJointVelocity has {n}");
        if (jointUpper.Length != n)
            Throw(nameof(jointUpper), $"has {jointUpper.Length} joints but maxJointVelocity has {n}");
        for (int i = 0; i < n; i++)
        {
            float v = maxJointVelocity[i], lo = jointLower[i], hi = jointUpper[i];
            if (!(float.IsFinite(v) && v > 0)) Throw(nameof(maxJointVelocity), $"[{i}] is {v}; it must be finite and > 0");
            if (!float.IsFinite(lo)) Throw(nameof(jointLower), $"[{i}] is {lo}; it must be finite");
            if (!float.IsFinite(hi)) Throw(nameof(jointUpper), $"[{i}] is {hi}; it must be finite");
            if (!(lo < hi)) Throw(nameof(jointUpper), $"[{i}] = {hi} is not above jointLower[{i}] = {lo}");
        }
        if (!(float.IsFinite(jointMargin) && jointMargin >= 0))
            Throw(nameof(jointMargin), $"is {jointMargin}; it must be finite and ≥ 0");
        for (int i = 0; i < n; i++)
            if (!(jointLower[i] + jointMargin < jointUpper[i] - jointMargin))
                Throw(nameof(jointMargin), $"= {jointMargin} leaves joint {i} no room: its range [{jointLower[i]}, {jointUpper[i]}] " +
                    "must be wider than twice the margin");
        for (int axis = 0; axis < 3; axis++)
        {
            float min = workspaceMin[axis], max = workspaceMax[axis];
            if (!float.IsFinite(min)) Throw(nameof(workspaceMin), $".{AxisName(axis)} is {min}; it must be finite");
            if (!float.IsFinite(max)) Throw(nameof(workspaceMax), $".{AxisName(axis)} is {max}; it must be finite");
            if (!(min < max)) Throw(nameof(workspaceMax), $".{AxisName(axis)} = {max} is not above workspaceMin.{AxisName(axis)} = {min}");
        }
        if (controlPeriod <= TimeSpan.Zero) Throw(nameof(controlPeriod), $"is {controlPeriod}; it must be positive");
        if (watchdogPeriod < controlPeriod)
            Throw(nameof(watchdogPeriod), $"= {watchdogPeriod} is shorter than controlPeriod = {controlPeriod}; the watchdog would stop every step");

        _maxJointVelocity = (float[])maxJointVelocity.Clone();
        _jointLower = (float[])jointLower.Clone();
        _jointUpper = (float[])jointUpper.Clone();
        JointMargin = jointMargin;
        WorkspaceMin = workspaceMin;
        WorkspaceMax = workspaceMax;
        ControlPeriod = controlPeriod;
        WatchdogPeriod = watchdogPeriod;
    }

    /// <summary>Joints described (the length of every per-joint span).</summary>
    public int JointCount => _maxJointVelocity.Length;

    /// <summary>Per joint, the largest |velocity| allowed.</summary>
    public ReadOnlySpan<float> MaxJointVelocity => _maxJointVelocity;

    /// <summary>Per joint, the lower end of the mechanical range (the filter keeps <see cref="JointMargin"/> above it).</summary>
    public ReadOnlySpan<float> JointLower => _jointLower;

    /// <summary>Per joint, the upper end of the mechanical range (the filter keeps <see cref="JointMargin"/> below it).</summary>
    public ReadOnlySpan<float> JointUpper => _jointUpper;

    /// <summary>Distance kept from both ends of every joint range.</summary>
    public float JointMargin { get; }

    public Vector3 WorkspaceMin { get; }

    public Vector3 WorkspaceMax { get; }

    /// <summary>How long one command is held; the filter predicts one such step ahead.</summary>
    public TimeSpan ControlPeriod { get; }

    /// <summary>The longest gap between commands before the watchdog stops the arm.</summary>
    public TimeSpan WatchdogPeriod { get; }

    /// <summary>What the filter does with a command that would carry the end effector out of the box (or further out):
    /// <see cref="WorkspaceRule.Stop"/> (the default) stops every joint, <see cref="WorkspaceRule.Slide"/> removes only
    /// the outward part of the motion. Either way no command leaves the filter that ends outside the
    /// box and not closer to it.</summary>
    public WorkspaceRule WorkspaceRule
    {
        get;
        init => field = Enum.IsDefined(value) ? value
            : throw new ArgumentException($"SafetyLimits: WorkspaceRule = {(int)value} is neither Slide nor Stop.", nameof(WorkspaceRule));
    } = WorkspaceRule.Stop;

    /// <summary>Value equality, per-joint arrays compared element by element.</summary>
    public bool Equals(SafetyLimits? other) =>
        other is not null
        && _maxJointVelocity.AsSpan().SequenceEqual(other._maxJointVelocity)
        && _jointLower.AsSpan().SequenceEqual(other._jointLower)
        && _jointUpper.AsSpan().SequenceEqual(other._jointUpper)
        && JointMargin.Equals(other.JointMargin)
        && WorkspaceMin.Equals(other.WorkspaceMin)
        && WorkspaceMax.Equals(other.WorkspaceMax)
        && ControlPeriod == other.ControlPeriod
        && WatchdogPeriod == other.WatchdogPeriod
        && WorkspaceRule == other.WorkspaceRule;

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (float v in _maxJointVelocity) hash.Add(v);
        foreach (float v in _jointLower) hash.Add(v);
        foreach (float v in _jointUpper) hash.Add(v);
        hash.Add(JointMargin);
        hash.Add(WorkspaceMin);
        hash.Add(WorkspaceMax);
        hash.Add(ControlPeriod);
        hash.Add(WatchdogPeriod);
        hash.Add(WorkspaceRule);
        return hash.ToHashCode();
    }

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"JointCount = {JointCount}, MaxJointVelocity = [{string.Join(", ", _maxJointVelocity)}], ");
        builder.Append($"JointLower = [{string.Join(", ", _jointLower)}], JointUpper = [{string.Join(", ", _jointUpper)}], ");
        builder.Append($"JointMargin = {JointMargin}, WorkspaceMin = {WorkspaceMin}, WorkspaceMax = {WorkspaceMax}, ");
        builder.Append($"ControlPeriod = {ControlPeriod}, WatchdogPeriod = {WatchdogPeriod}, WorkspaceRule = {WorkspaceRule}");
        return true;
    }

    private static string AxisName(int axis) => axis switch { 0 => "X", 1 => "Y", _ => "Z" };

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void Throw(string field, string problem) =>
        throw new ArgumentException(
            $"SafetyLimits: {field}{(problem[0] is '[' or '.' ? "" : " ")}{problem}.", field);
}
