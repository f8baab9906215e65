using NafNative.Environments;
using NafNative.Sim.Arm;
using NafNative.Sim.Tasks;
using NUnit.Framework;

namespace NafNative.Sim.Tests.Tasks;

public sealed class ReachTaskTests
{
    private static readonly double[] Home = [0, 0.5, 0, -1.5, 0, 1.14, 0];

    [Test]
    public void Sizes_DefaultTask_Are23ObservationsAnd7Actions()
    {
        using var task = new ReachTask();
        Assert.That(task.Name, Is.EqualTo("reach"));
        Assert.That(task.ObservationSize, Is.EqualTo(23));
        Assert.That(task.ActionSize, Is.EqualTo(7));
        Assert.That(task.ControlRate, Is.EqualTo(20));
        Assert.That(task.MaxEpisodeSteps, Is.EqualTo(100));
        Assert.That((task.JointVelocitiesOffset, task.EndEffectorPositionOffset, task.EndEffectorVelocityOffset, task.TargetOffset),
            Is.EqualTo((7, 14, 17, 20)));
    }

    [Test]
    public void Reset_ManySeeds_StartNearHomeAtRestWithTargetInsideBox()
    {
        using var task = new ReachTask();
        var observation = new float[task.ObservationSize];
        ReachOptions o = task.Options;
        for (int seed = 0; seed < 500; seed++)
        {
            task.Reset(seed, observation);
            for (int i = 0; i < 7; i++)
            {
                Assert.That(task.Simulator.Positions[i], Is.EqualTo(Home[i]).Within(o.InitialNoise), $"seed {seed}, joint {i}");
                Assert.That(task.Simulator.Velocities[i], Is.EqualTo(0));
            }
            Vec3 offset = task.Target - o.TargetCenter;
            Assert.That(Math.Abs(offset.X), Is.LessThanOrEqualTo(o.TargetHalfExtents.X), $"seed {seed}");
            Assert.That(Math.Abs(offset.Y), Is.LessThanOrEqualTo(o.TargetHalfExtents.Y), $"seed {seed}");
            Assert.That(Math.Abs(offset.Z), Is.LessThanOrEqualTo(o.TargetHalfExtents.Z), $"seed {seed}");
            foreach (float x in observation) Assert.That(Math.Abs(x), Is.LessThan(3.2f), $"seed {seed}: observation roughly unit-sized");
        }
    }

    [Test]
    public void Reset_DifferentSeeds_DifferentTargets()
    {
        using var task = new ReachTask();
        var observation = new float[task.ObservationSize];
        task.Reset(1, observation);
        Vec3 first = task.Target;
        task.Reset(2, observation);
        Assert.That(task.Target, Is.Not.EqualTo(first));
    }

    [Test]
    public void Observation_AfterSteps_FollowsDocumentedLayoutAndScaling()
    {
        using var task = new ReachTask();
        var observation = new float[task.ObservationSize];
        task.Reset(3, observation);
        float[] action = [0.5f, -0.3f, 0.2f, 0.4f, -0.1f, 0.3f, 0.6f];
        task.Step(action, observation);
        task.Step(action, observation);
        ArmSimulator sim = task.Simulator;
        ReachOptions o = task.Options;
        for (int i = 0; i < 7; i++)
        {
            Assert.That(observation[i], Is.EqualTo((float)sim.Positions[i]), $"q[{i}]");
            Assert.That(observation[7 + i], Is.EqualTo((float)(sim.Velocities[i] / o.Model.MaxVelocities[i])), $"q̇[{i}]");
        }
        Vec3 p = (1 / 0.25) * (sim.EndEffectorPosition - new Vec3(0.55, 0, 0.35));
        Vec3 v = (1 / 0.5) * sim.EndEffectorVelocity;
        Vec3 g = (1 / 0.25) * (task.Target - new Vec3(0.55, 0, 0.35));
        Assert.That(observation[14..17], Is.EqualTo(new[] { (float)p.X, (float)p.Y, (float)p.Z }), "end-effector position");
        Assert.That(observation[17..20], Is.EqualTo(new[] { (float)v.X, (float)v.Y, (float)v.Z }), "end-effector velocity");
        Assert.That(observation[20..23], Is.EqualTo(new[] { (float)g.X, (float)g.Y, (float)g.Z }), "target");
        // The command is a × 0.25 × max speed; after two 50 ms periods the joints track it closely.
        for (int i = 0; i < 7; i++)
            Assert.That(observation[7 + i], Is.EqualTo(0.25f * action[i]).Within(0.02f), $"q̇[{i}] tracks the command");
    }

