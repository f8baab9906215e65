namespace NafNative.Tests;

/// <summary>Seeds and random inputs shared by the engine fixtures.</summary>
internal static class TestData
{
    /// <summary>Base seed; every test derives its own from it and prints the result on failure.</summary>
    public const int BaseSeed = 20_250_617;

    /// <summary>A seed unique to a test and its shape, printable in a failure message.</summary>
    public static int SeedFor(int salt, int a = 0, int b = 0, int c = 0) =>
        unchecked(BaseSeed + salt * 1_000_003 + a * 10_007 + b * 101 + c);

    /// <summary>Uniform floats in [lo, hi).</summary>
    public static float[] Uniform(Random rng, int length, float lo = -1f, float hi = 1f)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = lo + (hi - lo) * rng.NextSingle();
        return values;
    }

    /// <summary>Floats with |x| in [min, max) and a random sign: inputs kept clear of ReLU's kink at 0.</summary>
    public static float[] AwayFromZero(Random rng, int length, float min = 0.02f, float max = 1f)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            float magnitude = min + (max - min) * rng.NextSingle();
            values[i] = rng.Next(2) == 0 ? -magnitude : magnitude;
        }
        return values;
    }

    /// <summary>The same values in double precision (exactly: every float is a double).</summary>
    public static double[] Widen(ReadOnlySpan<float> values)
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = values[i];
        return result;
    }
}
