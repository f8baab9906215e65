using System.Runtime.Intrinsics;
using NafNative.Kernels.Cpu;
using NUnit.Framework;

namespace NafNative.Kernels.Tests.Cpu;

/// <summary>The process-wide SIMD ceiling that every other fixture forces.</summary>
public sealed class SimdPathTests
{
    private SimdWidth _maxBefore;

    [SetUp]
    public void RememberMax() => _maxBefore = SimdPath.Max;

    [TearDown]
    public void RestoreMax() => SimdPath.Max = _maxBefore;

    [Test]
    public void Max_Default_IsWidest()
    {
        // Every fixture restores the ceiling when its scope ends, so the default is still in place.
        Assert.That(SimdPath.Max, Is.EqualTo(SimdWidth.Vector512));
    }

    [Test]
    public void Hardware_OnThisMachine_MatchesWidestAcceleratedVector()
    {
        SimdWidth expected = Vector512.IsHardwareAccelerated ? SimdWidth.Vector512
            : Vector256.IsHardwareAccelerated ? SimdWidth.Vector256 : SimdWidth.Scalar;

        Assert.That(SimdPath.Hardware, Is.EqualTo(expected));
        if (SimdPath.Hardware < SimdWidth.Vector512)
            Assert.Warn($"This CPU accelerates only {SimdPath.Hardware}: the forced-Vector512 fixtures ran a narrower path.");
    }

    [Test]
    public void Force_AnyWidth_ActiveIsNarrowerOfWidthAndHardware([Values] SimdWidth width)
    {
        using (SimdPath.Force(width))
        {
            Assert.That(SimdPath.Max, Is.EqualTo(width));
            Assert.That(SimdPath.Active, Is.LessThanOrEqualTo(SimdPath.Hardware));
            Assert.That(SimdPath.Active, Is.EqualTo(width < SimdPath.Hardware ? width : SimdPath.Hardware));
        }
        Assert.That(SimdPath.Active, Is.LessThanOrEqualTo(SimdPath.Hardware));
    }

    [Test]
    public void Force_ScopeDisposed_RestoresPreviousMaxAndActive([Values] SimdWidth outer, [Values] SimdWidth inner)
    {
        using (SimdPath.Force(outer))
        {
            SimdWidth activeOuter = SimdPath.Active;
            using (SimdPath.Force(inner))
                Assert.That(SimdPath.Max, Is.EqualTo(inner));

            Assert.That(SimdPath.Max, Is.EqualTo(outer));
            Assert.That(SimdPath.Active, Is.EqualTo(activeOuter));
        }
        Assert.That(SimdPath.Max, Is.EqualTo(_maxBefore));
    }

    [Test]
    public void Max_SetAboveHardware_ActiveStaysAtHardware()
    {
        SimdPath.Max = SimdWidth.Vector512;

        Assert.That(SimdPath.Active, Is.EqualTo(SimdPath.Hardware));
    }

    [TestCase(-1)]
    [TestCase(3)]
    public void Max_SetOutOfRange_ThrowsAndKeepsCeiling(int value)
    {
        SimdPath.Max = SimdWidth.Vector256;
        SimdWidth activeBefore = SimdPath.Active;

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => SimdPath.Max = (SimdWidth)value);

        Assert.That(ex.Message, Does.Contain("SimdPath.Max"));
        Assert.That(SimdPath.Max, Is.EqualTo(SimdWidth.Vector256));
        Assert.That(SimdPath.Active, Is.EqualTo(activeBefore));
    }

    [Test]
    public void Force_OutOfRange_ThrowsAndKeepsCeiling()
    {
        SimdPath.Max = SimdWidth.Scalar;

        Assert.Throws<ArgumentOutOfRangeException>(() => SimdPath.Force((SimdWidth)7));

        Assert.That(SimdPath.Max, Is.EqualTo(SimdWidth.Scalar));
        Assert.That(SimdPath.Active, Is.EqualTo(SimdWidth.Scalar));
    }
}
