using System.Buffers.Binary;
using System.Diagnostics;

namespace NafNative.Hardware.EtherCat;

public sealed partial class EcMaster
{
    private readonly byte[] _mailbox = new byte[128];
    private byte _mailboxCounter;

    /// <summary>CoE SDO upload (read) of <paramref name="index"/>:<paramref name="subindex"/>, expedited or normal
    /// (up to 118 bytes), over the mailbox SyncManagers set by <see cref="ConfigureMailbox"/> (PRE-OP or above).</summary>
    /// <exception cref="EtherCatException">The slave aborted (the code and its sentence are in the message), or the
    /// mailbox did not answer in time.</exception>
    public byte[] SdoUpload(ushort station, ushort index, byte subindex, ushort outStart = 0x1000, ushort inStart = 0x1080)
    {
        Span<byte> sdo = stackalloc byte[8];
        sdo[0] = 0x40; // initiate upload request
        BinaryPrimitives.WriteUInt16LittleEndian(sdo[1..], index);
        sdo[3] = subindex;
        var reply = Exchange(station, sdo, outStart, inStart, index, subindex);
        byte command = reply[0];
        if ((command & 0x02) != 0) // expedited: size in bits 2-3 when bit 0 is set
        {
            int size = (command & 0x01) != 0 ? 4 - ((command >> 2) & 0x03) : 4;
            return reply.AsSpan(4, size).ToArray();
        }
        int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(reply.AsSpan(4));
        if (length > reply.Length - 8) throw new EtherCatException($"EtherCAT slave 0x{station:X4}: SDO 0x{index:X4}:{subindex:X2} is {length} bytes; segmented upload is not supported yet.", station);
        return reply.AsSpan(8, length).ToArray();
    }

    /// <summary>CoE SDO download (write), expedited for 1–4 bytes, normal otherwise (up to 114 bytes).</summary>
    public void SdoDownload(ushort station, ushort index, byte subindex, ReadOnlySpan<byte> data, ushort outStart = 0x1000, ushort inStart = 0x1080)
    {
        if (data.IsEmpty || data.Length > 114) throw new ArgumentException($"EtherCAT SDO download: {data.Length} bytes; give 1 to 114.", nameof(data));
        Span<byte> sdo = stackalloc byte[8 + (data.Length > 4 ? 4 + data.Length : 0)];
        BinaryPrimitives.WriteUInt16LittleEndian(sdo[1..], index);
        sdo[3] = subindex;
        if (data.Length <= 4)
        {
            sdo[0] = (byte)(0x23 | ((4 - data.Length) << 2)); // expedited, size indicated: 0x2F, 0x2B, 0x27, 0x23
            data.CopyTo(sdo[4..]);
        }
        else
        {
            sdo[0] = 0x21; // normal, size indicated
            BinaryPrimitives.WriteUInt32LittleEndian(sdo[4..], (uint)data.Length);
            data.CopyTo(sdo[8..]);
        }
        var reply = Exchange(station, sdo, outStart, inStart, index, subindex);
        if (reply[0] != 0x60) throw new EtherCatException($"EtherCAT slave 0x{station:X4}: SDO download of 0x{index:X4}:{subindex:X2} got command 0x{reply[0]:X2}, not the response 0x60.", station);
    }

    // Writes one CoE SDO request into the slave's out mailbox, waits for its in mailbox to fill, returns the SDO part
    // of the reply (after mailbox header and CoE header). Aborts raise with the decoded code.
    private byte[] Exchange(ushort station, ReadOnlySpan<byte> sdo, ushort outStart, ushort inStart, ushort index, byte subindex)
    {
        Array.Clear(_mailbox);
        _mailboxCounter = (byte)(_mailboxCounter % 7 + 1); // 1..7, cycling
        BinaryPrimitives.WriteUInt16LittleEndian(_mailbox, (ushort)(2 + sdo.Length)); // mailbox data length
        BinaryPrimitives.WriteUInt16LittleEndian(_mailbox.AsSpan(2), 0);
        _mailbox[4] = 0; // channel / priority
        _mailbox[5] = (byte)(0x03 | (_mailboxCounter << 4)); // type CoE
        BinaryPrimitives.WriteUInt16LittleEndian(_mailbox.AsSpan(6), 0x2000); // CoE service 2: SDO request
        sdo.CopyTo(_mailbox.AsSpan(8));
        TransactExpect(EcCommand.Fpwr, station, outStart, _mailbox, 1, $"slave 0x{station:X4}: mailbox write (SDO 0x{index:X4}:{subindex:X2})");
        Span<byte> status = stackalloc byte[1];
        long deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency; // 1 s: a slave's application answers in ms
        while (true)
        {
            TransactExpect(EcCommand.Fprd, station, 0x080D, status, 1, $"slave 0x{station:X4}: mailbox status");
            if ((status[0] & 0x08) != 0) break; // SM1 full
            if (Stopwatch.GetTimestamp() > deadline)
                throw new EtherCatException($"EtherCAT slave 0x{station:X4}: no mailbox answer to SDO 0x{index:X4}:{subindex:X2} within 1 s (is CoE supported, and the slave in PRE-OP or above?).", station, EcCommand.Fprd, 0x080D);
        }
        TransactExpect(EcCommand.Fprd, station, inStart, _mailbox, 1, $"slave 0x{station:X4}: mailbox read");
        int length = BinaryPrimitives.ReadUInt16LittleEndian(_mailbox);
        int service = BinaryPrimitives.ReadUInt16LittleEndian(_mailbox.AsSpan(6)) >> 12;
        if ((_mailbox[5] & 0x0F) != 0x03 || length < 10)
            throw new EtherCatException($"EtherCAT slave 0x{station:X4}: the mailbox reply to SDO 0x{index:X4}:{subindex:X2} is not CoE (type {_mailbox[5] & 0x0F}, {length} bytes).", station);
        byte command = _mailbox[8];
        // An abort is 0x80; some slaves echo other bits of the request with it, so only the top three bits decide.
        if ((command & 0xE0) == 0x80)
        {
            uint code = BinaryPrimitives.ReadUInt32LittleEndian(_mailbox.AsSpan(12));
            throw new EtherCatException($"EtherCAT slave 0x{station:X4}: SDO 0x{index:X4}:{subindex:X2} aborted: {SdoAbortCodes.Describe(code)} (0x{code:X8}).", station);
        }
        if (service != 3) throw new EtherCatException($"EtherCAT slave 0x{station:X4}: CoE service {service} in reply to an SDO request (expected 3, SDO response).", station);
        return _mailbox.AsSpan(8, Math.Min(length - 2, _mailbox.Length - 8)).ToArray();
    }
}
