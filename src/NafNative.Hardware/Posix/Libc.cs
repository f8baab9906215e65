using System.Runtime.InteropServices;

namespace NafNative.Hardware.Posix;

/// <summary>The few libc calls the serial link and the pseudo-terminal need, with errno turned into IOException.</summary>
/// <remarks>termios is handled as an opaque buffer (tcgetattr → cfmakeraw / cfsetspeed → tcsetattr): no C struct is
/// mirrored in C#, so the code holds on every Linux ABI. DllImport (not LibraryImport) keeps the project free of
/// unsafe code; none of these calls is made more than twice per control cycle.</remarks>
internal static class Libc
{
    public const int O_RDWR = 0x2, O_NOCTTY = 0x100, O_NONBLOCK = 0x800;
    public const int EINTR = 4, EAGAIN = 11, EIO = 5;
    private const short POLLIN = 0x1;
    private const int TCSANOW = 0, TCIFLUSH = 0;
    private const int TermiosBufferSize = 256; // larger than struct termios on every Linux ABI (60 bytes on x86-64)

    /// <summary>Linux termios speed constants (asm-generic/termbits.h) for the rates Dynamixel buses use.</summary>
    public static uint SpeedConstant(int baud) => baud switch
    {
        9_600 => 0x0D, 57_600 => 0x1001, 115_200 => 0x1002, 1_000_000 => 0x1008, 2_000_000 => 0x100B,
        3_000_000 => 0x100D, 4_000_000 => 0x100F,
        _ => throw new ArgumentOutOfRangeException(nameof(baud), baud, $"serial: {baud} baud has no termios constant here."),
    };

    /// <summary>Raw mode (no echo, no line editing, 8N1), optionally at a speed.</summary>
    public static void MakeRaw(int fd, string what, uint? speed = null)
    {
        var termios = new byte[TermiosBufferSize];
        if (tcgetattr(fd, termios) != 0) throw Error($"tcgetattr {what}");
        cfmakeraw(termios);
        if (speed is uint s && cfsetspeed(termios, s) != 0) throw Error($"cfsetspeed {what}");
        if (tcsetattr(fd, TCSANOW, termios) != 0) throw Error($"tcsetattr {what}");
    }

