using NafNative.Environments;
using NafNative.Sim.Tasks;
using NUnit.Framework;

namespace NafNative.Sim.Tests.Tasks;

public sealed class PendulumTaskTests
{
    [Test]
    public void Sizes_MatchPendulumV1()
    {
        using var task = new PendulumTask();
        Assert.That((task.Name, task.ObservationSize, task.ActionSize, task.MaxEpisodeSteps), Is.EqualTo(("pendulum", 3, 1, 200)));
        Assert.That(task.ControlRate, Is.EqualTo(20));
    }

    [Test]
    public void Step_HandComputed_MatchesGymnasium()
    {
        // θ = 1, θ̇ = 0.5, a = 0.5 → u = 1 N·m. By hand (Python, double):
        // cost = 1² + 0.1·0.5² + 0.001·1² = 1.026
        // θ̇′ = 0.5 + (15 sin 1 + 3·1)·0.05 = 1.2811032386059225;  θ′ = 1 + 0.05 θ̇′ = 1.064055161930296
        using var task = new PendulumTask(scaleVelocity: false);
        var observation = new float[3];
        task.ResetTo(1.0, 0.5, observation);
        StepResult r = task.Step([0.5f], observation);
        Assert.That(r.Reward, Is.EqualTo(-1.0259999999999998f));
        Assert.That(task.AngularVelocity, Is.EqualTo(1.2811032386059225).Within(1e-15));
        Assert.That(task.Angle, Is.EqualTo(1.064055161930296).Within(1e-15));
        Assert.That(observation, Is.EqualTo(new[] { (float)0.48533052923081726, (float)0.8743307597222775, (float)1.2811032386059225 }));
        Assert.That(r.Terminated || r.Truncated, Is.False);
    }

    [Test]
    public void Step_AngleBeyondPi_CostUsesNormalisedAngle()
    {
        // θ = 4 → norm(θ) = 4 − 2π = −2.2831853071795862; θ̇ = 7.9, a = 1 → u = 2:
        // cost = 2.2832² + 0.1·7.9² + 0.001·4 = 11.457935146920741; θ̇′ = 7.9 + (15 sin 4 + 6)·0.05 = 7.632398128519054.
        using var task = new PendulumTask(scaleVelocity: false);
        var observation = new float[3];
        task.ResetTo(4.0, 7.9, observation);
        StepResult r = task.Step([1f], observation);
        Assert.That(r.Reward, Is.EqualTo(-11.457935146920741f));
        Assert.That(task.AngularVelocity, Is.EqualTo(7.632398128519054).Within(1e-14));
        Assert.That(task.Angle, Is.EqualTo(4.381619906425953).Within(1e-14));
    }

    [Test]
    public void Step_FastNegativeSpin_ClipsSpeedAtMinus8()
    {
        // θ̇ + (15 sin(−2.5) − 6)·0.05 = −8.6989 → clipped to −8, so θ′ = −2.5 − 0.4 = −2.9.
        using var task = new PendulumTask(scaleVelocity: false);
        var observation = new float[3];
        task.ResetTo(-2.5, -7.95, observation);
        task.Step([-3f], observation); // clamped to −1 → u = −2
        Assert.That(task.AngularVelocity, Is.EqualTo(-8));
        Assert.That(task.Angle, Is.EqualTo(-2.9).Within(1e-15));
    }

    [Test]
    public void Observation_ScaledByDefault_DividesVelocityBy8()
    {
        using var task = new PendulumTask();
        var observation = new float[3];
        task.ResetTo(0.3, -4, observation);
        Assert.That(observation, Is.EqualTo(new[] { (float)Math.Cos(0.3), (float)Math.Sin(0.3), -0.5f }));
    }

    [TestCase(Math.PI, -Math.PI)]
    [TestCase(-Math.PI, -Math.PI)]
    [TestCase(1.5 * Math.PI, -0.5 * Math.PI)]
    [TestCase(-1.5 * Math.PI, 0.5 * Math.PI)]
    [TestCase(0.25, 0.25)]
    [TestCase(7 * Math.PI + 0.5, -Math.PI + 0.5)]
    public void NormalizeAngle_MatchesPythonFlooredModulo(double x, double expected) =>
        Assert.That(PendulumTask.NormalizeAngle(x), Is.EqualTo(expected).Within(1e-12));

    [Test]
    public void Reset_ManySeeds_StateWithinGymnasiumRangesAndDeterministic()
    {
        using var task = new PendulumTask();
        var observation = new float[3];
        var again = new float[3];
        for (int seed = 0; seed < 1000; seed++)
        {
            task.Reset(seed, observation);
            Assert.That(task.Angle, Is.InRange(-Math.PI, Math.PI));
            Assert.That(task.AngularVelocity, Is.InRange(-1.0, 1.0));
            task.Reset(seed, again);
            Assert.That(again, Is.EqualTo(observation));
        }
    }

    [Test]
    public void Step_200Steps_TruncatesOnce()
    {
        using var task = new PendulumTask();
        var observation = new float[3];
        task.Reset(1, observation);
        for (int k = 1; k <= 200; k++)
        {
            StepResult r = task.Step([0f], observation);
            Assert.That(r.Terminated, Is.False);
            Assert.That(r.Truncated, Is.EqualTo(k == 200), $"step {k}");
        }
        Assert.Throws<InvalidOperationException>(() => task.Step([0f], observation));
    }

    [Test]
    public void IsSuccess_HeldUpright_TrueAndHangingDown_False()
    {
        using var task = new PendulumTask();
        var observation = new float[3];
        task.ResetTo(0, 0, observation); // balanced exactly upright: sin 0 = 0, stays
        for (int k = 0; k < 200; k++) task.Step([0f], observation);
        Assert.That(task.IsSuccess, Is.True);
        task.ResetTo(Math.PI, 0, observation); // hanging down: |θ| ≈ π
        for (int k = 0; k < 200; k++) task.Step([0f], observation);
        Assert.That(task.IsSuccess, Is.False);
    }

    [Test]
    public void Step_NaNAction_ThrowsAndLeavesStateUnchanged()
    {
        using var task = new PendulumTask();
        var observation = new float[3];
        task.ResetTo(0.7, 0.2, observation);
        var ex = Assert.Throws<ArgumentException>(() => task.Step([float.NaN], observation));
        Assert.That(ex!.Message, Does.Contain("action[0]"));
        Assert.That((task.Angle, task.AngularVelocity, task.StepCount), Is.EqualTo((0.7, 0.2, 0)));
    }

    [Test]
    public void StepAndReset_AfterWarmUp_AllocateNothing()
    {
        using var task = new PendulumTask();
        var observation = new float[3];
        float[] action = [0.3f];
        task.Reset(1, observation);
        task.Step(action, observation);
        long before = GC.GetAllocatedBytesForCurrentThread();
        task.Reset(2, observation);
        for (int k = 0; k < 200; k++) task.Step(action, observation);
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.EqualTo(0));
    }
}
