namespace NafNative.Safety;

/// <summary>Which rules of the <see cref="SafetyFilter"/> changed a command (flags; <see cref="None"/> when it passed
/// unchanged).</summary>
[Flags]
public enum SafetyInterventions
{
    None = 0,

    /// <summary>At least one joint velocity was above its limit and was clamped to it.</summary>
    VelocityClamped = 1,

    /// <summary>At least one joint velocity would have driven its joint past its range-with-margin and was zeroed.</summary>
    JointLimit = 2,

    /// <summary>The end effector would have left the workspace box (or moved further out of it): all motion stopped.</summary>
    Workspace = 4,

    /// <summary>A fault: the command, the joint positions or the kinematics held NaN or ±∞; a zero-velocity command
    /// was sent instead.</summary>
    NonFinite = 8,

    /// <summary>The end effector would have left the workspace box (or moved further out of it): the outward part of
    /// the motion was removed and the rest kept (<see cref="WorkspaceRule.Slide"/>).</summary>
    WorkspaceSlid = 16,
}
