using NafNative.Environments;
using NafNative.Sim.Arm;
using NafNative.Sim.Tasks;
using NafNative.Sim.Variation;
using NUnit.Framework;

namespace NafNative.Sim.Tests.Variation;

/// <summary>Each perturbation shows where it should and nowhere else; the same seed and worker give the same robot;
/// none is the nominal task bit for bit; bad specs are refused naming the field.</summary>
[TestFixture]
public sealed class RobotVariationTests
{
    private static readonly RobotVariation Mild = new() { Preset = "mild" };

    private static float[] Episode(IEnvironment env, int seed, int steps, Func<int, float[]> action)
    {
        var obs = new float[env.ObservationSize];
        var trace = new List<float>();
        env.Reset(seed, obs);
        trace.AddRange(obs);
        for (int t = 0; t < steps; t++)
        {
            var r = env.Step(action(t), obs);
            trace.AddRange(obs);
            trace.Add(r.Reward);
        }
        return [.. trace];
    }

    [Test]
    public void None_IsTheNominalTaskBitForBit()
    {
        using var nominal = TaskCatalog.Create("reach", 0);
        using var none = TaskCatalog.Create("reach", 0, new RobotVariation { Preset = "none" }, seed: 9);
        var random = new Random(3);
        var actions = Enumerable.Range(0, 40).Select(_ => Enumerable.Range(0, 7).Select(_ => (float)(2 * random.NextDouble() - 1)).ToArray()).ToArray();

        Assert.That(none, Is.TypeOf<ReachTask>(), "no wrapper at all");
        Assert.That(Episode(none, 5, 40, t => actions[t]), Is.EqualTo(Episode(nominal, 5, 40, t => actions[t])));
    }

    [Test]
    public void SameSeedAndWorker_SameRobot_OtherWorkerOtherRobot()
    {
        var a = TaskCatalog.Robot("reach", 1, Mild, seed: 4);
        var b = TaskCatalog.Robot("reach", 1, Mild, seed: 4);
        var c = TaskCatalog.Robot("reach", 2, Mild, seed: 4);
        var d = TaskCatalog.Robot("reach", 1, Mild, seed: 5);

        Assert.Multiple(() =>
        {
            Assert.That(b.JointOffsetsRad, Is.EqualTo(a.JointOffsetsRad));
            Assert.That(b.MassScales, Is.EqualTo(a.MassScales));
            Assert.That(b.LatencySteps, Is.EqualTo(a.LatencySteps));
            Assert.That(c.JointOffsetsRad, Is.Not.EqualTo(a.JointOffsetsRad), "another worker, another robot");
            Assert.That(d.MassScales, Is.Not.EqualTo(a.MassScales), "another seed, another robot");
            Assert.That(a.JointOffsetsRad.Select(Math.Abs), Is.All.LessThanOrEqualTo(Math.PI / 180), "mild: ±1°");
            Assert.That(a.MassScales, Is.All.InRange(0.9, 1.1), "mild: ±10 %");
            Assert.That(a.LatencySteps, Is.InRange(0, 1));
        });
    }

    [Test]
    public void ZeroOffset_ShiftsTheObservedAngleNotTheTrueOne()
    {
        var robot = new RobotParameters(0, [0.05, 0, 0, -0.02, 0, 0, 0], Ones(), Ones(), Ones(), 0, 0, 0, 0);
        using var varied = new VariedEnvironment(new ReachTask(), robot, 7);
        using var nominal = new ReachTask();
        var seen = new float[23];
        var truth = new float[23];
        varied.Reset(8, seen);
        nominal.Reset(8, truth);
        float[] a = [0.3f, -0.2f, 0.1f, 0.4f, 0, 0, 0.2f];
        varied.Step(a, seen);
        nominal.Step(a, truth);

        var inner = (ReachTask)varied.Inner;
        Assert.Multiple(() =>
        {
            Assert.That(seen[0], Is.EqualTo(truth[0] + 0.05f).Within(1e-6f), "encoder reads true + offset");
            Assert.That(seen[3], Is.EqualTo(truth[3] - 0.02f).Within(1e-6f));
            Assert.That(seen[1], Is.EqualTo(truth[1]));
            Assert.That(inner.Simulator.Positions[0], Is.EqualTo(nominal.Simulator.Positions[0]), "the arm itself moved exactly as the nominal one");
            Assert.That(seen[7..], Is.EqualTo(truth[7..]), "velocities, end effector and target untouched");
        });
    }

    [Test]
    public void MassScale_ChangesTheGravityTorqueByThatFactor()
    {
        var model = ArmModel.Iiwa14();
        double[] scales = [1, 1, 1, 1, 1, 1.2, 1];
        var robot = new RobotParameters(0, new double[7], scales, Ones(), Ones(), 0, 0, 0, 0);
        var heavy = robot.Apply(model);
        var light = new RobotParameters(0, new double[7], [1, 1, 1, 1, 1, 0.5, 1], Ones(), Ones(), 0, 0, 0, 0).Apply(model);
        double[] q = [0, 0.6, 0, -1.0, 0, 0.8, 0];

        // Gravity torques are linear in each link's mass: τ(s) = τ(other links) + s·τ₆, so τ₆ = (τ(1) − τ(0.5)) / 0.5
        // and τ(1.2) must be τ(1) + 0.2·τ₆.
        double[] g0 = Gravity(model, q), g1 = Gravity(heavy, q), gh = Gravity(light, q);
        Assert.Multiple(() =>
        {
            for (int j = 0; j < 7; j++)
                Assert.That(g1[j], Is.EqualTo(g0[j] + 0.2 * (g0[j] - gh[j]) / 0.5).Within(1e-9), $"joint {j + 1}");
            Assert.That(Math.Abs(g1[1] - g0[1]), Is.GreaterThan(0.1), "link 6's weight matters at the shoulder");
        });
    }

