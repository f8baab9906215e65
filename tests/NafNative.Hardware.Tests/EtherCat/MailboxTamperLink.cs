using NafNative.Hardware.EtherCat;

namespace NafNative.Hardware.Tests.EtherCat;

/// <summary>A link between the master and a simulated segment that lets a test see and change the mailboxes on the
/// wire: what the master writes into SM0 (FPWR at 0x1000) and what it reads back from SM1 (FPRD at 0x1080) — to play
/// a peer that behaves differently from our simulated slave (abort command bytes with extra bits, wrong toggles).</summary>
internal sealed class MailboxTamperLink(IEcLink inner, ushort outStart = 0x1000, ushort inStart = 0x1080) : IEcLink
{
    private readonly byte[] _frame = new byte[2048];
    private readonly EcDatagram[] _datagrams = new EcDatagram[64];

    /// <summary>Called with each mailbox the master writes (the whole SM0 buffer, headers included), before it is sent.</summary>
    public Action<Span<byte>>? Sent { get; set; }

    /// <summary>Called with each mailbox the master reads (the whole SM1 buffer), before the master sees it.</summary>
    public Action<Span<byte>>? Received { get; set; }

    /// <summary>The SDO command byte of every mailbox the master read, in order.</summary>
    public List<byte> ReplyCommands { get; } = [];

    public string Name => inner.Name;

    public void Send(ReadOnlySpan<byte> payload)
    {
        payload.CopyTo(_frame);
        Visit(_frame.AsSpan(0, payload.Length), EcCommand.Fpwr, outStart, Sent, null);
        inner.Send(_frame.AsSpan(0, payload.Length));
    }

    public int Receive(Span<byte> payload, TimeSpan timeout)
    {
        int n = inner.Receive(payload, timeout);
        if (n > 0) Visit(payload[..n], EcCommand.Fprd, inStart, Received, ReplyCommands);
        return n;
    }

    private void Visit(Span<byte> payload, EcCommand command, ushort address, Action<Span<byte>>? tamper, List<byte>? record)
    {
        int count = EcFrame.Parse(payload, _datagrams);
        for (int i = 0; i < count; i++)
        {
            var d = _datagrams[i];
            if (d.Command != command || d.Ado != address || d.Length < 9) continue;
            // A read that went unanswered (working counter 0) carries no mailbox.
            if (record is not null && d.WorkingCounter == 0) continue;
            var mailbox = payload.Slice(d.DataOffset, d.Length);
            tamper?.Invoke(mailbox);
            record?.Add(mailbox[8]);
        }
    }

    public void Dispose() => inner.Dispose();
}
