namespace NafNative.Sim;

/// <summary>SplitMix64 (Steele, Lea, Flood 2014): a tiny allocation-free generator for drawing a task's initial state
/// from its seed. Equal seeds give equal sequences on every platform.</summary>
internal struct SimRandom
{
    private ulong _state;

    public SimRandom(int seed) => _state = 0x5EED_0F_A11_CA75UL ^ (ulong)(long)seed;

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public double Uniform(double low, double high) => low + (high - low) * NextDouble();
}
