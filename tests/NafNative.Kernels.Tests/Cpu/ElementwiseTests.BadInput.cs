using NafNative.Kernels.Cpu;
using NUnit.Framework;

namespace NafNative.Kernels.Tests.Cpu;

public sealed partial class ElementwiseTests
{
    [TestCase("Add")]
    [TestCase("Subtract")]
    [TestCase("Multiply")]
    [TestCase("MultiplyAddTo")]
    public void BinaryOps_InputLengthsDiffer_ThrowsNamingOperationAndShapes(string op)
    {
        var ex = BadInput.AssertRejected(() => Binary(op)(new float[3], new float[4], new float[3]),
            "Elementwise." + op, "x has shape [3]", "y has shape [4]");
        Assert.That(ex.ParamName, Is.EqualTo("y"));
    }

    [TestCase("Add")]
    [TestCase("Subtract")]
    [TestCase("Multiply")]
    [TestCase("MultiplyAddTo")]
    public void BinaryOps_DestinationLengthDiffers_ThrowsNamingOperationAndShapes(string op)
    {
        var ex = BadInput.AssertRejected(() => Binary(op)(new float[5], new float[5], new float[2]),
            "Elementwise." + op, "x has shape [5]", "destination has shape [2]");
        Assert.That(ex.ParamName, Is.EqualTo("destination"));
    }

    [Test]
    public void Scale_LengthsDiffer_ThrowsNamingOperationAndShapes() =>
        BadInput.AssertRejected(() => Elementwise.Scale(2f, new float[6], new float[5]),
            "Elementwise.Scale", "x has shape [6]", "y has shape [5]");

    [Test]
    public void ScaleAddTo_LengthsDiffer_ThrowsNamingOperationAndShapes() =>
        BadInput.AssertRejected(() => Elementwise.ScaleAddTo(2f, new float[6], new float[7]),
            "Elementwise.ScaleAddTo", "x has shape [6]", "dst has shape [7]");

    [Test]
    public void AddRowVector_MatrixLengthNotRowsTimesCols_ThrowsNamingOperationAndShapes() =>
        BadInput.AssertRejected(() => Elementwise.AddRowVector(new float[11], new float[4], 3, 4),
            "Elementwise.AddRowVector", "y has shape [11]", "[3×4] = 12");

    [Test]
    public void AddRowVector_BiasLengthNotCols_ThrowsNamingOperationAndShapes() =>
        BadInput.AssertRejected(() => Elementwise.AddRowVector(new float[12], new float[3], 3, 4),
            "Elementwise.AddRowVector", "bias has shape [3]", "y's row has shape [4]");

    [Test]
    public void AddRowVector_NegativeRows_ThrowsNamingOperationAndShapes() =>
        BadInput.AssertRejected(() => Elementwise.AddRowVector([], new float[4], -1, 4),
            "Elementwise.AddRowVector", "[-1×4]");

    private static BinaryKernel Binary(string op) => op switch
    {
        "Add" => Elementwise.Add,
        "Subtract" => Elementwise.Subtract,
        "Multiply" => Elementwise.Multiply,
        _ => Elementwise.MultiplyAddTo,
    };
}
