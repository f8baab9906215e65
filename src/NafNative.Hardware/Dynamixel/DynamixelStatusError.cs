namespace NafNative.Hardware.Dynamixel;

/// <summary>The error number in bits 6..0 of a status packet's error byte (ROBOTIS e-manual, Protocol 2.0 "Error").</summary>
public enum DynamixelStatusError : byte
{
    None = 0x00,
    ResultFail = 0x01,
    InstructionError = 0x02,
    CrcError = 0x03,
    DataRangeError = 0x04,
    DataLengthError = 0x05,
    DataLimitError = 0x06,
    AccessError = 0x07,
}

/// <summary>Sentences for status errors and the Hardware Error Status register.</summary>
public static class DynamixelErrorText
{
    /// <summary>Bit 7 of a status packet's error byte: a hardware error is latched (read Hardware Error Status).</summary>
    public const byte AlertBit = 0x80;

    public static string Describe(DynamixelStatusError error) => error switch
    {
        DynamixelStatusError.None => "no error",
        DynamixelStatusError.ResultFail => "Result Fail: the servo failed to process the instruction",
        DynamixelStatusError.InstructionError => "Instruction Error: undefined instruction, or ACTION without a REG WRITE",
        DynamixelStatusError.CrcError => "CRC Error: the servo received a packet whose CRC did not match",
        DynamixelStatusError.DataRangeError => "Data Range Error: the value is outside the register's range (or the Bus Watchdog has tripped)",
        DynamixelStatusError.DataLengthError => "Data Length Error: fewer bytes than the register needs",
        DynamixelStatusError.DataLimitError => "Data Limit Error: the value exceeds a limit set in the control table",
        DynamixelStatusError.AccessError => "Access Error: read-only or undefined address, or an EEPROM write while torque is on",
        _ => $"unknown error number 0x{(byte)error:X2}",
    };

    /// <summary>The set bits of a Hardware Error Status (address 70) value, as a comma-separated list.</summary>
    public static string DescribeHardwareError(byte status)
    {
        if (status == 0) return "no hardware error";
        var parts = new List<string>(6);
        if ((status & HardwareErrorBits.InputVoltage) != 0) parts.Add("input voltage error");
        if ((status & HardwareErrorBits.Overheating) != 0) parts.Add("overheating");
        if ((status & HardwareErrorBits.MotorEncoder) != 0) parts.Add("motor encoder error");
        if ((status & HardwareErrorBits.ElectricalShock) != 0) parts.Add("electrical shock");
        if ((status & HardwareErrorBits.Overload) != 0) parts.Add("overload");
        int unknown = status & ~(HardwareErrorBits.InputVoltage | HardwareErrorBits.Overheating | HardwareErrorBits.MotorEncoder
            | HardwareErrorBits.ElectricalShock | HardwareErrorBits.Overload);
        if (unknown != 0) parts.Add($"unknown bits 0x{unknown:X2}");
        return string.Join(", ", parts);
    }
}

/// <summary>Bits of the Hardware Error Status register (address 70 on X-series servos).</summary>
public static class HardwareErrorBits
{
    public const byte InputVoltage = 0x01;
    public const byte Overheating = 0x04;
    public const byte MotorEncoder = 0x08;
    public const byte ElectricalShock = 0x10;
    public const byte Overload = 0x20;
}
