using System.CommandLine;
using NafNative.Kernels.Cpu;

namespace NafNative.Cli.Commands;

/// <summary>Options several commands share, each with a description and a default.</summary>
internal static class CommonOptions
{
    public static Option<bool> Json() => new("--json")
    {
        Description = "Print one JSON object on stdout and nothing else.",
    };

    public static Option<double> Seconds(double defaultSeconds)
    {
        var option = new Option<double>("--seconds")
        {
            Description = "How long to measure, in seconds (after a short warm-up).",
            DefaultValueFactory = _ => defaultSeconds,
        };
        option.Validators.Add(r =>
        {
            double s = r.GetValueOrDefault<double>();
            if (!(s > 0 && s <= 3600)) r.AddError($"--seconds must be in (0, 3600], got {s}.");
        });
        return option;
    }

    public static Option<SimdWidth> Simd() => new("--simd")
    {
        Description = "Widest SIMD path the kernels may take: Scalar, Vector256 or Vector512 (capped by the hardware).",
        DefaultValueFactory = _ => SimdWidth.Vector512,
    };

    public static Option<int> PositiveInt(string name, string description, int defaultValue)
    {
        var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(r =>
        {
            int v = r.GetValueOrDefault<int>();
            if (v <= 0) r.AddError($"{name} must be a positive integer, got {v}.");
        });
        return option;
    }

    /// <summary>Backends a training or benchmarking verb can run on.</summary>
    public static readonly string[] Backends = ["cpu", "gpu", "gpu-cpuaccel", "auto"];

    public static Option<string> Backend()
    {
        var option = new Option<string>("--backend")
        {
            Description = "Where updates run: cpu (SIMD), gpu (ILGPU on CUDA; an error if none), gpu-cpuaccel (ILGPU's CPU " +
                "accelerator: the GPU kernels, slowly), auto (CUDA if ILGPU finds one, else cpu).",
            DefaultValueFactory = _ => "cpu",
        };
        option.AcceptOnlyFromAmong(Backends);
        return option;
    }

    /// <summary>auto → gpu when ILGPU finds a CUDA device, else cpu; anything else unchanged.</summary>
    public static string ResolveBackend(string backend) =>
        backend == "auto" ? (NafNative.Naf.Gpu.GpuAccelerators.CudaAvailable() ? "gpu" : "cpu") : backend;

    /// <summary>The CPU in words: cores and the SIMD path the kernels take.</summary>
    public static string CpuDescription() => Learning.TrainingSession.CpuDescription();

    /// <summary>Chooses the CPU kernels' blocking for this process once (<see cref="Tuning.KernelTuning"/>: cached
    /// calibration, or NAFNATIVE_GEMM_PLAN), reporting a cache problem on <paramref name="error"/>.</summary>
    public static Tuning.KernelChoice TuneKernels(TextWriter error) => Tuning.KernelTuning.Apply(error.WriteLine);
}
