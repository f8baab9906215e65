using System.Numerics;
using NafNative.Safety;
using NUnit.Framework;

namespace NafNative.Tests.Safety;

/// <summary>Each rule of <see cref="SafetyFilter"/> on its own, and each bad input.</summary>
public sealed class SafetyFilterTests
{
    // Gantry limits: vmax (1, 2, 0.5); joints allowed within [−0.9, 0.9] × [−0.9, 0.9] × [0.1, 1.1]; dt = 0.05 s;
    // box [−0.5, 0.5]² × [0.2, 0.8].
    private static readonly FixedKinematics InsideBox = new(new Vector3(0, 0, 0.5f));

    private static (SafetyInterventions Result, float[] Output) Run<TKinematics>(SafetyFilter filter, float[] command,
        float[] joints, TKinematics kinematics) where TKinematics : IForwardKinematics
    {
        var output = new float[command.Length];
        var result = filter.Filter(command, joints, kinematics, output);
        return (result, output);
    }

    [Test]
    public void Filter_CommandWithinEveryLimit_PassesUnchanged()
    {
        var filter = new SafetyFilter(TestLimits.Gantry());
        var (result, output) = Run(filter, [0.5f, -1.5f, 0.2f], [0f, 0f, 0.5f], new CartesianKinematics());

        Assert.Multiple(() =>
        {
            Assert.That(result, Is.EqualTo(SafetyInterventions.None));
            Assert.That(output, Is.EqualTo(new[] { 0.5f, -1.5f, 0.2f }));
            Assert.That(filter.Commands, Is.EqualTo(1));
            Assert.That(filter.VelocityClamps + filter.JointLimitStops + filter.WorkspaceStops + filter.Faults, Is.Zero);
        });
    }

    [Test]
    public void Filter_VelocityAboveLimit_ClampsEachJointToItsLimitAndCounts()
    {
        var filter = new SafetyFilter(TestLimits.Gantry());
        var (result, output) = Run(filter, [3f, -50f, 1e30f], [0f, 0f, 0.5f], InsideBox);

        Assert.Multiple(() =>
        {
            Assert.That(result, Is.EqualTo(SafetyInterventions.VelocityClamped));
            Assert.That(output, Is.EqualTo(new[] { 1f, -2f, 0.5f }));
            Assert.That(filter.VelocityClamps, Is.EqualTo(1), "counted once per command, not per joint");
        });
    }

    [Test]
    public void Filter_VelocityAtExactlyTheLimit_IsNotAnIntervention()
    {
        var filter = new SafetyFilter(TestLimits.Gantry());
        var (result, output) = Run(filter, [1f, -2f, -0.5f], [0f, 0f, 0.5f], InsideBox);
        Assert.That((result, output), Is.EqualTo((SafetyInterventions.None, new[] { 1f, -2f, -0.5f })));
    }

    [Test]
    public void Filter_VelocityCarryingJointPastUpperMargin_ZeroesThatJointOnly()
    {
        // Joint 0 at 0.88 moving +1 would reach 0.93 > 0.9 (= 1 − margin) within one 50 ms step.
        var filter = new SafetyFilter(TestLimits.Gantry());
        var (result, output) = Run(filter, [1f, 0.5f, 0f], [0.88f, 0f, 0.5f], InsideBox);

        Assert.Multiple(() =>
        {
            Assert.That(result, Is.EqualTo(SafetyInterventions.JointLimit));
            Assert.That(output, Is.EqualTo(new[] { 0f, 0.5f, 0f }));
            Assert.That(filter.JointLimitStops, Is.EqualTo(1));
        });
    }

    [Test]
    public void Filter_VelocityCarryingJointPastLowerMargin_ZeroesIt()
    {
        // Joint 2's range is [0, 1.2]: allowed from 0.1. At 0.11 moving −0.5 it would reach 0.085.
        var filter = new SafetyFilter(TestLimits.Gantry());
        var (result, output) = Run(filter, [0f, 0f, -0.5f], [0f, 0f, 0.11f], InsideBox);
        Assert.That((result, output), Is.EqualTo((SafetyInterventions.JointLimit, new[] { 0f, 0f, 0f })));
    }

    [Test]
    public void Filter_JointNearLimitMovingAway_KeepsItsVelocity()
    {
        var filter = new SafetyFilter(TestLimits.Gantry());
        var (result, output) = Run(filter, [-1f, 0f, 0.5f], [0.89f, 0f, 0.11f], InsideBox);
        Assert.That((result, output), Is.EqualTo((SafetyInterventions.None, new[] { -1f, 0f, 0.5f })));
    }

