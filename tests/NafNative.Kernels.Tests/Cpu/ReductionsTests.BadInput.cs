using NafNative.Kernels.Cpu;
using NUnit.Framework;

namespace NafNative.Kernels.Tests.Cpu;

public sealed partial class ReductionsTests
{
    [Test]
    public void Dot_LengthsDiffer_ThrowsNamingOperationAndShapes() =>
        BadInput.AssertRejected(() => Reductions.Dot(new float[8], new float[9]), "Reductions.Dot", "x has shape [8]", "y has shape [9]");

    [Test]
    public void SumRows_MatrixLengthNotRowsTimesCols_ThrowsNamingOperationAndShapes() =>
        BadInput.AssertRejected(() => Reductions.SumRows(new float[13], 3, 4, new float[3]),
            "Reductions.SumRows", "x has shape [13]", "[3×4] = 12");

    [Test]
    public void SumRows_DestinationLengthNotRows_ThrowsNamingOperationAndShapes() =>
        BadInput.AssertRejected(() => Reductions.SumRows(new float[12], 3, 4, new float[4]),
            "Reductions.SumRows", "dst has shape [4]", "x's rows has shape [3]");

    [Test]
    public void SumRows_NegativeColumns_ThrowsNamingOperationAndShapes() =>
        BadInput.AssertRejected(() => Reductions.SumRows([], 3, -2, new float[3]), "Reductions.SumRows", "[3×-2]");

    [Test]
    public void SumColumnsTo_MatrixLengthNotRowsTimesCols_ThrowsNamingOperationAndShapes() =>
        BadInput.AssertRejected(() => Reductions.SumColumnsTo(new float[11], 3, 4, new float[4]),
            "Reductions.SumColumnsTo", "x has shape [11]", "[3×4] = 12");

    [Test]
    public void SumColumnsTo_DestinationLengthNotCols_ThrowsNamingOperationAndShapes() =>
        BadInput.AssertRejected(() => Reductions.SumColumnsTo(new float[12], 3, 4, new float[3]),
            "Reductions.SumColumnsTo", "dst has shape [3]", "x's columns has shape [4]");

    [Test]
    public void SumColumnsTo_NegativeRows_ThrowsNamingOperationAndShapes() =>
        BadInput.AssertRejected(() => Reductions.SumColumnsTo([], -1, 4, new float[4]), "Reductions.SumColumnsTo", "[-1×4]");
}
