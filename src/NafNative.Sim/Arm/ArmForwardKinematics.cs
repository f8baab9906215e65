using System.Numerics;
using NafNative.Safety;

namespace NafNative.Sim.Arm;

/// <summary>The end-effector position of an <see cref="ArmModel"/> as a pure, thread-safe function of the joint angles:
/// the <see cref="IForwardKinematics"/> a <see cref="SafetyFilter"/> needs for the simulated arm.</summary>
/// <remarks>Holds only the model's immutable kinematic arrays and computes in locals (double precision), so one value
/// may be used from any number of threads; it allocates nothing per call. Agrees with
/// <see cref="ArmDynamics.EndEffectorPositionAt"/> to float rounding.</remarks>
public readonly struct ArmForwardKinematics : IForwardKinematics
{
    private readonly Vec3[] _offsets, _axes;
    private readonly Vec3 _endEffector;

    public ArmForwardKinematics(ArmModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        model.Validate();
        _offsets = (Vec3[])model.JointOffsets.Clone();
        _axes = (Vec3[])model.JointAxes.Clone();
        _endEffector = model.EndEffectorOffset;
    }

    /// <summary>End-effector position (m, base frame) at <paramref name="jointPositions"/> (rad).</summary>
    public Vector3 EndEffectorPosition(ReadOnlySpan<float> jointPositions)
    {
        if (jointPositions.Length != _axes.Length)
            throw new ArgumentException(
                $"ArmForwardKinematics: {jointPositions.Length} joint positions for a {_axes.Length}-joint arm.", nameof(jointPositions));
        Mat3 rotation = Mat3.Identity;
        Vec3 origin = Vec3.Zero;
        for (int i = 0; i < _axes.Length; i++)
        {
            origin += rotation * _offsets[i];
            rotation *= Mat3.Rotation(_axes[i], jointPositions[i]);
        }
        Vec3 p = origin + rotation * _endEffector;
        return new Vector3((float)p.X, (float)p.Y, (float)p.Z);
    }
}