    /// <summary>Waits up to <paramref name="timeout"/> for input, then reads what is there; 0 on timeout.</summary>
    public static int PollRead(int fd, Span<byte> buffer, TimeSpan timeout, string what)
    {
        var fds = new PollFd { Fd = fd, Events = POLLIN };
        int ms = (int)Math.Clamp(Math.Ceiling(timeout.TotalMilliseconds), 0, int.MaxValue);
        int ready = poll(ref fds, 1, ms);
        if (ready < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == EINTR) return 0;
            throw Error($"poll {what}", errno);
        }
        if (ready == 0 || (fds.Revents & POLLIN) == 0) return 0;
        nint n = read(fd, ref MemoryMarshal.GetReference(buffer), (nuint)buffer.Length);
        if (n < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is EINTR or EAGAIN) return 0;
            throw Error($"read {what}", errno);
        }
        return (int)n;
    }

    /// <summary>Writes every byte, retrying short writes and EAGAIN (the descriptor is non-blocking).</summary>
    public static void WriteAll(int fd, ReadOnlySpan<byte> data, string what)
    {
        while (!data.IsEmpty)
        {
            nint n = write(fd, in MemoryMarshal.GetReference(data), (nuint)data.Length);
            if (n < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno is EINTR or EAGAIN) { Thread.Yield(); continue; }
                throw Error($"write {what}", errno);
            }
            data = data[(int)n..];
        }
    }

    public static void FlushInput(int fd) => tcflush(fd, TCIFLUSH);

    /// <summary>Sleeps until <paramref name="stopwatchTimestamp"/> (a <see cref="System.Diagnostics.Stopwatch"/>
    /// timestamp) with clock_nanosleep on CLOCK_MONOTONIC, absolute: microsecond wake-ups under SCHED_FIFO where
    /// Thread.Sleep rounds to milliseconds. Returns false where it cannot (not Linux, or a Stopwatch that is not
    /// CLOCK_MONOTONIC in nanoseconds), and the caller falls back.</summary>
    public static bool TrySleepUntil(long stopwatchTimestamp)
    {
        if (!OperatingSystem.IsLinux() || System.Diagnostics.Stopwatch.Frequency != 1_000_000_000) return false;
        const int CLOCK_MONOTONIC = 1, TIMER_ABSTIME = 1;
        var ts = new Timespec { Seconds = stopwatchTimestamp / 1_000_000_000, Nanoseconds = stopwatchTimestamp % 1_000_000_000 };
        int rc;
        do rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, in ts, 0);
        while (rc == EINTR);
        return rc == 0;
    }

    /// <summary>Moves the calling thread into the network namespace /run/netns/<paramref name="name"/> (made by
    /// <c>ip netns add</c>); sockets it creates afterwards live there. Root (CAP_SYS_ADMIN) only.</summary>
    public static void EnterNetworkNamespace(string name)
    {
        const int O_RDONLY = 0, CLONE_NEWNET = 0x40000000;
        string path = $"/run/netns/{name}";
        int fd = open(path, O_RDONLY);
        if (fd < 0) throw Error($"open {path} (does the namespace exist?)");
        try
        {
            if (setns(fd, CLONE_NEWNET) != 0) throw Error($"setns {path} (needs root)");
        }
        finally
        {
            close(fd);
        }
    }

    /// <summary>The interface index of <paramref name="name"/> in the calling thread's network namespace.</summary>
    public static int InterfaceIndex(string name)
    {
        uint index = if_nametoindex(name);
        if (index == 0) throw Error($"if_nametoindex {name} (no such interface here)");
        return (int)index;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    /// <summary>Puts the calling thread under SCHED_FIFO at <paramref name="priority"/> (1–99). Returns false where
    /// that is not permitted (no root or CAP_SYS_NICE, or not Linux): the thread then keeps its normal policy.</summary>
    public static bool TrySetRealtimePriority(int priority)
    {
        if (!OperatingSystem.IsLinux()) return false;
        const int SCHED_FIFO = 1;
        int param = priority;
        return sched_setscheduler(0, SCHED_FIFO, ref param) == 0;
    }

    public static IOException Error(string call, int? errno = null)
    {
        int e = errno ?? Marshal.GetLastPInvokeError();
        return new IOException($"{call} failed: {Marshal.GetPInvokeErrorMessage(e)} (errno {e}).");
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

#pragma warning disable SYSLIB1054
    [DllImport("libc", SetLastError = true)] public static extern int posix_openpt(int flags);
    [DllImport("libc", SetLastError = true)] public static extern int grantpt(int fd);
    [DllImport("libc", SetLastError = true)] public static extern int unlockpt(int fd);
    [DllImport("libc", SetLastError = true)] public static extern int ptsname_r(int fd, byte[] buffer, nuint length);
    [DllImport("libc", SetLastError = true)] public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);
    [DllImport("libc", SetLastError = true)] public static extern int close(int fd);
    [DllImport("libc", SetLastError = true)] private static extern int tcgetattr(int fd, byte[] termios);
    [DllImport("libc", SetLastError = true)] private static extern void cfmakeraw(byte[] termios);
    [DllImport("libc", SetLastError = true)] private static extern int cfsetspeed(byte[] termios, uint speed);
    [DllImport("libc", SetLastError = true)] private static extern int tcsetattr(int fd, int actions, byte[] termios);
    [DllImport("libc", SetLastError = true)] private static extern int tcflush(int fd, int queue);
    [DllImport("libc", SetLastError = true)] private static extern int sched_setscheduler(int pid, int policy, ref int param);
    [DllImport("libc", SetLastError = true)] private static extern int setns(int fd, int nstype);
    [DllImport("libc", SetLastError = true)] private static extern uint if_nametoindex([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
    [DllImport("libc")] private static extern int clock_nanosleep(int clock, int flags, in Timespec request, nint remain);
    [DllImport("libc", SetLastError = true)] private static extern int poll(ref PollFd fds, nuint count, int timeoutMs);
    [DllImport("libc", SetLastError = true)] private static extern nint read(int fd, ref byte buffer, nuint count);
    [DllImport("libc", SetLastError = true)] private static extern nint write(int fd, in byte buffer, nuint count);
#pragma warning restore SYSLIB1054
}
