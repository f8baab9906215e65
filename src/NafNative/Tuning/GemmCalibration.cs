using System.Diagnostics;
using NafNative.Kernels.Cpu;

namespace NafNative.Tuning;

/// <summary>Picks the <see cref="GemmPlan"/> that runs the NAF update's products fastest on this CPU: each candidate
/// times the same workload (GEMM 64×100·100×100 in the three forms back-propagation uses, and 256×100·100×100 NN),
/// best of several trials, and the fastest total wins.</summary>
/// <remarks>A short measurement (about 40 ms per candidate on a 2-core EPYC): run it where the core is not shared with
/// a busy process, since what it measures is the plan, and a busy core makes every plan look slow at random.
/// Results are cached per CPU (<see cref="KernelTuning"/>) so it runs once per machine.</remarks>
public static class GemmCalibration
{
    /// <summary>One candidate's measured time per workload pass (µs, best of the trials) and its GFLOP/s there.</summary>
    public sealed record Timing(string Plan, double Microseconds, double Gflops);

    /// <summary>What a calibration measured and chose.</summary>
    public sealed record Result(string Plan, IReadOnlyList<Timing> Timings, string Simd);

    private static readonly (int M, int N, int K, int Form)[] Workload = [(64, 100, 100, 0), (64, 100, 100, 1), (64, 100, 100, 2), (256, 100, 100, 0)];

    /// <summary>Times every candidate of the active SIMD width (<paramref name="trials"/> trials each) and returns the
    /// fastest, or the rule's plan unless another beats it by <see cref="RuleMargin"/>; the process-wide
    /// <see cref="Gemm.Plan"/> is left as it was.</summary>
    public static Result Run(int trials = 5, IReadOnlyList<GemmPlan>? candidates = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trials, 1);
        var width = SimdPath.Active;
        candidates ??= GemmPlan.Candidates(width);
        if (candidates.Count == 0) throw new ArgumentException("GemmCalibration: no candidate plans.", nameof(candidates));
        var random = new Random(1);
        float[] a = Fill(new float[256 * 100], random), b = Fill(new float[100 * 100], random), c = new float[256 * 100];
        double flops = Workload.Sum(w => Gemm.Flops(w.M, w.N, w.K));
        double[] best = new double[candidates.Count];
        Array.Fill(best, double.MaxValue);
        var previous = Gemm.Plan;
        try
        {
            foreach (var plan in candidates)
            {
                Gemm.Plan = plan;
                Pass(a, b, c, 20); // warm-up: JIT, caches
            }
            // Round-robin: each trial times every candidate once, so a burst of load from another process slows one
            // trial of each rather than every trial of one plan; the best trial of each is what the plan can do.
            for (int t = 0; t < trials; t++)
                for (int i = 0; i < candidates.Count; i++)
                {
                    Gemm.Plan = candidates[i];
                    long start = Stopwatch.GetTimestamp();
                    Pass(a, b, c, 20);
                    best[i] = Math.Min(best[i], Stopwatch.GetElapsedTime(start).TotalSeconds / 20);
                }
        }
        finally
        {
            Gemm.Plan = previous;
        }
        var timings = candidates.Select((plan, i) => new Timing(plan.ToString(), best[i] * 1e6, flops / best[i] / 1e9)).ToArray();
        // The rule's plan stays unless another is clearly faster: a few percent is within what a shared core varies.
        var fastest = timings.MinBy(t => t.Microseconds)!;
        var rule = timings.FirstOrDefault(t => t.Plan == GemmPlan.Rule(width).ToString());
        var chosen = rule is not null && fastest.Microseconds > rule.Microseconds / (1 + RuleMargin) ? rule : fastest;
        return new Result(chosen.Plan, timings, width.ToString());
    }

    /// <summary>How much faster (fraction) another plan must be than the rule's to replace it: 3%.</summary>
    public const double RuleMargin = 0.03;

    private static void Pass(float[] a, float[] b, float[] c, int repeats)
    {
        for (int r = 0; r < repeats; r++)
            foreach (var (m, n, k, form) in Workload)
                switch (form)
                {
                    case 0: Gemm.MatMul(a.AsSpan(0, m * k), b.AsSpan(0, k * n), c.AsSpan(0, m * n), m, n, k); break;
                    case 1: Gemm.MatMulTransposeB(a.AsSpan(0, m * k), b.AsSpan(0, n * k), c.AsSpan(0, m * n), m, n, k); break;
                    default: Gemm.MatMulTransposeA(a.AsSpan(0, k * m), b.AsSpan(0, k * n), c.AsSpan(0, m * n), m, n, k); break;
                }
    }

    private static float[] Fill(float[] values, Random random)
    {
        for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 2 - 1) * 0.01f;
        return values;
    }
}
