using NafNative.Kernels.Cpu;
using NUnit.Framework;

namespace NafNative.Kernels.Tests.Cpu;

[TestFixture]
public sealed class PrefetchTests
{
    [Test]
    public void Lines_AnyRangeInside_LeavesValuesUnchanged()
    {
        var values = Enumerable.Range(0, 1000).Select(i => (float)i).ToArray();
        var copy = (float[])values.Clone();

        Prefetch.Lines<float>(values, 0, values.Length);
        Prefetch.Lines<float>(values, 999, 1);
        Prefetch.Lines<float>(values, 17, 0);

        Assert.That(values, Is.EqualTo(copy));
    }

    [TestCase(-1, 2)]
    [TestCase(999, 2)]
    [TestCase(1001, 0)]
    public void Lines_RangeOutside_ThrowsNamingIt(int start, int count)
    {
        var values = new float[1000];
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Prefetch.Lines<float>(values, start, count));
        Assert.That(e!.Message, Does.Contain("Prefetch.Lines"));
    }
}
