using NafNative.Kernels.Cpu;
using NUnit.Framework;

namespace NafNative.Kernels.Tests.Cpu;

/// <summary>The FMA peak loop: enough chains to hide FMA latency, few enough to stay in registers, on each path.</summary>
public sealed class FmaPeakTests
{
    // Latency × pipes on current x86: Intel 4 × 2, AMD Zen 2–4 5 × 2 (Zen 4's 512-bit FMAs go through both 256-bit pipes).
    private const int LatencyTimesPipes = 10;

    /// <summary>16 chains + 2 operands on AVX2's 16 ymm registers spilled, halving the measured peak, so GEMM read
    /// 129% "of peak" on a Zen 2 core.</summary>
    [TestCase(SimdWidth.Vector256, 16)]
    [TestCase(SimdWidth.Vector512, 32)]
    public void ChainsOf_FitTheRegisterFileAndCoverLatencyTimesPipes(SimdWidth width, int registers)
    {
        int chains = FmaPeak.ChainsOf(width);
        Assert.That(chains + 2, Is.LessThanOrEqualTo(registers), $"{chains} accumulators + a and b must fit {registers} registers");
        Assert.That(chains, Is.GreaterThanOrEqualTo(LatencyTimesPipes), "fewer chains than latency × pipes leave FMA pipes idle");
    }

    [TestCase(SimdWidth.Scalar)]
    [TestCase(SimdWidth.Vector256)]
    [TestCase(SimdWidth.Vector512)]
    public void Run_EachPath_MatchesTheChainsClosedForm(SimdWidth width)
    {
        if (SimdPath.Hardware < width) Assert.Ignore($"this CPU does not accelerate {width}");
        using var _ = SimdPath.Force(width);
        const long iterations = 1000;
        // Each chain: c ← a·c + b from c₀ = 0.1·(1 + j mod 8), a = 0.999999, b = 1e-6; after n steps c = aⁿc₀ + b(1 − aⁿ)/(1 − a).
        double a = 0.999999f, b = 1e-6f, an = Math.Pow(a, iterations), expected = 0;
        int chains = FmaPeak.ChainsOf(width), lanes = FmaPeak.LanesOf(width);
        for (int j = 0; j < chains; j++)
        {
            double c0 = width == SimdWidth.Scalar ? 0.1 * (j + 1) : 0.1 * (1 + j % 8);
            expected += lanes * (an * (float)c0 + b * (1 - an) / (1 - a));
        }
        Assert.That(FmaPeak.Run(iterations), Is.EqualTo(expected).Within(1e-4 * expected), "every chain ran every iteration");
        Assert.That(FmaPeak.Flops(iterations, width), Is.EqualTo(2.0 * chains * lanes * iterations));
    }
}
