using System.Numerics;

namespace NafNative.Safety;

/// <summary>Where the end effector is for given joint positions: the one piece of the arm's model the
/// <see cref="SafetyFilter"/> needs to keep the end effector inside its workspace box.</summary>
/// <remarks>Implement it as a struct so the filter's generic call is inlined (no interface dispatch). It must be pure
/// and allocation-free, and safe to call from the threads that call the filter.</remarks>
public interface IForwardKinematics
{
    /// <summary>End-effector position in metres, in the robot's base frame, for <paramref name="jointPositions"/>.</summary>
    Vector3 EndEffectorPosition(ReadOnlySpan<float> jointPositions);
}
