using System.Numerics.Tensors;

namespace NafNative.Cli.Bench;

/// <summary>The streaming bandwidth one core reaches over a given working set: x = x·y + z over three arrays of
/// that set's size (TensorPrimitives.FusedMultiplyAdd, 16 bytes moved per element), the best of several windows.</summary>
/// <remarks>The yardstick for the update's memory-bound phases (Adam, Polyak, clearing the gradient): at the size of
/// their parameter vectors, so a set that fits in L2 is compared with L2's rate, not DRAM's.</remarks>
internal static class BandwidthMeter
{
    private const int MaxWindows = 8;

    /// <summary>GB/s over <paramref name="floats"/> floats per array, measured for about <paramref name="seconds"/>.</summary>
    public static double MeasureGBs(int floats, double seconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(floats, 1);
        var random = new Random(3);
        float[] x = new float[floats], y = new float[floats], z = new float[floats];
        for (int i = 0; i < floats; i++)
        {
            x[i] = (float)random.NextDouble();
            y[i] = 1f; // x stays bounded: x·1 + z, with z tiny
            z[i] = 1e-7f;
        }
        int windows = Math.Clamp((int)(seconds / 0.05), 1, MaxWindows);
        double best = 0;
        for (int w = 0; w < windows; w++)
        {
            var (calls, elapsed) = Measurement.Run(n =>
            {
                for (long i = 0; i < n; i++) TensorPrimitives.FusedMultiplyAdd(x, y, z, x);
            }, seconds / windows);
            best = Math.Max(best, 16.0 * floats * calls / elapsed / 1e9);
        }
        return best;
    }
}
