using NafNative.Tensors;
using NUnit.Framework;

namespace NafNative.Tests.Tensors;

public sealed class ShapeTests
{
    [TestCase(3, 5, 15)]
    [TestCase(0, 7, 0)]
    [TestCase(1, 17, 17)]
    public void Length_RowsAndCols_IsTheirProduct(int rows, int cols, int length) =>
        Assert.That(new Shape(rows, cols).Length, Is.EqualTo(length));

    [Test]
    public void ToString_Shape_PrintsRowsTimesCols() => Assert.That(new Shape(3, 5).ToString(), Is.EqualTo("[3×5]"));

    [Test]
    public void ScalarAndVector_Factories_AreOneRow()
    {
        Assert.That(Shape.Scalar, Is.EqualTo(new Shape(1, 1)));
        Assert.That(Shape.Vector(17), Is.EqualTo(new Shape(1, 17)));
    }

    [TestCase(-1, 3, "rows")]
    [TestCase(3, -2, "cols")]
    public void Constructor_NegativeDimension_ThrowsArgumentOutOfRangeNamingIt(int rows, int cols, string param)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => _ = new Shape(rows, cols));
        Assert.That(ex.ParamName, Is.EqualTo(param));
        Assert.That(ex.Message, Does.Contain($"[{rows}×{cols}]"));
    }
}
