using System.Diagnostics;
using System.Runtime.InteropServices;
using NafNative.Cli.Training;
using NafNative.Learning;
using NafNative.Naf;
using NUnit.Framework;

namespace NafNative.Cli.Tests.Commands;

/// <summary>naf train as a child process, stopped by a signal: it must stop within 1 s, leave its final checkpoint and
/// exit with the conventional code (128 + the signal's number).</summary>
[NonParallelizable]
public sealed class TrainSignalTests
{
    private string _root = "";

    [SetUp]
    public void SetUp()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("POSIX signals: Linux only");
        _root = Path.Combine(Path.GetTempPath(), $"nafnative-signal-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_root);
    }

    [TearDown]
    public void TearDown()
    {
        if (_root.Length > 0) Directory.Delete(_root, recursive: true);
        _root = "";
    }

    // libc's kill(2): no dependency on procps's /bin/kill, which slim Debian images lack. Blittable arguments, so
    // DllImport needs no unsafe code (LibraryImport would).
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
#pragma warning disable SYSLIB1054 // LibraryImport requires AllowUnsafeBlocks in this project
    private static extern int Kill(int pid, int signal);
#pragma warning restore SYSLIB1054

    private static bool IgnoredByThisProcess(int signal)
    {
        string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        if (line is null) return false;
        ulong mask = Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16);
        return (mask & (1UL << (signal - 1))) != 0;
    }

    [TestCase("SIGINT", 2, 130)]
    [TestCase("SIGTERM", 15, 143)]
    public void Train_Signal_StopsWithinOneSecondWithCheckpointAndConventionalExitCode(string name, int signal, int expectedExit)
    {
        // A child inherits an ignored signal, and the runtime keeps it ignored (as nohup intends): a test runner started
        // in the background by a non-interactive shell ignores SIGINT, so its child could never be interrupted by it.
        if (IgnoredByThisProcess(signal))
            Assert.Ignore($"{name} is ignored by this test process (SigIgn in /proc/self/status; e.g. started with & from a script), " +
                "and naf train would inherit that; run the tests from a foreground shell to check it.");
        string run = Path.Combine(_root, "run");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { Path.Combine(AppContext.BaseDirectory, "naf.dll"), "train", "--task", "pendulum", "--workers", "2",
                     "--minutes", "10", "--seed", "3", "--out", run })
            info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            // The first progress line (a metrics row) means workers and learner are running.
            var clock = Stopwatch.StartNew();
            string? line;
            while ((line = process.StandardError.ReadLine()) is not null && !line.StartsWith('['))
                Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(60)), "no progress within 60 s");
            Assert.That(line, Is.Not.Null, "naf train ended before its first progress line");
            var stderr = process.StandardError.ReadToEndAsync();

            var stopping = Stopwatch.StartNew();
            Assert.That(Kill(process.Id, signal), Is.Zero, $"kill -{name}");
            Assert.That(process.WaitForExit(TimeSpan.FromSeconds(30)), Is.True, "the process exits");
            var elapsed = stopping.Elapsed;
            TestContext.Out.WriteLine($"{name}: exited {process.ExitCode} after {elapsed.TotalMilliseconds:F0} ms");

            Assert.Multiple(() =>
            {
                Assert.That(process.ExitCode, Is.EqualTo(expectedExit), stderr.Result);
                Assert.That(elapsed, Is.LessThan(TimeSpan.FromSeconds(1)), "stopped within 1 s of the signal");
                Assert.That(stdout.Result, Does.Contain($"interrupted by {name}"));
                Assert.That(NafCheckpoint.Load(Path.Combine(run, RunFolder.CheckpointFile)).Steps, Is.GreaterThan(0),
                    "the final checkpoint holds the run's updates");
            });
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }
}
