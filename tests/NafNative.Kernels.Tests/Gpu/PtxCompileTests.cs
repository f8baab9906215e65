using System.Reflection;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using NafNative.Kernels.Gpu;
using NUnit.Framework;

namespace NafNative.Kernels.Tests.Gpu;

/// <summary>Every device kernel compiles to PTX for the H100/H200's sm_90, without a GPU: the CPU accelerator runs the
/// kernels' IL, so only this catches a construct or intrinsic ILGPU's CUDA backend cannot lower before a real device
/// run does. (ILGPU writes `.target sm_80` for SM_90 with PTX ISA 8.0; the driver JITs it for sm_90.)</summary>
[TestFixture]
public sealed class PtxCompileTests
{
    private static IEnumerable<TestCaseData> Kernels()
    {
        foreach (var type in new[] { typeof(GemmKernels), typeof(LayerKernels), typeof(NafKernels), typeof(LossKernels), typeof(OptimizerKernels) })
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Static))
                if (method.Name.EndsWith("Kernel", StringComparison.Ordinal))
                    yield return new TestCaseData(method).SetName($"Ptx_{type.Name}_{method.Name}_CompilesForSm90");
    }

    [TestCaseSource(nameof(Kernels))]
    public void Kernel_CompilesToPtxForSm90(MethodInfo kernel)
    {
        using var context = Context.Create(builder => builder.EnableAlgorithms());
        using var backend = new PTXBackend(context, new CudaCapabilityContext(CudaArchitecture.SM_90), CudaArchitecture.SM_90,
            CudaInstructionSet.ISA_80, nvvmAPI: null);
        bool grouped = kernel.GetParameters()[0].ParameterType == typeof(Index1D);
        var entry = grouped ? EntryPointDescription.FromImplicitlyGroupedKernel(kernel) : EntryPointDescription.FromExplicitlyGroupedKernel(kernel);

        var compiled = (PTXCompiledKernel)backend.Compile(entry, KernelSpecialization.Empty);

        Assert.That(compiled.PTXAssembly, Does.Contain(".visible .entry Kernel_").And.Contain(".target sm_"));
    }
}
