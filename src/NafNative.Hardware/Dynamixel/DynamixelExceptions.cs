namespace NafNative.Hardware.Dynamixel;

/// <summary>A Dynamixel transaction failed; the message names the servo ID, the instruction and the address.</summary>
public class DynamixelException : IOException
{
    public DynamixelException(string message, byte id, DynamixelInstruction instruction, int? address, Exception? inner = null)
        : base(message, inner)
    {
        Id = id;
        Instruction = instruction;
        Address = address;
    }

    /// <summary>The servo the transaction addressed (0xFE for broadcast).</summary>
    public byte Id { get; }
    public DynamixelInstruction Instruction { get; }
    /// <summary>The control-table address, where the instruction has one.</summary>
    public int? Address { get; }
}

/// <summary>No valid status packet came back (timeout or corrupted replies), after every retry.</summary>
public sealed class DynamixelCommunicationException : DynamixelException
{
    public DynamixelCommunicationException(string message, byte id, DynamixelInstruction instruction, int? address,
        int attempts, int corruptPackets)
        : base(message, id, instruction, address)
    {
        Attempts = attempts;
        CorruptPackets = corruptPackets;
    }

    public int Attempts { get; }
    /// <summary>Packets that arrived but failed their CRC or framing checks, over all attempts.</summary>
    public int CorruptPackets { get; }
}

/// <summary>The servo answered with a non-zero error number in its status packet.</summary>
public sealed class DynamixelStatusException : DynamixelException
{
    public DynamixelStatusException(byte id, DynamixelInstruction instruction, int? address, byte errorByte)
        : base(Format(id, instruction, address, errorByte), id, instruction, address)
    {
        Error = (DynamixelStatusError)(errorByte & 0x7F);
        Alert = (errorByte & DynamixelErrorText.AlertBit) != 0;
    }

    public DynamixelStatusError Error { get; }
    /// <summary>The servo also reported a latched hardware error (read Hardware Error Status, then REBOOT it).</summary>
    public bool Alert { get; }

    private static string Format(byte id, DynamixelInstruction instruction, int? address, byte errorByte)
    {
        string where = address is int a ? $" at address {a}" : "";
        string alert = (errorByte & DynamixelErrorText.AlertBit) != 0 ? " (alert: a hardware error is latched)" : "";
        return $"Dynamixel servo {id}: {instruction}{where} failed: " +
               $"{DynamixelErrorText.Describe((DynamixelStatusError)(errorByte & 0x7F))}{alert}.";
    }
}

/// <summary>A servo latched a hardware error (Hardware Error Status, address 70): its torque is off until REBOOT.</summary>
public sealed class DynamixelHardwareErrorException : DynamixelException
{
    public DynamixelHardwareErrorException(byte id, byte hardwareErrorStatus)
        : base($"Dynamixel servo {id}: hardware error {DynamixelErrorText.DescribeHardwareError(hardwareErrorStatus)} " +
               $"(Hardware Error Status 0x{hardwareErrorStatus:X2}); its torque is off until it is rebooted (naf hw reboot, or power cycle).",
            id, DynamixelInstruction.Read, ControlTable.HardwareErrorStatus)
    {
        HardwareErrorStatus = hardwareErrorStatus;
    }

    public byte HardwareErrorStatus { get; }
}
