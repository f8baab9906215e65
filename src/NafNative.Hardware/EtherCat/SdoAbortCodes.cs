namespace NafNative.Hardware.EtherCat;

/// <summary>CoE SDO abort codes as sentences (CiA 301 §7.2.4.3.17; SOEM <c>ec_print.c</c>).</summary>
public static class SdoAbortCodes
{
    public const uint Toggle = 0x05030000, Timeout = 0x05040000, BadCommand = 0x05040001, UnsupportedAccess = 0x06010000,
        WriteOnly = 0x06010001, ReadOnly = 0x06010002, NoObject = 0x06020000, CannotMap = 0x06040041, PdoTooLong = 0x06040042, LengthMismatch = 0x06070010, LengthTooHigh = 0x06070012, LengthTooLow = 0x06070013,
        NoSubindex = 0x06090011, ValueRange = 0x06090030, General = 0x08000000, DeviceState = 0x08000022;

    public static string Describe(uint code) => code switch
    {
        Toggle => "toggle bit not changed",
        Timeout => "SDO protocol timeout",
        BadCommand => "client/server command specifier not valid or unknown",
        UnsupportedAccess => "unsupported access to an object",
        WriteOnly => "attempt to read a write-only object",
        ReadOnly => "attempt to write a read-only object",
        NoObject => "the object does not exist in the object dictionary",
        CannotMap => "the object cannot be mapped to the PDO",
        PdoTooLong => "the number and length of the objects to be mapped would exceed the PDO length",
        LengthMismatch => "data type does not match, length of service parameter does not match",
        LengthTooHigh => "data type does not match, length of service parameter too high",
        LengthTooLow => "data type does not match, length of service parameter too low",
        NoSubindex => "subindex does not exist",
        ValueRange => "value range of parameter exceeded",
        0x06090031 => "value of parameter written too high",
        0x06090032 => "value of parameter written too low",
        General => "general error",
        0x08000020 => "data cannot be transferred or stored to the application",
        0x08000021 => "data cannot be transferred or stored because of local control",
        DeviceState => "data cannot be transferred or stored in the present device state",
        _ => $"abort code 0x{code:X8}",
    };
}