    [Test]
    public void Filter_JointAlreadyPastMarginMovingBack_KeepsItsVelocity()
    {
        // A joint found inside the margin (e.g. pushed there) must be allowed to return, never frozen.
        var filter = new SafetyFilter(TestLimits.Gantry());
        var (result, output) = Run(filter, [-0.5f, 0f, 0f], [0.97f, 0f, 0.5f], InsideBox);
        Assert.That((result, output), Is.EqualTo((SafetyInterventions.None, new[] { -0.5f, 0f, 0f })));
    }

    [Test]
    public void Filter_ClampedVelocityStillTooFastForRange_ClampsThenZeroes()
    {
        var filter = new SafetyFilter(TestLimits.Gantry());
        var (result, output) = Run(filter, [10f, 0f, 0f], [0.86f, 0f, 0.5f], InsideBox);
        Assert.That((result, output),
            Is.EqualTo((SafetyInterventions.VelocityClamped | SafetyInterventions.JointLimit, new[] { 0f, 0f, 0f })));
    }

    [Test]
    public void Filter_StopRule_EndEffectorWouldLeaveWorkspace_StopsAllMotion()
    {
        // Gantry at x = 0.49 moving +1 m/s in x reaches 0.54 > 0.5 within one step; the y motion stops too.
        var filter = new SafetyFilter(TestLimits.Gantry() with { WorkspaceRule = WorkspaceRule.Stop });
        var (result, output) = Run(filter, [1f, 0.5f, 0f], [0.49f, 0f, 0.5f], new CartesianKinematics());

        Assert.Multiple(() =>
        {
            Assert.That(result, Is.EqualTo(SafetyInterventions.Workspace));
            Assert.That(output, Is.EqualTo(new[] { 0f, 0f, 0f }));
            Assert.That(filter.WorkspaceStops, Is.EqualTo(1));
        });
    }

    [Test]
    public void Filter_EndEffectorOutsideMovingBackTowardBox_KeepsMotion()
    {
        var filter = new SafetyFilter(TestLimits.Gantry());
        var (result, output) = Run(filter, [-1f, 0f, 0f], [0.6f, 0f, 0.5f], new CartesianKinematics());
        Assert.That((result, output), Is.EqualTo((SafetyInterventions.None, new[] { -1f, 0f, 0f })));
    }

    [Test]
    public void Filter_StopRule_EndEffectorOutsideMovingAlongOrAway_Stops()
    {
        var filter = new SafetyFilter(TestLimits.Gantry() with { WorkspaceRule = WorkspaceRule.Stop });
        var (along, _) = Run(filter, [0f, 1f, 0f], [0.6f, 0f, 0.5f], new CartesianKinematics());
        var (away, _) = Run(filter, [0.5f, 0f, 0f], [0.6f, 0f, 0.5f], new CartesianKinematics());
        Assert.That((along, away), Is.EqualTo((SafetyInterventions.Workspace, SafetyInterventions.Workspace)));
    }

    [Test]
    public void Filter_ZeroCommandWithEndEffectorOutside_IsNotAnIntervention()
    {
        var filter = new SafetyFilter(TestLimits.Gantry());
        var (result, _) = Run(filter, [0f, 0f, 0f], [0.6f, 0f, 0.9f], new CartesianKinematics());
        Assert.That(result, Is.EqualTo(SafetyInterventions.None));
    }

    [Test]
    public void Filter_StopRule_PlanarArmSwingingOutOfBox_StopsThroughForwardKinematics()
    {
        // Stretched along +x, the hand is at (0.9, 0), already past x = 0.8; swinging up moves it along the arc
        // x = 0.9·cos(q0), which comes back toward the box, so it is allowed; at q0 = −1.2 (hand at y ≈ −0.84, below
        // the box's −0.6) swinging further down is stopped, swinging up is kept.
        var filter = new SafetyFilter(TestLimits.PlanarArm() with { WorkspaceRule = WorkspaceRule.Stop });
        var kinematics = new PlanarTwoLinkKinematics();
        var (backIn, _) = Run(filter, [1f, 0f], [0f, 0f], kinematics);
        var (further, output) = Run(filter, [-1f, 0f], [-1.2f, 0f], kinematics);
        var (up, _) = Run(filter, [1f, 0f], [-1.2f, 0f], kinematics);
        Assert.Multiple(() =>
        {
            Assert.That(backIn, Is.EqualTo(SafetyInterventions.None));
            Assert.That(further, Is.EqualTo(SafetyInterventions.Workspace));
            Assert.That(output, Is.EqualTo(new[] { 0f, 0f }));
            Assert.That(up, Is.EqualTo(SafetyInterventions.None));
        });
    }

