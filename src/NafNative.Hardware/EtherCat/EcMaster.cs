using System.Buffers.Binary;
using System.Diagnostics;

namespace NafNative.Hardware.EtherCat;

// Design: one thread owns a master (the control thread or a CLI command): each call is a blocking transaction of
// one frame. Buffers are allocated once; Transact allocates nothing. Layering as SOEM's: link (IEcLink) → frames
// and datagrams (EcFrame, Transact) → bring-up (EcMaster.Bringup.cs: slave count, station addresses, SII, AL states).

/// <summary>An EtherCAT master: datagram transactions with index matching, working-counter checks, timeouts and
/// bounded retries with lost-frame accounting, plus slave bring-up.</summary>
public sealed partial class EcMaster : IDisposable
{
    private readonly IEcLink _link;
    private readonly byte[] _tx = new byte[EcFrame.MaxPayload + 2], _rx = new byte[2048];
    private readonly EcDatagram[] _parsed = new EcDatagram[64];
    private byte _index;

    /// <param name="link">UDP or raw Ethernet.</param>
    /// <param name="timeout">How long a frame may take to come back (a segment answers in microseconds; this allows
    /// for the host's scheduling).</param>
    /// <param name="retries">Extra attempts after a lost frame.</param>
    public EcMaster(IEcLink link, TimeSpan? timeout = null, int retries = 2)
    {
        ArgumentNullException.ThrowIfNull(link);
        ArgumentOutOfRangeException.ThrowIfNegative(retries);
        _link = link;
        Timeout = timeout ?? TimeSpan.FromMilliseconds(20);
        Retries = retries;
    }

    public IEcLink Link => _link;
    public TimeSpan Timeout { get; }
    public int Retries { get; }
    public long FramesSent { get; private set; }
    /// <summary>Frames that did not come back in time (each retried or reported).</summary>
    public long LostFrames { get; private set; }
    /// <summary>Frames that came back malformed or with another index (stale replies), skipped.</summary>
    public long UnmatchedFrames { get; private set; }

    /// <summary>Replies that came back damaged and were rejected (each retried at once): a frame that does not parse,
    /// or a reply to this datagram whose command, address or length differ from what was sent, or whose working
    /// counter no segment of this size can produce.</summary>
    public long CorruptFrames { get; private set; }

    /// <summary>Slaves found by the last <see cref="CountSlaves"/> (0 before): bounds a plausible working counter.</summary>
    public int SlaveCount { get; private set; }

    /// <summary>Sends one datagram and waits for it to come back; returns its working counter and copies the data it
    /// carries back into <paramref name="data"/>. Allocation-free.</summary>
    /// <exception cref="EtherCatException">The frame was lost or came back damaged on every attempt.</exception>
    public int Transact(EcCommand command, ushort adp, ushort ado, Span<byte> data)
    {
        int attempts = 1 + Retries, corrupt = 0;
        for (int attempt = 0; attempt < attempts; attempt++)
        {
            byte index = ++_index;
            int at = EcFrame.Begin(_tx);
            at = EcFrame.AddDatagram(_tx, at, command, index, adp, ado, data.Length, data);
            int length = EcFrame.End(_tx, at);
            _link.Send(_tx.AsSpan(0, length));
            FramesSent++;
            long deadline = Stopwatch.GetTimestamp() + (long)(Timeout.TotalSeconds * Stopwatch.Frequency);
            while (true)
            {
                long left = deadline - Stopwatch.GetTimestamp();
                if (left <= 0) { LostFrames++; break; }
                int n = _link.Receive(_rx, Stopwatch.GetElapsedTime(0, left));
                if (n == 0) continue;
                int count = EcFrame.Parse(_rx.AsSpan(0, n), _parsed);
                // Matched by the first datagram's index, as SOEM does; another index is a stale or foreign frame.
                if (count >= 1 && _parsed[0].Index != index)
                {
                    UnmatchedFrames++;
                    continue;
                }
                // Ours, but damaged on the way (a frame that no longer parses is taken as ours: it can only be a reply).
                // Its data cannot be trusted and the good reply will not come: send again now rather than at the timeout.
                if (count < 1 || !Intact(_parsed[0], command, ado, data.Length))
                {
                    CorruptFrames++;
                    corrupt++;
                    break;
                }
                _rx.AsSpan(_parsed[0].DataOffset, data.Length).CopyTo(data);
                return _parsed[0].WorkingCounter;
            }
        }
        throw new EtherCatException($"EtherCAT {command} ADP 0x{adp:X4} ADO 0x{ado:X4}: no intact reply in {attempts} attempts on {_link.Name} " +
            $"(lost {attempts - corrupt} times, timeout {Timeout.TotalMilliseconds:F0} ms each; corrupted {corrupt} times); check the cable/link and that the segment is powered.", null, command, ado);
    }

    // A reply keeps the command, register (or logical address high word), and length it was sent with; its working
    // counter is at most what every slave of the segment could add (1 per read or write, 3 per read-write).
    private bool Intact(in EcDatagram d, EcCommand command, ushort ado, int length)
    {
        if (d.Command != command || d.Length != length || d.Ado != ado) return false;
        int slaves = SlaveCount > 0 ? SlaveCount : ushort.MaxValue / 3;
        int max = command switch
        {
            EcCommand.Aprd or EcCommand.Apwr or EcCommand.Fprd or EcCommand.Fpwr => 1,
            EcCommand.Aprw or EcCommand.Fprw => 3,
            EcCommand.Brd or EcCommand.Bwr or EcCommand.Lrd or EcCommand.Lwr or EcCommand.Armw or EcCommand.Frmw => slaves,
            _ => 3 * slaves,
        };
        return d.WorkingCounter <= max;
    }

    /// <summary>Like <see cref="Transact"/>, and throws unless the working counter is <paramref name="expected"/>.</summary>
    public void TransactExpect(EcCommand command, ushort adp, ushort ado, Span<byte> data, int expected, string what)
    {
        int wkc = Transact(command, adp, ado, data);
        if (wkc != expected)
            throw new EtherCatException($"EtherCAT {what}: {command} to 0x{adp:X4} register 0x{ado:X4} came back with working counter {wkc}, expected {expected} " +
                "(the slave did not process it: is it there, and in a state that allows it?).", command is EcCommand.Fprd or EcCommand.Fpwr or EcCommand.Fprw ? adp : null, command, ado);
    }

    public void Dispose() => _link.Dispose();

}