    private static double[] Gravity(ArmModel model, double[] q)
    {
        var dynamics = new ArmDynamics(model);
        var tau = new double[7];
        dynamics.GravityTorques(q, tau);
        return tau;
    }

    [TestCase(1)]
    [TestCase(3)]
    public void Latency_DelaysTheCommandByExactlyNSteps(int latency)
    {
        var robot = new RobotParameters(0, new double[7], Ones(), Ones(), Ones(), latency, 0, 0, 0);
        using var varied = new VariedEnvironment(new ReachTask(), robot, 7);
        var inner = (ReachTask)varied.Inner;
        var obs = new float[23];
        varied.Reset(2, obs);
        float[] push = [0.5f, 0, 0, 0, 0, 0, 0];
        float[] still = new float[7];
        var executedJoint1 = new List<float>();
        for (int t = 0; t < latency + 3; t++)
        {
            varied.Step(t == 0 ? push : still, obs);
            executedJoint1.Add(inner.ExecutedAction[0]);
        }
        var expected = Enumerable.Range(0, latency + 3).Select(t => t == latency ? 0.5f : 0f).ToArray();
        Assert.That(executedJoint1, Is.EqualTo(expected).Within(1e-6f), $"the push arrives at step {latency}, and only then");
    }

    [Test]
    public void Noise_IsReproduciblePerEpisodeSeed()
    {
        var robot = new RobotParameters(0, new double[7], Ones(), Ones(), Ones(), 0, 0.01, 0.05, 0.1);
        using var a = new VariedEnvironment(new ReachTask(), robot, 7);
        using var b = new VariedEnvironment(new ReachTask(), robot, 7);
        float[] act = [0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f];
        var first = Episode(a, 4, 20, _ => act);
        Assert.Multiple(() =>
        {
            Assert.That(Episode(b, 4, 20, _ => act), Is.EqualTo(first), "same seed, same noise");
            Assert.That(Episode(b, 5, 20, _ => act), Is.Not.EqualTo(first));
        });
    }

    [Test]
    public void SafetyFilter_HoldsUnderStrongVariation_NoJointLeavesItsRange()
    {
        var strong = new RobotVariation { Preset = "strong" };
        for (int worker = 0; worker < 4; worker++)
        {
            using var env = (VariedEnvironment)TaskCatalog.Create("reach", worker, strong, seed: 1);
            var inner = (ReachTask)env.Inner;
            var model = inner.Options.Model;
            var obs = new float[23];
            var random = new Random(worker);
            for (int episode = 0; episode < 3; episode++)
            {
                env.Reset(episode, obs);
                StepResult r;
                do
                {
                    var a = Enumerable.Range(0, 7).Select(_ => random.Next(2) == 0 ? 1f : -1f).ToArray();
                    r = env.Step(a, obs);
                    for (int j = 0; j < 7; j++)
                    {
                        double qj = inner.Simulator.Positions[j];
                        Assert.That(qj, Is.InRange(model.LowerLimits[j], model.UpperLimits[j]), $"worker {worker} joint {j + 1}");
                        Assert.That(Math.Abs(inner.Simulator.Velocities[j]), Is.LessThanOrEqualTo(model.MaxVelocities[j] * 1.05), $"worker {worker} joint {j + 1} speed");
                    }
                }
                while (!r.Done);
            }
        }
    }

    [TestCase("{\"preset\": \"wild\"}", "variation.preset")]
    [TestCase("{\"mass_pct\": 120}", "variation.mass_pct")]
    [TestCase("{\"mass_pct\": -5}", "variation.mass_pct")]
    [TestCase("{\"latency_steps\": 11}", "variation.latency_steps")]
    [TestCase("{\"workers\": {\"x\": {}}}", "variation.workers.x")]
    [TestCase("{\"workers\": {\"1\": {\"gain_pct\": 95}}}", "variation.workers.1.gain_pct")]
    public void BadSpec_IsRefusedNamingTheField(string json, string field)
    {
        var spec = System.Text.Json.JsonSerializer.Deserialize<RobotVariation>(json,
            new System.Text.Json.JsonSerializerOptions { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower })!;
        var error = Assert.Throws<ArgumentException>(() => spec.Validate());
        Assert.That(error!.Message, Does.Contain($"'{field}'"));
    }

    [Test]
    public void LatencyLongerThanTheEpisode_IsRefused()
    {
        var robot = new RobotParameters(0, new double[7], Ones(), Ones(), Ones(), 150, 0, 0, 0);
        var error = Assert.Throws<ArgumentException>(() => new VariedEnvironment(new ReachTask(), robot, 7));
        Assert.That(error!.Message, Does.Contain("latency_steps").And.Contain("episode"));
    }

    [Test]
    public void PerWorkerOverride_ReplacesOnlyThatWorkersRanges()
    {
        var spec = new RobotVariation { Preset = "mild", Workers = new() { ["1"] = new RobotVariation { LatencySteps = 4, MassPct = 0 } } };
        Assert.Multiple(() =>
        {
            Assert.That(spec.Resolve(0), Is.EqualTo(RobotVariation.Presets["mild"]));
            Assert.That(spec.Resolve(1), Is.EqualTo(RobotVariation.Presets["mild"] with { LatencySteps = 4, MassPct = 0 }));
            Assert.That(TaskCatalog.Robot("reach", 1, spec, 3).MassScales, Is.All.EqualTo(1.0));
        });
    }

    private static double[] Ones() => [1, 1, 1, 1, 1, 1, 1];
}
