using System.Runtime.InteropServices;
using System.Text;

namespace NafNative.Hardware.Simulated;

// Design:
// - The simulator owns the master side of a Linux pseudo-terminal; a client (our bus, DynamixelSDK, any serial tool)
//   opens the slave path as if it were a USB serial adapter. The pty is made with posix_openpt/grantpt/unlockpt, so no
//   socat is needed.
// - The slave is put in raw mode (cfmakeraw) at creation and one slave descriptor is kept open for the pty's
//   lifetime: without it, reads on the master fail with EIO whenever no client has the slave open, and a default
//   (cooked, echoing) line discipline would echo the simulator's replies back to it before a client sets raw mode.
// - termios is handled as an opaque buffer (tcgetattr → cfmakeraw → tcsetattr): no C struct is mirrored in C#.
// - One thread reads (the simulator's loop), and it is also the only writer; Dispose closes both descriptors.

/// <summary>A Linux pseudo-terminal whose master side this process reads and writes; <see cref="SlavePath"/> is the
/// device a serial client opens (e.g. /dev/pts/5).</summary>
public sealed class PseudoTerminal : IDisposable
{
    private const int O_RDWR = 0x2, O_NOCTTY = 0x100, O_NONBLOCK = 0x800;
    private const int EINTR = 4, EAGAIN = 11, EIO = 5;
    private const short POLLIN = 0x1;
    private const int TCSANOW = 0;

    private int _master = -1, _slave = -1;

    public PseudoTerminal()
    {
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("PseudoTerminal: pseudo-terminals are created on Linux only.");
        _master = posix_openpt(O_RDWR | O_NOCTTY);
        if (_master < 0) throw Error("posix_openpt");
        try
        {
            if (grantpt(_master) != 0) throw Error("grantpt");
            if (unlockpt(_master) != 0) throw Error("unlockpt");
            var name = new byte[128];
            if (ptsname_r(_master, name, (nuint)name.Length) != 0) throw Error("ptsname_r");
            SlavePath = Encoding.ASCII.GetString(name, 0, Array.IndexOf(name, (byte)0));
            _slave = open(SlavePath, O_RDWR | O_NOCTTY | O_NONBLOCK);
            if (_slave < 0) throw Error($"open {SlavePath}");
            var termios = new byte[256]; // larger than struct termios on every Linux ABI (60 bytes on x86-64)
            if (tcgetattr(_slave, termios) != 0) throw Error("tcgetattr");
            cfmakeraw(termios);
            if (tcsetattr(_slave, TCSANOW, termios) != 0) throw Error("tcsetattr");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The device path a client opens, e.g. /dev/pts/5.</summary>
    public string SlavePath { get; } = "";

    /// <summary>Waits up to <paramref name="timeout"/> for bytes from the client, then reads what is there; 0 on
    /// timeout.</summary>
    public int Read(Span<byte> buffer, TimeSpan timeout)
    {
        var fds = new PollFd { Fd = _master, Events = POLLIN };
        int ms = (int)Math.Clamp(Math.Ceiling(timeout.TotalMilliseconds), 0, int.MaxValue);
        int ready = poll(ref fds, 1, ms);
        if (ready < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == EINTR) return 0;
            throw Error("poll", errno);
        }
        if (ready == 0 || (fds.Revents & POLLIN) == 0) return 0;
        nint n = read(_master, ref MemoryMarshal.GetReference(buffer), (nuint)buffer.Length);
        if (n < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is EINTR or EAGAIN or EIO) return 0;
            throw Error("read", errno);
        }
        return (int)n;
    }

    /// <summary>Sends bytes to the client (all of them, retrying short writes).</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            nint n = write(_master, in MemoryMarshal.GetReference(data), (nuint)data.Length);
            if (n < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno is EINTR or EAGAIN) { Thread.Yield(); continue; }
                throw Error("write", errno);
            }
            data = data[(int)n..];
        }
    }

    public void Dispose()
    {
        if (_slave >= 0) close(_slave);
        if (_master >= 0) close(_master);
        _slave = _master = -1;
    }

    private static IOException Error(string call, int? errno = null)
    {
        int e = errno ?? Marshal.GetLastPInvokeError();
        return new IOException($"PseudoTerminal: {call} failed: {Marshal.GetPInvokeErrorMessage(e)} (errno {e}).");
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

#pragma warning disable SYSLIB1054 // DllImport keeps this project free of unsafe code; these calls are not hot.
    [DllImport("libc", SetLastError = true)] private static extern int posix_openpt(int flags);
    [DllImport("libc", SetLastError = true)] private static extern int grantpt(int fd);
    [DllImport("libc", SetLastError = true)] private static extern int unlockpt(int fd);
    [DllImport("libc", SetLastError = true)] private static extern int ptsname_r(int fd, byte[] buffer, nuint length);
    [DllImport("libc", SetLastError = true)] private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);
    [DllImport("libc", SetLastError = true)] private static extern int close(int fd);
    [DllImport("libc", SetLastError = true)] private static extern int tcgetattr(int fd, byte[] termios);
    [DllImport("libc", SetLastError = true)] private static extern void cfmakeraw(byte[] termios);
    [DllImport("libc", SetLastError = true)] private static extern int tcsetattr(int fd, int actions, byte[] termios);
    [DllImport("libc", SetLastError = true)] private static extern int poll(ref PollFd fds, nuint count, int timeoutMs);
    [DllImport("libc", SetLastError = true)] private static extern nint read(int fd, ref byte buffer, nuint count);
    [DllImport("libc", SetLastError = true)] private static extern nint write(int fd, in byte buffer, nuint count);
#pragma warning restore SYSLIB1054
}
