using System.Diagnostics;
using System.Runtime.InteropServices;
using NafNative.Remote.Security;

namespace NafNative.Cli.Bench;

/// <summary>The <c>naf worker</c> child processes of <c>naf bench remote</c>: started with the learner's token in
/// their environment, and stopped with SIGTERM (so each writes its snapshot log and exits cleanly), killed only if
/// one does not exit in time.</summary>
internal sealed class WorkerProcesses : IDisposable
{
    private readonly List<Process> _processes = [];

    /// <summary>Starts <c>naf worker --connect URL --task TASK --name NAME</c> plus <paramref name="extra"/>.</summary>
    public void Start(string url, string task, SharedToken token, string name, params string[] extra)
    {
        string dll = typeof(WorkerProcesses).Assembly.Location;
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { dll, "worker", "--connect", url, "--task", task, "--name", name }.Concat(extra)) info.ArgumentList.Add(a);
        info.Environment[SharedToken.EnvironmentVariable] = token.Value;
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start a naf worker process.");
        // Drained, not kept: a full pipe would block the worker.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
    }

    /// <summary>SIGTERM to every worker (on Linux), then up to <paramref name="grace"/> for them all to exit; what is
    /// left is killed. Returns how many had exited before the signal (a failure: they should run until told to
    /// stop) and how many exited after it.</summary>
    public (int Early, int Clean) Stop(TimeSpan grace)
    {
        int early = _processes.Count(p => p.HasExited);
        foreach (var p in _processes)
            if (!p.HasExited && OperatingSystem.IsLinux()) _ = kill(p.Id, 15);
        var deadline = Stopwatch.StartNew();
        int clean = 0;
        foreach (var p in _processes)
        {
            var left = grace - deadline.Elapsed;
            if (p.WaitForExit(left > TimeSpan.Zero ? left : TimeSpan.Zero)) clean++;
        }
        Dispose();
        return (early, clean - early);
    }

    public void Dispose()
    {
        foreach (var p in _processes)
        {
            if (!p.HasExited) p.Kill(entireProcessTree: true);
            p.WaitForExit(5000);
            p.Dispose();
        }
        _processes.Clear();
    }

    // libc's kill(2) (blittable arguments: no marshalling, no unsafe code).
    [DllImport("libc", SetLastError = true)]
#pragma warning disable SYSLIB1054 // LibraryImport would need AllowUnsafeBlocks in this project
    private static extern int kill(int pid, int signal);
#pragma warning restore SYSLIB1054
}
