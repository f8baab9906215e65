namespace NafNative.Hardware.Dynamixel;

/// <summary>Control-table addresses shared by the X series (XM430-W350, XL430-W250, XL330-M288, …) under Protocol 2.0.</summary>
/// <remarks>ROBOTIS e-manual, "XM430-W350 Control Table" and its XL430 / XL330 siblings: the addresses below are the
/// same on all three; what differs per model (limits, defaults, which registers exist) is in <see cref="ServoModel"/>.
/// EEPROM registers (below 64) are writable only while Torque Enable is 0.</remarks>
public static class ControlTable
{
    public const int ModelNumber = 0;        // 2
    public const int ModelInformation = 2;   // 4
    public const int FirmwareVersion = 6;    // 1
    public const int Id = 7;                 // 1
    public const int BaudRate = 8;           // 1
    public const int ReturnDelayTime = 9;    // 1, 2 µs units
    public const int DriveMode = 10;         // 1
    public const int OperatingMode = 11;     // 1
    public const int ShadowId = 12;          // 1
    public const int ProtocolType = 13;      // 1
    public const int HomingOffset = 20;      // 4
    public const int MovingThreshold = 24;   // 4
    public const int TemperatureLimit = 31;  // 1
    public const int MaxVoltageLimit = 32;   // 2
    public const int MinVoltageLimit = 34;   // 2
    public const int PwmLimit = 36;          // 2
    public const int CurrentLimit = 38;      // 2 (XM and XL330; not XL430)
    public const int VelocityLimit = 44;     // 4
    public const int MaxPositionLimit = 48;  // 4
    public const int MinPositionLimit = 52;  // 4
    public const int Shutdown = 63;          // 1
    public const int EepromEnd = 64;         // first RAM address

    public const int TorqueEnable = 64;          // 1
    public const int Led = 65;                   // 1
    public const int StatusReturnLevel = 68;     // 1
    public const int RegisteredInstruction = 69; // 1
    public const int HardwareErrorStatus = 70;   // 1
    public const int VelocityIGain = 76;         // 2
    public const int VelocityPGain = 78;         // 2
    public const int PositionDGain = 80;         // 2
    public const int PositionIGain = 82;         // 2
    public const int PositionPGain = 84;         // 2
    public const int BusWatchdog = 98;           // 1
    public const int GoalPwm = 100;              // 2
    public const int GoalCurrent = 102;          // 2 (XM and XL330)
    public const int GoalVelocity = 104;         // 4
    public const int ProfileAcceleration = 108;  // 4
    public const int ProfileVelocity = 112;      // 4
    public const int GoalPosition = 116;         // 4
    public const int RealtimeTick = 120;         // 2
    public const int Moving = 122;               // 1
    public const int MovingStatus = 123;         // 1
    public const int PresentPwm = 124;           // 2
    public const int PresentCurrent = 126;       // 2 (Present Load on XL430)
    public const int PresentVelocity = 128;      // 4
    public const int PresentPosition = 132;      // 4
    public const int VelocityTrajectory = 136;   // 4
    public const int PositionTrajectory = 140;   // 4
    public const int PresentInputVoltage = 144;  // 2
    public const int PresentTemperature = 146;   // 1
    public const int Size = 147;                 // bytes of table the simulated servo keeps (indirect area omitted)

    /// <summary>Operating Mode (address 11) values.</summary>
    public const byte ModeCurrent = 0, ModeVelocity = 1, ModePosition = 3, ModeExtendedPosition = 4, ModeCurrentPosition = 5, ModePwm = 16;

    /// <summary>The block one sync read per control cycle fetches: Present Velocity (128, 4) and Present Position (132, 4).</summary>
    public const int CycleReadAddress = PresentVelocity, CycleReadLength = 8;

    /// <summary>Baud Rate register value → bits per second.</summary>
    public static int BaudFromRegister(byte value) => value switch
    {
        0 => 9_600, 1 => 57_600, 2 => 115_200, 3 => 1_000_000, 4 => 2_000_000, 5 => 3_000_000, 6 => 4_000_000, 7 => 4_500_000,
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, $"Dynamixel: Baud Rate register value {value} is not defined (0..7)."),
    };

    /// <summary>Bits per second → Baud Rate register value; throws for a rate the X series does not support.</summary>
    public static byte RegisterFromBaud(int baud) => baud switch
    {
        9_600 => 0, 57_600 => 1, 115_200 => 2, 1_000_000 => 3, 2_000_000 => 4, 3_000_000 => 5, 4_000_000 => 6, 4_500_000 => 7,
        _ => throw new ArgumentOutOfRangeException(nameof(baud), baud,
            $"Dynamixel: {baud} baud is not an X-series rate; use 9600, 57600, 115200, 1000000, 2000000, 3000000, 4000000 or 4500000."),
    };
}
