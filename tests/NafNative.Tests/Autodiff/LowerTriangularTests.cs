using NafNative.Autodiff;
using NUnit.Framework;

namespace NafNative.Tests.Autodiff;

/// <summary>The packed ↔ dense index maps of NAF's lower-triangular L.</summary>
public sealed class LowerTriangularTests
{
    [TestCase(0, 0)]
    [TestCase(1, 1)]
    [TestCase(3, 6)]
    [TestCase(6, 21)]
    public void EntryCount_N_IsTriangularNumber(int n, int expected) =>
        Assert.That(LowerTriangular.EntryCount(n), Is.EqualTo(expected));

    [Test]
    public void PackedIndex_RowByRow_CountsUpFromZero()
    {
        int t = 0;
        for (int i = 0; i < 5; i++)
            for (int j = 0; j <= i; j++)
                Assert.That(LowerTriangular.PackedIndex(i, j), Is.EqualTo(t++), $"L[{i}, {j}]");
    }

    [TestCase(1, 2)]
    [TestCase(2, -1)]
    public void PackedIndex_NotOnOrBelowDiagonal_ThrowsArgumentOutOfRange(int i, int j)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => LowerTriangular.PackedIndex(i, j));
        Assert.That(ex.Message, Does.Contain("LowerTriangular.PackedIndex").And.Contain($"({i}, {j})"));
    }

    [Test]
    public void GatherIndex_Three_LowerEntriesPackedUpperMinusOne()
    {
        Assert.That(LowerTriangular.GatherIndex(3), Is.EqualTo(new[]
        {
            0, -1, -1,
            1, 2, -1,
            3, 4, 5,
        }).AsCollection);
    }

    [Test]
    public void DiagonalIndex_Four_PicksDiagonalEntries() =>
        Assert.That(LowerTriangular.DiagonalIndex(4), Is.EqualTo(new[] { 0, 2, 5, 9 }).AsCollection);

    [Test]
    public void GatherIndex_Negative_ThrowsArgumentOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LowerTriangular.GatherIndex(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => LowerTriangular.DiagonalIndex(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => LowerTriangular.EntryCount(-1));
    }
}
