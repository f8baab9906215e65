namespace NafNative.Hardware.EtherCat;

/// <summary>Carries EtherCAT payloads (EtherCAT header + datagrams) to a segment and back: raw Ethernet
/// (EtherType 0x88A4) or UDP (port 34980).</summary>
/// <remarks>One thread uses a link (the master's). Receive returns 0 when the timeout passes with nothing received.</remarks>
public interface IEcLink : IDisposable
{
    /// <summary>For messages, e.g. "udp 127.0.0.1:34980".</summary>
    string Name { get; }

    void Send(ReadOnlySpan<byte> payload);

    /// <summary>Waits at most <paramref name="timeout"/> for one frame and copies its EtherCAT payload; 0 on timeout.</summary>
    int Receive(Span<byte> payload, TimeSpan timeout);
}
