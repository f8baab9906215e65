namespace NafNative.Hardware.Robots;

/// <summary>What one read of the joints found.</summary>
public enum JointReadOutcome
{
    Ok,
    /// <summary>No valid reply (timeout or corruption after the bus's retries); positions unchanged.</summary>
    NoReply,
    /// <summary>A drive latched a hardware error (overload, overheating, …); its torque is off.</summary>
    HardwareError,
}

/// <summary>The transport-neutral face of a robot's joint drives: the control loop reads positions and velocities
/// and writes velocity commands through it, whatever the bus (Dynamixel serial today, EtherCAT CiA 402 later).</summary>
/// <remarks>Joint units: radians (or metres) and per second, after each joint's direction and zero offset. One
/// thread (the control loop) uses a transport after <see cref="Connect"/>.</remarks>
public interface IJointTransport : IDisposable
{
    int JointCount { get; }

    /// <summary>The link, for messages (e.g. "dynamixel /dev/ttyUSB0 at 1000000 baud").</summary>
    string Description { get; }

    /// <summary>Opens the link and checks that every joint's drive answers as the robot file says; one error lists
    /// every missing or mismatched drive.</summary>
    void Connect();

    /// <summary>Torque off, velocity control mode, the joints' velocity limits and the drives' own link watchdog
    /// (they stop by themselves if the link goes quiet for <paramref name="driveWatchdog"/>), then torque on with zero
    /// velocity.</summary>
    void Enable(TimeSpan driveWatchdog);

    /// <summary>Reads every joint's position and velocity; on failure returns why and leaves the spans as they were.</summary>
    JointReadOutcome Read(Span<double> positions, Span<double> velocities);

    /// <summary>The last failure's sentence (which drive, what happened).</summary>
    string LastFault { get; }

    /// <summary>Sends one velocity command per joint. Returns false if the link refused it (the fault is in
    /// <see cref="LastFault"/>). Allocation-free.</summary>
    bool WriteVelocities(ReadOnlySpan<double> velocities);

    /// <summary>Turns every drive's torque off (best effort: a drive that does not answer is reported, not awaited).</summary>
    void DisableTorque();

    /// <summary>True when <see cref="WriteVelocities"/> only stages the command and the next <see cref="Read"/> sends
    /// it in the same bus transaction that reads (one per cycle). A read's state then reflects the command staged two
    /// cycles before it, not one: the control loop labels states accordingly.</summary>
    bool WritesAtNextRead => false;

    /// <summary>Whether <see cref="TryRecover"/> can bring this link back after a safety stop.</summary>
    bool CanRecover => false;

    /// <summary>With the arm stopped and torque off, brings the link back after a lost link or drive error (e.g.
    /// EtherCAT slaves that dropped to SAFE-OP+ERROR), leaving the drives switched off for <see cref="Enable"/>.
    /// Returns false (the reason in <see cref="LastFault"/>) when it cannot.</summary>
    bool TryRecover() => false;
}
