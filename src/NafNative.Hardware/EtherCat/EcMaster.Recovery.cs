using System.Buffers.Binary;

namespace NafNative.Hardware.EtherCat;

// The primitives of SOEM's slave check (samples' ecatcheck; src/ec_config.c ecx_recover_slave): is a slave still
// there at its station address, is one there at its position, and giving a slave that lost its address (a power
// cycle) that address again once its identity is confirmed. Nothing here throws for a slave that is simply missing.
public sealed partial class EcMaster
{
    /// <summary>Whether a slave answers at <paramref name="station"/> (an AL status read comes back with working
    /// counter 1). A lost frame counts as no answer.</summary>
    public bool Answers(ushort station)
    {
        Span<byte> status = stackalloc byte[2];
        try
        {
            return Transact(EcCommand.Fprd, station, 0x0130, status) == 1;
        }
        catch (EtherCatException)
        {
            return false;
        }
    }

    /// <summary>The configured station address of the slave at <paramref name="position"/> (auto-increment
    /// addressing), or null when no slave answers there. 0 means a slave that has not been given one (after power-on).</summary>
    public ushort? StationAt(int position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        Span<byte> address = stackalloc byte[2];
        try
        {
            return Transact(EcCommand.Aprd, (ushort)(0 - position), 0x0010, address) == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(address) : null;
        }
        catch (EtherCatException)
        {
            return null;
        }
    }

    /// <summary>Gives the slave at <paramref name="expected"/>'s position that slave's station address again and
    /// checks from its SII that it is the same device bring-up found there (vendor, product, revision, serial); a
    /// different one gets address 0 back and is refused. For a slave that lost its address (power cycle).</summary>
    /// <exception cref="EtherCatException">No slave answers at the position, or the one there is another device.</exception>
    public void Readdress(EcSlaveInfo expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ushort adp = (ushort)(0 - expected.Position);
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, expected.Station);
        TransactExpect(EcCommand.Apwr, adp, 0x0010, b, 1, $"slave at position {expected.Position}: set station address again");
        uint vendor = ReadSii32(expected.Station, 0x0008), product = ReadSii32(expected.Station, 0x000A);
        uint revision = ReadSii32(expected.Station, 0x000C), serial = ReadSii32(expected.Station, 0x000E);
        if ((vendor, product, revision, serial) == (expected.Vendor, expected.Product, expected.Revision, expected.Serial)) return;
        BinaryPrimitives.WriteUInt16LittleEndian(b, 0);
        Transact(EcCommand.Apwr, adp, 0x0010, b);
        throw new EtherCatException($"EtherCAT: the slave now at position {expected.Position} is vendor 0x{vendor:X8} product 0x{product:X8} revision 0x{revision:X8} serial {serial}, " +
            $"not the one bring-up found there (0x{expected.Vendor:X8}/0x{expected.Product:X8}/0x{expected.Revision:X8} serial {expected.Serial}, \"{expected.Name}\"); " +
            "check the cabling order, then restart.", expected.Station, EcCommand.Fprd, 0x0508);
    }
}
