using System.Text;
using NafNative.Hardware.Posix;

namespace NafNative.Hardware.Simulated;

// Design:
// - The simulator owns the master side of a Linux pseudo-terminal; a client (our bus, DynamixelSDK, any serial tool)
//   opens the slave path as if it were a USB serial adapter. The pty is made with posix_openpt/grantpt/unlockpt, so no
//   socat is needed.
// - The slave is put in raw mode at creation and one slave descriptor is kept open for the pty's lifetime: without
//   it, reads on the master fail with EIO whenever no client has the slave open, and a default (cooked, echoing) line
//   discipline would echo the simulator's replies back to it before a client sets raw mode.
// - One thread reads (the simulator's loop), and it is also the only writer; Dispose closes both descriptors.

/// <summary>A Linux pseudo-terminal whose master side this process reads and writes; <see cref="SlavePath"/> is the
/// device a serial client opens (e.g. /dev/pts/5).</summary>
public sealed class PseudoTerminal : IDisposable
{
    private int _master = -1, _slave = -1;

    public PseudoTerminal()
    {
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("PseudoTerminal: pseudo-terminals are created on Linux only.");
        _master = Libc.posix_openpt(Libc.O_RDWR | Libc.O_NOCTTY);
        if (_master < 0) throw Libc.Error("PseudoTerminal: posix_openpt");
        try
        {
            if (Libc.grantpt(_master) != 0) throw Libc.Error("PseudoTerminal: grantpt");
            if (Libc.unlockpt(_master) != 0) throw Libc.Error("PseudoTerminal: unlockpt");
            var name = new byte[128];
            if (Libc.ptsname_r(_master, name, (nuint)name.Length) != 0) throw Libc.Error("PseudoTerminal: ptsname_r");
            SlavePath = Encoding.ASCII.GetString(name, 0, Array.IndexOf(name, (byte)0));
            _slave = Libc.open(SlavePath, Libc.O_RDWR | Libc.O_NOCTTY | Libc.O_NONBLOCK);
            if (_slave < 0) throw Libc.Error($"PseudoTerminal: open {SlavePath}");
            Libc.MakeRaw(_slave, SlavePath);
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
    /// timeout (and while no client has the port open).</summary>
    public int Read(Span<byte> buffer, TimeSpan timeout)
    {
        try
        {
            return Libc.PollRead(_master, buffer, timeout, "pty master");
        }
        catch (IOException) when (System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == Libc.EIO)
        {
            return 0;
        }
    }

    /// <summary>Sends bytes to the client (all of them).</summary>
    public void Write(ReadOnlySpan<byte> data) => Libc.WriteAll(_master, data, "pty master");

    public void Dispose()
    {
        if (_slave >= 0) Libc.close(_slave);
        if (_master >= 0) Libc.close(_master);
        _slave = _master = -1;
    }
}