    [Test]
    public void Step_ActionOutsideBounds_IsClampedToOne()
    {
        using var a = new ReachTask();
        using var b = new ReachTask();
        var oa = new float[23];
        var ob = new float[23];
        a.Reset(4, oa);
        b.Reset(4, ob);
        StepResult ra = a.Step([5f, -5f, 1f, -1f, 2f, 0f, -3f], oa);
        StepResult rb = b.Step([1f, -1f, 1f, -1f, 1f, 0f, -1f], ob);
        Assert.That(oa, Is.EqualTo(ob));
        Assert.That(ra, Is.EqualTo(rb));
    }

    [Test]
    public void RewardAndSuccess_HandBuiltStates_MatchDefinition()
    {
        using var task = new ReachTask();
        var observation = new float[23];
        var zero = new double[7];
        task.ResetTo(Home, zero, Vec3.Zero, observation);
        Vec3 ee = task.Simulator.EndEffectorPosition;
        Assert.That(ee.X, Is.EqualTo(0.5654).Within(1e-3), "home end effector (hand-checked: 0.565, 0, 0.336)");
        Assert.That(ee.Z, Is.EqualTo(0.3361).Within(1e-3));

        // (distance, reward = −d + 0.25·max(0, 1 − d/0.05), success = d < 0.05)
        (double Distance, double Reward, bool Success)[] cases =
        [
            (0.0, 0.25, true), (0.02, -0.02 + 0.25 * 0.6, true), (0.049, -0.049 + 0.25 * 0.02, true),
            (0.051, -0.051, false), (0.3, -0.3, false),
        ];
        var still = new float[7];
        foreach (var (distance, reward, success) in cases)
        {
            task.ResetTo(Home, zero, ee + new Vec3(0, distance, 0), observation);
            Assert.That(task.Distance, Is.EqualTo(distance).Within(1e-12));
            Assert.That(task.IsSuccess, Is.EqualTo(success), $"d = {distance}");
            Assert.That(task.RewardAt(distance), Is.EqualTo(reward).Within(1e-12), $"d = {distance}");
            StepResult r = task.Step(still, observation); // zero command: the arm holds still
            Assert.That(r.Reward, Is.EqualTo((float)reward).Within(1e-6f), $"step reward at d = {distance}");
            Assert.That(task.IsSuccess, Is.EqualTo(success), $"after a zero step, d = {distance}");
        }
    }

    [Test]
    public void Step_MaxEpisodeSteps_TruncatesOnceNeverTerminates()
    {
        using var task = new ReachTask();
        var observation = new float[23];
        var action = new float[7];
        task.Reset(5, observation);
        for (int k = 1; k <= 100; k++)
        {
            StepResult r = task.Step(action, observation);
            Assert.That(r.Terminated, Is.False, $"step {k}");
            Assert.That(r.Truncated, Is.EqualTo(k == 100), $"step {k}");
        }
        Assert.That(task.StepCount, Is.EqualTo(100));
        var ex = Assert.Throws<InvalidOperationException>(() => task.Step(action, observation));
        Assert.That(ex!.Message, Does.Contain("Reset"));
        task.Reset(6, observation);
        Assert.That(task.Step(action, observation).Truncated, Is.False);
    }

    [Test]
    public void Step_BeforeReset_Throws()
    {
        using var task = new ReachTask();
        Assert.Throws<InvalidOperationException>(() => task.Step(new float[7], new float[23]));
    }

