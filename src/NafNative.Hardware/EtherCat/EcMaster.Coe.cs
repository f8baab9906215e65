using System.Buffers.Binary;
using System.Diagnostics;

namespace NafNative.Hardware.EtherCat;

public sealed partial class EcMaster
{
    /// <summary>Size of each mailbox SyncManager (SM0 out, SM1 in) the master configures, bytes.</summary>
    public const int MailboxSize = 128;
    // Mailbox header (6) + CoE header (2) + SDO command, index, subindex and size or data (8).
    private const int InitiateOverhead = 16;
    // Mailbox header (6) + CoE header (2) + segment command byte (1).
    private const int SegmentOverhead = 9;
    private readonly byte[] _mailbox = new byte[MailboxSize];
    private byte _mailboxCounter;

    /// <summary>CoE SDO upload (read) of <paramref name="index"/>:<paramref name="subindex"/>: expedited (≤ 4 bytes),
    /// normal (as much as fits one mailbox) or segmented (any length: upload segment requests with the toggle bit,
    /// CiA 301 §7.2.4.3.5; ETG.1000.6 §5.6.2.3), over the mailbox SyncManagers set by <see cref="ConfigureMailbox"/>.</summary>
    /// <exception cref="EtherCatException">The slave aborted (the code and its sentence are in the message), a segment
    /// came back with the wrong toggle bit (the master aborts the transfer with 0x05030000), or the mailbox did not
    /// answer in time.</exception>
    public byte[] SdoUpload(ushort station, ushort index, byte subindex, ushort outStart = 0x1000, ushort inStart = 0x1080)
    {
        Span<byte> sdo = stackalloc byte[8];
        sdo.Clear();
        sdo[0] = 0x40; // initiate upload request
        BinaryPrimitives.WriteUInt16LittleEndian(sdo[1..], index);
        sdo[3] = subindex;
        var reply = Exchange(station, sdo, outStart, inStart, index, subindex);
        byte command = reply[0];
        if ((command & 0xE0) != 0x40 || reply.Length < 8)
            throw Unexpected(station, index, subindex, command, "an initiate upload response (0x4_)");
        if ((command & 0x02) != 0) // expedited: size in bits 2-3 when bit 0 is set
        {
            int size = (command & 0x01) != 0 ? 4 - ((command >> 2) & 0x03) : 4;
            return reply.AsSpan(4, size).ToArray();
        }
        int inFrame = reply.Length - 8;
        // Size not indicated (bit 0 clear): what this mailbox carries is the value.
        long total = (command & 0x01) != 0 ? BinaryPrimitives.ReadUInt32LittleEndian(reply.AsSpan(4)) : inFrame;
        if (total <= inFrame) return reply.AsSpan(8, (int)total).ToArray();
        if (total > MaxSdoBytes)
            throw new EtherCatException($"EtherCAT slave 0x{station:X4}: SDO 0x{index:X4}:{subindex:X2} announces {total} bytes, more than the {MaxSdoBytes} this master reads.", station);
        var value = new byte[total];
        reply.AsSpan(8, inFrame).CopyTo(value);
        int offset = inFrame;
        byte toggle = 0;
        while (true)
        {
            sdo.Clear();
            sdo[0] = (byte)(0x60 | toggle); // upload segment request
            reply = Exchange(station, sdo, outStart, inStart, index, subindex);
            command = reply[0];
            if ((command & 0xE0) != 0x00) throw Unexpected(station, index, subindex, command, "an upload segment response (0x0_/0x1_)");
            if ((command & 0x10) != toggle) throw ToggleError(station, index, subindex, outStart, toggle, command);
            bool last = (command & 0x01) != 0;
            int n = reply.Length - 1;
            // CiA 301: bits 1-3 count the bytes of a 7-byte segment that carry no data.
            if (n == 7) n -= (command >> 1) & 0x07;
            if (offset + n > total)
                throw new EtherCatException($"EtherCAT slave 0x{station:X4}: SDO 0x{index:X4}:{subindex:X2} segments carry more than the {total} bytes announced.", station);
            reply.AsSpan(1, n).CopyTo(value.AsSpan(offset));
            offset += n;
            toggle ^= 0x10;
            if (last) break;
        }
        if (offset != total)
            throw new EtherCatException($"EtherCAT slave 0x{station:X4}: SDO 0x{index:X4}:{subindex:X2} announced {total} bytes but its last segment ended at {offset}.", station);
        return value;
    }

