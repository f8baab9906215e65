using System.Buffers.Binary;
using System.Diagnostics;

namespace NafNative.Hardware.EtherCat;

/// <summary>What bring-up found about one slave; <c>Sii</c> is its whole SII as read then (categories included).</summary>
public sealed record EcSlaveInfo(int Position, ushort Station, uint Vendor, uint Product, uint Revision, uint Serial, string Name,
    AlState State, ushort AlStatusCode, EcSii? Sii = null);

public sealed partial class EcMaster
{
    /// <summary>First configured station address; slave i gets FirstStation + i (SOEM's convention).</summary>
    public const ushort FirstStation = 0x1001;

    /// <summary>Counts the slaves (BRD of register 0x0000: every slave adds one to the working counter).</summary>
    public int CountSlaves()
    {
        Span<byte> type = stackalloc byte[2];
        SlaveCount = 0; // a count is taken without a bound from an earlier one
        return SlaveCount = Transact(EcCommand.Brd, 0, 0x0000, type);
    }

    /// <summary>Bring-up to INIT: counts the slaves, requests INIT with error acknowledge on all, gives each a station
    /// address (0x1001…) by position, reads each one's SII (identity, name and categories), and reads its AL state.</summary>
    /// <exception cref="EtherCatException">No slave answered, or one did not take its address.</exception>
    public IReadOnlyList<EcSlaveInfo> Discover()
    {
        int count = CountSlaves();
        if (count == 0) throw new EtherCatException($"EtherCAT: no slave answered on {_link.Name} (the broadcast read came back with working counter 0).");
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)((byte)AlState.Init | 0x10));
        Transact(EcCommand.Bwr, 0, 0x0120, b); // every slave to INIT, errors acknowledged
        var slaves = new List<EcSlaveInfo>(count);
        for (int i = 0; i < count; i++)
        {
            ushort station = (ushort)(FirstStation + i);
            BinaryPrimitives.WriteUInt16LittleEndian(b, station);
            TransactExpect(EcCommand.Apwr, (ushort)(0 - i), 0x0010, b, 1, $"slave at position {i}: set station address");
            var sii = ReadSii(station);
            var (state, code) = ReadAlStatus(station);
            slaves.Add(new EcSlaveInfo(i, station, sii.Vendor, sii.Product, sii.Revision, sii.Serial, sii.Name, state, code, sii));
        }
        return slaves;
    }

    public (AlState State, ushort Code) ReadAlStatus(ushort station)
    {
        Span<byte> status = stackalloc byte[6];
        TransactExpect(EcCommand.Fprd, station, 0x0130, status, 1, $"slave 0x{station:X4}: AL status");
        var state = (AlState)(status[0] & 0x1F);
        return (state, BinaryPrimitives.ReadUInt16LittleEndian(status[4..]));
    }

    /// <summary>Requests <paramref name="target"/> and waits until the slave is there; a refusal (error flag) throws
    /// with the decoded AL status code, after acknowledging the error so the slave can be asked again.</summary>
    public void RequestState(ushort station, AlState target, TimeSpan? timeout = null)
    {
        Span<byte> control = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(control, (ushort)target);
        TransactExpect(EcCommand.Fpwr, station, 0x0120, control, 1, $"slave 0x{station:X4}: request {target}");
        long deadline = Stopwatch.GetTimestamp() + (long)((timeout ?? TimeSpan.FromSeconds(2)).TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var (state, code) = ReadAlStatus(station);
            if (((byte)state & 0x10) != 0)
            {
                var current = (AlState)((byte)state & 0x0F);
                BinaryPrimitives.WriteUInt16LittleEndian(control, (ushort)((byte)current | 0x10));
                Transact(EcCommand.Fpwr, station, 0x0120, control); // acknowledge
                throw new EtherCatException($"EtherCAT slave 0x{station:X4}: refused {current} → {target}: {AlStatusCodes.Describe(code)} (AL status code 0x{code:X4}).",
                    station, EcCommand.Fpwr, 0x0120, code);
            }
            if (state == target) return;
            if (Stopwatch.GetTimestamp() > deadline)
                throw new EtherCatException($"EtherCAT slave 0x{station:X4}: still {state} after asking for {target}.", station, EcCommand.Fprd, 0x0130);
        }
    }

    /// <summary>Enables the mailbox SyncManagers (SM0 out at 0x1000, SM1 in at 0x1080, 128 bytes each, as the SII's
    /// standard mailbox says), which PRE-OP needs.</summary>
    public void ConfigureMailbox(ushort station, ushort outStart = 0x1000, ushort inStart = 0x1080, ushort size = 128)
    {
        WriteSm(station, 0, outStart, size, 0x26);
        WriteSm(station, 1, inStart, size, 0x22);
    }

    /// <summary>Takes the first <paramref name="slaves"/> slaves (by position) from INIT to PRE-OP: mailbox
    /// SyncManagers, then the state change. CoE (SDO, PDO mapping) works from here on.</summary>
    public void ToPreOp(int slaves)
    {
        for (int i = 0; i < slaves; i++)
        {
            ushort station = (ushort)(FirstStation + i);
            ConfigureMailbox(station);
            RequestState(station, AlState.PreOp);
        }
    }

    /// <summary>Takes every slave from INIT to SAFE-OP with process data: mailbox SMs, SM2 (outputs) and SM3 (inputs)
    /// at the given physical addresses, and two FMMUs per slave mapping them into one logical image (see
    /// <see cref="EcProcessImage"/>). Slaves are the ones <see cref="Discover"/> found, by position, all of one size.</summary>
    public EcProcessImage ConfigureProcessData(int slaves, int outputBytes, int inputBytes, ushort outputsAddress = 0x1100, ushort inputsAddress = 0x1180)
    {
        var sizes = new (int, int)[slaves];
        Array.Fill(sizes, (outputBytes, inputBytes));
        return ConfigureProcessData(sizes, outputsAddress, inputsAddress);
    }

    /// <summary>Takes every slave to SAFE-OP with process data of its own size (from its PDO mapping: see
    /// <see cref="ReadPdoMapping"/>): mailbox and PRE-OP first where a slave is still in INIT, then SM2 and SM3 sized to
    /// its outputs and inputs (a SyncManager of length 0 stays off), FMMUs into one logical image, and SAFE-OP.</summary>
    /// <param name="sizes">Per slave, by position: output bytes (SM2), input bytes (SM3).</param>
    /// <param name="outputsAddress">Physical address of SM2 in every slave (the SII's SyncManager category says it).</param>
    /// <param name="inputsAddress">Physical address of SM3.</param>
    public EcProcessImage ConfigureProcessData(IReadOnlyList<(int OutputBytes, int InputBytes)> sizes, ushort outputsAddress = 0x1100, ushort inputsAddress = 0x1180)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        var image = new EcProcessImage(this, sizes);
        for (int i = 0; i < sizes.Count; i++) ConfigureSlaveProcessData(image, i, outputsAddress, inputsAddress);
        return image;
    }

    /// <summary>Takes slave <paramref name="slave"/> (by position) to SAFE-OP with its part of
    /// <paramref name="image"/>: mailbox and PRE-OP first if it is in INIT, SM2/SM3 and FMMUs, then SAFE-OP. Also how a
    /// slave that lost its configuration (power cycle) is configured again.</summary>
    public void ConfigureSlaveProcessData(EcProcessImage image, int slave, ushort outputsAddress = 0x1100, ushort inputsAddress = 0x1180)
    {
        ArgumentNullException.ThrowIfNull(image);
        ushort station = (ushort)(FirstStation + slave);
        int outputs = image.Outputs(slave).Length, inputs = image.Inputs(slave).Length;
        if ((AlState)((byte)ReadAlStatus(station).State & 0x0F) == AlState.Init)
        {
            ConfigureMailbox(station);
            RequestState(station, AlState.PreOp);
        }
        if (outputs > 0)
        {
            WriteSm(station, 2, outputsAddress, (ushort)outputs, 0x64); // 3-buffer, ECAT writes, watchdog on
            WriteFmmu(station, 0, (uint)image.OutputOffset(slave), (ushort)outputs, outputsAddress, write: true);
        }
        if (inputs > 0)
        {
            WriteSm(station, 3, inputsAddress, (ushort)inputs, 0x20);   // 3-buffer, ECAT reads
            WriteFmmu(station, 1, (uint)image.InputOffset(slave), (ushort)inputs, inputsAddress, write: false);
        }
        RequestState(station, AlState.SafeOp);
    }

    /// <summary>Acknowledges a slave's AL error (AL control = its current state | 0x10), as after SAFE-OP+ERROR;
    /// returns the state and AL status code it had. A slave without an error is left as it is.</summary>
    /// <exception cref="EtherCatException">The slave does not answer, or keeps its error flag.</exception>
    public (AlState State, ushort Code) AcknowledgeError(ushort station)
    {
        var (state, code) = ReadAlStatus(station);
        if (((byte)state & 0x10) == 0) return (state, code);
        var current = (AlState)((byte)state & 0x0F);
        Span<byte> control = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(control, (ushort)((byte)current | 0x10));
        TransactExpect(EcCommand.Fpwr, station, 0x0120, control, 1, $"slave 0x{station:X4}: acknowledge {current}+ERROR");
        var (after, afterCode) = ReadAlStatus(station);
        if (((byte)after & 0x10) != 0)
            throw new EtherCatException($"EtherCAT slave 0x{station:X4}: still {current}+ERROR after the acknowledge: {AlStatusCodes.Describe(afterCode)} (AL status code 0x{afterCode:X4}).",
                station, EcCommand.Fpwr, 0x0120, afterCode);
        return (state, code);
    }

    /// <summary>Writes FMMU <paramref name="fmmu"/>: logical start and length onto a physical start (bit 0 to 7),
    /// type write (master outputs) or read (inputs), activated.</summary>
    public void WriteFmmu(ushort station, int fmmu, uint logicalStart, ushort length, ushort physicalStart, bool write)
    {
        Span<byte> b = stackalloc byte[16];
        b.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(b, logicalStart);
        BinaryPrimitives.WriteUInt16LittleEndian(b[4..], length);
        b[6] = 0;    // logical start bit
        b[7] = 7;    // logical end bit
        BinaryPrimitives.WriteUInt16LittleEndian(b[8..], physicalStart);
        b[10] = 0;   // physical start bit
        b[11] = write ? (byte)2 : (byte)1;
        b[12] = 1;   // activate
        TransactExpect(EcCommand.Fpwr, station, (ushort)(0x0600 + 16 * fmmu), b, 1, $"slave 0x{station:X4}: FMMU{fmmu}");
    }

    /// <summary>Writes SyncManager <paramref name="sm"/> (start, length, control byte; activated).</summary>
    public void WriteSm(ushort station, int sm, ushort start, ushort length, byte control)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(b, start);
        BinaryPrimitives.WriteUInt16LittleEndian(b[2..], length);
        b[4] = control;
        b[5] = 0;
        b[6] = 1; // activate
        b[7] = 0;
        TransactExpect(EcCommand.Fpwr, station, (ushort)(0x0800 + 8 * sm), b, 1, $"slave 0x{station:X4}: SM{sm}");
    }
}
