using NafNative.Replay;
using NUnit.Framework;

namespace NafNative.Remote.Tests;

/// <summary>Checks a replay ring that one worker process filled with a real task (reach, simulated or on a robot),
/// where no checksum can be planted: within an episode each transition's next observation is the following one's
/// observation, bit for bit, so a lost or repeated batch inside an episode breaks the chain; and no transition appears
/// twice (continuous states and noisy actions never repeat by chance). Batches end at episode ends (or at a cut,
/// stored as truncated), which is what lets the chain run across them.</summary>
internal static class TransitionChainAudit
{
    /// <summary>Fails the test at the first broken link or repeated transition; returns the episodes that ended.</summary>
    public static int Check(ReplayRing ring, string what)
    {
        Assert.That(ring.Inserted, Is.LessThanOrEqualTo(ring.Capacity), "the audit needs a ring that did not wrap");
        var data = (float[])(typeof(ReplayRing).GetField("_data", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)
            ?.GetValue(ring) ?? throw new InvalidOperationException("ReplayRing._data not found: update TransitionChainAudit."));
        int obs = ring.ObservationSize, act = ring.ActionSize, stride = ring.Stride;
        var seen = new HashSet<string>();
        int episodes = 0;
        for (int i = 0; i < ring.Inserted; i++)
        {
            var row = data.AsSpan(i * stride, stride);
            Assert.That(seen.Add(Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(row))), Is.True,
                $"{what}: slot {i} repeats an earlier transition");
            bool done = row[stride - 2] != 0 || row[stride - 1] != 0;
            if (done) { episodes++; continue; }
            if (i + 1 == ring.Inserted) break; // the last one stored (an episode the worker was in when it stopped)
            var next = row.Slice(obs + act + 1, obs);
            var following = data.AsSpan((i + 1) * stride, obs);
            Assert.That(following.SequenceEqual(next), Is.True, $"{what}: slot {i + 1} does not continue slot {i}'s episode (a transition lost or repeated)");
        }
        return episodes;
    }
}
