using System.Numerics;
using NafNative.Safety;
using NUnit.Framework;

namespace NafNative.Tests.Safety;

public sealed class SafetyLimitsTests
{
    /// <summary>Valid arguments, any of which a test case replaces.</summary>
    public sealed record Args
    {
        public float[] MaxVelocity = [1f, 1f];
        public float[] Lower = [-1f, -1f];
        public float[] Upper = [1f, 1f];
        public float Margin = 0.1f;
        public Vector3 Min = new(-1, -1, 0);
        public Vector3 Max = new(1, 1, 1);
        public TimeSpan Control = TimeSpan.FromMilliseconds(50);
        public TimeSpan Watchdog = TimeSpan.FromMilliseconds(200);

        public SafetyLimits Build() => new(MaxVelocity, Lower, Upper, Margin, Min, Max, Control, Watchdog);
    }

    private static IEnumerable<TestCaseData> BadArguments()
    {
        TestCaseData Case(string field, string text, Action<Args> spoil) =>
            new TestCaseData(field, text, spoil).SetArgDisplayNames(field, text);

        yield return Case("maxJointVelocity", "must describe 1 to 64 joints", a => { a.MaxVelocity = []; a.Lower = []; a.Upper = []; });
        yield return Case("maxJointVelocity", "[1] is 0", a => a.MaxVelocity = [1f, 0f]);
        yield return Case("maxJointVelocity", "[0] is NaN", a => a.MaxVelocity = [float.NaN, 1f]);
        yield return Case("maxJointVelocity", "[1] is ∞", a => a.MaxVelocity = [1f, float.PositiveInfinity]);
        yield return Case("maxJointVelocity", "[0] is -1", a => a.MaxVelocity = [-1f, 1f]);
        yield return Case("jointLower", "has 3 joints", a => a.Lower = [-1f, -1f, -1f]);
        yield return Case("jointUpper", "has 1 joints", a => a.Upper = [1f]);
        yield return Case("jointLower", "[1] is NaN", a => a.Lower = [-1f, float.NaN]);
        yield return Case("jointUpper", "[0] is -∞", a => a.Upper = [float.NegativeInfinity, 1f]);
        yield return Case("jointUpper", "[1] = -2 is not above", a => a.Upper = [1f, -2f]);
        yield return Case("jointMargin", "is -0.1", a => a.Margin = -0.1f);
        yield return Case("jointMargin", "is NaN", a => a.Margin = float.NaN);
        yield return Case("jointMargin", "leaves joint 1 no room", a => { a.Lower = [-1f, 0f]; a.Upper = [1f, 0.2f]; });
        yield return Case("workspaceMin", ".Y is NaN", a => a.Min = new Vector3(0, float.NaN, 0));
        yield return Case("workspaceMax", ".Z is ∞", a => a.Max = new Vector3(1, 1, float.PositiveInfinity));
        yield return Case("workspaceMax", ".X = -1 is not above", a => a.Max = new Vector3(-1, 1, 1));
        yield return Case("controlPeriod", "must be positive", a => a.Control = TimeSpan.Zero);
        yield return Case("watchdogPeriod", "is shorter than controlPeriod", a => a.Watchdog = TimeSpan.FromMilliseconds(10));
    }

    [TestCaseSource(nameof(BadArguments))]
    public void Constructor_BadField_ThrowsNamingIt(string field, string text, Action<Args> spoil)
    {
        var args = new Args();
        spoil(args);

        var e = Assert.Throws<ArgumentException>(() => args.Build());

        Assert.Multiple(() =>
        {
            Assert.That(e!.ParamName, Is.EqualTo(field));
            Assert.That(e.Message, Does.Contain(field).And.Contain(text.Replace("∞", "")));
        });
    }

    [Test]
    public void Constructor_MoreThanMaxJoints_Throws()
    {
        int n = SafetyLimits.MaxJoints + 1;
        var e = Assert.Throws<ArgumentException>(() => _ = new SafetyLimits(Enumerable.Repeat(1f, n).ToArray(),
            Enumerable.Repeat(-1f, n).ToArray(), Enumerable.Repeat(1f, n).ToArray(), 0f, Vector3.Zero, Vector3.One,
            TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(10)));
        Assert.That(e!.ParamName, Is.EqualTo("maxJointVelocity"));
    }

    [Test]
    public void Constructor_CopiesArrays_SoLaterEditsDoNotChangeTheLimits()
    {
        var args = new Args();
        var limits = args.Build();
        args.MaxVelocity[0] = 99f;
        args.Upper[1] = 99f;
        Assert.Multiple(() =>
        {
            Assert.That(limits.MaxJointVelocity[0], Is.EqualTo(1f));
            Assert.That(limits.JointUpper[1], Is.EqualTo(1f));
            Assert.That(limits.JointCount, Is.EqualTo(2));
        });
    }

    [Test]
    public void Equals_SameValuesInDifferentArrays_AreEqualWithEqualHashes()
    {
        var a = new Args().Build();
        var b = new Args().Build();
        var c = (new Args() with { Margin = 0.2f }).Build();
        Assert.Multiple(() =>
        {
            Assert.That(a, Is.EqualTo(b));
            Assert.That(a.GetHashCode(), Is.EqualTo(b.GetHashCode()));
            Assert.That(a, Is.Not.EqualTo(c));
            Assert.That(a.ToString(), Does.Contain("JointMargin = 0.1").And.Contain("MaxJointVelocity = [1, 1]"));
        });
    }
}
