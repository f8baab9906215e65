namespace NafNative.Safety;

/// <summary>How <see cref="SafetyFilter"/> treats a command that would carry the end effector out of its workspace box.</summary>
public enum WorkspaceRule
{
    /// <summary>Stop every joint (the default).</summary>
    Stop,

    /// <summary>Remove only the outward part of the motion, as industrial safety controllers do: the arm slides along
    /// the box's faces instead of freezing there (an arm reaching for a cube on the floor would otherwise stop at the
    /// floor's allowance on most steps). Falls back to <see cref="Stop"/> where no such motion is found.</summary>
    Slide,
}
