using System.Numerics;
using NafNative.Safety;

namespace NafNative.Tests.Safety;

/// <summary>A gantry: joints 0, 1, 2 are prismatic along x, y, z, so the end effector is at (q0, q1, q2).</summary>
internal readonly struct CartesianKinematics : IForwardKinematics
{
    public Vector3 EndEffectorPosition(ReadOnlySpan<float> q) => new(q[0], q[1], q[2]);
}

/// <summary>An end effector that never moves (isolates the joint rules from the workspace rule).</summary>
internal readonly struct FixedKinematics(Vector3 position) : IForwardKinematics
{
    public Vector3 EndEffectorPosition(ReadOnlySpan<float> q) => position;
}

/// <summary>A planar two-link arm in the z = 0 plane (links 0.5 m and 0.4 m): nonlinear, so the workspace rule is
/// tested through real forward kinematics.</summary>
internal readonly struct PlanarTwoLinkKinematics : IForwardKinematics
{
    public const float L1 = 0.5f, L2 = 0.4f;

    public Vector3 EndEffectorPosition(ReadOnlySpan<float> q) =>
        new(L1 * MathF.Cos(q[0]) + L2 * MathF.Cos(q[0] + q[1]), L1 * MathF.Sin(q[0]) + L2 * MathF.Sin(q[0] + q[1]), 0f);
}

/// <summary>A model that fails (returns NaN), as a broken kinematics chain or sensor would.</summary>
internal readonly struct NaNKinematics : IForwardKinematics
{
    public Vector3 EndEffectorPosition(ReadOnlySpan<float> q) => new(float.NaN, 0, 0);
}

/// <summary>Limit sets shared by the safety fixtures.</summary>
internal static class TestLimits
{
    /// <summary>3 prismatic joints, ranges [−1, 1]³ except z ∈ [0, 1.2], margin 0.1; box [−0.5, 0.5]² × [0.2, 0.8];
    /// 20 Hz control, 200 ms watchdog.</summary>
    public static SafetyLimits Gantry() => new(
        maxJointVelocity: [1f, 2f, 0.5f],
        jointLower: [-1f, -1f, 0f],
        jointUpper: [1f, 1f, 1.2f],
        jointMargin: 0.1f,
        workspaceMin: new Vector3(-0.5f, -0.5f, 0.2f),
        workspaceMax: new Vector3(0.5f, 0.5f, 0.8f),
        controlPeriod: TimeSpan.FromMilliseconds(50),
        watchdogPeriod: TimeSpan.FromMilliseconds(200));

    /// <summary>2 revolute joints (±2.5 rad, margin 0.05, ≤ 3 rad/s); box x ∈ [−0.2, 0.8], y ∈ [−0.6, 0.6], z ∈ [−0.1, 0.1].</summary>
    public static SafetyLimits PlanarArm() => new(
        maxJointVelocity: [3f, 3f],
        jointLower: [-2.5f, -2.5f],
        jointUpper: [2.5f, 2.5f],
        jointMargin: 0.05f,
        workspaceMin: new Vector3(-0.2f, -0.6f, -0.1f),
        workspaceMax: new Vector3(0.8f, 0.6f, 0.1f),
        controlPeriod: TimeSpan.FromMilliseconds(50),
        watchdogPeriod: TimeSpan.FromMilliseconds(200));
}
