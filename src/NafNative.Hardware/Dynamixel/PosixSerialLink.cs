using NafNative.Hardware.Posix;

namespace NafNative.Hardware.Dynamixel;

/// <summary>An <see cref="ISerialLink"/> straight on a Linux tty (termios raw 8N1, poll/read/write): the default on
/// Linux, because it answers in microseconds and allocates nothing.</summary>
/// <remarks>Measured on a pty (3-servo SYNC READ of 8 bytes, this project's simulated chain, 2-core AMD EPYC):
/// System.IO.Ports' <see cref="SerialPortLink"/> took 4.0 ms p50 / 12.7 ms p99 / 83 ms max and allocated 1,436 B per
/// read (its Unix stream hands every read to a polling I/O thread); this link 1.6 ms p50 (the simulated servos' three
/// 500 µs return delays) and 0 B. README "Hardware results" has the cycle benchmark.
/// Opens only the device it is given; exclusive use is the user's to ensure (as with any tty).</remarks>
public sealed class PosixSerialLink : ISerialLink
{
    private int _fd;

    /// <exception cref="IOException">The device cannot be opened or configured (the message names it and why).</exception>
    public PosixSerialLink(string device, int baudRate)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(device);
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("PosixSerialLink runs on Linux; use SerialPortLink elsewhere.");
        uint speed;
        try
        {
            speed = Libc.SpeedConstant(baudRate);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new ArgumentOutOfRangeException(nameof(baudRate), baudRate,
                $"serial port {device}: {baudRate} baud is not supported; use one of {string.Join(", ", SerialPortLink.SupportedBaudRates)}.");
        }
        _fd = Libc.open(device, Libc.O_RDWR | Libc.O_NOCTTY | Libc.O_NONBLOCK);
        if (_fd < 0)
        {
            var e = Libc.Error($"serial port {device}: open");
            throw new IOException($"{e.Message} Check the device exists, that you may open it (the dialout group) and that no other program holds it.", e);
        }
        try
        {
            Libc.MakeRaw(_fd, device, speed);
        }
        catch
        {
            Dispose();
            throw;
        }
        Name = device;
        BaudRate = baudRate;
    }

    public string Name { get; } = "";
    public int BaudRate { get; }

    public void Write(ReadOnlySpan<byte> data) => Libc.WriteAll(_fd, data, Name);

    public int Read(Span<byte> buffer, TimeSpan timeout) => Libc.PollRead(_fd, buffer, timeout, Name);

    public void DiscardInput() => Libc.FlushInput(_fd);

    public void Dispose()
    {
        if (_fd >= 0) Libc.close(_fd);
        _fd = -1;
    }
}
