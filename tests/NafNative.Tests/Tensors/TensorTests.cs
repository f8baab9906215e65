using NafNative.Tensors;
using NUnit.Framework;

namespace NafNative.Tests.Tensors;

public sealed class TensorTests
{
    [Test]
    public void Indexer_RowMajorView_ReadsAndWritesSharedStorage()
    {
        var storage = new float[] { 0, 1, 2, 3, 4, 5, 6, 7, 8 };
        var tensor = new Tensor(storage, 2, new Shape(2, 3));
        Assert.That(tensor[1, 0], Is.EqualTo(5f));
        Assert.That(tensor.Row(1).ToArray(), Is.EqualTo(new float[] { 5, 6, 7 }).AsCollection);
        Assert.That(tensor.Span.ToArray(), Is.EqualTo(new float[] { 2, 3, 4, 5, 6, 7 }).AsCollection);
        tensor[0, 2] = -1;
        Assert.That(storage[4], Is.EqualTo(-1f), "a view, not a copy");
    }

    [Test]
    public void Constructor_Shape_ZeroedOwnStorage()
    {
        var tensor = new Tensor(3, 5);
        Assert.That(tensor.Shape, Is.EqualTo(new Shape(3, 5)));
        Assert.That(tensor.Length, Is.EqualTo(15));
        Assert.That(tensor.Span.ToArray(), Is.All.EqualTo(0f));
        Assert.That(tensor.ToString(), Is.EqualTo("Tensor [3×5]"));
    }

    [TestCase(5, 10)]
    [TestCase(-1, 10)]
    [TestCase(0, 5)]
    public void Constructor_ViewPastStorage_ThrowsArgumentExceptionNamingShapeAndSizes(int offset, int storageLength)
    {
        var ex = Assert.Throws<ArgumentException>(() => _ = new Tensor(new float[storageLength], offset, new Shape(2, 3)));
        Assert.That(ex.Message, Does.Contain("[2×3]").And.Contain($"offset {offset}").And.Contain($"has {storageLength}"));
        Assert.That(ex.ParamName, Is.EqualTo("data"));
    }

    [Test]
    public void Constructor_NullStorage_ThrowsArgumentNull() =>
        Assert.Throws<ArgumentNullException>(() => _ = new Tensor(null!, 0, new Shape(1, 1)));

    [TestCase(2, 0)]
    [TestCase(0, 3)]
    [TestCase(-1, 0)]
    public void Indexer_OutOfRange_ThrowsArgumentOutOfRange(int row, int col)
    {
        var tensor = new Tensor(2, 3);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => _ = tensor[row, col]);
        Assert.That(ex.Message, Does.Contain("[2×3]").And.Contain($"({row}, {col})"));
    }

    [Test]
    public void Indexer_ColumnPastRowInsideStorage_Throws()
    {
        // (0, 3) of a [2×3] view would land on element (1, 0) if only the flat index were checked.
        var tensor = new Tensor(new float[12], 0, new Shape(2, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => tensor[0, 3] = 1);
    }

    [Test]
    public void Row_OutOfRange_ThrowsArgumentOutOfRange()
    {
        var tensor = new Tensor(2, 3);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => tensor.Row(2));
        Assert.That(ex.Message, Does.Contain("[2×3]").And.Contain("row 2"));
    }

    [Test]
    public void CopyFrom_WrongLength_ThrowsArgumentExceptionNamingBoth()
    {
        var tensor = new Tensor(2, 3);
        var ex = Assert.Throws<ArgumentException>(() => tensor.CopyFrom(new float[5]));
        Assert.That(ex.Message, Does.Contain("Tensor.CopyFrom").And.Contain("[5]").And.Contain("[2×3]"));
    }

    [Test]
    public void CopyFrom_SameLength_CopiesIntoView()
    {
        var storage = new float[8];
        var tensor = new Tensor(storage, 1, new Shape(3, 2));
        tensor.CopyFrom([1, 2, 3, 4, 5, 6]);
        Assert.That(storage, Is.EqualTo(new float[] { 0, 1, 2, 3, 4, 5, 6, 0 }).AsCollection);
    }
}
