namespace NafNative.Learning.Exploration;

/// <summary>N(0, 1) samples by the Box–Muller transform (one of the pair is used: simple and allocation-free).</summary>
internal static class StandardNormal
{
    public static float Sample(Random random)
    {
        double u1 = 1.0 - random.NextDouble(); // (0, 1]: log is finite
        double u2 = random.NextDouble();
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
    }
}
