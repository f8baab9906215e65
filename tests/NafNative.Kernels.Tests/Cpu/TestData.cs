using NafNative.Kernels.Cpu;

namespace NafNative.Kernels.Tests.Cpu;

/// <summary>Shapes, seeds and random inputs shared by the CPU kernel fixtures.</summary>
internal static class TestData
{
    /// <summary>Base seed; every test derives its own from it and prints the result on failure.</summary>
    public const int BaseSeed = 20_240_611;

    /// <summary>Every length 0–55 (all vector/tail splits of both widths, several blocks deep), then two long ones.</summary>
    public static IEnumerable<int> Lengths()
    {
        for (int n = 0; n <= 55; n++) yield return n;
        yield return 100;
        yield return 257;
    }

    /// <summary>Matrix shapes (rows, cols) for the row/column kernels: each interesting size in each position.</summary>
    public static IEnumerable<object[]> MatrixShapes()
    {
        int[] sizes = [0, 1, 7, 17, 33, 100, 257];
        foreach (int s in sizes)
        {
            yield return [s, 17];
            yield return [17, s];
        }
        yield return new object[] { 3, 16 };
        yield return new object[] { 64, 100 };
    }

    /// <summary>A seed unique to a test and its shape, printable in a failure message.</summary>
    public static int SeedFor(int salt, int a, int b = 0, int c = 0) =>
        unchecked(BaseSeed + salt * 1_000_003 + a * 10_007 + b * 101 + c);

    /// <summary>Uniform floats in [lo, hi).</summary>
    public static float[] Uniform(Random rng, int length, float lo = -1f, float hi = 1f)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = lo + (hi - lo) * rng.NextSingle();
        return values;
    }

    /// <summary>Uniform floats in [-1, 1) with about one in eight replaced by an exact ±0 (kinks of ReLU).</summary>
    public static float[] WithZeros(Random rng, int length)
    {
        float[] values = Uniform(rng, length);
        for (int i = 0; i < length; i++)
            if (rng.Next(8) == 0) values[i] = rng.Next(2) == 0 ? 0f : -0f;
        return values;
    }

    /// <summary>Names the forced path, the path actually taken, the seed and the shape, for failure messages.</summary>
    public static string Describe(SimdWidth width, int seed, string shape) =>
        $"path={width} (active {SimdPath.Active}), seed={seed}, {shape}";
}
