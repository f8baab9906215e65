using NafNative.Replay;

namespace NafNative.Tests.Replay;

/// <summary>Self-describing transitions for the stress tests: every field is a function of (producer, sequence), the
/// sequence is stored twice (seq and seq + 13, Disruptor-style redundancy) and the reward is a checksum of all other
/// fields. A row that mixes two transitions, or holds one that was never written, fails <see cref="Verify"/>.</summary>
/// <remarks>All stored values are floats that represent their integers or 24-bit fractions exactly, so checks are
/// bitwise-exact comparisons.</remarks>
internal sealed class StressTransition
{
    /// <summary>Default observation size (the paper's arm); obs[0] = producer, obs[1] = seq, obs[2] = seq + 13, the
    /// rest pseudo-random.</summary>
    public const int DefaultObservationSize = 20;

    public const int ActionSize = 7;

    private const int SeqRedundancy = 13;

    // Field ids fed to the hash (16 bits): observation k, then these bases, so no two fields share a value stream.
    private const int ActionField = 20_000, NextObservationField = 40_000, FlagsField = 60_000;

    public readonly float[] Observation;
    public readonly float[] Action = new float[ActionSize];
    public readonly float[] NextObservation;
    public float Reward;
    public bool Terminated, Truncated;

    /// <param name="observationSize">At least 3 (producer, seq, seq + 13).</param>
    public StressTransition(int observationSize = DefaultObservationSize)
    {
        if (observationSize < 3) throw new ArgumentOutOfRangeException(nameof(observationSize), observationSize, "at least 3");
        Observation = new float[observationSize];
        NextObservation = new float[observationSize];
    }

    public int ObservationSize => Observation.Length;

    /// <summary>Fills the fields for (producer, seq); allocation-free so producers can call it in their loop.</summary>
    public void Set(int producer, int seq)
    {
        Observation[0] = producer;
        Observation[1] = seq;
        Observation[2] = seq + SeqRedundancy;
        for (int k = 3; k < ObservationSize; k++) Observation[k] = Field(producer, seq, k);
        for (int k = 0; k < ActionSize; k++) Action[k] = Field(producer, seq, ActionField + k);
        for (int k = 0; k < ObservationSize; k++) NextObservation[k] = Field(producer, seq, NextObservationField + k);
        ulong flags = Hash(producer, seq, FlagsField);
        Terminated = (flags & 1) != 0;
        Truncated = (flags & 2) != 0;
        Reward = Checksum(Observation, Action, NextObservation, Terminated ? 1f : 0f, Truncated ? 1f : 0f);
    }

    /// <summary>Inserts this transition into <paramref name="ring"/>.</summary>
    public long InsertInto(ReplayRing ring) =>
        ring.Insert(Observation, Action, Reward, NextObservation, Terminated, Truncated).Ticket;

