namespace NafNative.Hardware.EtherCat;

/// <summary>An EtherCAT transaction or state change failed; the message names the slave, the command and the register.</summary>
public sealed class EtherCatException : IOException
{
    public EtherCatException(string message, ushort? station = null, EcCommand? command = null, ushort? register = null, ushort? alStatusCode = null, uint? sdoAbortCode = null)
        : base(message)
    {
        Station = station;
        Command = command;
        Register = register;
        AlStatusCode = alStatusCode;
        SdoAbortCode = sdoAbortCode;
    }

    /// <summary>The slave's configured station address, where one slave was addressed.</summary>
    public ushort? Station { get; }
    public EcCommand? Command { get; }
    public ushort? Register { get; }
    /// <summary>The slave's AL status code, for a refused state change.</summary>
    public ushort? AlStatusCode { get; }
    /// <summary>The CoE SDO abort code, for an aborted SDO transfer (sent by the slave, or by the master on a toggle error).</summary>
    public uint? SdoAbortCode { get; }
}
