using System.Globalization;
using System.Text;
using NUnit.Framework;

namespace NafNative.Kernels.Tests.Cpu;

/// <summary>Element-by-element comparisons that report only the first few failures (one assert per span, not per
/// element, so long GEMM outputs stay fast).</summary>
internal static class Tolerance
{
    /// <summary>One float32 rounding step, 2⁻²³ (twice the unit roundoff: bounds are stated with a 2× margin).</summary>
    public const double Step = 1.0 / (1 << 23);

    /// <summary>Absolute slack for error bounds: far below any value the tests produce, it only absorbs
    /// underflow (whose rounding error is absolute, 2⁻¹⁴⁹, not relative).</summary>
    public const double Tiny = 1e-30;

    /// <summary>Distance in units in the last place; 0 for equal values (±0 count as equal) and for two NaNs.</summary>
    public static long UlpDistance(float a, float b)
    {
        if (float.IsNaN(a) || float.IsNaN(b)) return float.IsNaN(a) && float.IsNaN(b) ? 0 : long.MaxValue;
        return Math.Abs((long)Ordered(a) - Ordered(b));

        // Maps the float bit patterns onto integers in the same order as the floats (−0 and +0 both map to 0).
        static int Ordered(float x)
        {
            int bits = BitConverter.SingleToInt32Bits(x);
            return bits < 0 ? int.MinValue - bits : bits;
        }
    }

    /// <summary>Asserts every element of <paramref name="got"/> is within <paramref name="maxUlp"/> ulp of <paramref name="expected"/>.</summary>
    public static void AssertUlp(ReadOnlySpan<float> got, ReadOnlySpan<float> expected, int maxUlp, string context)
    {
        Assert.That(got.Length, Is.EqualTo(expected.Length), context);
        var report = new Report(context, got.Length);
        for (int i = 0; i < got.Length; i++)
        {
            long ulp = UlpDistance(got[i], expected[i]);
            if (ulp > maxUlp) report.Add(i, got[i], expected[i], $"{(ulp == long.MaxValue ? "NaN mismatch" : ulp + " ulp")} > {maxUlp} ulp");
        }
        report.AssertNone();
    }

    /// <summary>Asserts |got[i] − expected[i]| ≤ bound[i] for every i; a NaN in either side fails unless both are NaN.</summary>
    public static void AssertWithin(ReadOnlySpan<float> got, ReadOnlySpan<double> expected, ReadOnlySpan<double> bound, string context)
    {
        Assert.That(got.Length, Is.EqualTo(expected.Length), context);
        var report = new Report(context, got.Length);
        for (int i = 0; i < got.Length; i++)
            if (!IsWithin(got[i], expected[i], bound[i]))
                report.Add(i, got[i], expected[i], $"|diff| {Math.Abs(got[i] - expected[i]):G4} > bound {bound[i]:G4}");
        report.AssertNone();
    }

    /// <summary>Asserts |got − expected| ≤ bound for one scalar.</summary>
    public static void AssertWithin(float got, double expected, double bound, string context) =>
        Assert.That(IsWithin(got, expected, bound), Is.True,
            $"{context}: got {R(got)}, reference {R(expected)}, |diff| {Math.Abs(got - expected):G4} > bound {bound:G4}");

    private static bool IsWithin(float got, double expected, double bound)
    {
        if (double.IsNaN(expected) || float.IsNaN(got)) return double.IsNaN(expected) && float.IsNaN(got);
        if (double.IsInfinity(expected) || float.IsInfinity(got)) return got == expected;
        return Math.Abs(got - expected) <= bound;
    }

    private static string R(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Counts failures and keeps the first few, then asserts once.</summary>
    private sealed class Report(string context, int length)
    {
        private const int Shown = 5;
        private readonly StringBuilder _first = new();
        private int _failures;

        public void Add(int index, float got, double expected, string why)
        {
            if (_failures++ < Shown)
                _first.Append(CultureInfo.InvariantCulture, $"\n  [{index}] got {R(got)}, reference {R(expected)}: {why}");
        }

        public void AssertNone() =>
            Assert.That(_failures, Is.Zero, $"{context}: {_failures} of {length} elements out of tolerance; first:{_first}");
    }
}