    [TestCase(0, float.NaN)]
    [TestCase(1, float.PositiveInfinity)]
    [TestCase(2, float.NegativeInfinity)]
    public void Filter_NonFiniteCommand_SendsZeroVelocityAndCountsAFault(int joint, float bad)
    {
        var filter = new SafetyFilter(TestLimits.Gantry());
        float[] command = [0.1f, 0.1f, 0.1f];
        command[joint] = bad;
        var (result, output) = Run(filter, command, [0f, 0f, 0.5f], InsideBox);

        Assert.Multiple(() =>
        {
            Assert.That(result, Is.EqualTo(SafetyInterventions.NonFinite));
            Assert.That(output, Is.All.EqualTo(0f));
            Assert.That(filter.Faults, Is.EqualTo(1));
            Assert.That(filter.Commands, Is.EqualTo(1));
        });
    }

    [TestCase(float.NaN)]
    [TestCase(float.NegativeInfinity)]
    public void Filter_NonFiniteJointPosition_SendsZeroVelocityAndCountsAFault(float bad)
    {
        var filter = new SafetyFilter(TestLimits.Gantry());
        var (result, output) = Run(filter, [0.1f, 0.1f, 0.1f], [0f, bad, 0.5f], InsideBox);
        Assert.That((result, output, filter.Faults), Is.EqualTo((SafetyInterventions.NonFinite, new[] { 0f, 0f, 0f }, 1L)));
    }

    [Test]
    public void Filter_KinematicsReturnsNaN_SendsZeroVelocityAndCountsAFault()
    {
        var filter = new SafetyFilter(TestLimits.Gantry());
        var (result, output) = Run(filter, [0.1f, 0.1f, 0.1f], [0f, 0f, 0.5f], new NaNKinematics());
        Assert.That((result, output, filter.Faults), Is.EqualTo((SafetyInterventions.NonFinite, new[] { 0f, 0f, 0f }, 1L)));
    }

    [TestCase(2, 3, 3, "command")]
    [TestCase(3, 4, 3, "jointPositions")]
    [TestCase(3, 3, 2, "filtered")]
    public void Filter_SpanOfWrongLength_ThrowsNamingIt(int commandLength, int jointsLength, int outputLength, string name)
    {
        var filter = new SafetyFilter(TestLimits.Gantry());
        var e = Assert.Throws<ArgumentException>(() =>
            filter.Filter(new float[commandLength], new float[jointsLength], InsideBox, new float[outputLength]));
        Assert.That(e!.ParamName, Is.EqualTo(name));
        Assert.That(e.Message, Does.Contain("3 joints"));
    }

    [Test]
    public void Filter_InPlace_SameSpanForCommandAndOutput_Works()
    {
        var filter = new SafetyFilter(TestLimits.Gantry());
        float[] command = [5f, -0.5f, 0f];
        var result = filter.Filter(command, [0f, 0f, 0.5f], InsideBox, command);
        Assert.That((result, command), Is.EqualTo((SafetyInterventions.VelocityClamped, new[] { 1f, -0.5f, 0f })));
    }

    [Test]
    public void Filter_ManyThreadsAtOnce_CountsEveryCommandExactly()
    {
        var filter = new SafetyFilter(TestLimits.Gantry());
        const int threads = 4, perThread = 20_000;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            float[] output = new float[3], joints = [0f, 0f, 0.5f], fast = [5f, 0f, 0f], bad = [float.NaN, 0, 0];
            for (int i = 0; i < perThread; i++)
                filter.Filter(i % 2 == 0 ? fast : bad, joints, InsideBox, output);
        });
        Assert.Multiple(() =>
        {
            Assert.That(filter.Commands, Is.EqualTo(threads * perThread));
            Assert.That(filter.VelocityClamps, Is.EqualTo(threads * perThread / 2));
            Assert.That(filter.Faults, Is.EqualTo(threads * perThread / 2));
        });
    }

    [Test]
    public void Filter_AfterWarmUp_AllocatesZeroBytes()
    {
        var filter = new SafetyFilter(TestLimits.Gantry());
        float[] output = new float[3], joints = [0.49f, 0f, 0.5f], command = [1f, 5f, 0f];
        var kinematics = new CartesianKinematics();
        filter.Filter(command, joints, kinematics, output);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) filter.Filter(command, joints, kinematics, output);
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }
}
