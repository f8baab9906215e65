using NafNative.Kernels.Cpu;
using NUnit.Framework;

namespace NafNative.Kernels.Tests.Cpu;

/// <summary>The shared argument checks and the messages every kernel's errors are built from.</summary>
public sealed class CheckTests
{
    [Test]
    public void Same_EqualLengths_DoesNotThrow() =>
        Assert.DoesNotThrow(() => Check.Same("Op", "a", 5, "b", 5));

    [Test]
    public void Same_LengthsDiffer_ThrowsNamingOperationBothNamesAndShapes()
    {
        var ex = BadInput.AssertRejected(() => Check.Same("Test.Op", "left", 2, "right", 3),
            "Test.Op", "left has shape [2]", "right has shape [3]", "must match");
        Assert.That(ex.ParamName, Is.EqualTo("right"));
    }

    [TestCase(0, 0, 5)]
    [TestCase(0, 5, 0)]
    [TestCase(12, 3, 4)]
    public void Matrix_LengthIsRowsTimesCols_DoesNotThrow(int length, int rows, int cols) =>
        Assert.DoesNotThrow(() => Check.Matrix("Op", "m", length, rows, cols));

    [TestCase(13, 3, 4, "[3×4] = 12")]
    [TestCase(11, 3, 4, "[3×4] = 12")]
    [TestCase(0, -1, 0, "[-1×0]")]
    [TestCase(0, 0, -1, "[0×-1]")]
    [TestCase(0, 65536, 65536, "[65536×65536] = 4294967296")] // the product overflows int: must be checked in 64 bits
    public void Matrix_LengthNotRowsTimesCols_ThrowsNamingOperationAndShapes(int length, int rows, int cols, string shape)
    {
        var ex = BadInput.AssertRejected(() => Check.Matrix("Test.Op", "weights", length, rows, cols),
            "Test.Op", $"weights has shape [{length}]", shape);
        Assert.That(ex.ParamName, Is.EqualTo("weights"));
    }

    [Test]
    public void Finite_AllFinite_DoesNotThrow() =>
        Assert.DoesNotThrow(() => Check.Finite("Op", "v", [0f, -0f, float.MaxValue, -float.MaxValue, float.Epsilon]));

    [Test]
    public void Finite_NaNAtIndex_ThrowsNamingOperationIndexAndShape() =>
        BadInput.AssertRejected(() => Check.Finite("Test.Op", "target", [1f, 2f, 3f, float.NaN]),
            "Test.Op", "target [4]", "NaN at index 3", "must be finite");
}
