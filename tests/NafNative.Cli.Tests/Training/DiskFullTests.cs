using System.Diagnostics;
using NafNative.Cli.Training;
using NafNative.Learning;
using NafNative.Naf;
using NUnit.Framework;

namespace NafNative.Cli.Tests.Training;

/// <summary>naf train on a run folder that fills up for real: a small tmpfs mounted by the test (root only, as in CI).
/// A periodic checkpoint that cannot be written is reported and retried while the previous one stays intact; only a
/// final checkpoint that cannot be written fails the run, naming the file.</summary>
[NonParallelizable]
public sealed class DiskFullTests
{
    private string _mount = "";

    [SetUp]
    public void SetUp()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
            Assert.Ignore("needs root on Linux to mount a tmpfs (CI runs as root)");
        _mount = Path.Combine(Path.GetTempPath(), $"nafnative-full-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_mount);
        var (exit, output) = Exec("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", _mount);
        if (exit != 0)
        {
            Directory.Delete(_mount);
            _mount = "";
            Assert.Ignore($"mount -t tmpfs failed ({output.Trim()}); this container cannot mount file systems");
        }
    }

    [TearDown]
    public void TearDown()
    {
        if (_mount.Length == 0) return;
        Exec("umount", _mount);
        Directory.Delete(_mount, recursive: true);
        _mount = "";
    }

    [Test]
    public void Train_DiskFullThenFreed_ReportsRetriesAndFinishes()
    {
        string run = Path.Combine(_mount, "run");
        var training = Start(run, minutes: 0.12);
        string checkpoint = WaitForCheckpoint(run, training);

        string filler = FillDisk();
        Thread.Sleep(1500); // three checkpoint periods on a full disk
        byte[] duringFull = File.ReadAllBytes(checkpoint);
        File.Delete(filler);
        var (exit, stdout, stderr) = training.Result;

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero, stderr);
            Assert.That(stderr, Does.Contain("warning: periodic checkpoint").And.Contain(checkpoint).And.Contain("previous version is intact"));
            Assert.That(NafCheckpoint.Load(checkpoint).Steps, Is.GreaterThan(NafCheckpointSteps(duringFull)), "later checkpoints succeeded again");
            Assert.That(MostCheckpointFailures(run), Is.GreaterThan(0), "metrics.csv counts the failed checkpoints");
            Assert.That(Directory.GetFiles(run, "*.tmp-*"), Is.Empty, "no temporary checkpoint is left behind");
            // Event writes that failed on the full disk were cut off again: the file is whole records only.
            string events = NafNative.Interop.TensorBoard.EventFile.Find(run).Single();
            Assert.That(NafNative.Interop.TensorBoard.TfRecord.ReadAll(File.ReadAllBytes(events), events), Has.Count.GreaterThan(2));
        });
    }

    [Test]
    public void Train_DiskFullAtTheEnd_FailsNamingTheFinalCheckpointAndKeepsThePreviousOne()
    {
        string run = Path.Combine(_mount, "run");
        var training = Start(run, minutes: 0.06);
        string checkpoint = WaitForCheckpoint(run, training);
        FillDisk();
        var (exit, _, stderr) = training.Result;

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1), "only the final checkpoint is fatal");
            Assert.That(stderr, Does.Contain("warning: periodic checkpoint"), "periodic failures were reported on the way");
            Assert.That(stderr, Does.Contain($"error: final checkpoint {checkpoint} could not be written").And.Contain("intact"));
            Assert.That(() => NafCheckpoint.Load(checkpoint), Throws.Nothing, "the last periodic checkpoint is whole and loadable");
            Assert.That(Directory.GetFiles(run, "*.tmp-*"), Is.Empty, "no temporary checkpoint is left behind");
        });
    }

    private static Task<(int Exit, string Out, string Err)> Start(string run, double minutes)
    {
        string config = Path.Combine(Path.GetTempPath(), $"nafnative-full-{Guid.NewGuid():N}.json");
        File.WriteAllText(config, """{ "checkpoint_every_seconds": 0.5, "metrics_every_seconds": 0.25, "eval_every_seconds": 1000 }""");
        return Task.Run(() =>
        {
            try
            {
                return CliRunner.Run("train", "--task", "pendulum", "--workers", "1", "--minutes", minutes.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "--out", run, "--config", config);
            }
            finally
            {
                File.Delete(config);
            }
        });
    }

    private static string WaitForCheckpoint(string run, Task training)
    {
        string checkpoint = Path.Combine(run, RunFolder.CheckpointFile);
        var clock = Stopwatch.StartNew();
        while (!File.Exists(checkpoint))
        {
            Assert.That(training.IsCompleted, Is.False, "the run ended before its first checkpoint");
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(60)), "no first checkpoint within 60 s");
            Thread.Sleep(20);
        }
        return checkpoint;
    }

    // Writes until the file system reports ENOSPC; returns the filler's path.
    private string FillDisk()
    {
        string filler = Path.Combine(_mount, "filler");
        var block = new byte[4096];
        using var file = new FileStream(filler, FileMode.Create, FileAccess.Write, FileShare.None, 1);
        try
        {
            while (true) file.Write(block);
        }
        catch (IOException)
        {
        }
        return filler;
    }

    private static long NafCheckpointSteps(byte[] bytes)
    {
        string path = Path.Combine(Path.GetTempPath(), $"nafnative-full-{Guid.NewGuid():N}.naf");
        File.WriteAllBytes(path, bytes);
        try { return NafCheckpoint.Load(path).Steps; }
        finally { File.Delete(path); }
    }

    private static long MostCheckpointFailures(string run) =>
        File.ReadLines(Path.Combine(run, RunFolder.MetricsFile)).Skip(1).Where(l => l.Length > 0)
            .Select(MetricsRow.Parse).Max(r => r.CheckpointFailures);

    private static (int Exit, string Output) Exec(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in args) info.ArgumentList.Add(a);
        try
        {
            using var process = Process.Start(info)!;
            string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }
}
