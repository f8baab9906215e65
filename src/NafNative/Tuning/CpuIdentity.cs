using System.Runtime.InteropServices;
using NafNative.Kernels.Cpu;

namespace NafNative.Tuning;

/// <summary>What names a CPU for kernel tuning: its model name, its family/model/stepping (a VM may call a Zen 2 and a
/// Zen 4 both "AMD EPYC") and the SIMD width the kernels may use.</summary>
public static class CpuIdentity
{
    /// <summary>The CPU's model name from /proc/cpuinfo, else the process architecture.</summary>
    public static string ModelName => Field("model name") ?? RuntimeInformation.ProcessArchitecture.ToString();

    /// <summary>The key a tuning cache files a CPU under, e.g. <c>AMD EPYC | family 23 model 49 stepping 0 | Vector256</c>.</summary>
    public static string Key =>
        $"{ModelName} | family {Field("cpu family") ?? "?"} model {Field("model") ?? "?"} stepping {Field("stepping") ?? "?"} | {SimdPath.Hardware}";

    private static string? Field(string name)
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
            {
                int colon = line.IndexOf(':');
                if (colon > 0 && line.AsSpan(0, colon).Trim().SequenceEqual(name)) return line[(colon + 1)..].Trim();
                if (line.Length == 0) break; // the first processor's block is enough
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return null;
    }
}
