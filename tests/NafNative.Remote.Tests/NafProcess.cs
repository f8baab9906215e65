using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace NafNative.Remote.Tests;

/// <summary>The naf command in a child process (naf.dll beside the tests), its output captured; disposing kills it
/// if it is still running, so no test leaves a process behind.</summary>
internal sealed class NafProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _out = new(), _err = new();

    /// <param name="args">naf's arguments.</param>
    /// <param name="token">NAF_TOKEN for the child (null: none).</param>
    /// <param name="environment">Further environment variables for the child (e.g. a PFX password).</param>
    public NafProcess(IEnumerable<string> args, string? token = TestLearner.TokenText, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "naf.dll"));
        foreach (string a in args) info.ArgumentList.Add(a);
        // The token travels by environment variable, as a user would pass it (never on the command line).
        info.Environment.Remove(Security.SharedToken.EnvironmentVariable);
        if (token is not null) info.Environment[Security.SharedToken.EnvironmentVariable] = token;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_out) _out.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_err) _err.AppendLine(e.Data); };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>For naf worker processes in tests that are not about the watchdog: on a 2-core machine shared at load
    /// 20 a worker thread was seen descheduled for over a second (its 1 s default tripped on a simulated task), and a
    /// trip ends the worker with exit 3. RemoteWorkerWatchdogTests test the watchdog itself.</summary>
    public static readonly string[] PatientWatchdog = ["--watchdog-ms", "10000"];

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public string Out { get { lock (_out) return _out.ToString(); } }
    public string Err { get { lock (_err) return _err.ToString(); } }

    // libc's kill(2), for SIGTERM and SIGKILL by number. Blittable arguments, so DllImport needs no unsafe code.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
#pragma warning disable SYSLIB1054 // LibraryImport requires AllowUnsafeBlocks in this project
    private static extern int KillNative(int pid, int signal);
#pragma warning restore SYSLIB1054

    public void Signal(int signal)
    {
        if (KillNative(_process.Id, signal) != 0) throw new InvalidOperationException($"kill -{signal} {_process.Id} failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>Waits for the exit (and the end of its output); false after <paramref name="limit"/>.</summary>
    public bool WaitForExit(TimeSpan limit)
    {
        if (!_process.WaitForExit(limit)) return false;
        _process.WaitForExit(); // drains the asynchronous output readers
        return true;
    }

    public int ExitCode => _process.ExitCode;

    /// <summary>Waits until <paramref name="condition"/> holds, failing the test (with this process's stderr) after
    /// <paramref name="seconds"/> or if the process exits first.</summary>
    public void WaitUntil(Func<bool> condition, double seconds, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (_process.HasExited) NUnit.Framework.Assert.Fail($"naf exited ({_process.ExitCode}) before {what}:\n{Err}");
            if (clock.Elapsed.TotalSeconds > seconds) NUnit.Framework.Assert.Fail($"not {what} within {seconds} s:\n{Err}");
            Thread.Sleep(20);
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit(5000);
        _process.Dispose();
    }
}
