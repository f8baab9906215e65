using NafNative.Kernels.Cpu;
using NUnit.Framework;

namespace NafNative.Kernels.Tests.Cpu;

public sealed partial class OptimizersTests
{
    [TestCase(4, 3, 3, "gradients has shape [4]")]
    [TestCase(3, 2, 3, "m has shape [2]")]
    [TestCase(3, 3, 5, "v has shape [5]")]
    public void Adam_StateLengthDiffersFromParameters_ThrowsNamingOperationAndShapes(int gradients, int m, int v, string fragment) =>
        BadInput.AssertRejected(
            () => Optimizers.Adam(new float[3], new float[gradients], new float[m], new float[v], 1e-3f, 0.9f, 0.999f, 1e-8f, 1),
            "Optimizers.Adam", "parameters has shape [3]", fragment);

    [TestCase(0L)]
    [TestCase(-3L)]
    public void Adam_StepBelowOne_ThrowsOutOfRangeNamingOperation(long step)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(
            () => Optimizers.Adam(new float[3], new float[3], new float[3], new float[3], 1e-3f, 0.9f, 0.999f, 1e-8f, step));
        Assert.That(ex.Message, Does.StartWith("Optimizers.Adam:"));
        Assert.That(ex.ParamName, Is.EqualTo("step"));
    }

    [Test]
    public void Polyak_LengthsDiffer_ThrowsNamingOperationAndShapes() =>
        BadInput.AssertRejected(() => Optimizers.Polyak(new float[6], new float[5], 0.005f),
            "Optimizers.Polyak", "online has shape [6]", "target has shape [5]");
}
