using System.CommandLine;
using NafNative.Cli.Bench;
using NafNative.Kernels.Cpu;
using NafNative.Naf.Gpu;

namespace NafNative.Cli.Commands;

/// <summary><c>naf devices</c>: what the backends can run on — every device ILGPU finds (CUDA, OpenCL, its CPU
/// accelerator) and the host CPU with its SIMD width.</summary>
internal static class DevicesCommand
{
    public static Command Create()
    {
        var json = CommonOptions.Json();
        var command = new Command("devices", "List the devices ILGPU finds (name, memory, type) and the CPU (cores, SIMD width).") { json };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            IReadOnlyList<GpuAccelerators.DeviceInfo> devices;
            try
            {
                devices = GpuAccelerators.List();
            }
            catch (Exception e) when (e is InvalidOperationException or DllNotFoundException or NotSupportedException)
            {
                parse.InvocationConfiguration.Error.WriteLine($"devices: ILGPU could not enumerate devices: {e.Message}");
                devices = [];
            }
            var ilgpu = new IlgpuDevice[devices.Count];
            bool cuda = false;
            for (int i = 0; i < devices.Count; i++)
            {
                var d = devices[i];
                cuda |= d.Type == "Cuda";
                ilgpu[i] = new IlgpuDevice(d.Name, d.Type, d.Type == "CPU" ? null : d.MemoryBytes, d.Multiprocessors, d.MaxThreadsPerGroup, d.WarpSize);
            }
            int simdBits = SimdPath.Hardware switch { SimdWidth.Vector512 => 512, SimdWidth.Vector256 => 256, _ => 32 };
            var cpu = new CpuDevice(Tuning.CpuIdentity.ModelName, Environment.ProcessorCount, SimdPath.Hardware.ToString(), simdBits, simdBits / 32);
            Tuning.KernelChoice kernels;
            try
            {
                kernels = CommonOptions.TuneKernels(parse.InvocationConfiguration.Error);
            }
            catch (ArgumentException e)
            {
                parse.InvocationConfiguration.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
            var chosen = new KernelsChosen(Gemm.ActivePlan(SimdPath.Active).ToString(), kernels.Source.ToString().ToLowerInvariant(), kernels.Why,
                kernels.CpuKey, kernels.Timings);
            var result = new DevicesResult(ilgpu, cpu, cuda, cuda ? "gpu" : "cpu", chosen);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(output, result);
                return 0;
            }
            output.WriteLine($"CPU: {cpu.Model}, {cpu.Cores} cores, SIMD {cpu.Simd} ({cpu.SimdBits}-bit, {cpu.FloatsPerVector} floats)");
            output.WriteLine($"CPU kernels: GEMM plan {chosen.GemmPlan} ({chosen.Source}: {chosen.Why}); set {Tuning.KernelTuning.Variable} to rule, calibrate or a plan to change it");
            foreach (var t in chosen.Timings)
                output.WriteLine($"  {t.Plan,-6} {t.Microseconds,8:F1} µs per pass, {t.Gflops,6:F1} GFLOP/s{(t.Plan == chosen.GemmPlan ? "  <- chosen" : "")}");
            foreach (var d in ilgpu)
                output.WriteLine($"ILGPU {d.Type}: {d.Name}, memory {(d.MemoryBytes is long m ? $"{m / (1024.0 * 1024 * 1024):F1} GiB" : "host")}, " +
                    $"{d.Multiprocessors} multiprocessors, {d.MaxThreadsPerGroup} threads/group, warp {d.WarpSize}");
            output.WriteLine($"--backend auto picks: {result.AutoBackend}{(cuda ? "" : " (no CUDA device found)")}");
            return 0;
        });
        return command;
    }

    private sealed record IlgpuDevice(string Name, string Type, long? MemoryBytes, int Multiprocessors, int MaxThreadsPerGroup, int WarpSize);

    private sealed record CpuDevice(string Model, int Cores, string Simd, int SimdBits, int FloatsPerVector);

    private sealed record KernelsChosen(string GemmPlan, string Source, string Why, string CpuKey, IReadOnlyList<Tuning.GemmCalibration.Timing> Timings);

    private sealed record DevicesResult(IlgpuDevice[] Ilgpu, CpuDevice Cpu, bool CudaAvailable, string AutoBackend, KernelsChosen Kernels);
}