    [TestCase(float.NaN)]
    [TestCase(float.PositiveInfinity)]
    [TestCase(float.NegativeInfinity)]
    public void Step_NonFiniteActionWithoutSafety_ThrowsNamingIndexAndLeavesStateUnchanged(float bad)
    {
        using var task = new ReachTask(new ReachOptions { SafetyEnabled = false });
        var observation = new float[23];
        task.Reset(7, observation);
        task.Step([0.3f, 0.3f, 0.3f, 0.3f, 0.3f, 0.3f, 0.3f], observation);
        double[] q = task.Simulator.Positions.ToArray(), qd = task.Simulator.Velocities.ToArray();
        float[] before = (float[])observation.Clone();
        double time = task.Simulator.Time;

        var ex = Assert.Throws<ArgumentException>(() => task.Step([0, 0, 0, 0, bad, 0, 0], observation));
        Assert.That(ex!.Message, Does.Contain("action[4]"));
        Assert.That(ex.ParamName, Is.EqualTo("action"));
        Assert.That(task.Simulator.Positions.ToArray(), Is.EqualTo(q));
        Assert.That(task.Simulator.Velocities.ToArray(), Is.EqualTo(qd));
        Assert.That(task.Simulator.Time, Is.EqualTo(time));
        Assert.That(task.StepCount, Is.EqualTo(1));
        Assert.That(observation, Is.EqualTo(before));
    }

    [TestCase(float.NaN)]
    [TestCase(float.PositiveInfinity)]
    public void Step_NonFiniteActionWithSafety_SendsZeroVelocityAndCountsFault(float bad)
    {
        using var task = new ReachTask();
        var observation = new float[23];
        task.Reset(7, observation);

        var result = task.Step([0, 0, 0, 0, bad, 0, 0], observation);

        Assert.That(result.SafetyIntervened, Is.True);
        Assert.That(task.Safety!.Faults, Is.EqualTo(1));
        Assert.That(observation, Has.All.Matches<float>(float.IsFinite), "the arm was commanded to stop, not to NaN");
        Assert.That(task.Simulator.Velocities.ToArray(), Has.All.Matches<double>(v => Math.Abs(v) < 0.05), "near-zero joint velocities");
    }

    [Test]
    public void Step_CommandLeavingWorkspace_IsStoppedAndCounted()
    {
        // A workspace box hugging the start pose: any sizeable motion would leave it.
        var options = new ReachOptions { WorkspaceMin = new(0.50, -0.05, 0.30), WorkspaceMax = new(0.62, 0.05, 0.38) };
        using var task = new ReachTask(options);
        var observation = new float[23];
        task.Reset(3, observation);
        long stops = 0;
        for (int t = 0; t < 40; t++)
        {
            var r = task.Step([1, 1, 1, 1, 1, 1, 1], observation);
            if (r.SafetyIntervened) stops++;
        }
        var p = task.Simulator.EndEffectorPosition;
        Assert.That(stops, Is.GreaterThan(0));
        Assert.That(task.Safety!.WorkspaceStops, Is.GreaterThan(0));
        Assert.That(p.X, Is.InRange(0.50 - 0.02, 0.62 + 0.02), "held inside the box (to within one step's tracking lag)");
        Assert.That(p.Z, Is.InRange(0.30 - 0.02, 0.38 + 0.02));
    }

    [Test]
    public void Step_FilterStopsTheArm_ExecutedActionIsTheStopNotTheCommand()
    {
        var options = new ReachOptions { WorkspaceMin = new(0.50, -0.05, 0.30), WorkspaceMax = new(0.62, 0.05, 0.38) };
        using var task = new ReachTask(options);
        var observation = new float[23];
        task.Reset(3, observation);
        float[] command = [1, 1, 1, 1, 1, 1, 1];
        StepResult r = default;
        for (int t = 0; t < 40 && (r.Interventions & NafNative.Safety.SafetyInterventions.Workspace) == 0; t++) r = task.Step(command, observation);

        Assert.That(r.Interventions & NafNative.Safety.SafetyInterventions.Workspace, Is.Not.Zero, "the box stopped the arm within 40 steps");
        Assert.That(r.SafetyIntervened, Is.True);
        Assert.That(task.ExecutedAction.ToArray(), Is.EqualTo(new float[7]), "a workspace stop executes zero velocity on every joint");

        var free = task.Step([0.1f, 0, 0, 0, 0, 0, 0], observation);
        if (!free.SafetyIntervened)
            Assert.That(task.ExecutedAction.ToArray(), Is.EqualTo(new[] { 0.1f, 0, 0, 0, 0, 0, 0 }).Within(1e-6f),
                "an unfiltered command executes as given");
    }

    [Test]
    public void Step_WrongBufferSizes_Throw()
    {
        using var task = new ReachTask();
        task.Reset(8, new float[23]);
        Assert.Throws<ArgumentException>(() => task.Step(new float[6], new float[23]));
        Assert.Throws<ArgumentException>(() => task.Step(new float[7], new float[22]));
        Assert.Throws<ArgumentException>(() => task.Reset(8, new float[24]));
    }