    /// <summary>Checks row <paramref name="row"/> of <paramref name="batch"/>: a transition some producer in
    /// [0, <paramref name="producers"/>) started inserting, with a sequence below
    /// <paramref name="startedByProducer"/>[producer] (read after the sample), every field intact. Returns null when it
    /// is, else what is wrong.</summary>
    public static string? Verify(ReplayBatch batch, int row, int producers, ReadOnlySpan<long> startedByProducer)
    {
        int obsSize = batch.ObservationSize;
        var obs = batch.Observations.AsSpan(row * obsSize, obsSize);
        var act = batch.Actions.AsSpan(row * ActionSize, ActionSize);
        var next = batch.NextObservations.AsSpan(row * obsSize, obsSize);
        float p = obs[0], s = obs[1];
        if (!(p >= 0 && p < producers && p == MathF.Floor(p))) return $"producer id {p} is not one of 0..{producers - 1}";
        if (!(s >= 0 && s < 1 << 24 && s == MathF.Floor(s))) return $"producer {p}: sequence {s} is not an integer in [0, 2^24)";
        int producer = (int)p, seq = (int)s;
        if (obs[2] != seq + SeqRedundancy) return $"producer {producer} seq {seq}: redundant seq+13 field holds {obs[2]}";
        if (seq >= startedByProducer[producer])
            return $"producer {producer} seq {seq} was sampled but the producer had only started {startedByProducer[producer]} inserts";
        for (int k = 3; k < obsSize; k++)
            if (obs[k] != Field(producer, seq, k)) return $"producer {producer} seq {seq}: observation[{k}] = {obs[k]}, wrote {Field(producer, seq, k)}";
        for (int k = 0; k < ActionSize; k++)
            if (act[k] != Field(producer, seq, ActionField + k)) return $"producer {producer} seq {seq}: action[{k}] = {act[k]}, wrote {Field(producer, seq, ActionField + k)}";
        for (int k = 0; k < obsSize; k++)
            if (next[k] != Field(producer, seq, NextObservationField + k)) return $"producer {producer} seq {seq}: nextObservation[{k}] = {next[k]}, wrote {Field(producer, seq, NextObservationField + k)}";
        ulong flags = Hash(producer, seq, FlagsField);
        float terminated = (flags & 1) != 0 ? 1f : 0f, truncated = (flags & 2) != 0 ? 1f : 0f;
        if (batch.Terminated[row] != terminated || batch.Truncated[row] != truncated)
            return $"producer {producer} seq {seq}: flags ({batch.Terminated[row]}, {batch.Truncated[row]}), wrote ({terminated}, {truncated})";
        float checksum = Checksum(obs, act, next, batch.Terminated[row], batch.Truncated[row]);
        if (batch.Rewards[row] != checksum) return $"producer {producer} seq {seq}: reward (checksum) {batch.Rewards[row]} != {checksum} recomputed";
        return null;
    }

    /// <summary>Null when row <paramref name="row"/> is bit-identical to row − 1 (same ticket, so it must be).</summary>
    public static string? SameAsPrevious(ReplayBatch batch, int row)
    {
        int o = batch.ObservationSize, a = batch.ActionSize;
        bool same = batch.Observations.AsSpan(row * o, o).SequenceEqual(batch.Observations.AsSpan((row - 1) * o, o))
            && batch.Actions.AsSpan(row * a, a).SequenceEqual(batch.Actions.AsSpan((row - 1) * a, a))
            && batch.NextObservations.AsSpan(row * o, o).SequenceEqual(batch.NextObservations.AsSpan((row - 1) * o, o))
            && batch.Rewards[row] == batch.Rewards[row - 1]
            && batch.Terminated[row] == batch.Terminated[row - 1]
            && batch.Truncated[row] == batch.Truncated[row - 1];
        return same ? null : $"rows {row - 1} and {row} carry ticket {batch.Tickets[row]} but differ: one of them is torn";
    }

    /// <summary>A float in [−1, 1) with 24 bits of a cheap multiplicative hash of (producer, seq, field): exact,
    /// finite, and different between transitions at every field (so any mix shows), cheap enough to check long rows.</summary>
    private static float Field(int producer, int seq, int field)
    {
        uint h = (uint)producer * 0x9E3779B1u + (uint)seq * 0x85EBCA77u + (uint)field * 0xC2B2AE3Du;
        h ^= h >> 15;
        h *= 0x2C1B3C6Du;
        return (int)(h >> 8) * (1f / (1 << 23)) - 1f;
    }

    private static ulong Hash(int producer, int seq, int field)
    {
        ulong z = ((ulong)(uint)producer << 48 ^ (ulong)(uint)seq << 16 ^ (uint)field) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>FNV-1a over the fields' bit patterns, folded to 24 bits so the float holds it exactly.</summary>
    private static float Checksum(ReadOnlySpan<float> obs, ReadOnlySpan<float> act, ReadOnlySpan<float> next, float terminated, float truncated)
    {
        uint h = 2166136261;
        foreach (float v in obs) h = (h ^ (uint)BitConverter.SingleToInt32Bits(v)) * 16777619;
        foreach (float v in act) h = (h ^ (uint)BitConverter.SingleToInt32Bits(v)) * 16777619;
        foreach (float v in next) h = (h ^ (uint)BitConverter.SingleToInt32Bits(v)) * 16777619;
        h = (h ^ (uint)BitConverter.SingleToInt32Bits(terminated)) * 16777619;
        h = (h ^ (uint)BitConverter.SingleToInt32Bits(truncated)) * 16777619;
        return (h ^ (h >> 24)) & 0xFFFFFF;
    }
}
