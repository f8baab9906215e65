using System.Numerics;
using NafNative.Safety;
using NUnit.Framework;

namespace NafNative.Tests.Safety;

/// <summary><see cref="WorkspaceRule.Slide"/>: at the box only the outward part of a motion goes; the rest is kept,
/// and nothing the stop rule would have kept in gets out.</summary>
public sealed class WorkspaceSlideTests
{
    private static (SafetyInterventions Result, float[] Output) Run<TKinematics>(SafetyFilter filter, float[] command,
        float[] joints, TKinematics kinematics) where TKinematics : IForwardKinematics
    {
        var output = new float[command.Length];
        return (filter.Filter(command, joints, kinematics, output), output);
    }

    [Test]
    public void Slide_GantryAtTheFace_KeepsTheMotionAlongItAndStopsHalfWayToIt()
    {
        // At x = 0.49 moving (1, 0.5, 0) m/s the step would end at x = 0.54 > 0.5: x may cover half of the 1 cm left
        // (minus 0.1 mm), y keeps its 0.5 m/s (the gantry's Jacobian is the identity, so only v_x changes).
        var filter = new SafetyFilter(TestLimits.Gantry() with { WorkspaceRule = WorkspaceRule.Slide });
        var (result, output) = Run(filter, [1f, 0.5f, 0f], [0.49f, 0f, 0.5f], new CartesianKinematics());
        Assert.Multiple(() =>
        {
            Assert.That(result, Is.EqualTo(SafetyInterventions.WorkspaceSlid));
            Assert.That(output[0], Is.EqualTo((0.5f * 0.01f - 1e-4f) / 0.05f).Within(1e-3f));
            Assert.That(output[1], Is.EqualTo(0.5f));
            Assert.That(output[2], Is.Zero);
            Assert.That(0.49f + output[0] * 0.05f, Is.LessThanOrEqualTo(0.5f));
            Assert.That((filter.WorkspaceSlides, filter.WorkspaceStops), Is.EqualTo((1L, 0L)));
        });
    }

    [Test]
    public void Slide_GantryOnTheFacePushingOut_MovesOnlyAlongIt()
    {
        // Exactly on the floor z = 0.2 pushing down and sideways: the sideways motion goes on, z moves in by 0.1 mm.
        var filter = new SafetyFilter(TestLimits.Gantry() with { WorkspaceRule = WorkspaceRule.Slide });
        var (result, output) = Run(filter, [0.4f, 0f, -0.5f], [0f, 0f, 0.2f], new CartesianKinematics());
        Assert.Multiple(() =>
        {
            Assert.That(result, Is.EqualTo(SafetyInterventions.WorkspaceSlid));
            Assert.That(output[0], Is.EqualTo(0.4f));
            Assert.That(output[2] * 0.05f, Is.EqualTo(1e-4f).Within(1e-5f));
        });
    }

    [Test]
    public void Slide_PlanarArmSwingingOutOfTheBox_KeepsAMotionThatEndsInside()
    {
        // Hand at 0.9·(cos 0.5, sin 0.5) = (0.79, 0.43), 1 cm inside x = 0.8; swinging q0 down at 1 rad/s carries it
        // along the arc to x ≈ 0.81. The slid command must still move the arm and end inside the box.
        var limits = TestLimits.PlanarArm() with { WorkspaceRule = WorkspaceRule.Slide };
        var filter = new SafetyFilter(limits);
        var kinematics = new PlanarTwoLinkKinematics();
        float[] joints = [0.5f, 0f];
        var (result, output) = Run(filter, [-1f, 0f], joints, kinematics);
        var end = kinematics.EndEffectorPosition([joints[0] + output[0] * 0.05f, joints[1] + output[1] * 0.05f]);
        Assert.Multiple(() =>
        {
            Assert.That(result, Is.EqualTo(SafetyInterventions.WorkspaceSlid));
            Assert.That(output.Any(v => v != 0), Is.True, "still moving");
            Assert.That(filter.DistanceOutside(end), Is.Zero, $"ends at {end}");
            Assert.That(output[1], Is.Not.Zero, "the elbow folds so the hand can go on down along the face");
        });
    }

    [Test]
    public void Slide_NoMotionKeepsTheArmIn_FallsBackToStop()
    {
        // A one-joint slider along x: at the face, the only motion is outward, so nothing can be kept.
        var limits = new SafetyLimits([1f], [-1f], [1f], 0f, new Vector3(-0.5f, -1, -1), new Vector3(0.5f, 1, 1),
            TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200)) { WorkspaceRule = WorkspaceRule.Slide };
        var filter = new SafetyFilter(limits);
        var (result, output) = Run(filter, [1f], [0.5f], new SliderKinematics());
        Assert.Multiple(() =>
        {
            Assert.That(result, Is.EqualTo(SafetyInterventions.WorkspaceSlid), "moved back in by 0.1 mm: the inward part is kept");
            Assert.That(output[0] * 0.05f, Is.EqualTo(-1e-4f).Within(1e-5f));
        });
        var sideways = new SafetyFilter(limits);
        var (stuck, stopped) = Run(sideways, [1f], [0.5f], new FixedOutsideKinematics());
        Assert.Multiple(() =>
        {
            Assert.That(stuck, Is.EqualTo(SafetyInterventions.Workspace), "a joint that cannot move the hand cannot slide it");
            Assert.That(stopped, Is.EqualTo(new[] { 0f }));
        });
    }

    [Test]
    public void Limits_DefaultRuleIsStop_AndAnUndefinedRuleIsRefused()
    {
        Assert.That(TestLimits.Gantry().WorkspaceRule, Is.EqualTo(WorkspaceRule.Stop));
        Assert.That(TestLimits.Gantry() with { WorkspaceRule = WorkspaceRule.Slide }, Is.Not.EqualTo(TestLimits.Gantry()));
        var e = Assert.Throws<ArgumentException>(() => _ = TestLimits.Gantry() with { WorkspaceRule = (WorkspaceRule)7 });
        Assert.That(e!.Message, Does.Contain("WorkspaceRule = 7"));
    }

    private readonly struct SliderKinematics : IForwardKinematics
    {
        public Vector3 EndEffectorPosition(ReadOnlySpan<float> q) => new(q[0], 0, 0);
    }

    /// <summary>A hand that moves outward along x with q but only where it already is outside (q > 0.5 + tiny), and
    /// is outside from the start: its outward motion has no inward alternative the filter can find.</summary>
    private readonly struct FixedOutsideKinematics : IForwardKinematics
    {
        public Vector3 EndEffectorPosition(ReadOnlySpan<float> q) => new(0.6f + MathF.Max(0, q[0] - 0.5f), 0, 0);
    }
}
