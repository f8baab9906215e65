using NafNative.Environments;
using NafNative.Replay;

namespace NafNative.Remote.Tests;

/// <summary>An environment whose transitions carry redundant fields (as the replay stress test writes them): the
/// observation is [tag, n, n + 13], the next one [tag, n + 1, n + 14], the reward (n mod 1000) / 4, for the n-th step
/// of this environment overall; so every stored transition can be checked whole and counted once by (tag, n).</summary>
internal sealed class ChecksumEnvironment(int tag, int maxEpisodeSteps = 50) : IEnvironment
{
    private int _n, _t;

    public string Name => "checksum";
    public int ObservationSize => 3;
    public int ActionSize => 1;
    public double ControlRate => 1000;
    public int MaxEpisodeSteps => maxEpisodeSteps;
    public bool IsSuccess => false;

    public void Reset(int seed, Span<float> observation)
    {
        _t = 0;
        Write(observation, _n);
    }

    public StepResult Step(ReadOnlySpan<float> action, Span<float> observation)
    {
        float reward = _n % 1000 / 4f;
        _n++;
        _t++;
        Write(observation, _n);
        return new StepResult(reward, Terminated: false, Truncated: _t >= maxEpisodeSteps);
    }

    public void Dispose() { }

    private void Write(Span<float> o, int n) { o[0] = tag; o[1] = n; o[2] = n + 13; }

    /// <summary>Checks every transition the ring holds; returns how many of each tag it holds, and fails on a damaged
    /// transition or one stored twice.</summary>
    public static Dictionary<int, int> Audit(ReplayRing ring)
    {
        var seen = new HashSet<(int, int)>();
        var perTag = new Dictionary<int, int>();
        // Every slot, in order (the ring has no public read-all; sampling is random): its private array, read once
        // no producer is running. Fails loudly if the field is renamed.
        var data = (float[])(typeof(ReplayRing).GetField("_data", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)
            ?.GetValue(ring) ?? throw new InvalidOperationException("ReplayRing._data not found: update ChecksumEnvironment.Audit."));
        NUnit.Framework.Assert.That(ring.Inserted, NUnit.Framework.Is.LessThanOrEqualTo(ring.Capacity), "the audit needs a ring that did not wrap");
        for (long i = 0; i < ring.Inserted; i++)
        {
            var row = data.AsSpan((int)i * ring.Stride, ring.Stride).ToArray();
            int tag = (int)row[0], n = (int)row[1];
            NUnit.Framework.Assert.That(row[2], NUnit.Framework.Is.EqualTo(n + 13f), $"slot {i}: observation damaged");
            NUnit.Framework.Assert.That(row[3], NUnit.Framework.Is.InRange(-1f, 1f), $"slot {i}: action outside [-1, 1]");
            NUnit.Framework.Assert.That(row[4], NUnit.Framework.Is.EqualTo(n % 1000 / 4f), $"slot {i}: reward damaged");
            NUnit.Framework.Assert.That(row[5..8], NUnit.Framework.Is.EqualTo(new float[] { tag, n + 1, n + 14 }), $"slot {i}: next observation damaged");
            NUnit.Framework.Assert.That(seen.Add((tag, n)), NUnit.Framework.Is.True, $"slot {i}: transition ({tag}, {n}) is stored twice");
            perTag[tag] = perTag.GetValueOrDefault(tag) + 1;
        }
        return perTag;
    }
}