    [Test]
    public void Episode_SameSeedAndActions_BitIdentical()
    {
        float[] a = RunEpisode(seed: 42, actionSeed: 9), b = RunEpisode(seed: 42, actionSeed: 9);
        Assert.That(a.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(b.Select(BitConverter.SingleToInt32Bits)));
        Assert.That(RunEpisode(seed: 43, actionSeed: 9), Is.Not.EqualTo(a));
    }

    /// <summary>Every observation and reward of one random-action episode, concatenated.</summary>
    private static float[] RunEpisode(int seed, int actionSeed)
    {
        using var task = new ReachTask();
        var random = new Random(actionSeed);
        var observation = new float[23];
        var action = new float[7];
        var trace = new List<float>();
        task.Reset(seed, observation);
        trace.AddRange(observation);
        StepResult r;
        do
        {
            for (int i = 0; i < 7; i++) action[i] = (float)(2 * random.NextDouble() - 1);
            r = task.Step(action, observation);
            trace.AddRange(observation);
            trace.Add(r.Reward);
        } while (!r.Done);
        return trace.ToArray();
    }

    [Test]
    public void StepAndReset_AfterWarmUp_AllocateNothing()
    {
        using var task = new ReachTask();
        var observation = new float[23];
        float[] action = [0.2f, -0.4f, 0.1f, 0.5f, -0.2f, 0.3f, 0.1f];
        task.Reset(1, observation);
        for (int k = 0; k < 10; k++) task.Step(action, observation);
        task.Reset(2, observation);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int episode = 0; episode < 3; episode++)
        {
            task.Reset(episode, observation);
            for (int k = 0; k < 100; k++) task.Step(action, observation);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(allocated, Is.EqualTo(0), "bytes allocated by 3 resets and 300 steps");
    }

    [Test]
    public void ScriptedJacobianPolicy_200Seeds_ReachesAtLeast99Percent()
    {
        // A damped-least-squares controller that reads only the observation (plus the arm's Jacobian) must succeed on
        // (almost) every seed: the targets are reachable in time and the actions move the end effector directly. It is
        // the ceiling a learned policy aims at.
        using var task = new ReachTask();
        var observation = new float[23];
        var action = new float[7];
        var jacobian = new double[21];
        int successes = 0;
        double worst = 0;
        for (int seed = 0; seed < 200; seed++)
        {
            task.Reset(seed, observation);
            StepResult r;
            do
            {
                ScriptedAction(task, observation, jacobian, action);
                r = task.Step(action, observation);
            } while (!r.Done);
            if (task.IsSuccess) successes++;
            worst = Math.Max(worst, task.Distance);
        }
        Assert.That(successes, Is.GreaterThanOrEqualTo(198), $"successes of 200; worst final distance {worst:F3} m");
    }

    /// <summary>q̇ = Jᵀ(JJᵀ + λ²1)⁻¹ · k·(g − p) from the observation's positions, in action units.</summary>
    internal static void ScriptedAction(ReachTask task, ReadOnlySpan<float> observation, double[] jacobian, Span<float> action)
    {
        const double gain = 4; // 1/s
        double scale = task.Options.PositionScale;
        Vec3 error = gain * scale * new Vec3(
            observation[20] - observation[14], observation[21] - observation[15], observation[22] - observation[16]);
        task.Simulator.Dynamics.LinearJacobian(jacobian); // configuration of the last step
        ResolvedRateControl.Apply(task.Options.Model, task.Options.ActionScale, jacobian, error, action);
    }

    [Test]
    public void Constructor_BadOptions_ThrowNamingField()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ReachTask(new ReachOptions { ActionScale = double.NaN }));
        Assert.That(ex!.Message, Does.Contain("ActionScale"));
        ex = Assert.Throws<ArgumentException>(() => new ReachTask(new ReachOptions { HomePose = [0, 0, 0] }));
        Assert.That(ex!.Message, Does.Contain("HomePose"));
        ex = Assert.Throws<ArgumentException>(() => new ReachTask(new ReachOptions { MaxEpisodeSteps = 0 }));
        Assert.That(ex!.Message, Does.Contain("MaxEpisodeSteps"));
    }
}
