namespace NafNative.Hardware.Dynamixel;

/// <summary>Protocol 2.0 instruction codes (ROBOTIS e-manual, Protocol 2.0 "Instruction").</summary>
public enum DynamixelInstruction : byte
{
    Ping = 0x01,
    Read = 0x02,
    Write = 0x03,
    RegWrite = 0x04,
    Action = 0x05,
    FactoryReset = 0x06,
    Reboot = 0x08,
    Clear = 0x10,
    /// <summary>The instruction byte of every status (reply) packet.</summary>
    Status = 0x55,
    SyncRead = 0x82,
    /// <summary>Same request as SYNC READ; every servo's data come back in one combined, unstuffed status packet.</summary>
    FastSyncRead = 0x8A,
    SyncWrite = 0x83,
    BulkRead = 0x92,
    BulkWrite = 0x93,
}
