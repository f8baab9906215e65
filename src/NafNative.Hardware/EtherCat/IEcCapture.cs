using System.Net;

namespace NafNative.Hardware.EtherCat;

/// <summary>Receives every frame a link sends and receives, as it went on the wire, for a capture file
/// (<see cref="PcapCapture"/>) that Wireshark or tshark can decode.</summary>
/// <remarks>Called on the link's thread, inside Send and Receive.</remarks>
public interface IEcCapture
{
    /// <summary>A whole Ethernet frame (raw EtherCAT: header, EtherCAT payload, padding).</summary>
    void Ethernet(ReadOnlySpan<byte> frame);

    /// <summary>One EtherCAT-over-UDP datagram: its payload and the two ends.</summary>
    void Udp(ReadOnlySpan<byte> payload, IPEndPoint source, IPEndPoint destination);
}
