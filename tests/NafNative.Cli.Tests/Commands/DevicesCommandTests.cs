using System.Text.Json;
using NafNative.TestSupport;
using NUnit.Framework;

namespace NafNative.Cli.Tests.Commands;

/// <summary><c>naf devices</c> and <c>naf bench update --backend …</c>: the GPU backend's command-line surface.</summary>
[TestFixture]
public sealed class DevicesCommandTests
{
    [Test]
    public void Devices_Json_ListsIlgpuCpuAcceleratorAndHostCpu()
    {
        var (exit, stdout, stderr) = CliRunner.Run("devices", "--json");

        Assert.That(exit, Is.Zero, stderr);
        Assert.That(stdout.Trim().Split('\n'), Has.Length.EqualTo(1), "--json prints exactly one line");
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        var devices = root.GetProperty("ilgpu").EnumerateArray().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(devices.Any(d => d.GetProperty("type").GetString() == "CPU"), Is.True, "ILGPU always offers its CPU accelerator");
            Assert.That(devices.All(d => d.GetProperty("name").GetString()!.Length > 0), Is.True);
            Assert.That(root.GetProperty("cpu").GetProperty("cores").GetInt32(), Is.EqualTo(Environment.ProcessorCount));
            Assert.That(root.GetProperty("cpu").GetProperty("simd_bits").GetInt32(), Is.AnyOf(32, 256, 512));
            bool cuda = root.GetProperty("cuda_available").GetBoolean();
            Assert.That(root.GetProperty("auto_backend").GetString(), Is.EqualTo(cuda ? "gpu" : "cpu"));
            var kernels = root.GetProperty("kernels");
            Assert.That(Kernels.Cpu.GemmPlan.Parse(kernels.GetProperty("gemm_plan").GetString()!), Is.EqualTo(Kernels.Cpu.Gemm.ActivePlan(Kernels.Cpu.SimdPath.Active)),
                "devices reports the plan the kernels use");
            Assert.That(kernels.GetProperty("source").GetString(), Is.AnyOf("rule", "forced", "cached", "calibrated"));
            Assert.That(kernels.GetProperty("why").GetString(), Is.Not.Empty);
        });
    }

    [Test]
    public void Devices_Text_NamesCpuAndAutoChoice()
    {
        var (exit, stdout, _) = CliRunner.Run("devices");

        Assert.That(exit, Is.Zero);
        Assert.That(stdout, Does.Contain("CPU:").And.Contain("ILGPU CPU").And.Contain("--backend auto picks").And.Contain("CPU kernels: GEMM plan"));
    }

    [Test]
    public void BenchUpdate_GpuCpuAccelerator_ReportsBackendDeviceAndCpuFields()
    {
        var (exit, stdout, stderr) = CliRunner.Run("bench", "update", "--backend", "gpu-cpuaccel", "--batch", "4", "--hidden", "8",
            "--seconds", "0.2", "--json");

        Assert.That(exit, Is.Zero, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("backend").GetString(), Is.EqualTo("gpu-cpuaccel"));
            Assert.That(root.GetProperty("device").GetString(), Does.Contain("CPUAccelerator"));
            Assert.That(root.GetProperty("updates_per_s").GetDouble(), Is.GreaterThan(0));
            Assert.That(root.GetProperty("gflops").GetDouble(), Is.GreaterThan(0));
            Assert.That(root.GetProperty("fraction_of_peak").GetDouble(), Is.GreaterThan(0));
            Assert.That(root.TryGetProperty("allocated_bytes_per_update", out _), Is.True);
            Assert.That(root.GetProperty("batch").GetInt32(), Is.EqualTo(4));
        });
    }

    [Test]
    public void BenchUpdate_GpuWithoutCuda_FailsWithoutFallback()
    {
        CudaTestGuard.RequireNoCuda();

        var (exit, stdout, stderr) = CliRunner.Run("bench", "update", "--backend", "gpu", "--batch", "4", "--seconds", "0.05", "--json");

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1));
            Assert.That(stderr, Does.Contain("CUDA").And.Contain("found none"));
            Assert.That(stdout, Is.Empty, "nothing is measured on another backend");
        });
    }

    [Test]
    public void BenchUpdate_UnknownBackend_FailsNamingIt()
    {
        var (exit, _, stderr) = CliRunner.Run("bench", "update", "--backend", "tpu");

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("tpu"));
    }

    [Test]
    public void BenchUpdate_MoreThanOneThread_FailsSayingWhy()
    {
        var (exit, _, stderr) = CliRunner.Run("bench", "update", "--threads", "4");

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("--threads 4").And.Contain("one learner thread"));
    }

    [Test]
    public void BenchUpdate_CpuBackend_ReportsCpuDevice()
    {
        var (exit, stdout, stderr) = CliRunner.Run("bench", "update", "--backend", "cpu", "--threads", "1", "--batch", "4", "--hidden", "8", "--seconds", "0.05", "--json");

        Assert.That(exit, Is.Zero, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.That(doc.RootElement.GetProperty("backend").GetString(), Is.EqualTo("cpu"));
        Assert.That(doc.RootElement.GetProperty("device").GetString(), Does.StartWith("CPU"));
    }
}
