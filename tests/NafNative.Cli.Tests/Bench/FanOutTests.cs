using NafNative.Cli.Bench;
using NUnit.Framework;

namespace NafNative.Cli.Tests.Bench;

/// <summary>The fan-out latency of naf bench remote, on publication times and snapshot logs written by hand.</summary>
public sealed class FanOutTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("naf-fanout-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private string Log(string name, params (long Version, long ArrivedMs, long UsedMs)[] rows)
    {
        string path = Path.Combine(_dir, name + ".csv");
        File.WriteAllLines(path, [Remote.Client.SnapshotArrivals.CsvHeader,
            .. rows.Select(r => $"{name},{r.Version},{r.Version * 50},{r.ArrivedMs * 1_000_000},{(r.UsedMs == 0 ? "" : (r.UsedMs * 1_000_000).ToString())}")]);
        return path;
    }

    [Test]
    public void Measure_SkippedVersions_CountUntilANewerOneArrives_AndUseIsTheNextEpisodeStart()
    {
        // Versions 1..4 published at 0, 10, 20, 30 ms; both workers have version 1 from 1 ms. Worker a then fetches
        // version 2 at 15 ms (used at 18) and version 4 at 40 ms (used at 60); worker b fetches version 4 only, at
        // 33 ms, and never uses it. The window starts at 5 ms: versions 2, 3, 4.
        (long, long)[] published = [(1, 0), (2, 10_000_000), (3, 20_000_000), (4, 30_000_000)];
        string a = Log("a", (1, 1, 2), (2, 15, 18), (4, 40, 60));
        string b = Log("b", (1, 1, 2), (4, 33, 0));
        var result = FanOut.Measure(published, [a, b], fromNs: 5_000_000, toNs: 30_000_000);
        // Arrived: a v2 → 5, v3 → 20 (v4 at 40), v4 → 10; b 23, 13, 3. Sorted 3 5 10 13 20 23: p50 = the 4th = 13,
        // p99 = the last = 23. In use (a only): v2 → 8, v3 → 40, v4 → 30: 8 30 40, p50 = 30, p99 = 40.
        Assert.Multiple(() =>
        {
            Assert.That(result.Pairs, Is.EqualTo(6));
            Assert.That(result.Unreached, Is.Zero);
            Assert.That(result.ArrivedP50Ms, Is.EqualTo(13).Within(1e-9));
            Assert.That(result.ArrivedP99Ms, Is.EqualTo(23).Within(1e-9));
            Assert.That(result.InUseP50Ms, Is.EqualTo(30).Within(1e-9));
            Assert.That(result.InUseP99Ms, Is.EqualTo(40).Within(1e-9));
        });
    }

    [Test]
    public void Measure_VersionOutsideTheWindowOrNeverReached_NotAPair()
    {
        (long, long)[] published = [(1, 0), (2, 10_000_000), (3, 20_000_000)];
        string a = Log("a", (1, 2, 3), (2, 12, 0));
        var result = FanOut.Measure(published, [a, Path.Combine(_dir, "missing.csv")], fromNs: 5_000_000, toNs: 25_000_000);
        Assert.Multiple(() =>
        {
            Assert.That(result.Pairs, Is.EqualTo(1), "version 1 is before the window; version 3 never reached a");
            Assert.That(result.Unreached, Is.EqualTo(1 + 2), "a missed version 3; the worker without a log missed both");
            Assert.That(result.ArrivedP50Ms, Is.EqualTo(2).Within(1e-9));
            Assert.That(result.InUseP50Ms, Is.NaN, "version 2 was never used");
        });
    }

    [Test]
    public void Measure_VersionsBeforeAWorkerFirstHadParameters_DoNotCountForIt()
    {
        // Worker late joins at 25 ms (its first parameters: version 3); versions 1 and 2 were published before that.
        (long, long)[] published = [(1, 0), (2, 10_000_000), (3, 20_000_000), (4, 30_000_000)];
        string late = Log("late", (3, 25, 26), (4, 31, 32));
        var result = FanOut.Measure(published, [late], fromNs: 0, toNs: 40_000_000);
        Assert.Multiple(() =>
        {
            Assert.That(result.Pairs, Is.EqualTo(1), "only version 4 was published after the worker joined");
            Assert.That(result.ArrivedP50Ms, Is.EqualTo(1).Within(1e-9));
            Assert.That(result.InUseP50Ms, Is.EqualTo(2).Within(1e-9));
        });
    }
}
