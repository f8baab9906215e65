namespace NafNative.Hardware.Dynamixel;

/// <summary>A half-duplex byte stream to a servo bus: a serial port, a pseudo-terminal, a test double over a pipe.</summary>
/// <remarks>One thread drives a link (the bus's owner). Write sends every byte before returning; Read returns as soon as
/// at least one byte is there, or 0 when <c>timeout</c> passes with nothing received.</remarks>
public interface ISerialLink : IDisposable
{
    /// <summary>The port's name (e.g. /dev/ttyUSB0), for messages.</summary>
    string Name { get; }

    /// <summary>Bits per second on the wire: the bus derives its read timeouts from it.</summary>
    int BaudRate { get; }

    void Write(ReadOnlySpan<byte> data);

    /// <summary>Reads what has arrived, up to <paramref name="buffer"/>'s length; waits at most
    /// <paramref name="timeout"/> for the first byte and returns 0 if none came.</summary>
    int Read(Span<byte> buffer, TimeSpan timeout);

    /// <summary>Drops bytes received and not yet read (stale replies from an earlier, timed-out transaction).</summary>
    void DiscardInput();
}
