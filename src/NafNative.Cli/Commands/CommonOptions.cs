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
}
