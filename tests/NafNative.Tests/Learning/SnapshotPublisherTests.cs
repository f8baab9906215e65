using NafNative.Learning;
using NUnit.Framework;

namespace NafNative.Tests.Learning;

[TestFixture]
public sealed class SnapshotPublisherTests
{
    /// <summary>One publisher publishing as fast as it can while 4 readers read: every snapshot a reader sees is
    /// whole (all values equal its version: nothing torn), and versions only grow per reader.</summary>
    [Test]
    public void Latest_WhilePublishing_NeverTornAndMonotonic()
    {
        var publisher = new SnapshotPublisher();
        var values = new float[4096];
        publisher.Publish(values, 0);
        using var stop = new CancellationTokenSource();
        long failures = 0, reads = 0;
        var readers = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            long last = 0;
            while (!stop.IsCancellationRequested)
            {
                var s = publisher.Latest!;
                float expected = s.Version - 1;
                foreach (float v in s.Values) if (v != expected) { Interlocked.Increment(ref failures); break; }
                if (s.Version < last) Interlocked.Increment(ref failures);
                last = s.Version;
                Interlocked.Increment(ref reads);
            }
        })).ToArray();
        foreach (var r in readers) r.Start();
        for (int version = 1; version <= 5000; version++)
        {
            Array.Fill(values, version);
            publisher.Publish(values, version);
        }
        stop.Cancel();
        foreach (var r in readers) r.Join();
        Assert.That(Interlocked.Read(ref failures), Is.Zero, $"{reads} reads");
        Assert.That(publisher.Latest!.Version, Is.EqualTo(5001));
    }
}
