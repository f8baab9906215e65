namespace NafNative.Hardware.EtherCat;

/// <summary>CiA 402 (IEC 61800-7-201) drive profile: statusword states, controlword commands, object indices.</summary>
/// <remarks>State masks and commands from the standard (and ICube-Robotics/ethercat_driver_ros2's
/// <c>cia402_common_defs.hpp</c>): the state is decoded from statusword bits 0–3, 5, 6.</remarks>
public static class Cia402
{
    public const ushort ControlwordIndex = 0x6040, StatuswordIndex = 0x6041, ModesOfOperation = 0x6060, ModesDisplay = 0x6061;
    public const ushort PositionActual = 0x6064, VelocityActual = 0x606C, TargetPosition = 0x607A, TargetVelocity = 0x60FF, ErrorCode = 0x603F;
    /// <summary>Modes of operation (0x6060).</summary>
    public const sbyte CyclicSynchronousPosition = 8, CyclicSynchronousVelocity = 9, CyclicSynchronousTorque = 10;

    public const ushort Shutdown = 0x0006, SwitchOn = 0x0007, EnableOperation = 0x000F, DisableVoltage = 0x0000, QuickStop = 0x0002, FaultReset = 0x0080;

    public static Cia402State Decode(ushort statusword)
    {
        if ((statusword & 0x4F) == 0x00) return Cia402State.NotReadyToSwitchOn;
        if ((statusword & 0x4F) == 0x40) return Cia402State.SwitchOnDisabled;
        if ((statusword & 0x6F) == 0x21) return Cia402State.ReadyToSwitchOn;
        if ((statusword & 0x6F) == 0x23) return Cia402State.SwitchedOn;
        if ((statusword & 0x6F) == 0x27) return Cia402State.OperationEnabled;
        if ((statusword & 0x6F) == 0x07) return Cia402State.QuickStopActive;
        if ((statusword & 0x4F) == 0x0F) return Cia402State.FaultReactionActive;
        if ((statusword & 0x4F) == 0x08) return Cia402State.Fault;
        return Cia402State.Unknown;
    }

    /// <summary>The statusword a drive in <paramref name="state"/> reports (bit 4 voltage enabled where powered).</summary>
    public static ushort Statusword(Cia402State state) => state switch
    {
        Cia402State.NotReadyToSwitchOn => 0x0000,
        Cia402State.SwitchOnDisabled => 0x0040,
        Cia402State.ReadyToSwitchOn => 0x0031,
        Cia402State.SwitchedOn => 0x0033,
        Cia402State.OperationEnabled => 0x0037,
        Cia402State.QuickStopActive => 0x0017,
        Cia402State.FaultReactionActive => 0x001F,
        Cia402State.Fault => 0x0008,
        _ => 0x0000,
    };

    /// <summary>The controlword that moves a drive one step from <paramref name="state"/> toward Operation enabled
    /// (a fault is reset on the rising edge of bit 7: send 0 first, then <see cref="FaultReset"/>).</summary>
    public static ushort StepTowardEnabled(Cia402State state, ushort previous) => state switch
    {
        Cia402State.Fault => (previous & FaultReset) != 0 ? (ushort)0 : FaultReset,
        Cia402State.SwitchOnDisabled or Cia402State.NotReadyToSwitchOn => Shutdown,
        Cia402State.ReadyToSwitchOn => SwitchOn,
        Cia402State.SwitchedOn or Cia402State.OperationEnabled => EnableOperation,
        Cia402State.QuickStopActive => DisableVoltage,
        _ => previous,
    };
}

/// <summary>CiA 402 power state machine states.</summary>
public enum Cia402State
{
    Unknown,
    NotReadyToSwitchOn,
    SwitchOnDisabled,
    ReadyToSwitchOn,
    SwitchedOn,
    OperationEnabled,
    QuickStopActive,
    FaultReactionActive,
    Fault,
}