    /// <summary>Largest SDO value <see cref="SdoUpload"/> accepts (a bound on what a slave's size field can ask the
    /// master to allocate).</summary>
    public const int MaxSdoBytes = 1 << 20;

    /// <summary>CoE SDO download (write): expedited for 1–4 bytes, normal when the value fits one mailbox, segmented
    /// (download segment requests with the toggle bit) beyond that.</summary>
    /// <exception cref="ArgumentException"><paramref name="data"/> is empty or longer than <see cref="MaxSdoBytes"/>.</exception>
    /// <exception cref="EtherCatException">The slave aborted, answered a segment with the wrong toggle bit, or the
    /// mailbox did not answer in time.</exception>
    public void SdoDownload(ushort station, ushort index, byte subindex, ReadOnlySpan<byte> data, ushort outStart = 0x1000, ushort inStart = 0x1080)
    {
        if (data.IsEmpty || data.Length > MaxSdoBytes)
            throw new ArgumentException($"EtherCAT SDO download of 0x{index:X4}:{subindex:X2}: {data.Length} bytes; give 1 to {MaxSdoBytes}.", nameof(data));
        int first = Math.Min(data.Length, MailboxSize - InitiateOverhead);
        Span<byte> sdo = stackalloc byte[MailboxSize - 8];
        sdo.Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(sdo[1..], index);
        sdo[3] = subindex;
        int length = 8;
        if (data.Length <= 4)
        {
            sdo[0] = (byte)(0x23 | ((4 - data.Length) << 2)); // expedited, size indicated: 0x2F, 0x2B, 0x27, 0x23
            data.CopyTo(sdo[4..]);
        }
        else
        {
            sdo[0] = 0x21; // normal, size indicated; the rest follows in segments when it does not fit
            BinaryPrimitives.WriteUInt32LittleEndian(sdo[4..], (uint)data.Length);
            data[..first].CopyTo(sdo[8..]);
            length = 8 + first;
        }
        var reply = Exchange(station, sdo[..length], outStart, inStart, index, subindex);
        if (reply[0] != 0x60) throw Unexpected(station, index, subindex, reply[0], "the initiate download response 0x60");
        if (data.Length <= 4) return;
        int offset = first;
        byte toggle = 0;
        while (offset < data.Length)
        {
            int n = Math.Min(data.Length - offset, MailboxSize - SegmentOverhead);
            bool last = offset + n == data.Length;
            sdo.Clear();
            // Bits 1-3: unused bytes of a minimum (7-byte) segment; bit 0: last segment.
            sdo[0] = (byte)(toggle | (n < 7 ? (7 - n) << 1 : 0) | (last ? 1 : 0));
            data.Slice(offset, n).CopyTo(sdo[1..]);
            reply = Exchange(station, sdo[..(1 + Math.Max(n, 7))], outStart, inStart, index, subindex);
            if ((reply[0] & 0xE0) != 0x20) throw Unexpected(station, index, subindex, reply[0], "a download segment response (0x20/0x30)");
            if ((reply[0] & 0x10) != toggle) throw ToggleError(station, index, subindex, outStart, toggle, reply[0]);
            offset += n;
            toggle ^= 0x10;
        }
    }

