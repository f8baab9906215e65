namespace NafNative.Replay;

/// <summary>A small, allocation-free pseudo-random generator for samplers: xoshiro256** (Blackman and Vigna), seeded
/// through SplitMix64.</summary>
/// <remarks>A mutable struct: pass it by <see langword="ref"/> so its state advances. Not thread-safe; give each
/// sampler thread its own, with its own seed. <c>default(ReplayRandom)</c> is unseeded and is rejected by
/// <see cref="ReplayRing.TrySample"/>.</remarks>
public struct ReplayRandom
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Seeds the generator; equal seeds give equal sequences.</summary>
    public ReplayRandom(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
        if ((_s0 | _s1 | _s2 | _s3) == 0) _s0 = 1; // all-zero is xoshiro's one fixed point
    }

    /// <summary>False for <c>default(ReplayRandom)</c>, whose all-zero state would only ever return 0.</summary>
    public readonly bool IsSeeded => (_s0 | _s1 | _s2 | _s3) != 0;

    /// <summary>The next 64 uniformly distributed bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform integer in [0, <paramref name="exclusiveMax"/>) by Lemire's multiply-high (bias below
    /// exclusiveMax / 2^64, negligible for any ring).</summary>
    public int NextInt(int exclusiveMax) => (int)Math.BigMul(NextUInt64(), (ulong)exclusiveMax, out _);

    /// <summary>A uniform float in [0, 1) with 24 random bits.</summary>
    public float NextSingle() => (NextUInt64() >> 40) * (1f / (1 << 24));

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    private static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
