using System.IO.Ports;

namespace NafNative.Hardware.Dynamixel;

/// <summary>An <see cref="ISerialLink"/> over <see cref="SerialPort"/> (System.IO.Ports): 8 data bits, no parity, one
/// stop bit, no flow control, as Dynamixel buses run (ROBOTIS e-manual, Protocol 2.0 "UART").</summary>
/// <remarks>Opens only the port it is given (never a scan of the machine's ports). Works on USB adapters (U2D2,
/// FTDI, CH340) and on pseudo-terminals; set the adapter's own latency timer low (FTDI: 1 ms) for fast cycles.</remarks>
public sealed class SerialPortLink : ISerialLink
{
    /// <summary>The rates this link accepts: the X series' rates from 57,600 baud up (9,600 too, for recovery).</summary>
    public static readonly int[] SupportedBaudRates = [9_600, 57_600, 115_200, 1_000_000, 2_000_000, 3_000_000, 4_000_000];

    private readonly SerialPort _port;
    private int _timeoutMs = -2; // last ReadTimeout set; -2 = never

    /// <exception cref="ArgumentException">An empty port name or an unsupported baud rate.</exception>
    /// <exception cref="IOException">The port cannot be opened (the message names it and says why).</exception>
    public SerialPortLink(string portName, int baudRate)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(portName);
        if (Array.IndexOf(SupportedBaudRates, baudRate) < 0)
            throw new ArgumentOutOfRangeException(nameof(baudRate), baudRate,
                $"serial port {portName}: {baudRate} baud is not supported; use one of {string.Join(", ", SupportedBaudRates)}.");
        _port = new SerialPort(portName, baudRate, Parity.None, 8, StopBits.One)
        {
            Handshake = Handshake.None,
            ReadBufferSize = 8192,
            WriteBufferSize = 4096,
            WriteTimeout = 1000,
        };
        try
        {
            _port.Open();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            _port.Dispose();
            throw new IOException($"serial port {portName}: cannot open at {baudRate} baud: {e.Message} " +
                "(check the device exists, that you may open it — the dialout group — and that no other program holds it).", e);
        }
        Name = portName;
        BaudRate = baudRate;
    }

    public string Name { get; }
    public int BaudRate { get; }

    public void Write(ReadOnlySpan<byte> data) => _port.BaseStream.Write(data);

    public int Read(Span<byte> buffer, TimeSpan timeout)
    {
        int ms = Math.Max(1, (int)Math.Ceiling(timeout.TotalMilliseconds));
        if (ms != _timeoutMs)
        {
            _port.ReadTimeout = ms;
            _timeoutMs = ms;
        }
        try
        {
            return _port.BaseStream.Read(buffer);
        }
        catch (TimeoutException)
        {
            return 0;
        }
    }

    public void DiscardInput() => _port.DiscardInBuffer();

    public void Dispose() => _port.Dispose();
}
