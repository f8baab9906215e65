using System.Diagnostics;
using NafNative.Storage;
using NUnit.Framework;

namespace NafNative.Tests.Storage;

[TestFixture]
public sealed class AtomicFileTests
{
    private string _root = "";

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("naf-atomic-").FullName;

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Test]
    public void Write_FailsMidway_OldFileIntactAndNoTemporaryLeft()
    {
        string path = Path.Combine(_root, "f.bin");
        File.WriteAllText(path, "old");

        Assert.Throws<IOException>(() => AtomicFile.Write(path, s =>
        {
            s.Write("new and half"u8);
            throw new IOException("disk full (simulated by the test)");
        }));

        Assert.That(File.ReadAllText(path), Is.EqualTo("old"));
        Assert.That(Directory.GetFiles(_root), Is.EquivalentTo(new[] { path }));
    }

    [Test]
    public void RemoveStaleTemporaries_RemovesADeadWritersFileAndKeepsALiveOnes()
    {
        // A process that has exited: its pid names a writer that can never finish.
        using var dead = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        dead.WaitForExit();
        string stale = Path.Combine(_root, $"checkpoint.naf.tmp-{dead.Id}-7");
        string live = Path.Combine(_root, $"checkpoint.naf.tmp-{Environment.ProcessId}-7");
        string other = Path.Combine(_root, "checkpoint.naf");
        foreach (string f in new[] { stale, live, other }) File.WriteAllText(f, "x");

        var removed = AtomicFile.RemoveStaleTemporaries(_root);

        Assert.Multiple(() =>
        {
            Assert.That(removed, Is.EqualTo(new[] { Path.GetFileName(stale) }));
            Assert.That(File.Exists(stale), Is.False);
            Assert.That(File.Exists(live), "this process's own temporary file may still be being written");
            Assert.That(File.Exists(other), "real files are never touched");
        });
    }
}