    // Writes one CoE SDO request into the slave's out mailbox, waits for its in mailbox to fill, returns the SDO part
    // of the reply (after mailbox header and CoE header). Aborts raise with the decoded code.
    private byte[] Exchange(ushort station, ReadOnlySpan<byte> sdo, ushort outStart, ushort inStart, ushort index, byte subindex)
    {
        WriteMailbox(station, sdo, outStart, index, subindex);
        Span<byte> status = stackalloc byte[1];
        long deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency; // 1 s: a slave's application answers in ms
        while (true)
        {
            TransactExpect(EcCommand.Fprd, station, 0x080D, status, 1, $"slave 0x{station:X4}: mailbox status");
            if ((status[0] & 0x08) != 0) break; // SM1 full
            if (Stopwatch.GetTimestamp() > deadline)
                throw new EtherCatException($"EtherCAT slave 0x{station:X4}: no mailbox answer to SDO 0x{index:X4}:{subindex:X2} within 1 s (is CoE supported, and the slave in PRE-OP or above?).", station, EcCommand.Fprd, 0x080D);
        }
        ReadMailbox(station, inStart, index, subindex, deadline);
        int length = BinaryPrimitives.ReadUInt16LittleEndian(_mailbox);
        int service = BinaryPrimitives.ReadUInt16LittleEndian(_mailbox.AsSpan(6)) >> 12;
        // A segment response is as short as the CoE header and one command byte.
        if ((_mailbox[5] & 0x0F) != 0x03 || length < 3 || 6 + length > _mailbox.Length)
            throw new EtherCatException($"EtherCAT slave 0x{station:X4}: the mailbox reply to SDO 0x{index:X4}:{subindex:X2} is not CoE (type {_mailbox[5] & 0x0F}, {length} bytes).", station);
        byte command = _mailbox[8];
        // An abort is 0x80; some slaves echo other bits of the request with it, so only the top three bits decide.
        if ((command & 0xE0) == 0x80 && length >= 10)
        {
            uint code = BinaryPrimitives.ReadUInt32LittleEndian(_mailbox.AsSpan(12));
            throw new EtherCatException($"EtherCAT slave 0x{station:X4}: SDO 0x{index:X4}:{subindex:X2} aborted: {SdoAbortCodes.Describe(code)} (0x{code:X8}).", station, sdoAbortCode: code);
        }
        if (service != 3) throw new EtherCatException($"EtherCAT slave 0x{station:X4}: CoE service {service} in reply to an SDO request (expected 3, SDO response).", station);
        return _mailbox.AsSpan(8, length - 2).ToArray();
    }

    private void WriteMailbox(ushort station, ReadOnlySpan<byte> sdo, ushort outStart, ushort index, byte subindex)
    {
        Debug.Assert(sdo.Length <= MailboxSize - 8, "an SDO request fits one mailbox after its two headers");
        Array.Clear(_mailbox);
        _mailboxCounter = (byte)(_mailboxCounter % 7 + 1); // 1..7, cycling
        BinaryPrimitives.WriteUInt16LittleEndian(_mailbox, (ushort)(2 + sdo.Length)); // mailbox data length
        BinaryPrimitives.WriteUInt16LittleEndian(_mailbox.AsSpan(2), 0);
        _mailbox[4] = 0; // channel / priority
        _mailbox[5] = (byte)(0x03 | (_mailboxCounter << 4)); // type CoE
        BinaryPrimitives.WriteUInt16LittleEndian(_mailbox.AsSpan(6), 0x2000); // CoE service 2: SDO request
        sdo.CopyTo(_mailbox.AsSpan(8));
        // The whole buffer: an ESC hands the mailbox to the slave when its last byte is written. Working counter 0:
        // SM0 is still full (the slave has not taken the previous request, or took this one and its reply was lost):
        // write again once it is empty. A repeat keeps the counter, so a slave that already has it drops it.
        long deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
        while (Transact(EcCommand.Fpwr, station, outStart, _mailbox) != 1)
        {
            if (Stopwatch.GetTimestamp() > deadline)
                throw new EtherCatException($"EtherCAT slave 0x{station:X4}: its out mailbox (SM0) stayed full for 1 s; SDO 0x{index:X4}:{subindex:X2} could not be written (is its application running?).",
                    station, EcCommand.Fpwr, outStart);
            Thread.Sleep(1);
        }
    }

    /// <summary>Mailbox reads repeated after their reply was lost (the repeat protocol).</summary>
    public long MailboxRepeats { get; private set; }

