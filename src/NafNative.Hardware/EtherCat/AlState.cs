namespace NafNative.Hardware.EtherCat;

/// <summary>Application-layer states of an EtherCAT slave (register 0x0130 bits 0–3; bit 4 = error).</summary>
public enum AlState : byte
{
    None = 0,
    Init = 1,
    PreOp = 2,
    Boot = 3,
    SafeOp = 4,
    Op = 8,
}

/// <summary>AL status codes (register 0x0134) as sentences (ETG.1000.6 Table 11; SOEM <c>ec_print.c</c>).</summary>
public static class AlStatusCodes
{
    public static string Describe(ushort code) => code switch
    {
        0x0000 => "no error",
        0x0001 => "unspecified error",
        0x0011 => "invalid requested state change",
        0x0012 => "unknown requested state",
        0x0013 => "bootstrap not supported",
        0x0014 => "no valid firmware",
        0x0015 => "invalid mailbox configuration (bootstrap)",
        0x0016 => "invalid mailbox configuration",
        0x0017 => "invalid sync manager configuration",
        0x0018 => "no valid inputs available",
        0x0019 => "no valid outputs",
        0x001A => "synchronization error",
        0x001B => "sync manager watchdog (process data stopped)",
        0x001D => "invalid output configuration",
        0x001E => "invalid input configuration",
        0x001F => "invalid watchdog configuration",
        0x0024 => "invalid input mapping",
        0x0025 => "invalid output mapping",
        0x002C => "fatal sync error",
        _ => $"AL status code 0x{code:X4}",
    };
}
