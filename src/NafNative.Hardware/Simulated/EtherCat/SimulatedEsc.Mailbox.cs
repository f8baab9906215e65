using System.Buffers.Binary;
using NafNative.Hardware.EtherCat;

namespace NafNative.Hardware.Simulated.EtherCat;

// The mailbox behind SM0 (out, master → slave) and SM1 (in), as a slave's mailbox handler runs it (ETG.1000.4 §5.4,
// ETG.1000.6 §5.3): CoE SDO requests (service 2) and SDO information (service 8) are answered from the dictionary;
// any other type or service gets a mailbox error reply (type 0). Responses wait in a queue while SM1 is full (SDO
// information may answer in several fragments). A request with the same counter as the previous one is a repeat of
// a write whose reply the master lost, and is dropped; a toggle of SM1's repeat request bit (0x080E bit 1) makes the
// slave write its last response into SM1 again and acknowledge the toggle in 0x080F bit 1 (the repeat protocol for a
// lost mailbox read).
public sealed partial class SimulatedEsc
{
    private const int MailboxHeader = 6;
    private readonly Queue<byte[]> _mailboxQueue = new();
    private byte[] _lastMailbox = [];
    private int _lastRequestCounter = -1;
    private byte _responseCounter;

    /// <summary>Mailbox requests the slave dropped as repeats (same counter as the previous request).</summary>
    public int RepeatedRequestsDropped { get; private set; }
    /// <summary>Responses the slave wrote into SM1 again on the master's repeat request.</summary>
    public int MailboxRepeats { get; private set; }

    private (int Start, int Length) SmArea(int sm) =>
        (BinaryPrimitives.ReadUInt16LittleEndian(_memory.AsSpan(0x0800 + 8 * sm)), BinaryPrimitives.ReadUInt16LittleEndian(_memory.AsSpan(0x0802 + 8 * sm)));

    private bool MailboxInFull => (_memory[0x080D] & 0x08) != 0;

    // Handles the request that filled SM0.
    private void Mailbox(int outStart, int outLength)
    {
        if (State is AlState.Init or AlState.None || !SmEnabled(1)) return;
        Span<byte> m = _memory.AsSpan(outStart, outLength);
        int length = BinaryPrimitives.ReadUInt16LittleEndian(m);
        int type = m[5] & 0x0F, counter = (m[5] >> 4) & 0x07;
        if (counter != 0 && counter == _lastRequestCounter)
        {
            RepeatedRequestsDropped++;
            return;
        }
        _lastRequestCounter = counter;
        int inLength = SmArea(1).Length;
        if (MailboxHeader + length > outLength || length < 2) { Reply(MailboxError(0x08), 0); return; } // invalid size
        if (Dictionary is null || type != 0x03) { Reply(MailboxError(0x02), 0); return; }            // unsupported protocol
        var coe = m.Slice(MailboxHeader + 2, length - 2);
        switch (BinaryPrimitives.ReadUInt16LittleEndian(m[MailboxHeader..]) >> 12)
        {
            case 2:
                byte[]? sdo = Dictionary.Handle(coe, State, inLength);
                if (sdo is null) return; // an abort request from the master is not answered
                // CoE service 3 (SDO response), but an abort travels as an "Abort SDO Transfer Request": service 2
                // (ETG.1000.6; SOEM recognises an abort only there).
                Reply(sdo, sdo[0] == 0x80 ? 2 : 3, type: 0x03);
                break;
            case 8:
                foreach (var fragment in Dictionary.HandleInfo(coe, inLength)) Reply(fragment, 8, type: 0x03);
                break;
            default:
                Reply(MailboxError(0x04), 0); // service not supported
                break;
        }
    }

    // Mailbox error reply (ETG.1000.4 Table 29): type 0, data "type 0x0001" then the detail code.
    private static byte[] MailboxError(ushort detail) => [0x01, 0x00, (byte)detail, (byte)(detail >> 8)];

    // Wraps a response in the mailbox header (with the slave's own counter, 1..7) and, for CoE, the CoE header; then
    // queues it for SM1.
    private void Reply(byte[] body, int service, byte type = 0x00)
    {
        int inLength = SmArea(1).Length;
        bool coe = type == 0x03;
        int length = body.Length + (coe ? 2 : 0);
        var mailbox = new byte[inLength];
        BinaryPrimitives.WriteUInt16LittleEndian(mailbox, (ushort)Math.Min(length, inLength - MailboxHeader));
        _responseCounter = (byte)(_responseCounter % 7 + 1);
        mailbox[5] = (byte)(type | _responseCounter << 4);
        int at = MailboxHeader;
        if (coe)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(mailbox.AsSpan(at), (ushort)(service << 12));
            at += 2;
        }
        body.AsSpan(0, Math.Min(body.Length, inLength - at)).CopyTo(mailbox.AsSpan(at));
        _mailboxQueue.Enqueue(mailbox);
        DeliverMailbox();
    }

    // The application writes the next queued response once SM1 is free.
    private void DeliverMailbox()
    {
        if (MailboxInFull || !_mailboxQueue.TryDequeue(out var next)) return;
        var (start, length) = SmArea(1);
        next.AsSpan(0, Math.Min(next.Length, length)).CopyTo(_memory.AsSpan(start, length));
        _lastMailbox = next;
        _memory[0x080D] |= 0x08;
    }

    // The master read SM1's last byte: the in mailbox is empty again.
    private void MailboxRead()
    {
        _memory[0x080D] &= unchecked((byte)~0x08);
        DeliverMailbox();
    }

    private void ResetMailbox()
    {
        _mailboxQueue.Clear();
        _lastMailbox = [];
        _lastRequestCounter = -1;
        _memory[0x080D] &= unchecked((byte)~0x08);
    }

    // The master toggled SM1's repeat request: write the last response again, then acknowledge.
    private void MailboxRepeatRequested()
    {
        if (_lastMailbox.Length > 0)
        {
            var (start, length) = SmArea(1);
            _lastMailbox.AsSpan(0, Math.Min(_lastMailbox.Length, length)).CopyTo(_memory.AsSpan(start, length));
            _memory[0x080D] |= 0x08;
            MailboxRepeats++;
        }
        _memory[0x080F] = (byte)((_memory[0x080F] & ~0x02) | (_memory[0x080E] & 0x02));
    }
}
