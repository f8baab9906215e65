using System.Numerics;
using System.Runtime.CompilerServices;
using NafNative.Safety;

namespace NafNative.Sim.Arm;

/// <summary>Turns a task's joint actions in [−1, 1] into joint velocity commands (rad/s) for an arm, through a
/// <see cref="SafetyFilter"/> when one is configured: every simulated arm task moves its joints through this, as the
/// hardware layer does.</summary>
/// <remarks>With the filter a NaN/∞ action becomes a zero-velocity command and a counted fault; without it, a
/// non-finite action throws before anything changes. Allocation-free after construction; one thread per instance.</remarks>
public sealed class ArmCommandFilter
{
    private readonly int _n;
    private readonly double[] _scale;
    private readonly ArmForwardKinematics _kinematics;
    private readonly float[] _requested, _filtered, _positions;
    private readonly string _owner;

    /// <param name="model">The arm (velocity limits, joint ranges, kinematics for the workspace check).</param>
    /// <param name="actionScale">Action ±1 commands ± actionScale × the joint's maximum speed.</param>
    /// <param name="limits">The filter's limits, or null to run without a filter.</param>
    /// <param name="owner">Names the task in error messages.</param>
    public ArmCommandFilter(ArmModel model, double actionScale, SafetyLimits? limits, string owner)
    {
        ArgumentNullException.ThrowIfNull(model);
        _n = model.DegreesOfFreedom;
        _scale = new double[_n];
        for (int i = 0; i < _n; i++) _scale[i] = actionScale * model.MaxVelocities[i];
        _kinematics = new ArmForwardKinematics(model);
        _requested = new float[_n];
        _filtered = new float[_n];
        _positions = new float[_n];
        _owner = owner;
        if (limits is not null) Safety = new SafetyFilter(limits);
    }

    /// <summary>The filter (null when running without one); its counters say how often each rule intervened.</summary>
    public SafetyFilter? Safety { get; }

    /// <summary>Which rules acted in the last <see cref="Apply"/>.</summary>
    public SafetyInterventions LastInterventions { get; private set; }

    /// <summary>Writes the action (first <c>n</c> entries, in [−1, 1]) that <paramref name="command"/> (written by
    /// <see cref="Apply"/>) executes: the inverse of the action scaling, so a filtered command maps back to the action
    /// that would have produced it unfiltered.</summary>
    public void WriteExecuted(ReadOnlySpan<double> command, Span<float> executed)
    {
        for (int i = 0; i < _n; i++) executed[i] = (float)Math.Clamp(command[i] / _scale[i], -1.0, 1.0);
    }

    /// <summary>Limits for a filter on <paramref name="model"/>: its velocity limits and joint ranges (kept
    /// <paramref name="jointMargin"/> inside), the workspace box and its rule, the control period and a watchdog of four periods.</summary>
    public static SafetyLimits CreateLimits(ArmModel model, double controlRate, double jointMargin, Vec3 workspaceMin, Vec3 workspaceMax,
        WorkspaceRule workspaceRule)
    {
        ArgumentNullException.ThrowIfNull(model);
        static float[] F(double[] v) => Array.ConvertAll(v, x => (float)x);
        static Vector3 V(Vec3 v) => new((float)v.X, (float)v.Y, (float)v.Z);
        var period = TimeSpan.FromSeconds(1.0 / controlRate);
        return new SafetyLimits(F(model.MaxVelocities), F(model.LowerLimits), F(model.UpperLimits), (float)jointMargin,
            V(workspaceMin), V(workspaceMax), period, 4 * period) { WorkspaceRule = workspaceRule };
    }

    /// <summary>Writes the joint velocity command for <paramref name="action"/> (first <c>n</c> entries) at joint
    /// angles <paramref name="q"/>; returns whether the safety filter changed it.</summary>
    public bool Apply(ReadOnlySpan<float> action, ReadOnlySpan<double> q, Span<double> command)
    {
        LastInterventions = SafetyInterventions.None;
        if (Safety is null)
        {
            for (int i = 0; i < _n; i++)
                if (!float.IsFinite(action[i])) ThrowNotFinite(i, action[i]);
            for (int i = 0; i < _n; i++) command[i] = Math.Clamp(action[i], -1f, 1f) * _scale[i];
            return false;
        }
        for (int i = 0; i < _n; i++)
        {
            // A non-finite action goes to the filter as it is (clamping would turn ∞ into a full-speed command).
            _requested[i] = float.IsFinite(action[i]) ? (float)(Math.Clamp(action[i], -1f, 1f) * _scale[i]) : action[i];
            _positions[i] = (float)q[i];
        }
        LastInterventions = Safety.Filter(_requested, _positions, _kinematics, _filtered);
        bool intervened = LastInterventions != SafetyInterventions.None;
        for (int i = 0; i < _n; i++) command[i] = _filtered[i];
        return intervened;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowNotFinite(int index, float value) =>
        throw new ArgumentException($"{_owner}.Step: action[{index}] is {value}; actions must be finite numbers in [-1, 1]. The state is unchanged.", "action");
}
