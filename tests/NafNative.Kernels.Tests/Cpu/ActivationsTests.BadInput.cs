using NafNative.Kernels.Cpu;
using NUnit.Framework;

namespace NafNative.Kernels.Tests.Cpu;

public sealed partial class ActivationsTests
{
    [Test]
    public void Relu_LengthsDiffer_ThrowsNamingOperationAndShapes() =>
        BadInput.AssertRejected(() => Activations.Relu(new float[3], new float[2]), "Activations.Relu", "x has shape [3]", "y has shape [2]");

    [Test]
    public void Tanh_LengthsDiffer_ThrowsNamingOperationAndShapes() =>
        BadInput.AssertRejected(() => Activations.Tanh(new float[3], new float[4]), "Activations.Tanh", "x has shape [3]", "y has shape [4]");

    [Test]
    public void Exp_LengthsDiffer_ThrowsNamingOperationAndShapes() =>
        BadInput.AssertRejected(() => Activations.Exp(new float[5], new float[4]), "Activations.Exp", "x has shape [5]", "y has shape [4]");

    [TestCase("ReluBackward", "x")]
    [TestCase("TanhBackward", "y")]
    [TestCase("ExpBackward", "y")]
    public void Backward_GradientLengthDiffers_ThrowsNamingOperationAndShapes(string op, string input) =>
        BadInput.AssertRejected(() => Backward(op)(new float[6], new float[5], new float[6]),
            "Activations." + op, $"{input} has shape [6]", "dy has shape [5]");

    [TestCase("ReluBackward", "x")]
    [TestCase("TanhBackward", "y")]
    [TestCase("ExpBackward", "y")]
    public void Backward_DestinationLengthDiffers_ThrowsNamingOperationAndShapes(string op, string input) =>
        BadInput.AssertRejected(() => Backward(op)(new float[6], new float[6], new float[7]),
            "Activations." + op, $"{input} has shape [6]", "dx has shape [7]");

    private delegate void BackwardKernel(ReadOnlySpan<float> input, ReadOnlySpan<float> dy, Span<float> dx);

    private static BackwardKernel Backward(string op) => op switch
    {
        "ReluBackward" => Activations.ReluBackward,
        "TanhBackward" => Activations.TanhBackward,
        _ => Activations.ExpBackward,
    };
}
