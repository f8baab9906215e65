using NafNative.Safety;
using NUnit.Framework;

namespace NafNative.Tests.Safety;

/// <summary>Randomised properties of <see cref="SafetyFilter"/>: whatever comes in (NaN, ±∞, huge, tiny, exact limits,
/// joints inside or outside their margins), no command that leaves the filter violates a limit, and the filter is
/// idempotent. Fixed seeds, printed on failure.</summary>
/// <remarks>Hand-rolled generators (the project does not reference a property-testing package): each case draws its
/// values from a mix of ordinary and edge-case distributions.</remarks>
public sealed class SafetyFilterPropertyTests
{
    private const int Cases = 20_000;

    [TestCase(WorkspaceRule.Slide)]
    [TestCase(WorkspaceRule.Stop)]
    public void Filter_RandomInputsOnGantry_OutputNeverViolatesAnyLimit(WorkspaceRule rule) =>
        CheckProperties(TestLimits.Gantry() with { WorkspaceRule = rule }, new CartesianKinematics(), TestData.SeedFor(500));

    [TestCase(WorkspaceRule.Slide)]
    [TestCase(WorkspaceRule.Stop)]
    public void Filter_RandomInputsOnPlanarArm_OutputNeverViolatesAnyLimit(WorkspaceRule rule) =>
        CheckProperties(TestLimits.PlanarArm() with { WorkspaceRule = rule }, new PlanarTwoLinkKinematics(), TestData.SeedFor(501));

    private static void CheckProperties<TKinematics>(SafetyLimits limits, TKinematics kinematics, int seed)
        where TKinematics : IForwardKinematics
    {
        var filter = new SafetyFilter(limits);
        var random = new Random(seed);
        int n = limits.JointCount;
        float dt = (float)limits.ControlPeriod.TotalSeconds;
        float[] command = new float[n], joints = new float[n], output = new float[n], again = new float[n];
        long expectedFaults = 0;

        for (int c = 0; c < Cases; c++)
        {
            for (int i = 0; i < n; i++)
            {
                command[i] = Velocity(random, limits.MaxJointVelocity[i]);
                joints[i] = Position(random, limits.JointLower[i], limits.JointUpper[i], limits.JointMargin);
            }
            bool badInput = command.Any(v => !float.IsFinite(v)) || joints.Any(q => !float.IsFinite(q));
            if (badInput) expectedFaults++;
            string where = $"seed {seed}, case {c}: command [{string.Join(", ", command)}], joints [{string.Join(", ", joints)}]";

            var result = filter.Filter(command, joints, kinematics, output);

            if (badInput)
            {
                Assert.That(result, Is.EqualTo(SafetyInterventions.NonFinite), where);
                Assert.That(output, Is.All.EqualTo(0f), where);
                continue;
            }
            for (int i = 0; i < n; i++)
            {
                float v = output[i];
                Assert.That(float.IsFinite(v), Is.True, where);
                Assert.That(MathF.Abs(v), Is.LessThanOrEqualTo(limits.MaxJointVelocity[i]), $"{where}: speed of joint {i}");
                float predicted = joints[i] + v * dt;
                if (v > 0) Assert.That(predicted, Is.LessThanOrEqualTo(limits.JointUpper[i] - limits.JointMargin), $"{where}: joint {i} past upper margin");
                if (v < 0) Assert.That(predicted, Is.GreaterThanOrEqualTo(limits.JointLower[i] + limits.JointMargin), $"{where}: joint {i} past lower margin");
            }
            if (output.Any(v => v != 0))
            {
                var next = new float[n];
                for (int i = 0; i < n; i++) next[i] = joints[i] + output[i] * dt;
                float outsideThen = filter.DistanceOutside(kinematics.EndEffectorPosition(next));
                float outsideNow = filter.DistanceOutside(kinematics.EndEffectorPosition(joints));
                Assert.That(outsideThen == 0 || outsideThen < outsideNow, Is.True,
                    $"{where}: end effector ends {outsideThen} m outside the box (was {outsideNow} m)");
            }
            if (result == SafetyInterventions.None) Assert.That(output, Is.EqualTo(command), $"{where}: None must mean unchanged");

            // Idempotent: a safe command passes again unchanged.
            var second = filter.Filter(output, joints, kinematics, again);
            Assert.That(second, Is.EqualTo(SafetyInterventions.None), where);
            Assert.That(again, Is.EqualTo(output), where);
        }
        Assert.That(filter.Faults, Is.EqualTo(expectedFaults), $"seed {seed}: one fault per non-finite input");
        Assert.Multiple(() =>
        {
            // The generator must exercise every rule, or the properties above would hold vacuously.
            Assert.That(expectedFaults, Is.GreaterThan(Cases / 20), "non-finite inputs");
            Assert.That(filter.VelocityClamps, Is.GreaterThan(Cases / 20), "clamps");
            Assert.That(filter.JointLimitStops, Is.GreaterThan(Cases / 100), "joint-range stops");
            if (limits.WorkspaceRule == WorkspaceRule.Stop)
            {
                Assert.That(filter.WorkspaceStops, Is.GreaterThan(Cases / 100), "workspace stops");
                Assert.That(filter.WorkspaceSlides, Is.Zero, "the stop rule never slides");
            }
            else
                Assert.That(filter.WorkspaceSlides, Is.GreaterThan(Cases / 100), "workspace slides");
        });
        TestContext.Out.WriteLine($"seed {seed}: {filter.Commands} commands, {filter.Faults} faults, {filter.VelocityClamps} clamps, " +
            $"{filter.JointLimitStops} joint-range stops, {filter.WorkspaceStops} workspace stops, {filter.WorkspaceSlides} slides");
    }

    /// <summary>Ordinary velocities mostly, and NaN, ±∞, ±huge, ±tiny, exactly ±limit, just above it, zero.</summary>
    private static float Velocity(Random random, float limit) => random.Next(16) switch
    {
        0 => float.NaN,
        1 => random.Next(2) == 0 ? float.PositiveInfinity : float.NegativeInfinity,
        2 => (random.Next(2) == 0 ? 1 : -1) * float.MaxValue / (1 + random.Next(1000)),
        3 => (random.Next(2) == 0 ? 1 : -1) * float.Epsilon * random.Next(1, 100),
        4 => random.Next(2) == 0 ? limit : -limit,
        5 => (random.Next(2) == 0 ? 1 : -1) * MathF.BitIncrement(limit),
        6 => 0f,
        7 => (random.NextSingle() * 2 - 1) * 1e6f,
        _ => (random.NextSingle() * 2 - 1) * 2 * limit,
    };

    /// <summary>Positions across the whole range and a little beyond, with extra weight at and around the margins;
    /// NaN and ±∞ occasionally.</summary>
    private static float Position(Random random, float lower, float upper, float margin) => random.Next(40) switch
    {
        0 => float.NaN,
        1 => float.NegativeInfinity,
        2 => lower + margin,
        3 => upper - margin,
        4 => upper - margin - random.NextSingle() * 0.02f,
        5 => lower + margin + random.NextSingle() * 0.02f,
        6 => upper - random.NextSingle() * margin,
        7 => lower - random.NextSingle() * 0.1f,
        _ => lower - 0.05f + random.NextSingle() * (upper - lower + 0.1f),
    };
}
