using System.CommandLine;
using NafNative.Cli.Bench;
using NafNative.Kernels.Cpu;

namespace NafNative.Cli.Commands;

/// <summary><c>naf bench gemm</c>: GEMM throughput at one shape, as GFLOP/s and as a fraction of the measured peak.</summary>
internal static class BenchGemmCommand
{
    /// <summary>The three products back-propagation needs.</summary>
    public enum Form
    {
        /// <summary>C += A[m×k]·B[k×n] (forward).</summary>
        NN,
        /// <summary>C += A[m×k]·B[n×k]ᵀ (input gradient).</summary>
        NT,
        /// <summary>C += A[k×m]ᵀ·B[k×n] (weight gradient).</summary>
        TN,
    }

    public static Command Create()
    {
        var m = CommonOptions.PositiveInt("--m", "Rows of C (the batch size in a forward pass).", 256);
        var n = CommonOptions.PositiveInt("--n", "Columns of C (a layer's outputs).", 100);
        var k = CommonOptions.PositiveInt("--k", "Inner dimension (a layer's inputs).", 100);
        var form = new Option<Form>("--form") { Description = "NN: C += A·B; NT: C += A·Bᵀ; TN: C += Aᵀ·B.", DefaultValueFactory = _ => Form.NN };
        var seconds = CommonOptions.Seconds(2.0);
        var simd = CommonOptions.Simd();
        var json = CommonOptions.Json();
        var plan = new Option<string>("--plan")
        {
            Description = "GEMM blocking: auto (this CPU's calibrated choice, as training uses), rule, a plan VECTORSxDEPTH (e.g. 3x128), " +
                          "or all (every candidate of the SIMD width, one line each).",
            DefaultValueFactory = _ => "auto",
        };
        var command = new Command("gemm", "Measure single-core GEMM GFLOP/s and its fraction of the FMA peak.") { m, n, k, form, seconds, simd, plan, json };
        command.SetAction(parse =>
        {
            using var _ = SimdPath.Force(parse.GetValue(simd));
            int mm = parse.GetValue(m), nn = parse.GetValue(n), kk = parse.GetValue(k);
            Form f = parse.GetValue(form);
            double secs = parse.GetValue(seconds);
            GemmPlan?[] plans;
            try
            {
                plans = parse.GetValue(plan)!.Trim() switch
                {
                    "auto" => [CommonOptions.TuneKernels(parse.InvocationConfiguration.Error).Plan],
                    "rule" => [GemmPlan.Rule(SimdPath.Active)],
                    "all" => [.. GemmPlan.Candidates(SimdPath.Active).Select(p => (GemmPlan?)p)],
                    var text => [GemmPlan.Parse(text)],
                };
            }
            catch (ArgumentException e)
            {
                parse.InvocationConfiguration.Error.WriteLine($"error: --plan: {e.Message}");
                return 1;
            }
            if (plans.Length == 0) plans = [null]; // the scalar path has no blocking to choose
            double peak = PeakMeter.MeasureGflops(Math.Min(1.0, secs / 2));
            var results = new List<GemmResult>();
            foreach (var p in plans)
            {
                using var scope = Gemm.UsePlan(p);
                double gflops = MeasureGemm(f, mm, nn, kk, secs / plans.Length, out long calls);
                var result = new GemmResult(mm, nn, kk, f.ToString(), SimdPath.Active.ToString(), Gemm.ActivePlan(SimdPath.Active).ToString(),
                    gflops, peak, gflops / peak, calls);
                results.Add(result);
                if (!parse.GetValue(json))
                    parse.InvocationConfiguration.Output.WriteLine(
                        $"gemm {f} m={mm} n={nn} k={kk} ({result.Simd}, plan {result.Plan}): {gflops:F1} GFLOP/s = {100 * result.FractionOfPeak:F1}% of peak {peak:F1} GFLOP/s ({calls} calls)");
            }
            if (parse.GetValue(json))
            {
                if (results.Count == 1) JsonOutput.Write(parse.InvocationConfiguration.Output, results[0]);
                else JsonOutput.Write(parse.InvocationConfiguration.Output, results);
            }
            return 0;
        });
        return command;
    }

    private static double MeasureGemm(Form form, int m, int n, int k, double seconds, out long calls)
    {
        var random = new Random(1);
        float[] a = Fill(new float[m * k], random), b = Fill(new float[k * n], random), c = new float[m * n];
        Action<long> work = form switch
        {
            Form.NT => count => { for (long i = 0; i < count; i++) Gemm.MatMulTransposeB(a, b, c, m, n, k); },
            Form.TN => count => { for (long i = 0; i < count; i++) Gemm.MatMulTransposeA(a, b, c, m, n, k); },
            _ => count => { for (long i = 0; i < count; i++) Gemm.MatMul(a, b, c, m, n, k); },
        };
        var (done, elapsed) = Measurement.Run(work, seconds);
        calls = done;
        return Gemm.Flops(m, n, k) * done / elapsed / 1e9;
    }

    private static float[] Fill(float[] values, Random random)
    {
        for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 2 - 1) * 0.01f;
        return values;
    }

    private sealed record GemmResult(int M, int N, int K, string Form, string Simd, string Plan, double Gflops, double PeakGflops,
        double FractionOfPeak, long Calls);
}