    // Reads the full in mailbox (SM1). Reading it empties it, so if the reply is lost on the way back a second read
    // finds it empty (working counter 0): ask the slave to write its last response again (ETG.1000.4 §5.4.3.4, SM1
    // repeat request: toggle 0x080E bit 1, the slave answers by toggling 0x080F bit 1), wait for it, read again.
    private void ReadMailbox(ushort station, ushort inStart, ushort index, byte subindex, long deadline)
    {
        const int maxRepeats = 3;
        for (int repeat = 0; ; repeat++)
        {
            int wkc;
            try
            {
                wkc = Transact(EcCommand.Fprd, station, inStart, _mailbox);
            }
            catch (EtherCatException) when (repeat < maxRepeats)
            {
                wkc = 0; // every attempt lost: whether the slave saw one is unknown; the repeat request finds out
            }
            if (wkc == 1) return;
            if (repeat == maxRepeats)
                throw new EtherCatException($"EtherCAT slave 0x{station:X4}: the answer to SDO 0x{index:X4}:{subindex:X2} was lost {maxRepeats + 1} times, repeat requests included.", station, EcCommand.Fprd, inStart);
            RequestRepeat(station, index, subindex, deadline);
            MailboxRepeats++;
        }
    }

    private void RequestRepeat(ushort station, ushort index, byte subindex, long deadline)
    {
        Span<byte> b = stackalloc byte[1];
        TransactExpect(EcCommand.Fprd, station, 0x080E, b, 1, $"slave 0x{station:X4}: SM1 activate (repeat request)");
        b[0] ^= 0x02;
        int wanted = b[0] & 0x02;
        TransactExpect(EcCommand.Fpwr, station, 0x080E, b, 1, $"slave 0x{station:X4}: SM1 repeat request");
        WaitFor(0x080F, 0x02, wanted); // the acknowledge (PDI control bit 1 follows the request)
        WaitFor(0x080D, 0x08, 0x08);   // the response written again: SM1 full
        void WaitFor(ushort register, int mask, int value)
        {
            Span<byte> r = stackalloc byte[1];
            while (true)
            {
                TransactExpect(EcCommand.Fprd, station, register, r, 1, $"slave 0x{station:X4}: mailbox repeat");
                if ((r[0] & mask) == value) return;
                if (Stopwatch.GetTimestamp() > deadline)
                    throw new EtherCatException($"EtherCAT slave 0x{station:X4}: the answer to SDO 0x{index:X4}:{subindex:X2} was lost and the slave did not repeat it " +
                        $"(register 0x{register:X4} = 0x{r[0]:X2}); does it support the mailbox repeat protocol?", station, EcCommand.Fprd, register);
            }
        }
    }

    // The slave's segment carried the toggle bit of the previous one: the transfer is out of step. Tell the slave
    // (abort request 0x80 with 0x05030000, which it does not answer) so it drops the transfer, then report.
    private EtherCatException ToggleError(ushort station, ushort index, byte subindex, ushort outStart, byte expected, byte command)
    {
        Span<byte> abort = stackalloc byte[8];
        abort[0] = 0x80;
        BinaryPrimitives.WriteUInt16LittleEndian(abort[1..], index);
        abort[3] = subindex;
        BinaryPrimitives.WriteUInt32LittleEndian(abort[4..], SdoAbortCodes.Toggle);
        WriteMailbox(station, abort, outStart, index, subindex);
        return new EtherCatException($"EtherCAT slave 0x{station:X4}: SDO 0x{index:X4}:{subindex:X2} segment came back with toggle bit {(command >> 4) & 1}, " +
            $"expected {expected >> 4}: transfer aborted with {SdoAbortCodes.Describe(SdoAbortCodes.Toggle)} (0x{SdoAbortCodes.Toggle:X8}).", station, sdoAbortCode: SdoAbortCodes.Toggle);
    }

    private static EtherCatException Unexpected(ushort station, ushort index, byte subindex, byte command, string expected) =>
        new($"EtherCAT slave 0x{station:X4}: SDO 0x{index:X4}:{subindex:X2} got command 0x{command:X2}, not {expected}.", station);
}
