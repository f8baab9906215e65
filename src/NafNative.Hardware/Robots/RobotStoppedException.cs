namespace NafNative.Hardware.Robots;

/// <summary>Why a robot's control loop stopped the arm.</summary>
public enum RobotStopReason
{
    /// <summary>No command from the policy within the watchdog period during an episode.</summary>
    Watchdog,
    /// <summary>The link lost too many replies in a row.</summary>
    LinkLost,
    /// <summary>A drive latched a hardware error.</summary>
    HardwareError,
    /// <summary>The user or the program asked it to stop (Ctrl-C, an exception elsewhere, the end of a run).</summary>
    Requested,
}

/// <summary>The robot's control loop made a safety stop: every joint was commanded to zero velocity, then torque went
/// off after the hold. The message says why.</summary>
public sealed class RobotStoppedException : Exception
{
    public RobotStoppedException(string robot, RobotStopReason reason, string detail)
        : base($"robot {robot}: safety stop ({Describe(reason)}): {detail.TrimEnd('.')}. Every joint was commanded to zero velocity, then torque was turned off.")
    {
        Robot = robot;
        Reason = reason;
        Detail = detail;
    }

    public string Robot { get; }
    public RobotStopReason Reason { get; }
    public string Detail { get; }

    private static string Describe(RobotStopReason reason) => reason switch
    {
        RobotStopReason.Watchdog => "watchdog: the policy stopped sending commands",
        RobotStopReason.LinkLost => "link lost",
        RobotStopReason.HardwareError => "drive hardware error",
        _ => "stop requested",
    };
}
